package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"intent/model"
	"intent/model/dataset"
	"intent/modelrepo"
)

type selectOptions struct {
	dataFlags
	model    string
	n        int
	strategy string
	out      string
	seed     int64

	strat model.Strategy
}

func newSelectCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &selectOptions{}
	cmd := &cobra.Command{
		Use:   "select",
		Short: "Pick the unlabeled questions most worth labeling next (active learning)",
		Long: `select scores every question of an unlabeled file with a model and writes
the --n questions the model is least sure about, most informative first,
as a CSV with the columns ID,question,predicted,probability,score: label
them and add them to the training data to improve the model fastest.

Strategies, on the calibrated probabilities p(1) >= p(2) >= ... of a
question (a higher score means more worth labeling):
  margin           1 - (p(1) - p(2)): the two likeliest intents are close
  entropy          -sum p ln p: the whole distribution is flat
  least-confident  1 - p(1): the likeliest intent is unlikely
  random           a uniform draw fixed by --seed: the baseline to beat
Ties are broken by input order, so a run is reproducible.

--data is any file predict reads (a Posos input_test.csv or folder, a
CSV/TSV/JSONL file with a text column); labels, if present, are ignored.
The output is written atomically; '-' writes to stdout.`,
		Example: `  trainer select --model models/ --data unlabeled.csv --n 50 --strategy margin --out to_label.csv
  trainer select --model models/3 --data data/sample/input_test.csv --n 20 --strategy entropy --out -
  trainer select --model models/ --data pool.jsonl --text-col text --n 100 --strategy random --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.complete(); err != nil {
				return err
			}
			return o.run(cmd.Context(), stdout, stderr)
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs, "unlabeled questions: a Posos input file or folder, or a CSV/TSV/JSONL file (required)")
	fs.StringVar(&o.model, "model", "", "model file, version folder, or models folder (required)")
	fs.IntVar(&o.n, "n", 50, "number of questions to select")
	fs.StringVar(&o.strategy, "strategy", model.Margin.String(), "margin, entropy, least-confident, or random")
	fs.StringVar(&o.out, "out", "to_label.csv", "output CSV file, or - for stdout")
	fs.Int64Var(&o.seed, "seed", 42, "seed of the random strategy")
	return cmd
}

func (o *selectOptions) complete() error {
	if o.model == "" || o.data == "" {
		return usagef("--model and --data are required")
	}
	if o.n < 1 {
		return usagef("--n %d must be at least 1", o.n)
	}
	s, err := model.ParseStrategy(o.strategy)
	if err != nil {
		return usageError{err}
	}
	o.strat = s
	return nil
}

func (o *selectOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	m, err := modelrepo.LoadPath(o.model)
	if err != nil {
		return err
	}
	ds, err := dataset.Load(o.data, o.options(true))
	if err != nil {
		return err
	}
	if len(ds.Rejected) > 0 {
		fmt.Fprintf(stderr, "warning: %d rows could not be used: %v\n", len(ds.Rejected), ds.RejectionSummary())
	}
	texts := make([]string, len(ds.Examples))
	for i, e := range ds.Examples {
		texts[i] = e.Text
	}
	sel, err := m.Select(ctx, texts, o.n, o.strat, o.seed)
	if err != nil {
		return err
	}
	rows := make([][]string, len(sel))
	for i, s := range sel {
		rows[i] = []string{ds.Examples[s.Index].ID, s.Text, s.Label,
			strconv.FormatFloat(s.Probability, 'f', 8, 64), strconv.FormatFloat(s.Score, 'f', 8, 64)}
	}
	if err := writeCSV(o.out, stdout, []string{"ID", "question", "predicted", "probability", "score"}, rows); err != nil || o.out == "-" {
		return err
	}
	fmt.Fprintf(stderr, "%d of %d questions selected by %s, written to %s\n", len(sel), len(texts), o.strat, o.out)
	return nil
}
