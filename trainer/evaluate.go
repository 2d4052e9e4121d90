package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"intent/model"
	"intent/model/dataset"
	"intent/modelrepo"
)

type evaluateOptions struct {
	dataFlags
	model     string
	jsonOut   string
	maxMatrix int
	quiet     bool
}

func newEvaluateCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &evaluateOptions{}
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Measure a model on any labeled dataset",
		Long: `evaluate predicts every question of a labeled dataset with an exported model
and prints the same report as train: accuracy, micro and macro precision,
recall and F1, per-intent table, confusions and calibration error.

--model is a model file, a version folder or a models folder (newest version).`,
		Example: `  trainer evaluate --model models/ --data data/sample
  trainer evaluate --model models/3/model.bin --data test.jsonl --json report.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.model == "" || o.data == "" {
				return usagef("--model and --data are required")
			}
			m, err := modelrepo.LoadPath(o.model)
			if err != nil {
				return err
			}
			ds, err := dataset.Load(o.data, o.options(false))
			if err != nil {
				return err
			}
			rep, _, err := m.Evaluate(cmd.Context(), ds.Examples)
			if err != nil {
				return err
			}
			rep.Data = &model.DataInfo{
				Sources: ds.Sources, Format: ds.Format,
				Rows: len(ds.Examples) + len(ds.Rejected), Rejected: len(ds.Rejected),
				Reasons:   ds.RejectionSummary(),
				ValidFrom: o.data,
			}
			if o.jsonOut != "" {
				b, err := json.MarshalIndent(rep, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
					return err
				}
			}
			if rep.Data.Rejected > 0 {
				fmt.Fprintf(stdout, "%d rows rejected: %v\n", rep.Data.Rejected, rep.Data.Reasons)
			}
			// Any labeled file, not only a validation split.
			on := fmt.Sprintf("%d labeled questions of %s", rep.NValid, o.data)
			printEvalReport(stdout, rep, on, o.maxMatrix, m.Meta().LabelNames, o.quiet)
			return nil
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs, "labeled dataset: a Posos folder or a CSV/TSV/JSONL file (required)")
	fs.StringVar(&o.model, "model", "", "model file, version folder, or models folder (required)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file")
	fs.IntVar(&o.maxMatrix, "max-matrix", 20, "print the full confusion matrix up to this many intents")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print only the headline metrics")
	return cmd
}
