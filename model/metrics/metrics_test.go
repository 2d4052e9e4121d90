package metrics

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func checkNear(t *testing.T, name string, got, want float64) {
	t.Helper()
	if !near(got, want, 1e-9) {
		t.Errorf("%s = %.12g, want %.12g", name, got, want)
	}
}

// A 3-class example small enough to check by hand.
//
//	            pred a  pred b  pred c
//	true a         3       1       0     support 4
//	true b         0       2       0     support 2
//	true c         1       1       0     support 2 (never predicted)
//	predicted      4       4       0
func handExample(t *testing.T) *Report {
	t.Helper()
	labels := []string{"a", "b", "c"}
	yTrue := []int32{0, 0, 0, 0, 1, 1, 2, 2}
	yPred := []int32{0, 0, 0, 1, 1, 1, 0, 1}
	r, err := Evaluate(labels, yTrue, yPred)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEvaluateByHand(t *testing.T) {
	r := handExample(t)
	wantConf := [][]int{{3, 1, 0}, {0, 2, 0}, {1, 1, 0}}
	for i := range wantConf {
		if !slices.Equal(r.Confusion[i], wantConf[i]) {
			t.Fatalf("confusion = %v, want %v", r.Confusion, wantConf)
		}
	}
	if r.N != 8 {
		t.Errorf("N = %d, want 8", r.N)
	}
	// a: P = 3/4, R = 3/4, F1 = 3/4. b: P = 2/4, R = 1, F1 = 2/3. c: 0, 0, 0.
	want := []ClassReport{
		{"a", 0.75, 0.75, 0.75, 4, 4},
		{"b", 0.5, 1, 2.0 / 3, 2, 4},
		{"c", 0, 0, 0, 2, 0},
	}
	for i, w := range want {
		g := r.PerClass[i]
		if g.Label != w.Label || g.Support != w.Support || g.Predicted != w.Predicted {
			t.Errorf("class %d = %+v, want %+v", i, g, w)
		}
		checkNear(t, w.Label+" precision", g.Precision, w.Precision)
		checkNear(t, w.Label+" recall", g.Recall, w.Recall)
		checkNear(t, w.Label+" f1", g.F1, w.F1)
	}
	checkNear(t, "accuracy", r.Accuracy, 5.0/8)
	checkNear(t, "micro precision", r.MicroPrecision, 5.0/8)
	checkNear(t, "micro recall", r.MicroRecall, 5.0/8)
	checkNear(t, "micro f1", r.MicroF1, 5.0/8)
	checkNear(t, "macro precision", r.MacroPrecision, (0.75+0.5+0)/3)
	checkNear(t, "macro recall", r.MacroRecall, (0.75+1+0)/3)
	checkNear(t, "macro f1", r.MacroF1, (0.75+2.0/3+0)/3)
	checkNear(t, "weighted precision", r.WeightedPrecision, (4*0.75+2*0.5)/8)
	checkNear(t, "weighted recall", r.WeightedRecall, (4*0.75+2*1.0)/8)
	checkNear(t, "weighted f1", r.WeightedF1, (4*0.75+2*2.0/3)/8)
}

func TestEvaluateErrors(t *testing.T) {
	labels := []string{"x", "y"}
	tests := []struct {
		name          string
		labels        []string
		yTrue, yPred  []int32
		wantSubstring string
	}{
		{"no labels", nil, []int32{0}, []int32{0}, "no labels"},
		{"length mismatch", labels, []int32{0, 1}, []int32{0}, "2 true classes but 1 predictions"},
		{"empty", labels, nil, nil, "no predictions"},
		{"true out of range", labels, []int32{0, 2}, []int32{0, 1}, "true class 2 at position 1"},
		{"negative prediction", labels, []int32{0, 1}, []int32{-1, 1}, "predicted class -1 at position 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(tt.labels, tt.yTrue, tt.yPred)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "metrics: ") || !strings.Contains(err.Error(), tt.wantSubstring) {
				t.Errorf("error %q, want one containing %q", err, tt.wantSubstring)
			}
		})
	}
}

func TestFromConfusionMatchesEvaluate(t *testing.T) {
	r := handExample(t)
	r2, err := FromConfusion(r.Labels, r.Confusion)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(r2)
	if !bytes.Equal(a, b) {
		t.Errorf("FromConfusion differs from Evaluate:\n%s\n%s", a, b)
	}
	if _, err := FromConfusion([]string{"a"}, [][]int{{0}}); err == nil {
		t.Error("all-zero matrix accepted")
	}
	if _, err := FromConfusion([]string{"a", "b"}, [][]int{{1, 0}, {1}}); err == nil {
		t.Error("ragged matrix accepted")
	}
	if _, err := FromConfusion([]string{"a"}, [][]int{{-1}}); err == nil {
		t.Error("negative count accepted")
	}
}

