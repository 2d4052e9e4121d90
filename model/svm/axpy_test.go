package svm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAxpy32 checks the kernel against the plain loop on every length
// around the 8-lane boundary, with offsets so unaligned slices are covered.
func TestAxpy32(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 70; n++ {
		for off := 0; off < 3; off++ {
			x := make([]float32, n+off)
			y := make([]float32, n+off)
			for i := range x {
				x[i] = float32(r.NormFloat64())
				y[i] = float32(r.NormFloat64())
			}
			a := float32(r.NormFloat64())
			want := make([]float32, n)
			for i := range want {
				want[i] = y[off+i] + a*x[off+i]
			}
			axpy32(a, x[off:], y[off:off+n])
			for i := range want {
				if d := math.Abs(float64(y[off+i] - want[i])); d > 1e-5*(1+math.Abs(float64(want[i]))) {
					t.Fatalf("n=%d off=%d i=%d: got %v want %v (AVX2 %v)", n, off, i, y[off+i], want[i], useAVX2)
				}
			}
			for i := 0; i < off; i++ {
				if y[i] != y[i] {
					t.Fatal("NaN before the slice")
				}
			}
		}
	}
}

func BenchmarkAxpy32(b *testing.B) {
	x := make([]float32, 150)
	y := make([]float32, 150)
	for b.Loop() {
		axpy32(0.5, x, y)
	}
}
