package calibration

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"intent/model/metrics"
)

func TestSoftmax(t *testing.T) {
	scores := []float32{1, 2, 3}
	out := make([]float64, 0, 8)
	got := Softmax(scores, 2, out)
	if &got[0] != &out[:1][0] {
		t.Error("Softmax did not reuse out")
	}
	var z float64
	for _, s := range scores {
		z += math.Exp(float64(s) / 2)
	}
	for j, s := range scores {
		want := math.Exp(float64(s)/2) / z
		if math.Abs(got[j]-want) > 1e-15 {
			t.Errorf("p[%d] = %v, want %v", j, got[j], want)
		}
	}

	// Huge scores and a tiny temperature: no overflow, one-hot.
	got = Softmax([]float32{1e30, -1e30, 1e30 - 1e24}, 1e-3, nil)
	if got[0] != 1 || got[1] != 0 || got[2] != 0 {
		t.Errorf("extreme softmax = %v, want [1 0 0]", got)
	}
	// Equal scores: uniform.
	got = Softmax([]float32{5, 5, 5, 5}, 0.7, nil)
	for _, p := range got {
		if math.Abs(p-0.25) > 1e-15 {
			t.Errorf("uniform softmax = %v", got)
		}
	}
	if got := Softmax(nil, 1, nil); len(got) != 0 {
		t.Errorf("empty softmax = %v", got)
	}
}

func TestSoftmaxPanicsOnBadTemperature(t *testing.T) {
	for _, temp := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Softmax(t=%v) did not panic", temp)
				}
			}()
			Softmax([]float32{1, 2}, temp, nil)
		}()
		if CheckTemperature(temp) == nil {
			t.Errorf("CheckTemperature(%v) = nil", temp)
		}
	}
	if err := CheckTemperature(0.5); err != nil {
		t.Error(err)
	}
}

func TestNLLByHand(t *testing.T) {
	// Row 1: scores (0, ln 3), class 1: p = 3/4. Row 2: (0, 0), class 0: p = 1/2.
	scores := []float32{0, float32(math.Log(3)), 0, 0}
	got, err := NLL(scores, 2, []int32{1, 0}, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := -(math.Log(0.75) + math.Log(0.5)) / 2
	if math.Abs(got-want) > 1e-7 { // ln 3 is rounded to float32
		t.Errorf("NLL = %v, want %v", got, want)
	}
	// At T = 2, row 1 has p = sqrt(3)/(1+sqrt(3)).
	got, _ = NLL(scores, 2, []int32{1, 0}, 2)
	want = -(math.Log(math.Sqrt(3)/(1+math.Sqrt(3))) + math.Log(0.5)) / 2
	if math.Abs(got-want) > 1e-7 {
		t.Errorf("NLL(T=2) = %v, want %v", got, want)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		scores []float32
		k      int
		y      []int32
		want   string
	}{
		{"empty", nil, 3, nil, "no examples"},
		{"no classes", nil, 0, []int32{0}, "0 classes"},
		{"shape", []float32{1, 2, 3}, 2, []int32{0, 1}, "3 scores for 2 examples x 2 classes"},
		{"class out of range", []float32{1, 2}, 2, []int32{2}, "class 2 at example 0"},
		{"NaN", []float32{1, float32(math.NaN()), 0, 1}, 2, []int32{0, 1}, "at example 0, class 1"},
		{"Inf", []float32{1, 2, float32(math.Inf(-1)), 1}, 2, []int32{0, 1}, "at example 1, class 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, err := range map[string]error{
				"FitTemperature": func() error { _, err := FitTemperature(tt.scores, tt.k, tt.y); return err }(),
				"NLL":            func() error { _, err := NLL(tt.scores, tt.k, tt.y, 1); return err }(),
			} {
				if err == nil || !strings.HasPrefix(err.Error(), "calibration: ") || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: error %v, want one containing %q", name, err, tt.want)
				}
			}
		})
	}
	if _, err := FitTemperature([]float32{1, 2}, 1, []int32{0, 0}); err == nil {
		t.Error("k = 1 accepted")
	}
	if _, err := NLL([]float32{1, 2}, 2, []int32{0}, 0); err == nil {
		t.Error("NLL accepted T = 0")
	}
}

// synthetic draws n rows of k scores z ~ N(0, scale²) and labels sampled from
// softmax(z / t0): data whose true temperature is t0.
func synthetic(seed uint64, n, k int, scale, t0 float64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 99))
	scores := make([]float32, n*k)
	y := make([]int32, n)
	p := make([]float64, k)
	for i := range y {
		row := scores[i*k : (i+1)*k]
		for j := range row {
			row[j] = float32(rng.NormFloat64() * scale)
		}
		Softmax(row, t0, p)
		u := rng.Float64()
		y[i] = int32(k - 1)
		for j, pj := range p {
			if u < pj {
				y[i] = int32(j)
				break
			}
			u -= pj
		}
	}
	return scores, y
}

