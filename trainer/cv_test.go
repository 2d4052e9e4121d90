package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/model/dataset"
)

func TestCVHelpShowsExamples(t *testing.T) {
	code, out, _ := runCLI(t, "cv", "--help")
	if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "trainer cv --data") {
		t.Fatalf("cv --help: exit %d, output lacks an example:\n%s", code, out)
	}
	// The model flags are train's.
	for _, f := range []string{"--C", "--solver", "--class-weight", "--min-df", "--word-ngrams", "--char-min", "--char-max",
		"--calib", "--prune", "--eps", "--seed", "--workers", "--text-col", "--label-col", "--folds", "--repeats", "--json"} {
		if !strings.Contains(out, f+" ") {
			t.Errorf("cv --help lacks %s", f)
		}
	}
	_, out, _ = runCLI(t, "--help")
	if !strings.Contains(out, "cv ") {
		t.Errorf("trainer --help does not list cv:\n%s", out)
	}
}

func TestCVBadFlagsExit2(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"missing data":   {[]string{"cv"}, "--data is required"},
		"one fold":       {[]string{"cv", "--data", sample, "--folds", "1"}, "--folds 1"},
		"no repeat":      {[]string{"cv", "--data", sample, "--repeats", "0"}, "--repeats 0"},
		"bad solver":     {[]string{"cv", "--data", sample, "--solver", "rbf"}, "rbf"},
		"bad weight":     {[]string{"cv", "--data", sample, "--class-weight", "heavy"}, "--class-weight"},
		"bad min-df":     {[]string{"cv", "--data", sample, "--min-df", "0"}, "--min-df"},
		"json folder":    {[]string{"cv", "--data", sample, "--json", filepath.Join(dir, "nope", "cv.json")}, "--json"},
		"too many folds": {[]string{"cv", "--data", sample, "--folds", "100", "-q"}, "--folds 100: no intent has 100 questions"},
		"not a number":   {[]string{"cv", "--data", sample, "--folds", "five"}, "--folds"},
		"stray argument": {[]string{"cv", "--data", sample, "extra"}, "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "too many folds" {
				if _, err := os.Stat(sample); err != nil {
					t.Skipf("sample data absent: %v", err)
				}
			}
			code, _, errs := runCLI(t, c.args...)
			if code != 2 || !strings.Contains(errs, "error:") || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 with an error naming %q", code, errs, c.want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	s := describe([]float64{1, 2, 3, 4})
	if s.N != 4 || s.Mean != 2.5 || math.Abs(s.Std-math.Sqrt(5.0/3)) > 1e-12 || s.Min != 1 || s.Max != 4 {
		t.Errorf("describe(1,2,3,4) = %+v", s)
	}
	if s := describe([]float64{0.7}); s.Std != 0 || s.Mean != 0.7 || s.Min != 0.7 || s.Max != 0.7 {
		t.Errorf("describe(0.7) = %+v", s)
	}
}

