package svm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func fitSynthetic(t testing.TB, cfg Config) (*Linear, *Linear) {
	t.Helper()
	X, y := synthetic(400, 10, 2000, 20, 3)
	m, err := Fit(context.Background(), X, y, 10, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A feature no row uses has an all-zero weight row.
	m.W = append(m.W, make([]float32, m.Classes)...)
	m.Features++
	return m, m.QuantizeInt8()
}

// TestQuantizeInt8 checks the per-row rounding bound, the zero row, that
// the float32 model is left alone, and that decision values move by at most
// the bound the rounding allows.
func TestQuantizeInt8(t *testing.T) {
	m, q := fitSynthetic(t, DefaultConfig())
	if m.Encoding != Float32 || m.W == nil || q.Encoding != Int8 || q.W != nil || q.check() != nil {
		t.Fatalf("encodings: float32 model %v, quantized %v (%v)", m.Encoding, q.Encoding, q.check())
	}
	k := m.Classes
	for f := 0; f < m.Features; f++ {
		row, qrow, s := m.W[f*k:(f+1)*k], q.Q[f*k:(f+1)*k], q.Scale[f]
		var mx float32
		var qmax int
		for i, w := range row {
			mx = max(mx, float32(math.Abs(float64(w))))
			qmax = max(qmax, int(qrow[i]), -int(qrow[i]))
			if d := math.Abs(float64(s)*float64(qrow[i]) - float64(w)); d > float64(s)/2*(1+1e-6) {
				t.Fatalf("feature %d class %d: %v stored as %v·%d, off by %v > half a step", f, i, w, s, qrow[i], d)
			}
		}
		if mx == 0 && (s != 0 || qmax != 0) || mx > 0 && qmax != 127 {
			t.Fatalf("feature %d: largest weight %v, scale %v, largest byte %d", f, mx, s, qmax)
		}
	}
	if f := m.Features - 1; q.Scale[f] != 0 {
		t.Fatalf("the all-zero row has scale %v", q.Scale[f])
	}
	if q.QuantizeInt8() != q || !slices.Equal(q.B, m.B) {
		t.Fatal("re-quantizing copied the model, or the biases changed")
	}

	X, _ := synthetic(200, 10, 2000, 20, 99)
	agree := 0
	for i := range X.Rows() {
		x := X.Row(i)
		d, dq := m.Decision(x, nil), q.Decision(x, nil)
		var bound float64
		for j, f := range x.Index {
			bound += math.Abs(float64(x.Value[j])) * float64(q.Scale[f]) / 2
		}
		for c := range d {
			if diff := math.Abs(float64(d[c] - dq[c])); diff > bound+1e-5 {
				t.Fatalf("row %d class %d: decision %v quantized %v, off by %v > bound %v", i, c, d[c], dq[c], diff, bound)
			}
		}
		if argmax(d) == argmax(dq) {
			agree++
		}
	}
	if agree < 195 {
		t.Fatalf("quantized model agrees with float32 on %d of 200 rows", agree)
	}
}

func TestExported(t *testing.T) {
	m, q := fitSynthetic(t, DefaultConfig())
	if m.Export != Int8 {
		t.Fatalf("Fit with the default config: Export %v, want int8", m.Export)
	}
	if e := m.Exported(); e.Encoding != Int8 || !slices.Equal(e.Q, q.Q) || !slices.Equal(e.Scale, q.Scale) {
		t.Fatal("Exported of a default fit is not its int8 quantization")
	}
	if q.Exported() != q {
		t.Fatal("Exported copied an int8 model")
	}
	cfg := DefaultConfig()
	cfg.Weights = Float32
	f, _ := fitSynthetic(t, cfg)
	if f.Export != Float32 || f.Exported() != f {
		t.Fatal("a float32 fit was converted on export")
	}
	if !slices.Equal(f.W, m.W) {
		t.Fatal("the requested export encoding changed the training")
	}
	cfg.Weights = 9
	X, y := synthetic(20, 2, 50, 5, 1)
	if _, err := Fit(context.Background(), X, y, 2, cfg, nil); err == nil {
		t.Fatal("Fit accepted weight encoding 9")
	}
}

// TestInt8SelectAndNorms: pruning an int8 model is pruning then quantizing,
// and its feature norms are those of the stored weights.
func TestInt8SelectAndNorms(t *testing.T) {
	m, q := fitSynthetic(t, DefaultConfig())
	keep := q.KeepFeatures(0.01)
	if len(keep) == 0 || len(keep) == q.Features {
		t.Fatalf("keep %d of %d features: pick another threshold", len(keep), q.Features)
	}
	a, b := q.SelectFeatures(keep), m.SelectFeatures(keep).QuantizeInt8()
	if a.Encoding != Int8 || a.Export != Int8 || !slices.Equal(a.Q, b.Q) || !slices.Equal(a.Scale, b.Scale) || !slices.Equal(a.B, b.B) || a.check() != nil {
		t.Fatal("SelectFeatures on int8 differs from quantizing the selection")
	}
	nm, nq := m.FeatureNorms(), q.FeatureNorms()
	for f := range nm {
		if d := math.Abs(float64(nm[f] - nq[f])); d > 1e-6*float64(nm[f]) {
			t.Fatalf("feature %d: norm %v, int8 norm %v", f, nm[f], nq[f])
		}
	}
}

func TestParseWeights(t *testing.T) {
	for _, w := range []Weights{Float32, Int8} {
		b, err := w.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Weights
		if err := got.UnmarshalText(b); err != nil || got != w {
			t.Fatalf("%v: round trip gave %v, %v", w, got, err)
		}
	}
	if w, err := ParseWeights(" INT8 "); err != nil || w != Int8 {
		t.Fatalf("ParseWeights(INT8) = %v, %v", w, err)
	}
	if _, err := ParseWeights("float16"); err == nil {
		t.Fatal("ParseWeights accepted float16")
	}
	if _, err := Weights(5).MarshalText(); err == nil {
		t.Fatal("MarshalText accepted encoding 5")
	}
}

// TestAxpy8 checks the int8 kernel against the plain loop on every length
// around the 8-lane boundary, with offsets so unaligned slices are covered.
func TestAxpy8(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 70; n++ {
		for off := 0; off < 3; off++ {
			// Three guard elements after the row must stay untouched.
			q := make([]int8, n+off+3)
			y := make([]float32, n+off+3)
			for i := range q {
				q[i] = int8(r.IntN(255) - 127)
				y[i] = float32(r.NormFloat64())
			}
			guard := slices.Clone(y[off+n:])
			a := float32(r.NormFloat64()) / 127
			want := make([]float32, n)
			for i := range want {
				want[i] = y[off+i] + a*float32(q[off+i])
			}
			axpy8(a, q[off:], y[off:off+n])
			for i := range want {
				if d := math.Abs(float64(y[off+i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("n=%d off=%d i=%d: got %v want %v (AVX2 %v)", n, off, i, y[off+i], want[i], useAVX2)
				}
			}
			if !slices.Equal(y[off+n:], guard) {
				t.Fatalf("n=%d off=%d: wrote past the row", n, off)
			}
		}
	}
}

func BenchmarkAxpy8(b *testing.B) {
	q := make([]int8, 150)
	y := make([]float32, 150)
	for b.Loop() {
		axpy8(0.5, q, y)
	}
}
