package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// synthetic returns n questions over k labels, each predicted right with
// probability p (a wrong prediction goes to another label at random).
func synthetic(n, k int, p float64, seed uint64) (yTrue, yPred []int32) {
	r := rand.New(rand.NewPCG(seed, 7))
	yTrue, yPred = make([]int32, n), make([]int32, n)
	for i := range n {
		t := int32(r.IntN(k))
		yTrue[i], yPred[i] = t, t
		if r.Float64() >= p {
			yPred[i] = (t + 1 + int32(r.IntN(k-1))) % int32(k)
		}
	}
	return yTrue, yPred
}

func TestBootstrapDeterministic(t *testing.T) {
	yTrue, yPred := synthetic(500, 5, 0.8, 1)
	a, err := Bootstrap(5, yTrue, yPred, BootstrapOptions{Seed: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 2, 7} {
		b, err := Bootstrap(5, yTrue, yPred, BootstrapOptions{Seed: 3, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("workers %d: %+v, want %+v (same seed)", w, b, a)
		}
	}
	c, _ := Bootstrap(5, yTrue, yPred, BootstrapOptions{Seed: 4})
	if c.Accuracy == a.Accuracy && c.MacroF1 == a.MacroF1 {
		t.Errorf("seeds 3 and 4 give the same intervals %+v", a)
	}
	if a.Info != (CIInfo{Method: BootstrapMethod, Level: 0.95, Resamples: 1000, Seed: 3}) {
		t.Errorf("info %+v", a.Info)
	}
}

func TestBootstrapOrderingAndWidth(t *testing.T) {
	const n, p = 2000, 0.9
	yTrue, yPred := synthetic(n, 10, p, 2)
	r, err := Evaluate(labelNames(10), yTrue, yPred)
	if err != nil {
		t.Fatal(err)
	}
	iv, err := Bootstrap(10, yTrue, yPred, BootstrapOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		iv    Interval
		point float64
	}{"accuracy": {iv.Accuracy, r.Accuracy}, "macro-F1": {iv.MacroF1, r.MacroF1}} {
		if !(0 <= c.iv[0] && c.iv[0] < c.iv[1] && c.iv[1] <= 1) {
			t.Errorf("%s interval %v not ordered within [0,1]", name, c.iv)
		}
		if !c.iv.Contains(c.point) {
			t.Errorf("%s interval %v does not contain the point estimate %v", name, c.iv, c.point)
		}
	}
	// The width of a binomial proportion's 95 % interval: 2·1.96·√(p(1-p)/n).
	want := 2 * 1.96 * math.Sqrt(r.Accuracy*(1-r.Accuracy)/n)
	if got := iv.Accuracy[1] - iv.Accuracy[0]; math.Abs(got-want) > 0.15*want {
		t.Errorf("accuracy interval width %.4f, want about %.4f", got, want)
	}
	// A narrower level gives a narrower interval inside the wider one.
	iv80, _ := Bootstrap(10, yTrue, yPred, BootstrapOptions{Seed: 1, Level: 0.8})
	if !(iv.Accuracy[0] <= iv80.Accuracy[0] && iv80.Accuracy[1] <= iv.Accuracy[1]) {
		t.Errorf("80 %% interval %v not inside the 95 %% one %v", iv80.Accuracy, iv.Accuracy)
	}
}

// TestBootstrapCoverage draws many datasets whose questions are right with
// a known probability p: the 95 % interval of the accuracy must contain p
// in about 95 % of them.
func TestBootstrapCoverage(t *testing.T) {
	const trials, n, p = 200, 300, 0.85
	hit := 0
	for s := range trials {
		yTrue, yPred := synthetic(n, 4, p, uint64(100+s))
		iv, err := Bootstrap(4, yTrue, yPred, BootstrapOptions{Seed: int64(s), Resamples: 400})
		if err != nil {
			t.Fatal(err)
		}
		if iv.Accuracy.Contains(p) {
			hit++
		}
	}
	cover := float64(hit) / trials
	t.Logf("coverage %.3f over %d datasets", cover, trials)
	if cover < 0.90 || cover > 0.99 {
		t.Errorf("the 95 %% interval contains the true accuracy in %.1f %% of %d datasets", 100*cover, trials)
	}
}

// TestBootstrapMatchesEvaluate recomputes a few resamples the slow way,
// through Evaluate on the drawn questions: the count-based scores must be
// the same.
func TestBootstrapMatchesEvaluate(t *testing.T) {
	const k = 6
	yTrue, yPred := synthetic(300, k, 0.6, 3)
	yTrue = append(yTrue, 5) // label 5 is also predicted for others
	yPred = append(yPred, 5)
	pairs := make([]uint64, len(yTrue))
	for i := range yTrue {
		pairs[i] = uint64(yTrue[i])<<32 | uint64(yPred[i])
	}
	opt := BootstrapOptions{Resamples: 5, Seed: 9, Workers: 2}
	acc, f1 := resample(k, pairs, opt)
	var wantAcc, wantF1 []float64
	n := uint64(len(pairs))
	for b := range 5 {
		var r rand.PCG
		r.Seed(9, uint64(b))
		idx := make([]uint32, n)
		draws(&r, idx)
		var bt, bp []int32
		for _, i := range idx {
			bt, bp = append(bt, yTrue[i]), append(bp, yPred[i])
		}
		rep, err := Evaluate(labelNames(k), bt, bp)
		if err != nil {
			t.Fatal(err)
		}
		wantAcc, wantF1 = append(wantAcc, rep.Accuracy), append(wantF1, rep.MacroF1)
	}
	slices.Sort(wantAcc)
	slices.Sort(wantF1)
	for i := range 5 {
		if math.Abs(acc[i]-wantAcc[i]) > 1e-12 || math.Abs(f1[i]-wantF1[i]) > 1e-12 {
			t.Errorf("resample %d: accuracy %v macro-F1 %v, Evaluate gives %v and %v", i, acc[i], f1[i], wantAcc[i], wantF1[i])
		}
	}
}

func TestBootstrapErrors(t *testing.T) {
	for name, c := range map[string]struct {
		k           int
		yTrue, yPre []int32
		opt         BootstrapOptions
	}{
		"no labels":    {0, []int32{0}, []int32{0}, BootstrapOptions{}},
		"length":       {2, []int32{0, 1}, []int32{0}, BootstrapOptions{}},
		"empty":        {2, nil, nil, BootstrapOptions{}},
		"out of range": {2, []int32{0, 2}, []int32{0, 1}, BootstrapOptions{}},
		"one resample": {2, []int32{0}, []int32{0}, BootstrapOptions{Resamples: 1}},
		"level 1":      {2, []int32{0}, []int32{0}, BootstrapOptions{Level: 1}},
		"level NaN":    {2, []int32{0}, []int32{0}, BootstrapOptions{Level: math.NaN()}},
	} {
		if _, err := Bootstrap(c.k, c.yTrue, c.yPre, c.opt); err == nil || !strings.HasPrefix(err.Error(), "metrics: bootstrap: ") {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

func TestReportBootstrapJSONAndText(t *testing.T) {
	r := handExample(t)
	b, _ := json.Marshal(r)
	for _, k := range []string{"accuracy_ci", "macro_f1_ci", `"ci"`} {
		if bytes.Contains(b, []byte(k)) {
			t.Errorf("report without intervals has %s: %s", k, b)
		}
	}
	if err := r.Bootstrap(BootstrapOptions{Seed: 5}); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(r)
	var got struct {
		AccuracyCI []float64 `json:"accuracy_ci"`
		MacroF1CI  []float64 `json:"macro_f1_ci"`
		CI         *CIInfo   `json:"ci"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.AccuracyCI) != 2 || len(got.MacroF1CI) != 2 || got.AccuracyCI[0] > got.AccuracyCI[1] || got.MacroF1CI[0] > got.MacroF1CI[1] {
		t.Errorf("intervals in JSON: %s", b)
	}
	if got.CI == nil || got.CI.Resamples != 1000 || got.CI.Seed != 5 || got.CI.Level != 0.95 || got.CI.Method == "" {
		t.Errorf("ci in JSON: %+v", got.CI)
	}
	// The intervals depend on the confusion matrix, not the question order.
	again, err := Evaluate([]string{"a", "b", "c"}, []int32{2, 2, 1, 1, 0, 0, 0, 0}, []int32{1, 0, 1, 1, 1, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	again.Bootstrap(BootstrapOptions{Seed: 5})
	if again.AccuracyCI != r.AccuracyCI || again.MacroF1CI != r.MacroF1CI {
		t.Errorf("same matrix, same seed: %v %v then %v %v", r.AccuracyCI, r.MacroF1CI, again.AccuracyCI, again.MacroF1CI)
	}

	var buf bytes.Buffer
	if err := r.WriteText(&buf, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "accuracy  " + FormatPercentCI(r.Accuracy, r.AccuracyCI, 0.95) + "\nmacro F1  " + FormatPercentCI(r.MacroF1, r.MacroF1CI, 0.95) + "\n"
	if !strings.Contains(buf.String(), want) || !strings.Contains(want, "(95 % CI ") {
		t.Errorf("text report lacks %q:\n%s", want, buf.String())
	}
}

func TestFormatPercentCI(t *testing.T) {
	for _, c := range []struct {
		x     float64
		iv    Interval
		level float64
		want  string
	}{
		{0.92866, Interval{0.9211, 0.9358}, 0.95, "92.87 % (95 % CI 92.1-93.6)"},
		{1, Interval{1, 1}, 0.9, "100.00 % (90 % CI 100.0-100.0)"},
		{0.5, Interval{}, 0, "50.00 %"},
	} {
		if got := FormatPercentCI(c.x, c.iv, c.level); got != c.want {
			t.Errorf("FormatPercentCI(%v, %v, %v) = %q, want %q", c.x, c.iv, c.level, got, c.want)
		}
	}
}

func labelNames(k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = string(rune('a' + i))
	}
	return out
}

// BenchmarkBootstrapCLINC150 is the size of CLINC150's test set: 4,500
// questions, 150 intents, 1,000 resamples.
func BenchmarkBootstrapCLINC150(b *testing.B) {
	yTrue, yPred := synthetic(4500, 150, 0.93, 1)
	for b.Loop() {
		if _, err := Bootstrap(150, yTrue, yPred, BootstrapOptions{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDrawsUniform(t *testing.T) {
	var r rand.PCG
	r.Seed(1, 2)
	const n, rounds = 7, 20000
	counts := make([]int, n)
	dst := make([]uint32, n)
	for range rounds {
		draws(&r, dst)
		for _, i := range dst {
			counts[i]++
		}
	}
	want := float64(rounds) // each index n·rounds/n times
	for i, c := range counts {
		if math.Abs(float64(c)-want) > 5*math.Sqrt(want) {
			t.Errorf("index %d drawn %d times, want about %.0f", i, c, want)
		}
	}
}
