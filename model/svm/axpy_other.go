//go:build !amd64 || purego

package svm

const useAVX2 = false

func axpyAVX2(a float32, x, y *float32, n int) { panic("svm: no AVX2 kernel on this platform") }

func axpy8AVX2(a float32, q *int8, y *float32, n int) { panic("svm: no AVX2 kernel on this platform") }

func dotBlockAVX2(w *float32, idx *int32, val *float32, n int, out *[blockSize]float32) {
	panic("svm: no AVX2 kernel on this platform")
}

func axpyBlockAVX2(w *float32, idx *int32, val *float32, n int, d *[blockSize]float32) {
	panic("svm: no AVX2 kernel on this platform")
}

func dotBlock16AVX2(w *float32, idx *uint16, val *float32, n int, out *[blockSize]float32) {
	panic("svm: no AVX2 kernel on this platform")
}

func axpyBlock16AVX2(w *float32, idx *uint16, val *float32, n int, d *[blockSize]float32) {
	panic("svm: no AVX2 kernel on this platform")
}
