//go:build amd64 && !purego

package svm

import "golang.org/x/sys/cpu"

// useAVX2 is decided once: the kernel needs both AVX2 and FMA (Haswell and
// later, every AMD Zen).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// axpyAVX2 computes y[i] += a*x[i] for i < n; n is a multiple of 8.
//
//go:noescape
func axpyAVX2(a float32, x, y *float32, n int)

// axpy8AVX2 computes y[i] += a*float32(q[i]) for i < n, any n > 0.
//
//go:noescape
func axpy8AVX2(a float32, q *int8, y *float32, n int)

// dotBlockAVX2 sets out[m] = Σ_j val[j]·w[idx[j]*16+m] for j < n > 0.
// Indices are not checked.
//
//go:noescape
func dotBlockAVX2(w *float32, idx *int32, val *float32, n int, out *[blockSize]float32)

// axpyBlockAVX2 adds d[m]·val[j] to w[idx[j]*16+m] for j < n > 0. Indices
// are not checked.
//
//go:noescape
func axpyBlockAVX2(w *float32, idx *int32, val *float32, n int, d *[blockSize]float32)

// dotBlock16AVX2 and axpyBlock16AVX2 are dotBlockAVX2 and axpyBlockAVX2
// for 16-bit columns.
//
//go:noescape
func dotBlock16AVX2(w *float32, idx *uint16, val *float32, n int, out *[blockSize]float32)

//go:noescape
func axpyBlock16AVX2(w *float32, idx *uint16, val *float32, n int, d *[blockSize]float32)
