package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"intent/client"
	"intent/model/dataset"
	"intent/modelrepo"
)

type predictOptions struct {
	dataFlags
	model       string
	api         string
	concurrency int
	out         string
	proba       bool
	quiet       bool
}

func newPredictCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &predictOptions{}
	cmd := &cobra.Command{
		Use:   "predict",
		Short: "Predict the intent of every question of a file, locally or through the API",
		Long: `predict reads questions (a Posos input_test.csv, or any CSV/TSV/JSONL with a
text column; labels are not needed) and writes a CSV with the columns
ID,question,intent (plus probability with --probability), fields quoted
as needed, in input order. A cell that a spreadsheet would run as a formula
(starting with =, +, -, @) gets a leading ' (plain numbers such as -1 are
kept). The output file is written atomically; '-' writes to stdout.

With --model the model is loaded in-process. With --api every question is
sent to a running server's GET /intent, --concurrency requests at a time
(this is what 'make test' runs).`,
		Example: `  trainer predict --model models/ --data data/sample/input_test.csv --out predictions.csv
  trainer predict --api http://localhost:4002 --data data/sample/input_test.csv --out predictions.csv
  trainer predict --model models/2 --data questions.jsonl --text-col text --out - --probability`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (o.model == "") == (o.api == "") || o.data == "" {
				return usagef("--data and exactly one of --model or --api are required")
			}
			if o.concurrency < 1 {
				return usagef("--concurrency %d must be at least 1", o.concurrency)
			}
			return o.run(cmd.Context(), stdout, stderr)
		},
	}
	fs := cmd.Flags()
	o.addFlags(fs, "questions to classify: input_test.csv, a Posos folder, or a CSV/TSV/JSONL file (required)")
	fs.StringVar(&o.model, "model", "", "model file, version folder, or models folder")
	fs.StringVar(&o.api, "api", "", "base URL of a running api server, e.g. http://localhost:4002")
	fs.IntVar(&o.concurrency, "concurrency", 8, "requests in flight at once with --api")
	fs.StringVar(&o.out, "out", "predictions.csv", "output CSV file, or - for stdout")
	fs.BoolVar(&o.proba, "probability", false, "add a probability column")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress display")
	return cmd
}

// answer is one prediction, whichever way it was obtained.
type answer struct {
	intent string
	prob   float64
}

func (o *predictOptions) run(ctx context.Context, stdout, stderr io.Writer) error {
	ds, err := dataset.Load(o.data, o.options(true))
	if err != nil {
		return err
	}
	if len(ds.Rejected) > 0 {
		fmt.Fprintf(stderr, "warning: %d rows could not be used: %v\n", len(ds.Rejected), ds.RejectionSummary())
	}
	var answers []answer
	if o.api != "" {
		answers, err = o.viaAPI(ctx, ds.Examples, stderr)
	} else {
		answers, err = o.local(ctx, ds.Examples)
	}
	if err != nil {
		return err
	}
	header := []string{"ID", "question", "intent"}
	if o.proba {
		header = append(header, "probability")
	}
	rows := make([][]string, len(ds.Examples))
	for i, e := range ds.Examples {
		rows[i] = []string{e.ID, e.Text, answers[i].intent}
		if o.proba {
			rows[i] = append(rows[i], strconv.FormatFloat(answers[i].prob, 'f', 8, 64))
		}
	}
	if err := writeCSV(o.out, stdout, header, rows); err != nil || o.out == "-" {
		return err
	}
	fmt.Fprintf(stderr, "%d predictions written to %s\n", len(ds.Examples), o.out)
	return nil
}

func (o *predictOptions) local(ctx context.Context, ex []dataset.Example) ([]answer, error) {
	m, err := modelrepo.LoadPath(o.model)
	if err != nil {
		return nil, err
	}
	out := make([]answer, len(ex))
	for i, e := range ex {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p := m.Predict(e.Text)
		out[i] = answer{p.Label, p.Probability}
	}
	return out, nil
}

// viaAPI sends every question to GET /intent with a bounded number of
// requests in flight; the first failure cancels the rest and is returned
// with the question's ID.
func (o *predictOptions) viaAPI(ctx context.Context, ex []dataset.Example, stderr io.Writer) ([]answer, error) {
	c := client.New(o.api, nil)
	wait, cancelWait := context.WithTimeout(ctx, 5*time.Second)
	err := c.Ready(wait)
	cancelWait()
	if err != nil {
		return nil, fmt.Errorf("the API at %s is not ready: %w (start it with 'make api')", o.api, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prog := newProgress(stderr, o.quiet)
	out := make([]answer, len(ex))
	var (
		next     atomic.Int64
		done     atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	for w := 0; w < o.concurrency; w++ {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ex) || ctx.Err() != nil {
					return
				}
				r, err := c.Intent(ctx, ex[i].Text)
				if err != nil {
					errOnce.Do(func() {
						firstErr = fmt.Errorf("question ID %s (%s:%d): %w", ex[i].ID, ex[i].Source, ex[i].Line, err)
						cancel()
					})
					return
				}
				out[i] = answer{r.Intent, r.Probability}
				prog.update("predict", int(done.Add(1)), len(ex))
			}
		})
	}
	wg.Wait()
	prog.done()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
