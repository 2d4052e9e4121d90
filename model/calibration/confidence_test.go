package calibration

import (
	"math"
	"runtime"
	"testing"
)

func TestMeanConfidenceByHand(t *testing.T) {
	// Row 1: (0, ln 3) → top 3/4. Row 2: (0, 0) → 1/2.
	scores := []float32{0, float32(math.Log(3)), 0, 0}
	got, err := MeanConfidence(scores, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := (0.75 + 0.5) / 2; math.Abs(got-want) > 1e-7 {
		t.Errorf("MeanConfidence = %v, want %v", got, want)
	}
	for _, bad := range []struct {
		scores []float32
		k      int
		t      float64
	}{{nil, 2, 1}, {[]float32{1, 2, 3}, 2, 1}, {[]float32{1, 2}, 0, 1}, {[]float32{1, 2}, 2, 0}} {
		if _, err := MeanConfidence(bad.scores, bad.k, bad.t); err == nil {
			t.Errorf("MeanConfidence(%v, %d, %v) gave no error", bad.scores, bad.k, bad.t)
		}
	}
}

func TestLaplaceAccuracy(t *testing.T) {
	for _, c := range []struct {
		correct, n int
		want       float64
	}{{0, 0, 0.5}, {30, 30, 31.0 / 32}, {3, 3, 0.8}, {0, 10, 1.0 / 12}, {9000, 10000, 9001.0 / 10002}} {
		if got := LaplaceAccuracy(c.correct, c.n); got != c.want {
			t.Errorf("LaplaceAccuracy(%d, %d) = %v, want %v", c.correct, c.n, got, c.want)
		}
	}
}

func TestCapConfidence(t *testing.T) {
	// Separable scores: the log loss wants the smallest temperature.
	scores, y := []float32{2, 0, 0, 0, 3, 1, 1, 0, 2.5}, []int32{0, 1, 2}
	fitted, err := FitTemperature(scores, 3, y)
	if err != nil {
		t.Fatal(err)
	}
	if fitted != MinTemperature {
		t.Fatalf("fitted %v, want the floor %v", fitted, MinTemperature)
	}
	target := LaplaceAccuracy(3, 3) // 0.8
	capped, err := CapConfidence(scores, 3, fitted, target)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := MeanConfidence(scores, 3, capped)
	if c > target || target-c > 1e-5 {
		t.Errorf("capped at T = %v: mean confidence %v, want just at or below %v", capped, c, target)
	}
	// A temperature that already satisfies the cap is kept, bit for bit.
	if got, _ := CapConfidence(scores, 3, 10, target); got != 10 {
		t.Errorf("CapConfidence kept no slack: %v", got)
	}
	// An unreachable target (below 1/k) ends at the top of the range.
	if got, _ := CapConfidence(scores, 3, 1, 0.2); got != MaxTemperature {
		t.Errorf("unreachable target: %v, want %v", got, MaxTemperature)
	}
	if _, err := CapConfidence(scores, 3, 1, math.NaN()); err == nil {
		t.Error("NaN target accepted")
	}
	// Monotone in the target.
	prev := math.Inf(1)
	for _, tg := range []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.99} {
		got, _ := CapConfidence(scores, 3, MinTemperature, tg)
		if got > prev {
			t.Errorf("target %v: T = %v above %v for a lower target", tg, got, prev)
		}
		prev = got
	}
}

func TestCapConfidenceMatchesBisection(t *testing.T) {
	// Many rows, many classes: the Newton search lands where a plain
	// bisection on the mean confidence does, on the side of the cap.
	scores, _ := synthetic(3, 2000, 12, 3, 1)
	for _, target := range []float64{0.2, 0.5, 0.8, 0.95} {
		got, err := CapConfidence(scores, 12, MinTemperature, target)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := MinTemperature, MaxTemperature
		for hi/lo > 1+1e-12 {
			mid := math.Sqrt(lo * hi)
			if c, _ := MeanConfidence(scores, 12, mid); c > target {
				lo = mid
			} else {
				hi = mid
			}
		}
		if math.Abs(got/hi-1) > 1e-8 {
			t.Errorf("target %v: T = %v, bisection %v", target, got, hi)
		}
		if c, _ := MeanConfidence(scores, 12, got); c > target {
			t.Errorf("target %v: mean confidence %v at T = %v is above it", target, c, got)
		}
	}
}

// BenchmarkFitTemperatureCLINCSize is the temperature fit of a CLINC150
// model: 15,000 out-of-fold rows of 150 decision values.
func BenchmarkFitTemperatureCLINCSize(b *testing.B) {
	scores, y := synthetic(1, 15000, 150, 0.5, 0.15)
	for b.Loop() {
		if _, err := FitTemperature(scores, 150, y); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCapConfidence(b *testing.B) {
	scores, y := synthetic(1, 15000, 150, 0.5, 0.15)
	t, _ := FitTemperature(scores, 150, y)
	c, _ := MeanConfidence(scores, 150, t)
	for b.Loop() {
		if _, err := CapConfidence(scores, 150, t, c-0.01); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLargeInputsSameOnAnyCoreCount: the parallel sums over large inputs
// give the same bits whatever the number of cores.
func TestLargeInputsSameOnAnyCoreCount(t *testing.T) {
	scores, y := synthetic(9, 3000, 60, 2, 0.7) // 180,000 scores: summed in parallel
	var temps, caps []float64
	for _, procs := range []int{1, 2, 5} {
		prev := runtime.GOMAXPROCS(procs)
		tf, err := FitTemperature(scores, 60, y)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := CapConfidence(scores, 60, tf, 0.5)
		runtime.GOMAXPROCS(prev)
		temps, caps = append(temps, tf), append(caps, c)
	}
	for i := range temps {
		if temps[i] != temps[0] || caps[i] != caps[0] {
			t.Fatalf("temperatures %v, capped %v: differ with the core count", temps, caps)
		}
	}
}
