package svm

// axpy32 adds a*x to y element-wise: y[i] += a*x[i] for i < len(y). x must
// be at least as long as y. It is the inner loop of Decision: one call per
// non-zero feature, adding that feature's row of class weights to the
// scores. On amd64 with AVX2 and FMA it runs 8 lanes at a time
// (axpy_amd64.s); elsewhere, or built with the purego tag, it is plain Go.
// The two may differ in the last bit (FMA rounds once), never more.
func axpy32(a float32, x, y []float32) {
	n := len(y)
	x = x[:n]
	i := 0
	if useAVX2 && n >= 8 {
		i = n &^ 7
		axpyAVX2(a, &x[0], &y[0], i)
	}
	for ; i < n; i++ {
		y[i] += a * x[i]
	}
}