// TestPlanFolds: each question of an intent with at least k questions is
// validated in exactly one fold, spread evenly; smaller intents are never
// validated and are listed.
func TestPlanFolds(t *testing.T) {
	sizes := map[string]int{"a": 12, "b": 7, "c": 5, "d": 3, "e": 1}
	var ex []dataset.Example
	for l, n := range sizes {
		for i := range n {
			ex = append(ex, dataset.Example{Text: fmt.Sprintf("%s %d", l, i), Label: l})
		}
	}
	const k = 5
	for seed := range int64(3) {
		p, err := planFolds(ex, k, seed)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.trainOnly) != 2 || p.trainOnly["d"] != 3 || p.trainOnly["e"] != 1 {
			t.Errorf("train-only intents %v, want d (3) and e (1)", p.trainOnly)
		}
		if p.validated != 24 || p.intents != 5 {
			t.Errorf("validated %d of %d intents, want 24 questions of 5", p.validated, p.intents)
		}
		seen := make([]int, len(ex))
		for f := range k {
			train, valid := p.fold(ex, f)
			if len(train)+len(valid) != len(ex) {
				t.Fatalf("fold %d: %d + %d questions, want %d", f, len(train), len(valid), len(ex))
			}
			per := map[string]int{}
			for _, e := range valid {
				per[e.Label]++
			}
			for l, n := range sizes {
				lo, hi := n/k, (n+k-1)/k
				if n < k {
					lo, hi = 0, 0
				}
				if per[l] < lo || per[l] > hi {
					t.Errorf("seed %d fold %d: %d questions of %s validated, want %d to %d", seed, f, per[l], l, lo, hi)
				}
			}
			for _, i := range p.valid[f] {
				seen[i]++
			}
		}
		for i, e := range ex {
			want := 1
			if sizes[e.Label] < k {
				want = 0
			}
			if seen[i] != want {
				t.Errorf("seed %d: question %q validated %d times, want %d", seed, e.Text, seen[i], want)
			}
		}
	}
	if _, err := planFolds(ex, 13, 1); err == nil || !strings.Contains(err.Error(), "--folds 13") {
		t.Errorf("13 folds for intents of at most 12: %v", err)
	}
}