func TestNoNaN(t *testing.T) {
	// One class only predicted, one only true, one absent everywhere.
	r, err := Evaluate([]string{"p", "t", "z"}, []int32{1, 1}, []int32{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r) // fails on NaN or Inf
	if err != nil {
		t.Fatal(err)
	}
	if r.MacroPrecision != 0 || r.MacroRecall != 0 || r.MacroF1 != 0 || r.Accuracy != 0 {
		t.Errorf("want all zero scores, got %s", b)
	}
}

func TestSortLabels(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"26", "10", "2", "0"}, []string{"0", "2", "10", "26"}},
		{[]string{"7", "-3", "07", "+4"}, []string{"-3", "+4", "07", "7"}},
		{[]string{"2", "10", "x"}, []string{"10", "2", "x"}},
		{[]string{"b", "a"}, []string{"a", "b"}},
		{nil, nil},
	}
	for _, tt := range tests {
		got := SortLabels(slices.Clone(tt.in))
		if !slices.Equal(got, tt.want) {
			t.Errorf("SortLabels(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if IntegerLabels(nil) || IntegerLabels([]string{"1", "1.5"}) || !IntegerLabels([]string{"1", "-2"}) {
		t.Error("IntegerLabels wrong")
	}
}

func TestTopConfusions(t *testing.T) {
	labels := []string{"a", "b", "c"}
	conf := [][]int{
		{5, 2, 3},
		{3, 5, 0},
		{1, 2, 9},
	}
	r, err := FromConfusion(labels, conf)
	if err != nil {
		t.Fatal(err)
	}
	want := []Confusion{{"a", "c", 3}, {"b", "a", 3}, {"a", "b", 2}, {"c", "b", 2}, {"c", "a", 1}}
	if got := r.TopConfusions(0); !slices.Equal(got, want) {
		t.Errorf("TopConfusions(0) = %v, want %v", got, want)
	}
	if got := r.TopConfusions(2); !slices.Equal(got, want[:2]) {
		t.Errorf("TopConfusions(2) = %v, want %v", got, want[:2])
	}
	if got := r.TopConfusions(50); len(got) != 5 {
		t.Errorf("TopConfusions(50) has %d entries, want 5", len(got))
	}
}

// sklearnFixture mirrors testdata/sklearn_report.json.
type sklearnFixture struct {
	Command        string `json:"command"`
	SklearnVersion string `json:"sklearn_version"`
	Cases          []struct {
		Name      string   `json:"name"`
		Labels    []string `json:"labels"`
		YTrue     []string `json:"y_true"`
		YPred     []string `json:"y_pred"`
		Accuracy  float64  `json:"accuracy"`
		Confusion [][]int  `json:"confusion"`
		PerClass  []struct {
			Label     string  `json:"label"`
			Precision float64 `json:"precision"`
			Recall    float64 `json:"recall"`
			F1        float64 `json:"f1"`
			Support   int     `json:"support"`
		} `json:"per_class"`
		MicroPrecision    float64 `json:"micro_precision"`
		MicroRecall       float64 `json:"micro_recall"`
		MicroF1           float64 `json:"micro_f1"`
		MacroPrecision    float64 `json:"macro_precision"`
		MacroRecall       float64 `json:"macro_recall"`
		MacroF1           float64 `json:"macro_f1"`
		WeightedPrecision float64 `json:"weighted_precision"`
		WeightedRecall    float64 `json:"weighted_recall"`
		WeightedF1        float64 `json:"weighted_f1"`
	} `json:"cases"`
}

// TestSklearnFixture checks Evaluate against numbers computed by
// scikit-learn (see testdata/sklearn_fixture.py; Python is not run here).
func TestSklearnFixture(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sklearn_report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx sklearnFixture
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatal(err)
	}
	if len(fx.Cases) == 0 {
		t.Fatal("fixture has no cases")
	}
	t.Logf("fixture from scikit-learn %s: %s", fx.SklearnVersion, fx.Command)
	for _, c := range fx.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if got := SortLabels(slices.Clone(c.Labels)); !slices.Equal(got, c.Labels) {
				t.Errorf("SortLabels(%q) = %q, fixture order differs", c.Labels, got)
			}
			index := map[string]int32{}
			for i, l := range c.Labels {
				index[l] = int32(i)
			}
			toIdx := func(ys []string) []int32 {
				out := make([]int32, len(ys))
				for i, y := range ys {
					out[i] = index[y]
				}
				return out
			}
			r, err := Evaluate(c.Labels, toIdx(c.YTrue), toIdx(c.YPred))
			if err != nil {
				t.Fatal(err)
			}
			if r.N != len(c.YTrue) {
				t.Errorf("N = %d, want %d", r.N, len(c.YTrue))
			}
			for i := range c.Confusion {
				if !slices.Equal(r.Confusion[i], c.Confusion[i]) {
					t.Errorf("confusion row %s = %v, want %v", c.Labels[i], r.Confusion[i], c.Confusion[i])
				}
			}
			for i, w := range c.PerClass {
				g := r.PerClass[i]
				if g.Label != w.Label || g.Support != w.Support {
					t.Errorf("class %d: label %q support %d, want %q %d", i, g.Label, g.Support, w.Label, w.Support)
				}
				checkNear(t, w.Label+" precision", g.Precision, w.Precision)
				checkNear(t, w.Label+" recall", g.Recall, w.Recall)
				checkNear(t, w.Label+" f1", g.F1, w.F1)
			}
			checkNear(t, "accuracy", r.Accuracy, c.Accuracy)
			checkNear(t, "micro precision", r.MicroPrecision, c.MicroPrecision)
			checkNear(t, "micro recall", r.MicroRecall, c.MicroRecall)
			checkNear(t, "micro f1", r.MicroF1, c.MicroF1)
			checkNear(t, "macro precision", r.MacroPrecision, c.MacroPrecision)
			checkNear(t, "macro recall", r.MacroRecall, c.MacroRecall)
			checkNear(t, "macro f1", r.MacroF1, c.MacroF1)
			checkNear(t, "weighted precision", r.WeightedPrecision, c.WeightedPrecision)
			checkNear(t, "weighted recall", r.WeightedRecall, c.WeightedRecall)
			checkNear(t, "weighted f1", r.WeightedF1, c.WeightedF1)
		})
	}
}

