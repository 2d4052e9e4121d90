// Command alectio plays the Alectio active-learning platform against a
// running api: it uploads a training pool and a fixed test set (a
// stratified split of a labeled dataset), creates one project per strategy
// and seed, and drives each through the SDK's protocol, exactly as the
// platform would with the project's base URL:
//
//	POST {base}/train {"resume_from": ..., "ckpt_file": "ckpt_N", "labeled": [...]}
//	POST {base}/test  {"ckpt_file": "ckpt_N"}
//	POST {base}/infer {"ckpt_file": "ckpt_N", "unlabeled": [...]}
//
// Each loop trains on the labeled rows, measures on the test set, scores
// the rest of the pool and labels the Batch rows with the smallest margin
// (or, for the baseline, Batch random rows). Start an api with a data
// folder and a token, then, from the repository root:
//
//	go run ./examples/alectio -server http://localhost:4002 -token "$API_TOKEN"
//	go run ./examples/alectio -seeds 1,2,3,4,5      # the median over 5 seeds
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"time"

	"intent/model/dataset"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// Report is what a run measured: every experiment, and per strategy the
// median test accuracy of each loop over the seeds.
type Report struct {
	Experiments []Experiment
	Strategies  []Strategy
	Labeled     []int
	Median      map[Strategy][]float64
	Pool, Test  int
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) (*Report, error) {
	fs := flag.NewFlagSet("alectio", flag.ContinueOnError)
	server := fs.String("server", "http://localhost:4002", "the api's URL")
	token := fs.String("token", getenv("API_TOKEN"), "the api's token (default $API_TOKEN)")
	data := fs.String("data", "data/sample", "labeled dataset to split into the pool and the test set (Posos folder or CSV/TSV/JSONL file)")
	testFrac := fs.Float64("test", 0.25, "share of each intent in the fixed test set")
	splitSeed := fs.Int64("split-seed", 1, "seed of the pool/test split")
	seeds := fs.String("seeds", "1", "comma-separated seeds of the random start (and random picks): one project per seed and strategy")
	strategies := fs.String("strategies", "margin,random", "strategies to compare: margin, random")
	cfg := Config{Start: 48, Batch: 48, Loops: 3}
	fs.IntVar(&cfg.Start, "start", cfg.Start, "labeled rows of the random start")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "rows labeled per loop")
	fs.IntVar(&cfg.Loops, "loops", cfg.Loops, "active-learning loops")
	minDF := fs.Int("min-df", 0, "the projects' options.min_df (0: the server's default, 2)")
	keep := fs.Bool("keep", false, "keep the datasets, projects and models (default: removed at the end)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil
		}
		return nil, err
	}
	var seedList []uint64
	for s := range strings.SplitSeq(*seeds, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("-seeds: %w", err)
		}
		seedList = append(seedList, v)
	}
	var strats []Strategy
	for s := range strings.SplitSeq(*strategies, ",") {
		st := Strategy(strings.TrimSpace(s))
		if st != Margin && st != Random {
			return nil, fmt.Errorf("-strategies: unknown strategy %q (margin, random)", st)
		}
		strats = append(strats, st)
	}

	ds, err := dataset.Load(*data, dataset.Options{})
	if err != nil {
		return nil, err
	}
	pool, test, _, err := dataset.Split(ds.Examples, *testFrac, *splitSeed)
	if err != nil {
		return nil, err
	}
	c := &client{base: strings.TrimRight(*server, "/"), token: *token, http: &http.Client{Timeout: 10 * time.Minute}}
	run := newRunID()
	poolID, err := c.uploadCSV(ctx, "pool-"+run+".csv", pool)
	if err != nil {
		return nil, err
	}
	testID, err := c.uploadCSV(ctx, "test-"+run+".csv", test)
	if err != nil {
		return nil, err
	}
	var projects []string
	defer func() {
		if *keep {
			return
		}
		// Cleaning up: the projects, their models, the datasets.
		ctx := context.WithoutCancel(ctx)
		for _, p := range projects {
			c.call(ctx, "DELETE", "/alectio/"+p, nil, nil)
			c.call(ctx, "DELETE", "/v1/models/"+p, nil, nil)
		}
		c.call(ctx, "DELETE", "/datasets/"+poolID, nil, nil)
		c.call(ctx, "DELETE", "/datasets/"+testID, nil, nil)
	}()
	fmt.Fprintf(stdout, "%s: pool %d rows (dataset %s), test %d rows (dataset %s), %d intents; a random start of %d, then +%d per loop, %d loops, seeds %v\n\n",
		*data, len(pool), poolID, len(test), testID, len(ds.Labels()), cfg.Start, cfg.Batch, cfg.Loops, seedList)

	rep := &Report{Strategies: strats, Median: map[Strategy][]float64{}, Pool: len(pool), Test: len(test)}
	for _, seed := range seedList {
		for _, st := range strats {
			name := fmt.Sprintf("al-%s-%s-s%d", run, st, seed)
			body := map[string]any{"name": name, "train_dataset": poolID, "test_dataset": testID}
			if *minDF > 0 {
				body["options"] = map[string]int{"min_df": *minDF}
			}
			if err := c.call(ctx, "POST", "/alectio/projects", body, nil); err != nil {
				return nil, err
			}
			projects = append(projects, name)
			exp, err := c.runProject(ctx, name, len(pool), st, seed, cfg)
			if err != nil {
				return nil, err
			}
			rep.Experiments = append(rep.Experiments, exp)
		}
	}
	for l := range cfg.Loops {
		rep.Labeled = append(rep.Labeled, rep.Experiments[0].Loops[l].Labeled)
		for _, st := range strats {
			var accs []float64
			for _, e := range rep.Experiments {
				if e.Strategy == st {
					accs = append(accs, e.Loops[l].Accuracy)
				}
			}
			rep.Median[st] = append(rep.Median[st], median(accs))
		}
	}
	writeTable(stdout, rep, seedList)
	return rep, nil
}

// writeTable prints the median test accuracy per loop and strategy, then
// every seed's.
func writeTable(w io.Writer, rep *Report, seeds []uint64) {
	fmt.Fprint(w, "| loop | labeled |")
	for _, s := range rep.Strategies {
		fmt.Fprintf(w, " %s |", s)
	}
	fmt.Fprint(w, "\n|---:|---:|")
	for range rep.Strategies {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for l, n := range rep.Labeled {
		fmt.Fprintf(w, "| %d | %d |", l+1, n)
		for _, s := range rep.Strategies {
			fmt.Fprintf(w, " %.3f |", rep.Median[s][l])
		}
		fmt.Fprintln(w)
	}
	what := "test accuracy"
	if len(seeds) > 1 {
		what = fmt.Sprintf("median test accuracy over %d seeds", len(seeds))
	}
	fmt.Fprintf(w, "\n%s (%d questions). Per seed:\n", what, rep.Test)
	var infer []time.Duration
	for _, e := range rep.Experiments {
		accs := make([]string, len(e.Loops))
		for l, lp := range e.Loops {
			accs[l] = fmt.Sprintf("%.3f", lp.Accuracy)
			infer = append(infer, lp.Infer)
		}
		fmt.Fprintf(w, "  seed %d %s: %s\n", e.Seed, e.Strategy, strings.Join(accs, " -> "))
	}
	slices.Sort(infer)
	fmt.Fprintf(w, "/infer on the rest of the pool (up to %d rows): median %v\n", rep.Pool-rep.Labeled[0], infer[len(infer)/2].Round(time.Millisecond))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// newRunID names this run's datasets and projects.
func newRunID() string {
	var b [3]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
