package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"intent/client"
	"intent/internal/testmodel"
	"intent/internal/testmodel/testrepo"
	"intent/model"
	"intent/model/dataset"
	"intent/modelrepo"
	"intent/store"
	"intent/store/sqlite"
)

var (
	sampleDir   = testrepo.SampleDir()
	trainSample = testrepo.Sample
	writeModels = testrepo.WriteModels
	trainTiny   = testmodel.Tiny
)

// logWatcher is the server's stderr: it keeps the JSON log records and lets
// a test wait for one.
type logWatcher struct {
	mu      sync.Mutex
	partial []byte
	records []map[string]any
	changed chan struct{}
}

func newLogWatcher() *logWatcher { return &logWatcher{changed: make(chan struct{})} }

func (l *logWatcher) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		var rec map[string]any
		if json.Unmarshal(l.partial[:i], &rec) == nil {
			l.records = append(l.records, rec)
		}
		l.partial = l.partial[i+1:]
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

// wait returns the first record with the message msg, waiting for it.
func (l *logWatcher) wait(tb testing.TB, msg string, done <-chan error) map[string]any {
	tb.Helper()
	timeout := time.After(time.Minute)
	for {
		l.mu.Lock()
		for _, r := range l.records {
			if r["msg"] == msg {
				l.mu.Unlock()
				return r
			}
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ch:
		case err := <-done:
			tb.Fatalf("the server stopped before logging %q: %v", msg, err)
		case <-timeout:
			tb.Fatalf("no %q in the log after a minute", msg)
		}
	}
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: trains a model")
	}
	root, _ := trainSample(t)
	logs := newLogWatcher()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--models", root, "--addr", "127.0.0.1:0", "--reload-interval", "0"}, env(), io.Discard, logs)
	}()
	addr := logs.wait(t, "listening", done)["addr"].(string)
	base := "http://" + addr

	c := client.New(base, nil)
	if err := c.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := c.Intent(ctx, "risques poisson cru pendant la grossesse ?")
	if err != nil {
		t.Fatal(err)
	}
	if r.Intent != "26" || !(r.Probability > 0 && r.Probability <= 1) {
		t.Fatalf("pregnancy question: %+v", r)
	}
	if !strings.HasPrefix(string(r.Raw), `{"intent": 26, "probability": "`) {
		t.Errorf("raw answer %s", r.Raw)
	}

	// Every test question through the batch endpoint, one answer each.
	test, err := dataset.LoadUnlabeled(sampleDir, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	qs := make([]string, len(test.Examples))
	for i, e := range test.Examples {
		qs[i] = e.Text
	}
	rs, err := c.Intents(ctx, qs)
	if err != nil || len(rs) != len(qs) || len(qs) == 0 {
		t.Fatalf("batch of %d: %d answers, %v", len(qs), len(rs), err)
	}

	// The `make test` client: the real trainer binary sends every test
	// question over HTTP and writes predictions.csv, one row per question.
	bin := filepath.Join(t.TempDir(), "trainer")
	if out, err := exec.Command("go", "build", "-o", bin, "../trainer").CombinedOutput(); err != nil {
		t.Fatalf("go build ../trainer: %v\n%s", err, out)
	}
	preds := filepath.Join(t.TempDir(), "predictions.csv")
	cmd := exec.CommandContext(ctx, bin, "predict", "--api", base, "--data", filepath.Join(sampleDir, "input_test.csv"), "--out", preds, "-q")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("trainer predict --api: %v\n%s", err, out)
	}
	f, err := os.Open(preds)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(test.Examples)+1 || strings.Join(rows[0], ",") != "ID,question,intent" {
		t.Fatalf("predictions.csv: %d rows (header %v) for %d test questions", len(rows), rows[0], len(test.Examples))
	}
	for i, row := range rows[1:] {
		if row[0] != test.Examples[i].ID || row[1] != test.Examples[i].Text || row[2] != rs[i].Intent {
			t.Fatalf("predictions.csv row %d = %v, want ID %s and the API's answer %s", i+1, row, test.Examples[i].ID, rs[i].Intent)
		}
	}

	// The binary's own health check, as the Docker HEALTHCHECK runs it.
	if err := run(ctx, []string{"--check", "--addr", addr}, env(), io.Discard, io.Discard); err != nil {
		t.Fatalf("--check: %v", err)
	}

	// Graceful shutdown: a request in flight when the signal comes is
	// answered, then run returns nil.
	body, send := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+"/intent", body)
	type result struct {
		status int
		body   string
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- result{resp.StatusCode, string(b), err}
	}()
	send.Write([]byte(`{"queries": ["risques poisson cru `))
	waitFor(t, "the POST to be in flight", func() bool {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "\nintent_http_requests_in_flight 2\n") // the POST and this scrape
	})
	cancel()
	logs.wait(t, "shutting down", nil)
	waitFor(t, "the listener to close", func() bool {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err != nil
	})
	select {
	case err := <-done:
		t.Fatalf("run returned %v with a request in flight", err)
	default:
	}
	send.Write([]byte(`pendant la grossesse ?"]}`))
	send.Close()
	res := <-answered
	if res.err != nil || res.status != http.StatusOK || !strings.HasPrefix(res.body, `{"results": [{"intent": 26, `) {
		t.Fatalf("in-flight request: %d %q %v", res.status, res.body, res.err)
	}
	if err := <-done; err != nil {
		t.Fatalf("run after shutdown: %v", err)
	}
	logs.wait(t, "stopped", nil)
}

func TestRunPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(context.Background(), []string{"--models", t.TempDir(), "--addr", ln.Addr().String()}, env(), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "listen on") || exitCode(err) != 1 {
		t.Fatalf("err = %v", err)
	}
}

// A second server on the same database that cannot bind its port leaves
// the first one's running task alone: the database is opened, and
// interrupted tasks marked, only once the port is bound.
func TestRunPortInUseLeavesTasksAlone(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(t.TempDir(), "intent.db")
	db, err := sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	task, err := db.CreateTask(ctx, json.RawMessage(`{"use_examples": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimNext(ctx, "the-first-server"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = run(ctx, []string{"--models", t.TempDir(), "--db", dbPath, "--addr", ln.Addr().String()}, env(), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Fatalf("err = %v", err)
	}
	db, err = sqlite.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Task(ctx, task.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Preprocessing || got.Error != "" {
		t.Fatalf("the running task became %s (%q) when a second server failed to bind", got.State, got.Error)
	}
}

func TestRunDamagedModelFileIsFatal(t *testing.T) {
	f := filepath.Join(t.TempDir(), "model.bin")
	os.WriteFile(f, []byte("not a model"), 0o644)
	err := run(context.Background(), []string{"--models", f, "--addr", "127.0.0.1:0"}, env(), io.Discard, io.Discard)
	if !errors.Is(err, model.ErrNotModel) {
		t.Fatalf("err = %v", err)
	}
}

// A server started on an empty folder answers 503, then serves a version
// written after it started, without a restart.
func TestRunHotReload(t *testing.T) {
	root := t.TempDir()
	logs := newLogWatcher()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--models", root, "--addr", "127.0.0.1:0", "--reload-interval", "10ms", "--access-log=false"}, env(), io.Discard, logs)
	}()
	base := "http://" + logs.wait(t, "listening", done)["addr"].(string)
	c := client.New(base, nil)
	var e *client.Error
	if err := c.Ready(ctx); !errors.As(err, &e) || e.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("ready before any model: %v", err)
	}
	if _, _, err := modelrepo.WriteVersion(root, trainTiny(t, "numeric"), nil, nil); err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := c.WaitReady(wctx, 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Intent(ctx, "grossesse et sushis"); err != nil || r.Intent != "26" {
		t.Fatalf("%+v %v", r, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