func TestWriteTextGolden(t *testing.T) {
	r := handExample(t)
	names := map[string]string{"a": "alpha", "b": "bêta", "c": "gamma"}
	tests := []struct {
		name string
		opt  TextOptions
	}{
		{"matrix", TextOptions{}},
		{"named_top", TextOptions{Names: names, MaxMatrixLabels: 2, TopConfusions: 2, Digits: 3}},
		{"all_confusions", TextOptions{MaxMatrixLabels: -1, TopConfusions: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.WriteText(&buf, tt.opt); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "report_"+tt.name+".golden"), buf.Bytes())
		})
	}
}

func TestWriteConfusionCSV(t *testing.T) {
	r := handExample(t)
	var buf bytes.Buffer
	if err := r.WriteConfusionCSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := "true\\predicted,a,b,c\na,3,1,0\nb,0,2,0\nc,1,1,0\n"
	if buf.String() != want {
		t.Errorf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteErrors(t *testing.T) {
	r := handExample(t)
	if err := r.WriteText(failWriter{}, TextOptions{}); err == nil || !strings.HasPrefix(err.Error(), "metrics: ") {
		t.Errorf("WriteText to failing writer: %v", err)
	}
	if err := r.WriteConfusionCSV(failWriter{}); err == nil {
		t.Error("WriteConfusionCSV to failing writer: no error")
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// randomPredictions draws n examples over k classes, correct with
// probability acc.
func randomPredictions(rng *rand.Rand, n, k int, acc float64) (yTrue, yPred []int32) {
	yTrue = make([]int32, n)
	yPred = make([]int32, n)
	for i := range yTrue {
		yTrue[i] = int32(rng.IntN(k))
		yPred[i] = yTrue[i]
		if rng.Float64() > acc {
			yPred[i] = int32(rng.IntN(k))
		}
	}
	return yTrue, yPred
}

func BenchmarkEvaluate(b *testing.B) {
	const n, k = 4500, 150
	labels := make([]string, k)
	for i := range labels {
		labels[i] = string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	yTrue, yPred := randomPredictions(rand.New(rand.NewPCG(1, 2)), n, k, 0.8)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(labels, yTrue, yPred); err != nil {
			b.Fatal(err)
		}
	}
}
