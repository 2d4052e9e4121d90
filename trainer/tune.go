package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"intent/internal/atomicfile"
	"intent/model/tune"
)

// tuneFlags choose the search space and strategy of trainer tune.
type tuneFlags struct {
	search, metric                     string
	budget                             int
	halving                            bool
	spaceC, spaceSolvers, spaceWeights string
	spaceMinDF, spaceWords, spaceChar  string
	resultsPath                        string
	show                               int
}

func newTuneCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "tune",
		Short: "Search hyperparameters on a fixed validation set, then train the best configuration",
		Long: `tune searches C (log scale), the solver, class weights, --min-df and the word
and character n-gram ranges on a fixed validation set (--valid-data, or the
seeded split train makes), by grid or random search within --budget
configurations; --halving (successive halving) first trains every
configuration on a third (a ninth, ...) of the training part and carries
only the best third on, so a large space stays affordable. Features are
computed once per encoder setting and shared by every solver setting;
configurations train in parallel.

The best configuration (by --metric) is then trained exactly as train would,
into a new version folder that also holds the whole results table
(tune.csv, tune.json). The validation score chose it, so it is optimistic:
give --test-data for a score that nothing was fitted on.

Every flag of train applies to the final training (--refit, --oos-label...);
its model flags are the base the search varies.`,
		Example: `  trainer tune --data data/sample --budget 24
  trainer tune --data train.jsonl --valid-data valid.jsonl --test-data test.jsonl --metric macro-f1
  trainer tune --data data/sample --search random --budget 60 --halving --space-c log:0.01:100:9 --space-solvers l2,cs
  trainer tune --data data/sample --space-char 2-5,3-6,0-0 --space-word-ngrams 1,2,3 --results tuning`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			if err := o.completeTune(); err != nil {
				return err
			}
			return o.run(cmd, stdout, stderr)
		},
	}
	fs := cmd.Flags()
	o.addTrainFlags(fs)
	o.addTuneFlags(fs)
	return cmd
}

func (o *trainOptions) addTuneFlags(fs *pflag.FlagSet) {
	def := tune.DefaultSpace()
	fs.StringVar(&o.search, "search", "grid", "grid (every configuration, or --budget of them drawn at random) or random (C log-uniform)")
	fs.IntVar(&o.budget, "budget", tune.DefaultBudget, "most configurations to try")
	fs.BoolVar(&o.halving, "halving", false, "successive halving: train on a fraction of the rows first, carry the best third on")
	fs.StringVar(&o.metric, "metric", "accuracy", "what the search maximizes: accuracy or macro-f1")
	fs.StringVar(&o.spaceC, "space-c", "log:0.1:10:5", "values of C: a list (0.1,1,10) or log:LOW:HIGH:COUNT")
	fs.StringVar(&o.spaceSolvers, "space-solvers", joinStrings(def.Solvers), "solvers: l2, cs")
	fs.StringVar(&o.spaceWeights, "space-class-weights", joinStrings(def.ClassWeights), "class weightings: none, balanced")
	fs.StringVar(&o.spaceMinDF, "space-min-df", "1,2", "values of --min-df")
	fs.StringVar(&o.spaceWords, "space-word-ngrams", "1,2", "longest word n-grams (0: no words)")
	fs.StringVar(&o.spaceChar, "space-char", "2-5,3-5", "character n-gram ranges MIN-MAX (0-0: no characters)")
	fs.StringVar(&o.resultsPath, "results", "", "also write the results table to PATH.csv and PATH.json")
	fs.IntVar(&o.show, "show", 10, "configurations shown in the printed table")
}

func joinStrings(v []string) string {
	var b bytes.Buffer
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	return b.String()
}

// completeTune turns the search flags into tune.Options; a bad value is a
// usage error naming its flag.
func (o *trainOptions) completeTune() error {
	var sp tune.Space
	var err error
	if sp.C, err = tune.ParseFloats(o.spaceC); err != nil {
		return usagef("--space-c: %v", err)
	}
	sp.Solvers = tune.ParseWords(o.spaceSolvers)
	sp.ClassWeights = tune.ParseWords(o.spaceWeights)
	if sp.MinDF, err = tune.ParseInts(o.spaceMinDF); err != nil {
		return usagef("--space-min-df: %v", err)
	}
	if sp.WordMax, err = tune.ParseInts(o.spaceWords); err != nil {
		return usagef("--space-word-ngrams: %v", err)
	}
	if sp.Char, err = tune.ParseRanges(o.spaceChar); err != nil {
		return usagef("--space-char: %v", err)
	}
	t := &tune.Options{Space: sp, Search: o.search, Budget: o.budget, Halving: o.halving, Metric: o.metric, Seed: o.cfg.Seed, Workers: o.cfg.Workers}
	if err := t.Validate(); err != nil {
		return usageError{err}
	}
	if o.show < 0 {
		return usagef("--show %d must be >= 0", o.show)
	}
	o.tune = t
	return nil
}

// tuneConfigs is how many configurations the search will try.
func (o *trainOptions) tuneConfigs() int {
	if o.tune == nil {
		return 0
	}
	if n := len(o.tune.Space.Grid()); o.tune.Search == "grid" && n < o.tune.Budget {
		return n
	}
	return o.tune.Budget
}

// addTuningFiles puts the results table in the version folder.
func addTuningFiles(files map[string][]byte, r *tune.Result) error {
	if r == nil {
		return nil
	}
	tf, err := r.Files()
	if err != nil {
		return err
	}
	for name, b := range tf {
		files[name] = b
	}
	return nil
}

// printTuning prints the best configurations and where the table is.
func (o *trainOptions) printTuning(w io.Writer, r *tune.Result, dir string, tested bool) error {
	metric := "accuracy"
	if r.Options.Metric == "macro-f1" {
		metric = "macro-F1"
	}
	fmt.Fprintf(w, "\nSearch: %d configurations (%d encoder settings, %s search%s) in %.1fs, scored on %d validation questions by %s\n",
		r.Configs, r.Encoders, r.Options.Search, map[bool]string{true: ", successive halving"}[r.Options.Halving], r.Seconds, r.NValid, metric)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "  rank\taccuracy\tmacro-F1\trows\tconfiguration\n")
	for i, t := range r.Trials {
		if i >= o.show {
			break
		}
		cfg := t.Params.String()
		if t.Error != "" {
			cfg += "  (failed: " + t.Error + ")"
		}
		fmt.Fprintf(tw, "  %d\t%.2f %%\t%.2f %%\t%d\t%s\n", i+1, 100*t.Accuracy, 100*t.MacroF1, t.NTrain, cfg)
	}
	tw.Flush()
	fmt.Fprintf(w, "  best: %s\n", r.Best)
	if !tested {
		fmt.Fprintf(w, "  Note: the validation score chose this configuration, so it is optimistic; --test-data gives a score nothing was fitted on.\n")
	}
	fmt.Fprintf(w, "  table: %s, %s\n", filepath.Join(dir, "tune.csv"), filepath.Join(dir, "tune.json"))
	if o.resultsPath != "" {
		files := map[string][]byte{}
		if err := addTuningFiles(files, r); err != nil {
			return err
		}
		for _, ext := range []string{"csv", "json"} {
			if err := atomicfile.WriteFile(o.resultsPath+"."+ext, files["tune."+ext], 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "  also: %s.csv, %s.json\n", o.resultsPath, o.resultsPath)
	}
	return nil
}
