package svm

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"intent/model/sparse"
)

// blobs returns k well-separated Gaussian clusters in dim dimensions, stored
// sparse (every coordinate non-zero), plus a few empty columns after dim.
func blobs(n, k, dim int, spread float64, seed uint64) (*sparse.Matrix, []int32) {
	r := rand.New(rand.NewPCG(seed, 1))
	centers := make([][]float64, k)
	for c := range centers {
		centers[c] = make([]float64, dim)
		for j := range centers[c] {
			centers[c][j] = 4 * r.NormFloat64()
		}
	}
	X := sparse.NewMatrix(dim + 3)
	y := make([]int32, n)
	for i := range n {
		c := i % k
		y[i] = int32(c)
		var v sparse.Vector
		for j := range dim {
			v.Index = append(v.Index, int32(j))
			v.Value = append(v.Value, float32(centers[c][j]+spread*r.NormFloat64()))
		}
		X.Append(v)
	}
	return X, y
}

func trainAccuracy(m *Linear, X *sparse.Matrix, y []int32) float64 { return accuracy(m, X, y) }

func TestSeparable(t *testing.T) {
	X, y := blobs(300, 4, 5, 0.5, 1)
	for _, s := range []Solver{L2LossDual, L1LossDual, CrammerSinger} {
		t.Run(s.String(), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Solver = s
			m, err := Fit(context.Background(), X, y, 4, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if acc := trainAccuracy(m, X, y); acc != 1 {
				t.Errorf("training accuracy %.3f on separable data, want 1", acc)
			}
			if m.Classes != 4 || m.Features != X.Cols || len(m.W) != 4*X.Cols || len(m.B) != 4 {
				t.Errorf("shape: %d classes, %d features, %d weights, %d biases", m.Classes, m.Features, len(m.W), len(m.B))
			}
		})
	}
}

