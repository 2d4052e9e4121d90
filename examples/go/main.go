// Command go is an example client of the intent API built on the
// intent/client package. It classifies its arguments, or the lines of
// standard input when there are none, and prints one line per question:
// intent, probability and question, tab-separated. With -top K the next
// best intents follow, indented.
//
//	go run ./examples/go "risques poisson cru pendant la grossesse ?"
//	go run ./examples/go -top 3 -url http://localhost:4002 "combien de doliprane par jour ?"
//	tail -n +2 data/sample/input_test.csv | head -5 | cut -d';' -f2- | go run ./examples/go
//
// One question is sent as GET /intent, several as POST /intent batches. A
// server error prints the status and the server's message and exits 1.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"intent/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit code (0 ok, 1 failure,
// 2 bad usage).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("intent-client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://localhost:4002", "base URL of the intent API")
	top := fs.Int("top", 0, "also print the next best intents, up to this many in all (0: best only)")
	version := fs.Int("version", 0, "model version to ask (0: the server's default)")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of each HTTP request")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s [flags] [question ...]\n\n"+
			"Classifies the questions given as arguments, or one per line of standard\n"+
			"input when there are none, and prints intent, probability and question.\n\nFlags:\n", fs.Name())
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}

	questions := fs.Args()
	if len(questions) == 0 {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			if q := strings.TrimSpace(sc.Text()); q != "" {
				questions = append(questions, q)
			}
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(stderr, "error: reading standard input: %v\n", err)
			return 1
		}
	}
	if len(questions) == 0 {
		fmt.Fprintln(stderr, "error: no question given (arguments or standard input)")
		fs.Usage()
		return 2
	}

	c := client.New(*url, nil)
	opt := client.Options{Top: *top, Version: *version}
	var results []client.Result
	var err error
	if len(questions) == 1 {
		var r client.Result
		rctx, cancel := context.WithTimeout(ctx, *timeout)
		r, err = c.IntentWith(rctx, questions[0], opt)
		cancel()
		results = []client.Result{r}
	} else {
		rctx, cancel := context.WithTimeout(ctx, *timeout)
		results, err = c.IntentsWith(rctx, questions, opt)
		cancel()
	}
	if err != nil {
		if apiErr, ok := errors.AsType[*client.Error](err); ok {
			fmt.Fprintf(stderr, "error: HTTP %d: %s\n", apiErr.StatusCode, apiErr.Message)
		} else {
			fmt.Fprintf(stderr, "error: %v\n", err)
		}
		return 1
	}

	w := bufio.NewWriter(stdout)
	for i, r := range results {
		fmt.Fprintf(w, "%s\t%.8f\t%s\n", r.Intent, r.Probability, questions[i])
		for j, k := range r.Ranking {
			if j > 0 {
				fmt.Fprintf(w, "\t%s\t%.8f\n", k.Intent, k.Probability)
			}
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0
}
