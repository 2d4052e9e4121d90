package main

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestSelectHelpAndUsage(t *testing.T) {
	code, out, _ := runCLI(t, "select", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "trainer select") ||
		!strings.Contains(out, "least-confident") {
		t.Errorf("select --help: exit %d, output lacks an example or the strategies:\n%s", code, out)
	}
	for name, args := range map[string][]string{
		"missing model":  {"select", "--data", "x.csv"},
		"missing data":   {"select", "--model", "m"},
		"bad strategy":   {"select", "--model", "m", "--data", "x.csv", "--strategy", "uncertainty"},
		"zero n":         {"select", "--model", "m", "--data", "x.csv", "--n", "0"},
		"stray argument": {"select", "--model", "m", "--data", "x.csv", "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(t, args...)
			if code != 2 || !strings.Contains(errs, "error:") {
				t.Fatalf("exit %d, stderr %q; want exit 2 with an error", code, errs)
			}
		})
	}
}

// TestSelectOnSample trains on the sample, selects from its test questions
// with every strategy, and checks the CSV against predict's answers.
func TestSelectOnSample(t *testing.T) {
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	dir := t.TempDir()
	models := filepath.Join(dir, "models")
	if code, _, errs := runCLI(t, "train", "--data", sample, "--out", models, "-q"); code != 0 {
		t.Fatalf("train exit %d: %s", code, errs)
	}
	input := filepath.Join(sample, "input_test.csv")
	pred := filepath.Join(dir, "predictions.csv")
	if code, _, errs := runCLI(t, "predict", "--model", models, "--data", input, "--out", pred, "--probability"); code != 0 {
		t.Fatalf("predict exit %d: %s", code, errs)
	}
	predicted := map[string][]string{} // ID -> question, intent, probability
	for _, r := range readCSV(t, pred)[1:] {
		predicted[r[0]] = r[1:]
	}

	picks := map[string][]string{}
	for _, strategy := range []string{"margin", "entropy", "least-confident", "random"} {
		out := filepath.Join(dir, strategy+".csv")
		code, _, errs := runCLI(t, "select", "--model", models, "--data", input, "--n", "20", "--strategy", strategy, "--out", out)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", strategy, code, errs)
		}
		if !strings.Contains(errs, "20 of 123 questions selected by "+strategy) {
			t.Errorf("%s: stderr %q lacks the summary", strategy, errs)
		}
		rows := readCSV(t, out)
		if len(rows) != 21 || strings.Join(rows[0], ",") != "ID,question,predicted,probability,score" {
			t.Fatalf("%s: %d rows, header %v", strategy, len(rows), rows[0])
		}
		last := math.Inf(1)
		for _, r := range rows[1:] {
			p, ok := predicted[r[0]]
			if !ok || p[0] != r[1] || p[1] != r[2] || p[2] != r[3] {
				t.Fatalf("%s: row %v disagrees with predict's %v", strategy, r, p)
			}
			score, err := strconv.ParseFloat(r[4], 64)
			if err != nil || score > last {
				t.Fatalf("%s: score %q not a number or not in decreasing order", strategy, r[4])
			}
			last = score
			picks[strategy] = append(picks[strategy], r[0])
		}
	}
	// Least-confident ranks by 1 - p(1): the listed probabilities increase.
	for i, r := range readCSV(t, filepath.Join(dir, "least-confident.csv"))[1:] {
		p, _ := strconv.ParseFloat(r[3], 64)
		s, _ := strconv.ParseFloat(r[4], 64)
		if d := 1 - p - s; d > 1e-7 || d < -1e-7 {
			t.Errorf("least-confident row %d: score %v != 1 - probability %v", i+1, s, p)
		}
	}
	if slices.Equal(picks["margin"], picks["random"]) {
		t.Error("margin and random picked the same questions in the same order")
	}

	// stdout, n larger than the file, a seed changing the random picks.
	code, out, errs := runCLI(t, "select", "--model", models, "--data", input, "--n", "500", "--strategy", "random", "--seed", "1", "--out", "-")
	if code != 0 {
		t.Fatalf("stdout: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 124 {
		t.Fatalf("n > rows: %d lines on stdout, want 123 + header", len(lines))
	}
	_, out2, _ := runCLI(t, "select", "--model", models, "--data", input, "--n", "500", "--strategy", "random", "--seed", "2", "--out", "-")
	if out == out2 {
		t.Error("random selections with seeds 1 and 2 are identical")
	}
	_, again, _ := runCLI(t, "select", "--model", models, "--data", input, "--n", "500", "--strategy", "random", "--seed", "1", "--out", "-")
	if out != again {
		t.Error("random selection with seed 1 is not reproducible")
	}

	// A labeled CSV is accepted; its labels are ignored.
	labeled := filepath.Join(dir, "labeled.csv")
	os.WriteFile(labeled, []byte("id,text,label\na,doliprane enceinte ?,26\nb,quelle dose de spasfon,3\n"), 0o644)
	code, out, errs = runCLI(t, "select", "--model", models, "--data", labeled, "--n", "5", "--out", "-")
	if code != 0 || len(strings.Split(strings.TrimSpace(out), "\n")) != 3 {
		t.Fatalf("labeled input: exit %d, out %q, err %s", code, out, errs)
	}
	code, _, errs = runCLI(t, "select", "--model", filepath.Join(dir, "nope"), "--data", labeled)
	if code != 1 {
		t.Fatalf("missing model: exit %d, want 1: %s", code, errs)
	}
}
