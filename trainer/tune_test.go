package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTuneOnSample(t *testing.T) {
	out := t.TempDir()
	results := filepath.Join(t.TempDir(), "tuning")
	code, stdout, stderr := runCLI(t, "tune", "--data", sample, "--out", out, "--budget", "4", "--halving",
		"--space-c", "0.3,3", "--space-solvers", "l2", "--space-class-weights", "none", "--space-min-df", "2",
		"--space-word-ngrams", "1,2", "--space-char", "3-5", "--results", results, "-q")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"Search: 4 configurations (2 encoder settings, grid search, successive halving)", "best: --C ", "optimistic", "tune.csv"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	var saved struct {
		Trials []json.RawMessage `json:"trials"`
		Best   struct {
			C float64 `json:"c"`
		} `json:"best"`
	}
	b, err := os.ReadFile(filepath.Join(out, "1", "tune.json"))
	if err != nil || json.Unmarshal(b, &saved) != nil || len(saved.Trials) < 4 || saved.Best.C == 0 {
		t.Fatalf("tune.json: %v %s", err, b)
	}
	if _, err := os.Stat(results + ".csv"); err != nil {
		t.Error(err)
	}
	var rep struct {
		Model struct {
			C float64 `json:"c"`
		} `json:"model"`
	}
	b, _ = os.ReadFile(filepath.Join(out, "1", "report.json"))
	if json.Unmarshal(b, &rep) != nil || rep.Model.C != saved.Best.C {
		t.Errorf("the version was trained with C %v, the search chose %v", rep.Model.C, saved.Best.C)
	}
	for _, args := range [][]string{
		{"tune", "--data", sample, "--metric", "f2"},
		{"tune", "--data", sample, "--space-c", "log:1:0.1:3"},
		{"tune", "--data", sample, "--space-char", "5-2"},
		{"tune", "--data", sample, "--search", "bayes"},
	} {
		if code, _, stderr := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, stderr)
		}
	}
}
