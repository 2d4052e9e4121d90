package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/internal/serve/httpapi"
	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/store/sqlite"
)

const (
	sample = "../../data/sample"
	token  = "alectio-test-token"
)

// startServer runs the real HTTP surface (httpapi.New over a models
// folder, a data folder and a SQLite database, as the api wires it) on a
// local port.
func startServer(tb testing.TB) *httptest.Server {
	tb.Helper()
	if _, err := os.Stat(sample); err != nil {
		tb.Skipf("sample data absent: %v", err)
	}
	root := tb.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	models, data := filepath.Join(root, "models"), filepath.Join(root, "data")
	for _, d := range []string{models, data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	set := versions.NewSet(models, 2, log) // --keep 2: earlier checkpoints load on demand
	if err := set.Reload(context.Background()); err != nil && !versions.IsNotExist(err) {
		tb.Fatal(err)
	}
	db, err := sqlite.Open(filepath.Join(data, "intent.db"))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := jobs.New(ctx, jobs.Config{Store: db, DataDir: data, Log: log, Versions: set.Default(),
		Models: func(ctx context.Context, name string) (jobs.Versions, error) { return set.Create(ctx, name) }})
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.New(set, httpapi.Options{Limits: httpapi.DefaultLimits(), Upload: httpapi.DefaultUploadLimits(),
		Token: token, Log: log, Jobs: svc}))
	tb.Cleanup(func() { srv.Close(); cancel(); svc.Close(); db.Close() })
	return srv
}

// TestThreeLoops drives three loops from a random 48-label start on the
// sample set through the real server, with margin selection and random
// selection from the same start: test accuracy rises loop after loop, and
// everything the run created is removed at the end.
func TestThreeLoops(t *testing.T) {
	srv := startServer(t)
	var out bytes.Buffer
	rep, err := run(context.Background(), []string{"-server", srv.URL, "-token", token, "-data", sample, "-seeds", "1"}, func(string) string { return "" }, &out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	if rep.Pool != 646 || rep.Test != 222 || len(rep.Experiments) != 2 {
		t.Fatalf("pool %d, test %d, %d experiments", rep.Pool, rep.Test, len(rep.Experiments))
	}
	if want := []int{48, 96, 144}; len(rep.Labeled) != 3 || rep.Labeled[0] != want[0] || rep.Labeled[2] != want[2] {
		t.Fatalf("labeled %v, want %v", rep.Labeled, want)
	}
	for _, e := range rep.Experiments {
		acc := []float64{e.Loops[0].Accuracy, e.Loops[1].Accuracy, e.Loops[2].Accuracy}
		if !(acc[1] > acc[0] && acc[2] > acc[1]) {
			t.Errorf("%s: test accuracy %.3f -> %.3f -> %.3f does not rise", e.Strategy, acc[0], acc[1], acc[2])
		}
		if e.Loops[0].Unlabeled != 646-48 {
			t.Errorf("%s: loop 1 scored %d rows, want the %d unlabeled", e.Strategy, e.Loops[0].Unlabeled, 646-48)
		}
	}
	for _, want := range []string{"| loop | labeled | margin | random |", "| 3 | 144 |", "seed 1 margin:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Cleaned up: no project, no uploaded dataset, no model but the default.
	for path, want := range map[string]string{"/alectio/projects": `"projects":[]`, "/v1/models": `{"models":[{"default":null,"labels":{},"name":"default","versions":[]}]}`} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		b, _ := json.Marshal(v)
		if !strings.Contains(string(b), want) {
			t.Errorf("GET %s after the run: %s", path, b)
		}
	}
}

// BenchmarkFiveSeeds measures the three loops from 5 random starts, margin
// against random selection: the median test accuracy of each loop is
// reported (margin-1..3, random-1..3). One iteration is the whole
// measurement:
//
//	go test ./examples/alectio -run '^$' -bench FiveSeeds -benchtime 1x
func BenchmarkFiveSeeds(b *testing.B) {
	srv := startServer(b)
	for b.Loop() {
		var out bytes.Buffer
		rep, err := run(context.Background(), []string{"-server", srv.URL, "-token", token, "-data", sample, "-seeds", "1,2,3,4,5"}, func(string) string { return "" }, &out)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("\n%s", out.String())
		for _, st := range rep.Strategies {
			for l, a := range rep.Median[st] {
				b.ReportMetric(a, string(st)+"-"+string(rune('1'+l)))
			}
		}
	}
}
