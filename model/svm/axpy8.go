package svm

// axpy8 adds a*float32(q[i]) to y[i] for i < len(y): the inner loop of
// Decision on an Int8 model, where a is x_f times the row's scale. q must be
// at least as long as y. On amd64 with AVX2 and FMA it widens bytes to
// float32 lanes 16 at a time and finishes the row in assembly too
// (axpy8_amd64.s); elsewhere, or built with the purego tag, it is plain
// Go. As with axpy32, the two may differ in the last bit (FMA rounds once).
func axpy8(a float32, q []int8, y []float32) {
	n := len(y)
	q = q[:n]
	if useAVX2 {
		if n > 0 {
			axpy8AVX2(a, &q[0], &y[0], n)
		}
		return
	}
	for i := 0; i < n; i++ {
		y[i] += a * float32(q[i])
	}
}
