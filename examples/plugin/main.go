// Command plugin plays a plugin of a training platform against the intent
// API: it starts a receiver for the server's events, asks whether the data
// is usable (POST /check, the dry run), starts a training task with a
// callback (POST /train), prints the events as they arrive (TRAINING_START,
// then MODEL_NAME or FAILED) and, at the end, the deliveries the task
// recorded (GET /status).
//
//	go run ./examples/plugin -api http://localhost:4002 -token $API_TOKEN
//
// The server must allow the receiver's address: start it with
// --callback-hosts 127.0.0.1:4010 (the default -listen), or
// CALLBACK_HOSTS=127.0.0.1:4010.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	api, token, listen       string
	dataset, data            string
	textCol, labelCol, idCol string
	project, plugin          string
	timeout                  time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("plugin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.api, "api", envOr("API_URL", "http://localhost:4002"), "the intent API's base URL (env API_URL)")
	fs.StringVar(&o.token, "token", os.Getenv("API_TOKEN"), "the API's bearer token (env API_TOKEN)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:4010", "address of the event receiver: the server's --callback-hosts must name it")
	fs.StringVar(&o.dataset, "dataset", "sample", "dataset to train on, a name GET /datasets lists (empty: the stored examples)")
	fs.StringVar(&o.data, "data", "", "a path under the server's data folder, instead of -dataset")
	fs.StringVar(&o.textCol, "text-col", "", "the data's text column (text_col)")
	fs.StringVar(&o.labelCol, "label-col", "", "the data's label column (label_col)")
	fs.StringVar(&o.idCol, "id-col", "", "the data's ID column (id_col)")
	fs.StringVar(&o.project, "project", "project-1", "the project_id echoed in every event")
	fs.StringVar(&o.plugin, "plugin", "intent-plugin", "the plugin_id echoed in every event")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the last event")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if o.data != "" {
		o.dataset = ""
	}
	if err := flow(ctx, o, stdout); err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

// flow is the plugin's workflow, step by step.
func flow(ctx context.Context, o options, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	// 1. The receiver, before anything can call it.
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("receiver: %w", err)
	}
	events := make(chan map[string]any, 8)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev map[string]any
		if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev) != nil {
			http.Error(w, "send a JSON event", http.StatusBadRequest)
			return
		}
		select {
		case events <- ev:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	hook := "http://" + ln.Addr().String() + "/events"
	fmt.Fprintf(out, "receiver  %s\n", hook)

	// 2. Is it applicable? The dry run: the data report without training.
	body := map[string]any{}
	switch {
	case o.data != "":
		body["data"] = o.data
	case o.dataset != "":
		body["dataset"] = o.dataset
	default:
		body["use_examples"] = true
	}
	for k, v := range map[string]string{"text_col": o.textCol, "label_col": o.labelCol, "id_col": o.idCol} {
		if v != "" {
			body[k] = v
		}
	}
	var report struct {
		Usable   bool     `json:"usable"`
		Examples int      `json:"examples"`
		Intents  int      `json:"intents"`
		Rejected int      `json:"rejected"`
		Problems []string `json:"problems"`
		Warnings []string `json:"warnings"`
	}
	if err := call(ctx, o, "POST", "/check", body, &report); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	fmt.Fprintf(out, "check     usable=%v examples=%d intents=%d rejected=%d\n", report.Usable, report.Examples, report.Intents, report.Rejected)
	for _, p := range report.Problems {
		fmt.Fprintf(out, "          problem: %s\n", p)
	}
	if !report.Usable {
		return errors.New("the data is not usable: not training")
	}

	// 3. Train, with the callback.
	body["callback"] = map[string]any{"url": hook, "ids": map[string]string{"project_id": o.project, "plugin_id": o.plugin}}
	var queued struct {
		TaskID string `json:"task_id"`
	}
	if err := call(ctx, o, "POST", "/train", body, &queued); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(out, "train     task %s queued\n", queued.TaskID)

	// 4. The events, until the last one.
	var final map[string]any
	for final == nil {
		select {
		case <-ctx.Done():
			return fmt.Errorf("no final event after %v: %w", o.timeout, ctx.Err())
		case ev := <-events:
			b, _ := json.Marshal(ev)
			fmt.Fprintf(out, "event     %s\n", b)
			if ev["task_id"] != queued.TaskID {
				continue
			}
			if name := ev["event"]; name == "MODEL_NAME" || name == "FAILED" {
				final = ev
			}
		}
	}

	// 5. What the task recorded of the deliveries (the final event's own
	// record is written just after it was answered).
	time.Sleep(200 * time.Millisecond)
	var status struct {
		State    string `json:"state"`
		Callback struct {
			Deliveries []struct {
				Event   string `json:"event"`
				Attempt int    `json:"attempt"`
				Status  int    `json:"status"`
				Error   string `json:"error"`
				Outcome string `json:"outcome"`
			} `json:"deliveries"`
		} `json:"callback"`
	}
	if err := call(ctx, o, "GET", "/status/"+queued.TaskID, nil, &status); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	fmt.Fprintf(out, "status    %s\n", status.State)
	for _, d := range status.Callback.Deliveries {
		what := fmt.Sprint(d.Status)
		if d.Error != "" {
			what = d.Error
		}
		fmt.Fprintf(out, "delivery  %s attempt %d: %s (%s)\n", d.Event, d.Attempt, what, d.Outcome)
	}
	if final["event"] == "FAILED" {
		return fmt.Errorf("training failed: %v", final["reason"])
	}
	fmt.Fprintf(out, "model     %v version %v\n", final["model"], final["version"])
	return nil
}

// call sends a JSON request (body nil: none) and decodes the answer into
// dst; an error answer becomes an error with the server's message.
func call(ctx context.Context, o options, method, path string, body, dst any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(o.api, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("HTTP %d: %s", resp.StatusCode, e.Error)
		}
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(b, dst)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