// readCVJSON runs cv with --json and decodes it.
func readCVJSON(t *testing.T, args ...string) (*cvReport, string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cv.json")
	code, stdout, stderr := runCLI(t, append(args, "--json", out)...)
	if code != 0 {
		t.Fatalf("cv exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep cvReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep, stdout, stderr
}

func TestCVOnSample(t *testing.T) {
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	const folds, repeats, n = 3, 2, 868
	rep, out, _ := readCVJSON(t, "cv", "--data", sample, "--folds", fmt.Sprint(folds), "--repeats", fmt.Sprint(repeats), "--seed", "5", "-q")
	if len(rep.Results) != folds*repeats || rep.Folds != folds || rep.Repeats != repeats {
		t.Fatalf("%d results for %d folds x %d repeats", len(rep.Results), rep.Folds, rep.Repeats)
	}
	if rep.Data.Questions != n || rep.Data.Intents != 16 || rep.Data.Validated != n || len(rep.TrainOnly) != 0 {
		t.Errorf("data %+v, train-only %v", rep.Data, rep.TrainOnly)
	}
	valid := make([]int, repeats)
	var acc, f1, ece []float64
	for _, r := range rep.Results {
		if r.NTrain+r.NValid != n {
			t.Errorf("repeat %d fold %d: %d + %d questions, want %d", r.Repeat, r.Fold, r.NTrain, r.NValid, n)
		}
		if want := int64(5 + r.Repeat - 1); r.Seed != want {
			t.Errorf("repeat %d has seed %d, want %d", r.Repeat, r.Seed, want)
		}
		if !r.AccuracyCI.Contains(r.Accuracy) || !r.MacroF1CI.Contains(r.MacroF1) {
			t.Errorf("fold intervals %v %v do not contain %v %v", r.AccuracyCI, r.MacroF1CI, r.Accuracy, r.MacroF1)
		}
		if r.Accuracy < 0.7 {
			t.Errorf("repeat %d fold %d: accuracy %.3f", r.Repeat, r.Fold, r.Accuracy)
		}
		valid[r.Repeat-1] += r.NValid
		acc, f1, ece = append(acc, r.Accuracy), append(f1, r.MacroF1), append(ece, r.ECE)
	}
	for r, v := range valid {
		if v != n {
			t.Errorf("repeat %d validated %d questions, want each of the %d once", r+1, v, n)
		}
	}
	// The two repeats shuffle differently.
	if rep.Results[0].Accuracy == rep.Results[folds].Accuracy && rep.Results[1].Accuracy == rep.Results[folds+1].Accuracy {
		t.Errorf("repeats 1 and 2 look identical: %+v", rep.Results)
	}
	for name, c := range map[string]struct {
		xs []float64
		s  cvStat
	}{"accuracy": {acc, rep.Summary.Accuracy}, "macro_f1": {f1, rep.Summary.MacroF1}, "ece": {ece, rep.Summary.ECE}} {
		var sum, ss float64
		lo, hi := 1.0, 0.0
		for _, x := range c.xs {
			sum += x
			lo, hi = min(lo, x), max(hi, x)
		}
		mean := sum / float64(len(c.xs))
		for _, x := range c.xs {
			ss += (x - mean) * (x - mean)
		}
		std := math.Sqrt(ss / float64(len(c.xs)-1))
		if c.s.N != len(c.xs) || math.Abs(c.s.Mean-mean) > 1e-12 || math.Abs(c.s.Std-std) > 1e-12 || c.s.Min != lo || c.s.Max != hi {
			t.Errorf("%s summary %+v, want mean %v std %v min %v max %v", name, c.s, mean, std, lo, hi)
		}
	}
	for _, want := range []string{"Over 6 folds", "accuracy", "macro-F1", "ECE", "cross-validated accuracy " + fmt.Sprintf("%.2f %%", 100*rep.Summary.Accuracy.Mean)} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "n_train") {
		t.Errorf("-q prints the per-fold table:\n%s", out)
	}

	// Same seed, same numbers.
	again, _, _ := readCVJSON(t, "cv", "--data", sample, "--folds", "3", "--repeats", "1", "--seed", "5", "-q")
	for i, r := range again.Results {
		if r.Accuracy != rep.Results[i].Accuracy || r.NValid != rep.Results[i].NValid {
			t.Errorf("fold %d: accuracy %v on %d, first run %v on %d", i+1, r.Accuracy, r.NValid, rep.Results[i].Accuracy, rep.Results[i].NValid)
		}
	}
}

// TestCVSmallIntentRule: an intent with fewer questions than folds is
// trained on in every fold, never validated, and reported.
func TestCVSmallIntentRule(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "q.csv")
	var b strings.Builder
	b.WriteString("text,label\n")
	words := map[string][]string{
		"meteo":  {"pluie", "soleil", "neige", "orage", "vent", "nuage", "brouillard", "gel", "chaleur", "grele"},
		"resto":  {"pizza", "sushi", "burger", "couscous", "ramen", "tacos", "curry", "paella", "kebab", "crepe"},
		"banque": {"virement", "compte", "carte", "pret", "epargne", "solde", "cheque", "decouvert", "iban", "frais"},
	}
	for l, ws := range words {
		for i, w := range ws {
			fmt.Fprintf(&b, "question %d sur %s %s,%s\n", i, w, l, l)
		}
	}
	b.WriteString("quel train pour lyon,transport\nun bus pour paris,transport\n")
	os.WriteFile(data, []byte(b.String()), 0o644)

	rep, out, errs := readCVJSON(t, "cv", "--data", data, "--folds", "4", "--repeats", "2", "--min-df", "1")
	if rep.TrainOnly["transport"] != 2 || len(rep.TrainOnly) != 1 {
		t.Errorf("train-only intents %v, want transport (2)", rep.TrainOnly)
	}
	for _, s := range []string{errs, out} {
		if !strings.Contains(s, "fewer questions than the 4 folds") || !strings.Contains(s, "transport (2)") {
			t.Errorf("no warning naming transport:\n%s", s)
		}
	}
	if !strings.Contains(errs, "warning:") {
		t.Errorf("stderr has no warning:\n%s", errs)
	}
	valid := map[int]int{}
	for _, r := range rep.Results {
		if r.NTrain+r.NValid != 32 {
			t.Errorf("fold %d: %d + %d questions, want all 32 (transport always trained on)", r.Fold, r.NTrain, r.NValid)
		}
		valid[r.Repeat] += r.NValid
	}
	if valid[1] != 30 || valid[2] != 30 || rep.Data.Validated != 30 {
		t.Errorf("validated per repeat %v (plan %d), want the 30 questions of the three large intents", valid, rep.Data.Validated)
	}
}
