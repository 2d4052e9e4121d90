package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"intent/internal/atomicfile"
	"intent/model"
	"intent/model/dataset"
	"intent/model/metrics"
	"intent/model/pipeline"
)

type cvOptions struct {
	dataFlags
	modelFlags
	folds   int
	repeats int
	jsonOut string
	quiet   bool

	cfg model.Config
}

func newCVCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &cvOptions{}
	cmd := &cobra.Command{
		Use:   "cv",
		Short: "Cross-validate: the accuracy to expect, with its spread over splits",
		Long: `cv measures the training recipe by stratified k-fold cross-validation: the
labeled questions are dealt into --folds folds, each intent spread evenly
over them; each fold in turn is the validation set of a model trained, by
the same pipeline as train, on the other folds. Every question is thus
validated exactly once per repeat. --repeats deals the folds again with
another shuffle (repeat r uses seed --seed + r - 1, for the folds and the
solver alike) and runs them all again.

It prints one row per fold (questions trained on and validated, accuracy,
macro-F1, calibration error), then the mean, standard deviation, minimum
and maximum of each metric over all folds of all repeats. The standard
deviation (n-1 denominator) is how much one split's number moves: quote
the mean with it rather than a single split. Nothing is exported.

An intent with fewer questions than --folds cannot be validated in every
fold: its questions are kept in the training part of every fold, never
validated, and listed in a warning (and in the JSON as
train_only_intents).

Folds run one after another; each trains with --workers cores (all by
default). --data and the model flags are those of train.`,
		Example: `  trainer cv --data data/sample
  trainer cv --data data/sample --folds 5 --repeats 2 --json cv.json
  trainer cv --data questions.csv --text-col question --label-col intent --folds 10 --C 0.5 -q`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			return o.run(cmd.Context(), stdout, stderr)
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs, "labeled dataset: a Posos folder or a CSV/TSV/JSONL file (required)")
	o.addModelFlags(fs)
	fs.IntVar(&o.folds, "folds", 5, "number of folds (at least 2)")
	fs.IntVar(&o.repeats, "repeats", 1, "times the whole cross-validation runs, reshuffled with seed --seed + repeat - 1")
	fs.StringVar(&o.jsonOut, "json", "", "also write every fold and the summary as JSON to this file")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress, no per-fold table: only the summary")
	return cmd
}

func (o *cvOptions) complete() error {
	if o.data == "" {
		return usagef("--data is required (a Posos folder or a CSV/TSV/JSONL file)")
	}
	if o.folds < 2 {
		return usagef("--folds %d: need at least 2 folds", o.folds)
	}
	if o.repeats < 1 {
		return usagef("--repeats %d: need at least 1 repeat", o.repeats)
	}
	if o.jsonOut != "" {
		if st, err := os.Stat(filepath.Dir(o.jsonOut)); err != nil || !st.IsDir() {
			return usagef("--json %s: folder %s does not exist", o.jsonOut, filepath.Dir(o.jsonOut))
		}
	}
	cfg, err := o.config()
	if err != nil {
		return err
	}
	o.cfg = cfg
	return nil
}

// cvFold is one fold of one repeat.
type cvFold struct {
	Repeat       int              `json:"repeat"` // from 1
	Fold         int              `json:"fold"`   // from 1
	Seed         int64            `json:"seed"`
	NTrain       int              `json:"n_train"`
	NValid       int              `json:"n_valid"`
	Accuracy     float64          `json:"accuracy"`
	AccuracyCI   metrics.Interval `json:"accuracy_ci"`
	MacroF1      float64          `json:"macro_f1"`
	MacroF1CI    metrics.Interval `json:"macro_f1_ci"`
	ECE          float64          `json:"ece"`
	Temperature  float64          `json:"temperature"`
	TrainSeconds float64          `json:"train_seconds"`
}

// cvStat summarizes one metric over folds.
type cvStat struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"` // sample standard deviation (n-1)
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	N    int     `json:"n"`
}

type cvSummary struct {
	Accuracy cvStat `json:"accuracy"`
	MacroF1  cvStat `json:"macro_f1"`
	ECE      cvStat `json:"ece"`
}

