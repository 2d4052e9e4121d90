package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

const sample = "../data/sample"

// runCLI runs the trainer in-process and returns exit code and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpShowsExamples(t *testing.T) {
	for _, cmd := range []string{"train", "tune", "evaluate", "predict"} {
		code, out, _ := runCLI(t, cmd, "--help")
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "trainer "+cmd) {
			t.Errorf("%s --help: exit %d, output lacks an example:\n%s", cmd, code, out)
		}
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown flag":     {"train", "--nope"},
		"missing data":     {"train"},
		"bad valid":        {"train", "--data", sample, "--valid", "1.5"},
		"bad solver":       {"train", "--data", sample, "--solver", "rbf"},
		"bad class weight": {"train", "--data", sample, "--class-weight", "heavy"},
		"predict both":     {"predict", "--data", "x", "--model", "m", "--api", "http://x"},
		"stray argument":   {"evaluate", "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(t, args...)
			if code != 2 || !strings.Contains(errs, "error:") {
				t.Fatalf("exit %d, stderr %q; want exit 2 with an error", code, errs)
			}
		})
	}
}

func TestBadDataExit1NamesTheFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("text,label\n\"unterminated,1\n"), 0o644)
	code, _, errs := runCLI(t, "train", "--data", bad, "--out", dir)
	if code != 1 || !strings.Contains(errs, "bad.csv") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming bad.csv", code, errs)
	}
}

func TestTrainEvaluatePredictOnSample(t *testing.T) {
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	code, out, errs := runCLI(t, "train", "--data", sample, "--out", models, "--seed", "7")
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, errs)
	}
	for _, want := range []string{"accuracy", "macro", "confusion matrix", "Calibration", "Timings", "model version 1 written",
		"Metrics on 174 validation questions"} {
		if !strings.Contains(out, want) {
			t.Errorf("train output lacks %q", want)
		}
	}
	v1 := filepath.Join(models, "1")
	for _, f := range []string{"model.bin", "report.json", "confusion.csv", "valid.jsonl"} {
		if _, err := os.Stat(filepath.Join(v1, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	var rep map[string]any
	b, _ := os.ReadFile(filepath.Join(v1, "report.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"accuracy", "micro_precision", "micro_recall", "micro_f1", "macro_precision", "macro_recall",
		"macro_f1", "per_class", "confusion", "labels", "ece_before", "ece_after", "n_train", "n_valid", "n_features", "train_seconds"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
	if rep["n_train"].(float64)+rep["n_valid"].(float64) != 868 {
		t.Errorf("n_train + n_valid = %v + %v, want the 868 sample rows", rep["n_train"], rep["n_valid"])
	}

	// A second run makes version 2 beside version 1.
	if code, _, errs := runCLI(t, "train", "--data", sample, "--out", models, "-q"); code != 0 {
		t.Fatalf("second train exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(models, "2", "model.bin")); err != nil {
		t.Fatal("second training did not write version 2")
	}

	code, out, errs = runCLI(t, "evaluate", "--model", v1, "--data", sample, "-q")
	if code != 0 || !strings.Contains(out, "accuracy") {
		t.Fatalf("evaluate exit %d: %s %s", code, out, errs)
	}
	// evaluate measures any labeled file, not a validation split.
	if want := "Metrics on 868 labeled questions of " + sample + "\n"; !strings.Contains(out, want) {
		t.Errorf("evaluate output lacks %q:\n%s", want, out)
	}
	if strings.Contains(strings.ToLower(out), "validation") {
		t.Errorf("evaluate calls its data validation questions:\n%s", out)
	}

	pred := filepath.Join(dir, "predictions.csv")
	code, _, errs = runCLI(t, "predict", "--model", models, "--data", filepath.Join(sample, "input_test.csv"), "--out", pred)
	if code != 0 {
		t.Fatalf("predict exit %d: %s", code, errs)
	}
	rows := readCSV(t, pred)
	if len(rows) != 124 || strings.Join(rows[0], ",") != "ID,question,intent" {
		t.Fatalf("predictions: %d rows, header %v; want 123 + header ID,question,intent", len(rows), rows[0])
	}
}

// TestPredictViaAPI checks the HTTP path of predict (what make test runs)
// against a stand-in server: every question sent once, answers written in
// input order, a server error reported with the question's ID.
func TestPredictViaAPI(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			fmt.Fprint(w, `{"ready":true}`)
		case "/intent":
			calls.Add(1)
			q := r.URL.Query().Get("query")
			if q == "boom" {
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"error":"internal"}`)
				return
			}
			fmt.Fprintf(w, `{"intent": %d, "probability": "0.50000000"}`, len(q))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("ID;question\n")
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "%d;%s\n", i, strings.Repeat("x", i))
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "p.csv")
	code, _, errs := runCLI(t, "predict", "--api", srv.URL, "--data", in, "--out", out, "--concurrency", "4", "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := readCSV(t, out)
	if len(rows) != 51 || calls.Load() != 50 {
		t.Fatalf("%d rows, %d calls; want 51 rows and 50 calls", len(rows), calls.Load())
	}
	for i, r := range rows[1:] {
		if r[0] != fmt.Sprint(i+1) || r[2] != fmt.Sprint(len(r[1])) {
			t.Fatalf("row %d = %v: answers out of order", i+1, r)
		}
	}
	os.WriteFile(in, []byte("ID;question\n1;ok\n7;boom\n"), 0o644)
	code, _, errs = runCLI(t, "predict", "--api", srv.URL, "--data", in, "--out", out, "-q")
	if code != 1 || !strings.Contains(errs, "question ID 7") {
		t.Fatalf("server error: exit %d, stderr %q", code, errs)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
