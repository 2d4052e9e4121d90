package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"intent/model"
	"intent/model/dataset"
	"intent/model/pipeline"
	"intent/model/svm"
	"intent/model/tune"
	"intent/modelrepo"
)

// dataFlags are the flags shared by every command that reads a dataset.
type dataFlags struct {
	data                     string
	textCol, labelCol, idCol string
}

func (o *dataFlags) addFlags(fs *pflag.FlagSet, usage string) {
	fs.StringVar(&o.data, "data", "", usage)
	fs.StringVar(&o.textCol, "text-col", "", "name of the text column (default: detected among question, text, query, ...)")
	fs.StringVar(&o.labelCol, "label-col", "", "name of the label column (default: detected among intention, intent, label, category, ...)")
	fs.StringVar(&o.idCol, "id-col", "", "name of the ID column (default: detected among ID, id; else the row number)")
}

func (o *dataFlags) options(unlabeled bool) dataset.Options {
	return dataset.Options{TextCol: o.textCol, LabelCol: o.labelCol, IDCol: o.idCol, Unlabeled: unlabeled}
}

type trainOptions struct {
	dataFlags
	out       string
	validData string
	valid     float64
	modelFlags
	names       string
	maxMatrix   int
	quiet       bool
	refit       bool
	testData    string
	oosLabel    string
	oosThresh   string
	oosFallback string
	oosMaxLoss  float64
	weights     string

	cfg model.Config
	oos *pipeline.OOSJob
	// tune is set by the tune command: a search before the final fit.
	tune *tune.Options
	tuneFlags
}

func newTrainCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &trainOptions{}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Fit a model on a labeled dataset, report its metrics and export it",
		Long: `train reads a labeled dataset, holds out a stratified validation split (or
uses --valid-data), fits the TF-IDF encoder and the linear SVM, fits the
probability temperature on out-of-fold decision values of the training part
(cross-fitting, see --calib), reports the metrics on the validation split, and writes the next
version folder <out>/<n>/ with model.bin, report.json, confusion.csv and
valid.jsonl. The folder appears atomically.

--data is a Posos folder (input_train.csv + output_train.csv joined on ID,
optional intents.csv 'id;name') or one CSV, TSV, JSONL or JSON file.`,
		Example: `  trainer train --data data/sample --out models/
  trainer train --data questions.csv --text-col question --label-col intent --valid 0.1 --seed 7
  trainer train --data train.jsonl --valid-data valid.jsonl --solver cs --class-weight balanced
  trainer train --data data/sample --refit      # measure on a split, then export a model trained on everything
  trainer train --data train.jsonl --valid-data valid.jsonl --test-data test.jsonl --oos-label oos`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			return o.run(cmd, stdout, stderr)
		},
	}
	o.addTrainFlags(cmd.Flags())
	return cmd
}

// addTrainFlags defines the flags of a training run, shared by train and
// tune (whose best configuration is trained the same way).
func (o *trainOptions) addTrainFlags(fs *pflag.FlagSet) {
	o.addFlags(fs, "labeled dataset: a Posos folder or a CSV/TSV/JSONL file (required)")
	fs.StringVar(&o.out, "out", "models", "folder receiving the new version folder <out>/<n>/")
	fs.StringVar(&o.validData, "valid-data", "", "fixed validation set (same formats as --data) instead of a split")
	fs.Float64Var(&o.valid, "valid", pipeline.DefaultValid, "fraction of each intent held out for validation")
	o.addModelFlags(fs)
	fs.StringVar(&o.names, "names", "", "intent names file 'id;name' (default: intents.csv in a Posos folder)")
	fs.IntVar(&o.maxMatrix, "max-matrix", 20, "print the full confusion matrix up to this many intents, else the most frequent confusions")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print only the headline metrics and the version folder")
	fs.StringVar(&o.testData, "test-data", "", "labeled test set (same formats as --data) scored after training: the unbiased measure of a model chosen on the validation set")
	fs.StringVar(&o.oosLabel, "oos-label", "", "label of out-of-scope questions: never trained on, they fit and measure the out-of-scope threshold")
	fs.StringVar(&o.oosThresh, "oos-threshold", "auto", "with --oos-label: auto (fitted on the validation questions) or a probability below which the model answers the fallback")
	fs.Float64Var(&o.oosMaxLoss, "oos-max-loss", model.DefaultOOSMaxLoss, "with --oos-threshold auto: the in-scope accuracy the threshold may cost (0.01 = one point) for out-of-scope recall")
	fs.StringVar(&o.oosFallback, "oos-fallback", "", "label answered below the threshold (default: --oos-label; a number when the intents are numbers)")
	fs.BoolVar(&o.refit, "refit", false, "after measuring on the validation questions, train the exported model on all labeled questions (the report keeps the held-out metrics)")
	fs.StringVar(&o.weights, "weights", model.DefaultConfig().SVM.Weights.String(), "how the exported model stores its weights: int8 (one byte and a per-feature scale, a quarter of the size) or float32; training is float32 either way, and the reported metrics are the exported model's")
}