func TestTwoClassesMirror(t *testing.T) {
	X, y := blobs(100, 2, 3, 2, 2)
	m, err := Fit(context.Background(), X, y, 2, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for f := range m.Features {
		if m.W[2*f] != -m.W[2*f+1] {
			t.Fatalf("feature %d: weights %v, %v are not opposite", f, m.W[2*f], m.W[2*f+1])
		}
	}
	if m.B[0] != -m.B[1] {
		t.Fatalf("biases %v are not opposite", m.B)
	}
}

// TestClassWeights checks that a larger weight on a class moves the boundary
// away from it: more of the overlapping points are predicted as that class.
func TestClassWeights(t *testing.T) {
	X, y := blobs(400, 2, 2, 6, 3) // heavy overlap
	count := func(w []float64) int {
		cfg := DefaultConfig()
		cfg.ClassWeights = w
		m, err := Fit(context.Background(), X, y, 2, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i := range X.Rows() {
			if m.Predict(X.Row(i)) == 1 {
				n++
			}
		}
		return n
	}
	base, heavy := count(nil), count([]float64{1, 10})
	if heavy <= base {
		t.Errorf("weight 10 on class 1: %d rows predicted 1, unweighted %d; want more", heavy, base)
	}
	if light := count([]float64{10, 1}); light >= base {
		t.Errorf("weight 10 on class 0: %d rows predicted 1, unweighted %d; want fewer", light, base)
	}
}

func TestBalancedWeights(t *testing.T) {
	got := BalancedWeights([]int32{0, 0, 0, 1, 2, 2}, 4)
	want := []float64{6.0 / 12, 6.0 / 4, 6.0 / 8, 1}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-12 {
			t.Fatalf("BalancedWeights = %v, want %v", got, want)
		}
	}
}

func TestDeterministicAcrossWorkers(t *testing.T) {
	X, y := synthetic(600, 9, 2000, 30, 4)
	for _, s := range []Solver{L2LossDual, L1LossDual, CrammerSinger} {
		t.Run(s.String(), func(t *testing.T) {
			var ref *Linear
			for _, w := range []int{1, 2, 5, 0} {
				cfg := DefaultConfig()
				cfg.Solver, cfg.Workers, cfg.Seed = s, w, 42
				m, err := Fit(context.Background(), X, y, 9, cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				if ref == nil {
					ref = m
					continue
				}
				if !slices.Equal(ref.W, m.W) || !slices.Equal(ref.B, m.B) {
					t.Fatalf("workers=%d: weights differ from workers=1", w)
				}
			}
			cfg := DefaultConfig()
			cfg.Solver, cfg.Seed = s, 43
			other, err := Fit(context.Background(), X, y, 9, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Equal(ref.W, other.W) {
				t.Errorf("seed 43 gave the same weights as seed 42; is the seed used?")
			}
		})
	}
}

func TestProgress(t *testing.T) {
	// 40 classes are three blocks: progress after each, in order.
	X, y := synthetic(600, 40, 500, 20, 5)
	var calls []int
	_, err := Fit(context.Background(), X, y, 40, DefaultConfig(), func(done, total int) {
		if total != 40 {
			t.Errorf("total = %d, want 40", total)
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || !slices.IsSorted(calls) || calls[2] != 40 || calls[0] != 16 && calls[0] != 8 {
		t.Errorf("progress calls %v, want three increasing, the last 40", calls)
	}
}

func TestCancel(t *testing.T) {
	X, y := synthetic(2000, 20, 3000, 40, 6)
	for _, s := range []Solver{L2LossDual, CrammerSinger} {
		t.Run(s.String(), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Solver = s
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := Fit(ctx, X, y, 20, cfg, nil); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled before start: err = %v", err)
			}
			// Cancel from inside the first progress report.
			ctx, cancel = context.WithCancel(context.Background())
			defer cancel()
			_, err := Fit(ctx, X, y, 20, cfg, func(int, int) { cancel() })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled during fit: err = %v", err)
			}
		})
	}
}

func TestBadInputs(t *testing.T) {
	X, y := blobs(20, 3, 3, 1, 7)
	nan := &sparse.Matrix{Ptr: slices.Clone(X.Ptr), Index: X.Index, Value: slices.Clone(X.Value), Cols: X.Cols}
	nan.Value[5] = float32(math.NaN())
	badIdx := &sparse.Matrix{Ptr: X.Ptr, Index: slices.Clone(X.Index), Value: X.Value, Cols: X.Cols}
	badIdx.Index[1] = int32(X.Cols + 4)
	outOfRange := slices.Clone(y)
	outOfRange[3] = 3
	negative := slices.Clone(y)
	negative[0] = -1
	one := make([]int32, len(y))
	cfg := DefaultConfig()
	with := func(f func(*Config)) Config { c := cfg; f(&c); return c }
	tests := []struct {
		name    string
		X       *sparse.Matrix
		y       []int32
		classes int
		cfg     Config
		want    string
	}{
		{"nil matrix", nil, y, 3, cfg, "nil matrix"},
		{"empty matrix", sparse.NewMatrix(4), nil, 3, cfg, "empty"},
		{"label count", X, y[:5], 3, cfg, "labels for"},
		{"one class", X, one, 3, cfg, "single class"},
		{"classes < 2", X, one, 1, cfg, "at least 2 classes"},
		{"label out of range", X, outOfRange, 3, cfg, "out of range"},
		{"negative label", X, negative, 3, cfg, "out of range"},
		{"NaN value", nan, y, 3, cfg, "non-finite"},
		{"bad index", badIdx, y, 3, cfg, "index"},
		{"C zero", X, y, 3, with(func(c *Config) { c.C = 0 }), "C must"},
		{"C NaN", X, y, 3, with(func(c *Config) { c.C = math.NaN() }), "C must"},
		{"Eps negative", X, y, 3, with(func(c *Config) { c.Eps = -1 }), "Eps must"},
		{"MaxIter zero", X, y, 3, with(func(c *Config) { c.MaxIter = 0 }), "MaxIter"},
		{"Bias negative", X, y, 3, with(func(c *Config) { c.Bias = -1 }), "Bias"},
		{"Workers negative", X, y, 3, with(func(c *Config) { c.Workers = -1 }), "Workers"},
		{"weights length", X, y, 3, with(func(c *Config) { c.ClassWeights = []float64{1} }), "class weights"},
		{"weight zero", X, y, 3, with(func(c *Config) { c.ClassWeights = []float64{1, 0, 1} }), "class weight 1"},
		{"solver", X, y, 3, with(func(c *Config) { c.Solver = 9 }), "unknown solver"},
		{"init shape", X, y, 3, with(func(c *Config) { c.Init = &Dual{Classes: 3, Rows: 2, Alpha: make([]float64, 6)} }), "warm start"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(context.Background(), tc.X, tc.y, tc.classes, tc.cfg, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "svm: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want prefix \"svm: \" and %q", err, tc.want)
			}
		})
	}
}

func TestParseSolver(t *testing.T) {
	for _, s := range []Solver{L2LossDual, L1LossDual, CrammerSinger} {
		got, err := ParseSolver(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSolver(%q) = %v, %v", s.String(), got, err)
		}
		var u Solver
		b, _ := s.MarshalText()
		if err := u.UnmarshalText(b); err != nil || u != s {
			t.Errorf("text round trip of %v: %v, %v", s, u, err)
		}
	}
	for in, want := range map[string]Solver{"4": CrammerSinger, "Crammer-Singer": CrammerSinger, " L1 ": L1LossDual, "1": L2LossDual} {
		if got, err := ParseSolver(in); err != nil || got != want {
			t.Errorf("ParseSolver(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSolver("svm"); err == nil {
		t.Error("ParseSolver(\"svm\") succeeded")
	}
}

func TestDecisionNoAlloc(t *testing.T) {
	X, y := synthetic(300, 10, 500, 20, 8)
	m, err := Fit(context.Background(), X, y, 10, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, m.Classes)
	x := X.Row(3)
	if n := testing.AllocsPerRun(100, func() { out = m.Decision(x, out) }); n != 0 {
		t.Errorf("Decision allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(100, func() { m.Predict(x) }); n != 0 {
		t.Errorf("Predict allocates %v times per call", n)
	}
	// Decision equals a direct computation, and ignores unknown features.
	var want [10]float64
	for k := range want {
		want[k] = float64(m.B[k])
		for j, f := range x.Index {
			want[k] += float64(x.Value[j]) * float64(m.W[int(f)*10+k])
		}
	}
	ext := sparse.Vector{Index: append(slices.Clone(x.Index), int32(m.Features), int32(m.Features+7)), Value: append(slices.Clone(x.Value), 5, 5)}
	got := m.Decision(ext, nil)
	for k := range want {
		if math.Abs(float64(got[k])-want[k]) > 1e-5 {
			t.Fatalf("Decision[%d] = %v, want %v", k, got[k], want[k])
		}
	}
}

func TestSelectFeatures(t *testing.T) {
	X, y := synthetic(300, 5, 400, 20, 9)
	m, err := Fit(context.Background(), X, y, 5, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	norms := m.FeatureNorms()
	keep := m.KeepFeatures(0)
	for f, n := range norms {
		if (n > 0) != slices.Contains(keep, int32(f)) {
			t.Fatalf("feature %d with norm %v: kept = %v", f, n, slices.Contains(keep, int32(f)))
		}
	}
	small := m.SelectFeatures(keep)
	old := make([]int32, m.Features) // old feature -> new index+1
	for j, f := range keep {
		old[f] = int32(j + 1)
	}
	for i := range X.Rows() {
		x := X.Row(i)
		var v sparse.Vector
		for j, f := range x.Index {
			if old[f] > 0 {
				v.Index = append(v.Index, old[f]-1)
				v.Value = append(v.Value, x.Value[j])
			}
		}
		a, b := m.Decision(x, nil), small.Decision(v, nil)
		for k := range a {
			if math.Abs(float64(a[k]-b[k])) > 1e-5 {
				t.Fatalf("row %d class %d: %v before pruning, %v after", i, k, a[k], b[k])
			}
		}
	}
}

// primalOvR returns ½‖w_k‖² + Σ C_i loss for class k of m (bias included).
func primalOvR(m *Linear, X *sparse.Matrix, y []int32, k int, c, bias float64, l1 bool) float64 {
	var obj float64
	for f := range m.Features {
		w := float64(m.W[f*m.Classes+k])
		obj += w * w / 2
	}
	if bias > 0 {
		wb := float64(m.B[k]) / bias
		obj += wb * wb / 2
	}
	buf := make([]float32, m.Classes)
	for i := range X.Rows() {
		yi := -1.0
		if int(y[i]) == k {
			yi = 1
		}
		d := m.Decision(X.Row(i), buf)
		loss := max(0, 1-yi*float64(d[k]))
		if !l1 {
			loss *= loss
		}
		obj += c * loss
	}
	return obj
}

// primalCS returns the Crammer-Singer primal objective of m.
func primalCS(m *Linear, X *sparse.Matrix, y []int32, c, bias float64) float64 {
	var obj float64
	for _, w := range m.W {
		obj += float64(w) * float64(w) / 2
	}
	for _, b := range m.B {
		if bias > 0 {
			obj += float64(b) * float64(b) / (2 * bias * bias)
		}
	}
	buf := make([]float32, m.Classes)
	for i := range X.Rows() {
		d := m.Decision(X.Row(i), buf)
		mx := math.Inf(-1)
		for k, v := range d {
			if k != int(y[i]) {
				mx = max(mx, float64(v)+1)
			} else {
				mx = max(mx, float64(v))
			}
		}
		obj += c * (mx - float64(d[y[i]]))
	}
	return obj
}

func TestWarmStart(t *testing.T) {
	X, y := synthetic(1500, 6, 1000, 30, 10)
	rows := make([]int, 0, 1350)
	for i := range 1350 {
		rows = append(rows, i)
	}
	sub := X.Subset(rows)
	for _, s := range []Solver{L2LossDual, L1LossDual, CrammerSinger} {
		t.Run(s.String(), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Solver, cfg.Eps = s, 0.01
			_, d, err := FitDual(context.Background(), sub, y[:1350], 6, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			init, err := d.Expand(rows, X.Rows())
			if err != nil {
				t.Fatal(err)
			}
			cold, err := Fit(context.Background(), X, y, 6, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Init = init
			warm, err := Fit(context.Background(), X, y, 6, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k := range 6 {
				var a, b float64
				if s == CrammerSinger {
					a, b = primalCS(cold, X, y, 1, 1), primalCS(warm, X, y, 1, 1)
				} else {
					a, b = primalOvR(cold, X, y, k, 1, 1, s == L1LossDual), primalOvR(warm, X, y, k, 1, 1, s == L1LossDual)
				}
				if math.Abs(a-b) > 0.01*a {
					t.Errorf("class %d: warm objective %.4f, cold %.4f", k, b, a)
				}
			}
		})
	}
	d := &Dual{Classes: 2, Rows: 2, Ptr: []int{0, 0, 0}}
	if _, err := d.Expand([]int{0, 5}, 3); err == nil {
		t.Error("Expand accepted a row position out of range")
	}
}