func TestFitTemperatureRecoversKnownTemperature(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 5000
	}
	for _, t0 := range []float64{0.3, 1, 2.5, 8} {
		scores, y := synthetic(uint64(t0*1000), n, 6, 3, t0)
		got, err := FitTemperature(scores, 6, y)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("T0 = %v: fitted %.4f", t0, got)
		if rel := math.Abs(got/t0 - 1); rel > 0.08 {
			t.Errorf("T0 = %v: fitted %v (relative error %.3f)", t0, got, rel)
		}
	}
}

func TestFitTemperatureMinimisesNLL(t *testing.T) {
	scores, y := synthetic(5, 3000, 10, 4, 2)
	fit, err := FitTemperature(scores, 10, y)
	if err != nil {
		t.Fatal(err)
	}
	best, _ := NLL(scores, 10, y, fit)
	for _, other := range []float64{1, fit * 1.01, fit / 1.01, fit * 1.0001, fit / 1.0001} {
		v, _ := NLL(scores, 10, y, other)
		if v <= best {
			t.Errorf("NLL(%v) = %.12f <= NLL(fitted %v) = %.12f", other, v, fit, best)
		}
	}
	// No point of a fine log grid over the whole range does better.
	for i := 0; i <= 600; i++ {
		tt := MinTemperature * math.Pow(MaxTemperature/MinTemperature, float64(i)/600)
		if v, _ := NLL(scores, 10, y, tt); v < best-1e-12 {
			t.Errorf("NLL(%v) = %.12f < NLL(fitted %v) = %.12f", tt, v, fit, best)
		}
	}
	again, _ := FitTemperature(scores, 10, y)
	if again != fit {
		t.Errorf("not deterministic: %v then %v", fit, again)
	}
}

func TestFitTemperatureReducesECE(t *testing.T) {
	// Scores three times too large for their labels: overconfident.
	const k = 8
	scores, y := synthetic(11, 8000, k, 3, 3)
	ece := func(temp float64) float64 {
		t.Helper()
		probs := make([]float64, 0, len(scores))
		p := make([]float64, k)
		for i := range y {
			probs = append(probs, Softmax(scores[i*k:(i+1)*k], temp, p)...)
		}
		conf, correct, err := metrics.TopLabel(probs, k, y)
		if err != nil {
			t.Fatal(err)
		}
		e, err := metrics.ECE(conf, correct, metrics.DefaultBins)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	fit, err := FitTemperature(scores, k, y)
	if err != nil {
		t.Fatal(err)
	}
	before, after := ece(1), ece(fit)
	t.Logf("T = %.3f, ECE %.4f -> %.4f", fit, before, after)
	if !(after < before/3) || after > 0.03 {
		t.Errorf("ECE %.4f at T=1, %.4f at fitted T=%.3f: want a large drop", before, after, fit)
	}
}

func TestFitTemperatureEdges(t *testing.T) {
	t.Run("separable", func(t *testing.T) {
		// The true class always scores highest: sharper is always better.
		scores := []float32{3, 1, 0, 0, 2, 1, 1, 0, 5}
		got, err := FitTemperature(scores, 3, []int32{0, 1, 2})
		if err != nil {
			t.Fatal(err)
		}
		if got != MinTemperature {
			t.Errorf("T = %v, want MinTemperature", got)
		}
	})
	t.Run("wrong", func(t *testing.T) {
		// The true class always scores lowest: uniform is best.
		scores := []float32{3, 1, 0, 0, 2, 1, 1, 0, 5}
		got, err := FitTemperature(scores, 3, []int32{2, 2, 1})
		if err != nil {
			t.Fatal(err)
		}
		if got != MaxTemperature {
			t.Errorf("T = %v, want MaxTemperature", got)
		}
	})
	t.Run("constant", func(t *testing.T) {
		got, err := FitTemperature([]float32{1, 1, 2, 2}, 2, []int32{0, 1})
		if err != nil {
			t.Fatal(err)
		}
		if got != 1 {
			t.Errorf("T = %v, want 1", got)
		}
	})
}

func BenchmarkFitTemperature(b *testing.B) {
	const n, k = 4500, 150
	scores, y := synthetic(1, n, k, 1, 0.5)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitTemperature(scores, k, y); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSoftmax150(b *testing.B) {
	scores, _ := synthetic(1, 1, 150, 1, 1)
	out := make([]float64, 150)
	b.ReportAllocs()
	for b.Loop() {
		out = Softmax(scores, 1.7, out)
	}
}

// MaxProb gives exactly Softmax's largest value and its index.
func TestMaxProbIsSoftmaxMax(t *testing.T) {
	for _, scores := range [][]float32{{0.3, -1, 2.5, 2.5, 0}, {-3, -2, -1}, {1}, {0.1, 0.10001, -0.4}} {
		for _, temp := range []float64{0.05, 0.3, 1, 7} {
			p := Softmax(scores, temp, nil)
			best, got := MaxProb(scores, temp)
			want := 0
			for j := range p {
				if p[j] > p[want] {
					want = j
				}
			}
			if best != want || got != p[want] {
				t.Errorf("MaxProb(%v, %v) = %d, %v; Softmax max %d, %v", scores, temp, best, got, want, p[want])
			}
		}
	}
}
