package svm

// axpy8 adds a*float32(q[i]) to y[i] for i < len(y): the inner loop of
// Decision on an Int8 model, where a is x_f times the row's scale. q must be
// at least as long as y. Each product and sum is rounded to float32 as in
// axpy32; the AVX2 kernel, when there is one, fuses them (FMA).
func axpy8(a float32, q []int8, y []float32) {
	n := len(y)
	q = q[:n]
	i := 0
	for ; i < n; i++ {
		y[i] += a * float32(q[i])
	}
}
