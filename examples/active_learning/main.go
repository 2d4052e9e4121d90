// Command active_learning simulates labeling questions in the order
// uncertainty sampling suggests, against labeling them at random.
//
// The labeled sample set plays every role: a fixed stratified validation
// split measures each model, and the rest is the pool whose labels an
// oracle reveals only for the questions the model selects. Run it from the
// repository root:
//
//	go run ./examples/active_learning
//	go run ./examples/active_learning -rounds 4 -batch 48 -seeds 1,2,3,4,5
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"intent/model"
	"intent/model/dataset"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("active_learning", flag.ContinueOnError)
	data := fs.String("data", "data/sample", "labeled dataset (Posos folder or CSV/TSV/JSONL file)")
	valid := fs.Float64("valid", 0.25, "fraction of each intent held out for validation")
	splitSeed := fs.Int64("split-seed", 1, "seed of the validation split (fixed across runs)")
	seeds := fs.String("seeds", "1,2,3,4,5", "comma-separated seeds: one run per seed, results averaged")
	strategies := fs.String("strategies", "margin,entropy,least-confident,random", "strategies to compare")
	fs.IntVar(&cfg.PerIntent, "per-intent", cfg.PerIntent, "labeled questions per intent to start with")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "questions labeled per round")
	fs.IntVar(&cfg.Rounds, "rounds", cfg.Rounds, "rounds of selection and labeling")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg.Seeds = nil
	for _, s := range strings.Split(*seeds, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("-seeds: %w", err)
		}
		cfg.Seeds = append(cfg.Seeds, v)
	}
	cfg.Strategies = nil
	for _, s := range strings.Split(*strategies, ",") {
		st, err := model.ParseStrategy(strings.TrimSpace(s))
		if err != nil {
			return err
		}
		cfg.Strategies = append(cfg.Strategies, st)
	}

	ds, err := dataset.Load(*data, dataset.Options{})
	if err != nil {
		return err
	}
	pool, val, _, err := dataset.Split(ds.Examples, *valid, *splitSeed)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := Simulate(ctx, pool, val, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d intents, pool %d questions, validation %d; seed set %d per intent, %d per round, seeds %v\n\n",
		*data, len(ds.Labels()), res.NPool, res.NValid, cfg.PerIntent, cfg.Batch, cfg.Seeds)
	writeTable(stdout, res)
	fmt.Fprintf(stdout, "\n%d trainings in %.1fs on %d cores (%s/%s, %s)\n",
		len(cfg.Seeds)*(2+len(cfg.Strategies)*cfg.Rounds), time.Since(start).Seconds(),
		runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	return nil
}

// writeTable prints the mean validation accuracy per round and strategy as
// a Markdown table, then the mean over the selection rounds and the ceiling.
func writeTable(w io.Writer, res *Result) {
	fmt.Fprint(w, "| round | labeled |")
	for _, s := range res.Strategies {
		fmt.Fprintf(w, " %s |", s)
	}
	fmt.Fprint(w, "\n|---:|---:|")
	for range res.Strategies {
		fmt.Fprint(w, "---:|")
	}
	fmt.Fprintln(w)
	for r, n := range res.Labeled {
		fmt.Fprintf(w, "| %d | %d |", r, n)
		best := 0.0
		for s := range res.Strategies {
			best = max(best, res.Accuracy[s][r])
		}
		for s := range res.Strategies {
			a := res.Accuracy[s][r]
			if r > 0 && a == best {
				fmt.Fprintf(w, " **%.3f** |", a)
			} else {
				fmt.Fprintf(w, " %.3f |", a)
			}
		}
		fmt.Fprintln(w)
	}
	if len(res.Labeled) > 1 {
		fmt.Fprintf(w, "| mean 1-%d | |", len(res.Labeled)-1)
		for s := range res.Strategies {
			fmt.Fprintf(w, " %.3f |", meanRounds(res.Accuracy[s]))
		}
		fmt.Fprintln(w)
	}
	if rs := slices.Index(res.Strategies, model.Random); rs >= 0 && len(res.Labeled) > 1 {
		fmt.Fprint(w, "| seeds above random | |")
		for s := range res.Strategies {
			if s == rs {
				fmt.Fprint(w, " – |")
				continue
			}
			wins := 0
			for i := range res.Seeds {
				if meanRounds(res.PerSeed[s][i]) > meanRounds(res.PerSeed[rs][i]) {
					wins++
				}
			}
			fmt.Fprintf(w, " %d/%d |", wins, len(res.Seeds))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "| all | %d |", res.NPool)
	for range res.Strategies {
		fmt.Fprintf(w, " %.3f |", res.Full)
	}
	fmt.Fprintln(w)
}

// meanRounds is the mean accuracy over the selection rounds (round 0, the
// same for every strategy, left out): the area under the learning curve.
func meanRounds(curve []float64) float64 {
	if len(curve) < 2 {
		return 0
	}
	var sum float64
	for _, a := range curve[1:] {
		sum += a
	}
	return sum / float64(len(curve)-1)
}