// cvRepeat is the mean of one repeat's folds.
type cvRepeat struct {
	Repeat   int     `json:"repeat"`
	Seed     int64   `json:"seed"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	ECE      float64 `json:"ece"`
}

// cvReport is what --json writes.
type cvReport struct {
	Data struct {
		Sources         []string       `json:"sources"`
		Format          string         `json:"format"`
		Rows            int            `json:"rows"`
		Rejected        int            `json:"rejected"`
		RejectedReasons map[string]int `json:"rejected_reasons,omitempty"`
		Questions       int            `json:"questions"`
		Intents         int            `json:"intents"`
		Validated       int            `json:"validated_per_repeat"`
	} `json:"data"`
	Folds   int            `json:"folds"`
	Repeats int            `json:"repeats"`
	Seed    int64          `json:"seed"`
	Model   map[string]any `json:"model"`
	// TrainOnly maps the intents with fewer questions than folds to their
	// question count: never validated, always trained on.
	TrainOnly      map[string]int `json:"train_only_intents,omitempty"`
	Results        []cvFold       `json:"results"`
	RepeatMeans    []cvRepeat     `json:"repeat_means"`
	Summary        cvSummary      `json:"summary"`
	StdMeaning     string         `json:"std_meaning"`
	WallSeconds    float64        `json:"wall_seconds"`
	ProgramVersion string         `json:"program_version"`
}

func (o *cvOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	start := time.Now()
	prog := newProgress(stderr, o.quiet)
	prog.step("reading %s", o.data)
	ds, err := dataset.Load(o.data, o.options(false))
	if err != nil {
		return fmt.Errorf("--data %s: %s", o.data, err)
	}
	var ex []dataset.Example
	for _, e := range ds.Examples {
		if e.Label != "" {
			ex = append(ex, e)
		}
	}
	rep := &cvReport{Folds: o.folds, Repeats: o.repeats, Seed: o.seed, Model: o.settings(), ProgramVersion: model.Version,
		StdMeaning: "sample standard deviation (n-1) of the per-fold values over all folds of all repeats"}
	rep.Data.Sources, rep.Data.Format = ds.Sources, ds.Format
	rep.Data.Rows, rep.Data.Rejected = len(ds.Examples)+len(ds.Rejected), len(ds.Rejected)
	rep.Data.RejectedReasons = ds.RejectionSummary()
	rep.Data.Questions = len(ex)

	// The progress bar within a fold on a terminal; in logs, one line per
	// fold is enough.
	var hooks pipeline.Hooks
	if prog.tty {
		hooks.Progress = prog.update
	}
	for r := 1; r <= o.repeats; r++ {
		seed := o.seed + int64(r-1)
		plan, err := planFolds(ex, o.folds, seed)
		if err != nil {
			return err
		}
		if r == 1 {
			rep.TrainOnly, rep.Data.Intents, rep.Data.Validated = plan.trainOnly, plan.intents, plan.validated
			if len(plan.trainOnly) > 0 {
				prog.done()
				fmt.Fprintf(stderr, "warning: %s\n", trainOnlyWarning(plan.trainOnly, o.folds))
			}
		}
		for f := range o.folds {
			train, valid := plan.fold(ex, f)
			prog.step("repeat %d/%d, fold %d/%d: training on %d questions, validating on %d", r, o.repeats, f+1, o.folds, len(train), len(valid))
			cfg := o.cfg
			cfg.Seed = seed
			res, err := pipeline.Run(ctx, pipeline.Job{
				Examples:      train,
				ExamplesName:  fmt.Sprintf("training questions of fold %d/%d", f+1, o.folds),
				ValidExamples: valid,
				Config:        cfg,
			}, hooks)
			if err != nil {
				return fmt.Errorf("repeat %d, fold %d: %w", r, f+1, err)
			}
			m := res.Report
			rep.Results = append(rep.Results, cvFold{
				Repeat: r, Fold: f + 1, Seed: seed,
				NTrain: len(res.Train), NValid: len(res.Valid),
				Accuracy: m.Accuracy, AccuracyCI: m.AccuracyCI,
				MacroF1: m.MacroF1, MacroF1CI: m.MacroF1CI,
				ECE: m.ECEAfter, Temperature: m.Temperature, TrainSeconds: m.TrainSeconds,
			})
		}
	}
	prog.done()
	rep.Summary, rep.RepeatMeans = summarize(rep.Results, o.repeats, o.seed)
	rep.WallSeconds = time.Since(start).Seconds()
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	printCV(stdout, rep, o.data, o.quiet)
	return nil
}

// foldPlan is the validation questions of every fold of one repeat.
type foldPlan struct {
	valid     [][]int // indices into the examples, increasing, per fold
	inFold    []int   // fold of each example, -1 when never validated
	trainOnly map[string]int
	intents   int
	validated int
}

// planFolds deals the examples into k stratified folds (dataset.KFold,
// seeded). An intent with fewer than k questions cannot be validated in
// every fold: its questions are left out of the folds, trained on in every
// fold and listed in trainOnly with their count.
func planFolds(ex []dataset.Example, k int, seed int64) (*foldPlan, error) {
	count := map[string]int{}
	for _, e := range ex {
		count[e.Label]++
	}
	p := &foldPlan{intents: len(count), inFold: make([]int, len(ex)), valid: make([][]int, k)}
	var idx []int
	var big []dataset.Example
	for i, e := range ex {
		p.inFold[i] = -1
		if count[e.Label] >= k {
			idx = append(idx, i)
			big = append(big, e)
		} else {
			if p.trainOnly == nil {
				p.trainOnly = map[string]int{}
			}
			p.trainOnly[e.Label] = count[e.Label]
		}
	}
	if len(big) == 0 {
		return nil, usagef("--folds %d: no intent has %d questions, so none could be validated in every fold; use fewer folds", k, k)
	}
	folds, err := dataset.KFold(big, k, seed)
	if err != nil {
		return nil, err
	}
	for f, fold := range folds {
		for _, j := range fold {
			i := idx[j]
			p.inFold[i] = f
			p.valid[f] = append(p.valid[f], i)
		}
	}
	p.validated = len(big)
	return p, nil
}

// fold returns the training and validation questions of fold f, each in
// the examples' order.
func (p *foldPlan) fold(ex []dataset.Example, f int) (train, valid []dataset.Example) {
	for i, e := range ex {
		if p.inFold[i] == f {
			valid = append(valid, e)
		} else {
			train = append(train, e)
		}
	}
	return train, valid
}

func trainOnlyWarning(trainOnly map[string]int, k int) string {
	labels := make([]string, 0, len(trainOnly))
	for l := range trainOnly {
		labels = append(labels, l)
	}
	metrics.SortLabels(labels)
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%s (%d)", l, trainOnly[l])
	}
	return fmt.Sprintf("%d intents have fewer questions than the %d folds: they are trained on in every fold and never validated: %s",
		len(labels), k, strings.Join(parts, ", "))
}

// summarize computes each metric's statistics over all folds, and the mean
// of every repeat.
func summarize(res []cvFold, repeats int, seed int64) (cvSummary, []cvRepeat) {
	get := func(f func(cvFold) float64) cvStat {
		xs := make([]float64, len(res))
		for i, r := range res {
			xs[i] = f(r)
		}
		return describe(xs)
	}
	s := cvSummary{
		Accuracy: get(func(r cvFold) float64 { return r.Accuracy }),
		MacroF1:  get(func(r cvFold) float64 { return r.MacroF1 }),
		ECE:      get(func(r cvFold) float64 { return r.ECE }),
	}
	means := make([]cvRepeat, repeats)
	n := make([]int, repeats)
	for i := range means {
		means[i] = cvRepeat{Repeat: i + 1, Seed: seed + int64(i)}
	}
	for _, r := range res {
		m := &means[r.Repeat-1]
		m.Accuracy += r.Accuracy
		m.MacroF1 += r.MacroF1
		m.ECE += r.ECE
		n[r.Repeat-1]++
	}
	for i := range means {
		if n[i] > 0 {
			k := float64(n[i])
			means[i].Accuracy, means[i].MacroF1, means[i].ECE = means[i].Accuracy/k, means[i].MacroF1/k, means[i].ECE/k
		}
	}
	return s, means
}

// describe returns the mean, the sample standard deviation (n-1; 0 for a
// single value), the minimum and the maximum of xs.
func describe(xs []float64) cvStat {
	s := cvStat{N: len(xs)}
	if len(xs) == 0 {
		return s
	}
	s.Min, s.Max = xs[0], xs[0]
	var sum float64
	for _, x := range xs {
		sum += x
		s.Min, s.Max = min(s.Min, x), max(s.Max, x)
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		s.Std = math.Sqrt(ss / float64(len(xs)-1))
	}
	return s
}

// printCV prints the folds table (unless quiet) and the summary.
func printCV(w io.Writer, rep *cvReport, data string, quiet bool) {
	fmt.Fprintf(w, "\nCross-validation of %s: %d questions, %d intents", data, rep.Data.Questions, rep.Data.Intents)
	if rep.Data.Rejected > 0 {
		fmt.Fprintf(w, " (%d rows rejected: %v)", rep.Data.Rejected, rep.Data.RejectedReasons)
	}
	fmt.Fprintf(w, "\n  %d stratified folds x %d repeat(s), seed %d", rep.Folds, rep.Repeats, rep.Seed)
	if rep.Repeats > 1 {
		fmt.Fprintf(w, " (repeat r: seed %d + r - 1)", rep.Seed)
	}
	fmt.Fprintf(w, "; every fold is validated on questions its model never saw\n")
	if len(rep.TrainOnly) > 0 {
		fmt.Fprintf(w, "  %s\n", trainOnlyWarning(rep.TrainOnly, rep.Folds))
	}
	pct := func(x float64) string { return fmt.Sprintf("%.2f %%", 100*x) }
	if !quiet {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "repeat\tfold\tn_train\tn_valid\taccuracy\tmacro-F1\tECE\ttrain s\t\n")
		for _, r := range rep.Results {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\t%.4f\t%.2f\t\n", r.Repeat, r.Fold, r.NTrain, r.NValid, pct(r.Accuracy), pct(r.MacroF1), r.ECE, r.TrainSeconds)
		}
		tw.Flush()
		if rep.Repeats > 1 {
			fmt.Fprintln(w)
			for _, m := range rep.RepeatMeans {
				fmt.Fprintf(w, "repeat %d (seed %d): mean accuracy %s, macro-F1 %s, ECE %.4f\n", m.Repeat, m.Seed, pct(m.Accuracy), pct(m.MacroF1), m.ECE)
			}
		}
	}
	s := rep.Summary
	fmt.Fprintf(w, "\nOver %d folds (std: sample standard deviation across folds, in points for percentages)\n", s.Accuracy.N)
	fmt.Fprintf(w, "  %-9s %9s %7s %9s %9s\n", "", "mean", "std", "min", "max")
	fmt.Fprintf(w, "  %-9s %9s %7.2f %9s %9s\n", "accuracy", pct(s.Accuracy.Mean), 100*s.Accuracy.Std, pct(s.Accuracy.Min), pct(s.Accuracy.Max))
	fmt.Fprintf(w, "  %-9s %9s %7.2f %9s %9s\n", "macro-F1", pct(s.MacroF1.Mean), 100*s.MacroF1.Std, pct(s.MacroF1.Min), pct(s.MacroF1.Max))
	fmt.Fprintf(w, "  %-9s %9.4f %7.4f %9.4f %9.4f\n", "ECE", s.ECE.Mean, s.ECE.Std, s.ECE.Min, s.ECE.Max)
	fmt.Fprintf(w, "\ncross-validated accuracy %.2f %% ± %.2f (min %.2f, max %.2f), macro-F1 %.2f %% ± %.2f (min %.2f, max %.2f), %.1fs in all\n",
		100*s.Accuracy.Mean, 100*s.Accuracy.Std, 100*s.Accuracy.Min, 100*s.Accuracy.Max,
		100*s.MacroF1.Mean, 100*s.MacroF1.Std, 100*s.MacroF1.Min, 100*s.MacroF1.Max, rep.WallSeconds)
}
