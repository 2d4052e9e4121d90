package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"intent/model"
	"intent/model/dataset"
)

type predictOptions struct {
	dataFlags
	model string
	out   string
	proba bool
}

func newPredictCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict",
		Short: "Predict the intent of every question of a file",
		Long: `predict reads questions (a Posos input_test.csv, or any CSV/TSV/JSONL with a
text column; labels are not needed) and writes a CSV with the columns
ID,question,intent (plus probability with --probability), fields quoted
as needed. The output file is written atomically; '-' writes to stdout.`,
		Example: `  trainer predict --model models/ --data data/sample/input_test.csv --out predictions.csv
  trainer predict --model models/2 --data questions.jsonl --text-col text --out - --probability`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.model == "" || o.data == "" {
				return usagef("--model and --data are required")
			}
			m, err := model.LoadPath(o.model)
			if err != nil {
				return err
			}
			ds, err := dataset.Load(o.data, o.options(true))
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			header := []string{"ID", "question", "intent"}
			if o.proba {
				header = append(header, "probability")
			}
			w.Write(header)
			for _, e := range ds.Examples {
				if err := cmd.Context().Err(); err != nil {
					return err
				}
				p := m.Predict(e.Text)
				row := []string{e.ID, e.Text, p.Label}
				if o.proba {
					row = append(row, strconv.FormatFloat(p.Probability, 'f', 8, 64))
				}
				w.Write(row)
			}
			w.Flush()
			if err := w.Error(); err != nil {
				return err
			}
			if len(ds.Rejected) > 0 {
				fmt.Fprintf(stderr, "warning: %d rows could not be used: %v\n", len(ds.Rejected), ds.RejectionSummary())
			}
			if o.out == "-" {
				_, err := stdout.Write(buf.Bytes())
				return err
			}
			if err := model.WriteFileAtomic(o.out, buf.Bytes(), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "%d predictions written to %s\n", len(ds.Examples), o.out)
			return nil
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs, "questions to classify: input_test.csv, a Posos folder, or a CSV/TSV/JSONL file (required)")
	fs.StringVar(&o.model, "model", "", "model file, version folder, or models folder (required)")
	fs.StringVar(&o.out, "out", "predictions.csv", "output CSV file, or - for stdout")
	fs.BoolVar(&o.proba, "probability", false, "add a probability column")
	return cmd
}