func (o *trainOptions) complete() error {
	if o.data == "" {
		return usagef("--data is required (a Posos folder or a CSV/TSV/JSONL file)")
	}
	if o.validData == "" && !(o.valid > 0 && o.valid < 1) {
		return usagef("--valid %v must be between 0 and 1 (exclusive)", o.valid)
	}
	cfg, err := o.config()
	if err != nil {
		return err
	}
	if cfg.SVM.Weights, err = svm.ParseWeights(o.weights); err != nil {
		return usagef("--weights %q: use int8 or float32", o.weights)
	}
	o.cfg = cfg
	if o.oosLabel != "" {
		if !(o.oosMaxLoss > 0 && o.oosMaxLoss <= 1) {
			return usagef("--oos-max-loss %v must be in (0, 1]", o.oosMaxLoss)
		}
		o.oos = &pipeline.OOSJob{Label: o.oosLabel, Fallback: o.oosFallback, MaxLoss: o.oosMaxLoss}
		if o.oosThresh == "auto" {
			o.oos.AutoThreshold = true
		} else {
			t, err := strconv.ParseFloat(o.oosThresh, 64)
			if err != nil || !(t >= 0 && t <= 1) {
				return usagef("--oos-threshold %q: use auto or a probability between 0 and 1", o.oosThresh)
			}
			o.oos.Threshold = t
		}
	} else if o.oosFallback != "" {
		return usagef("--oos-fallback needs --oos-label (the label of the out-of-scope questions)")
	}
	return nil
}

func (o *trainOptions) run(cmd *cobra.Command, stdout, stderr io.Writer) error {
	ctx := cmd.Context()
	start := time.Now()
	prog := newProgress(stderr, o.quiet)
	names, err := o.labelNames()
	if err != nil {
		return err
	}
	o.cfg.LabelNames = names
	job := pipeline.Job{
		Data:   pipeline.Source{Path: o.data, Options: o.options(false), Flag: "--data"},
		Valid:  o.valid,
		Config: o.cfg,
		Refit:  o.refit,
	}
	if o.validData != "" {
		job.ValidData = pipeline.Source{Path: o.validData, Options: o.options(false), Flag: "--valid-data"}
	}
	if o.testData != "" {
		job.TestData = pipeline.Source{Path: o.testData, Options: o.options(false), Flag: "--test-data"}
	}
	job.OOS = o.oos
	job.Tune = o.tune
	res, err := pipeline.Run(ctx, job, pipeline.Hooks{
		Stage: func(stage string) error {
			switch stage {
			case "load":
				prog.step("reading %s", o.data)
			case "check":
				prog.step("checking the data")
			case "split":
				prog.step("splitting")
			case "tune":
				prog.step("searching %d configurations", o.tuneConfigs())
			case "evaluate":
				prog.step("evaluating")
			}
			return nil
		},
		Progress: prog.update,
	})
	if err != nil {
		return err
	}
	prog.step("writing the model")
	files, err := modelrepo.Files(res.Model, res.Report, res.Valid)
	if err != nil {
		return err
	}
	if err := addTuningFiles(files, res.Tuning); err != nil {
		return err
	}
	repo := modelrepo.New(o.out)
	version, err := repo.Publish(modelrepo.Publish{Files: files})
	if err != nil {
		return err
	}
	dir := repo.Dir(version)
	prog.done()
	if res.Tuning != nil {
		if err := o.printTuning(stdout, res.Tuning, dir, res.Report.Test != nil); err != nil {
			return err
		}
	}
	printTrainReport(stdout, res.Report, o.maxMatrix, res.Model.Meta().LabelNames, o.quiet)
	printOOSAndTest(stdout, res.Report, res.Model.OOS())
	if n := res.Report.Data.RefitOn; n > 0 {
		fmt.Fprintf(stdout, "\nThe exported model was then refit on all %d labeled questions (--refit): the metrics above are those of\nthe model trained without the %d validation questions, an estimate for the refit one.\n", n, len(res.Valid))
	}
	fmt.Fprintf(stdout, "\nmodel version %d written to %s (%.1fs in all)\n", version, filepath.Join(dir, modelrepo.ModelFile), time.Since(start).Seconds())
	return nil
}

// labelNames reads --names; without it the pipeline reads intents.csv
// beside a Posos folder's data.
func (o *trainOptions) labelNames() (map[string]string, error) {
	if o.names == "" {
		return nil, nil
	}
	return dataset.LoadLabelNames(o.names)
}
