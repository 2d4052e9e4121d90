package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestReportsGiveIntervals: train and evaluate print accuracy and macro-F1
// with their 95 % confidence intervals, in full and quiet reports, and
// report.json stores them.
func TestReportsGiveIntervals(t *testing.T) {
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	models := filepath.Join(t.TempDir(), "models")
	code, out, errs := runCLI(t, "train", "--data", sample, "--out", models, "-q")
	if code != 0 {
		t.Fatalf("train exit %d: %s", code, errs)
	}
	line := regexp.MustCompile(`(?m)^\s*(accuracy|macro F1)\s+\d+\.\d\d % \(95 % CI \d+\.\d-\d+\.\d\)$`)
	if n := len(line.FindAllString(out, -1)); n != 2 {
		t.Errorf("quiet train report: %d lines with an interval, want accuracy and macro F1:\n%s", n, out)
	}
	code, out, errs = runCLI(t, "evaluate", "--model", models, "--data", sample)
	if code != 0 {
		t.Fatalf("evaluate exit %d: %s", code, errs)
	}
	if n := len(line.FindAllString(out, -1)); n != 2 {
		t.Errorf("evaluate report: %d lines with an interval, want accuracy and macro F1:\n%s", n, out)
	}

	b, err := os.ReadFile(filepath.Join(models, "1", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Accuracy   float64   `json:"accuracy"`
		MacroF1    float64   `json:"macro_f1"`
		AccuracyCI []float64 `json:"accuracy_ci"`
		MacroF1CI  []float64 `json:"macro_f1_ci"`
		CI         *struct {
			Level     float64 `json:"level"`
			Resamples int     `json:"resamples"`
			Seed      *int64  `json:"seed"`
		} `json:"ci"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		x  float64
		iv []float64
	}{"accuracy": {rep.Accuracy, rep.AccuracyCI}, "macro_f1": {rep.MacroF1, rep.MacroF1CI}} {
		if len(c.iv) != 2 || !(c.iv[0] <= c.x && c.x <= c.iv[1]) || c.iv[1]-c.iv[0] <= 0 {
			t.Errorf("report.json %s %v, interval %v", name, c.x, c.iv)
		}
	}
	if rep.CI == nil || rep.CI.Level != 0.95 || rep.CI.Resamples != 1000 || rep.CI.Seed == nil {
		t.Errorf("report.json ci: %+v", rep.CI)
	}
}
