package svm

import (
	"context"
	"fmt"
	"math"

	"intent/model/sparse"
)

// binarySolver is liblinear's solve_l2r_l1l2_svc (Hsieh et al., 2008,
// Algorithm 3 with shrinking) for one "class k versus the rest" problem.
// Its buffers are reused across the classes one worker trains.
type binarySolver struct {
	x       *sparse.Matrix
	y       []int32
	qd      []float64 // x_i·x_i + bias², shared by all classes
	bias    float64
	eps     float64
	maxIter int
	l1      bool

	// w holds the feature weights; the bias weight is kept apart. It is
	// float32 although every sum is accumulated in float64: the random
	// gathers of w[f] in the dot products dominate training time, and half
	// the cache footprint made them about 30% faster, while the rounding of
	// the running sum (~1e-7 relative per update) stays far below any
	// useful tolerance.
	w      []float32
	alpha  []float64
	index  []int32 // row order; the first `active` rows are not shrunk
	shrunk []int32 // scratch for the rows shrunk during a pass
}

// solve fits class k against the rest with cost cp for the positives and cn
// for the negatives, leaving the weights in s.w and s.alpha and returning the
// bias weight. init, when non-nil, holds starting duals at init[i*stride+k].
func (s *binarySolver) solve(ctx context.Context, k int32, cp, cn float64, seed int64, init []float64, stride int) (float64, error) {
	var (
		ptr    = s.x.Ptr
		xi     = s.x.Index
		xv     = s.x.Value
		ys     = s.y
		qd     = s.qd
		w      = s.w
		alpha  = s.alpha
		index  = s.index
		shrunk = s.shrunk
		n      = len(alpha)
		bias   = s.bias
		wb     float64
	)
	// diag is added to Q_ii and upper is the box bound: L2 loss turns the
	// box constraint into a ridge term 1/(2C).
	diagP, diagN := 0.5/cp, 0.5/cn
	upperP, upperN := math.Inf(1), math.Inf(1)
	if s.l1 {
		diagP, diagN = 0, 0
		upperP, upperN = cp, cn
	}
	clear(w)
	for i := range index {
		index[i] = int32(i)
	}
	clear(alpha)
	if init != nil {
		for i := range alpha {
			a := init[i*stride+int(k)]
			upper := upperN
			yi := -1.0
			if ys[i] == k {
				upper, yi = upperP, 1
			}
			if !(a > 0) { // also drops NaN
				continue
			}
			a = min(a, upper)
			alpha[i] = a
			lo, hi := ptr[i], ptr[i+1]
			axpy(a*yi, xi[lo:hi], xv[lo:hi], w)
			wb += a * yi * bias
		}
	}

	rng := newRNG(seed, uint64(k))
	active := n
	pgMaxOld, pgMinOld := math.Inf(1), math.Inf(-1)
	for iter := 0; iter < s.maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return 0, fmt.Errorf("svm: training class %d: %w", k, err)
		}
		pgMaxNew, pgMinNew := math.Inf(-1), math.Inf(1)
		for i := 0; i < active; i++ {
			j := i + rng.intn(active-i)
			index[i], index[j] = index[j], index[i]
		}
		// Rows are visited in index order; the ones shrunk are set aside in
		// s.shrunk and moved behind the kept ones at the end of the pass.
		// Every active row is still visited once per pass, as in liblinear.
		kept, nShrunk := 0, 0
		// The dot product of the next row is computed together with the
		// current one, which overlaps their memory latencies; it is reused
		// only if w has not changed in between, so the result is the same
		// as computing it alone.
		var nextDot float64
		haveNext := false
		for p := 0; p < active; p++ {
			i := index[p]
			lo, hi := ptr[i], ptr[i+1]
			idx, val := xi[lo:hi], xv[lo:hi]
			var wx float64
			switch {
			case haveNext:
				wx, haveNext = nextDot, false
			case p+1 < active:
				j := index[p+1]
				wx, nextDot = dot2(w, idx, val, xi[ptr[j]:ptr[j+1]], xv[ptr[j]:ptr[j+1]])
				haveNext = true
			default:
				wx = dot(w, idx, val)
			}
			yi, diag, upper := -1.0, diagN, upperN
			if ys[i] == k {
				yi, diag, upper = 1, diagP, upperP
			}
			a := alpha[i]
			g := yi*(wx+wb*bias) - 1 + a*diag

			pg := 0.0
			switch {
			case a == 0:
				if g > pgMaxOld {
					// Shrink: at the bound and likely to stay there.
					shrunk[nShrunk] = i
					nShrunk++
					continue
				}
				if g < 0 {
					pg = g
				}
			case a == upper:
				if g < pgMinOld {
					shrunk[nShrunk] = i
					nShrunk++
					continue
				}
				if g > 0 {
					pg = g
				}
			default:
				pg = g
			}
			index[kept] = i
			kept++
			pgMaxNew = max(pgMaxNew, pg)
			pgMinNew = min(pgMinNew, pg)

			if math.Abs(pg) > 1e-12 {
				na := min(max(a-g/(qd[i]+diag), 0), upper)
				alpha[i] = na
				d := (na - a) * yi
				axpy(d, idx, val, w)
				wb += d * bias
				haveNext = false
			}
		}
		copy(index[kept:active], shrunk[:nShrunk])
		active = kept

		if pgMaxNew-pgMinNew <= s.eps {
			if active == n {
				break
			}
			// Converged on the shrunk set: check again on all rows.
			active = n
			pgMaxOld, pgMinOld = math.Inf(1), math.Inf(-1)
			continue
		}
		pgMaxOld, pgMinOld = pgMaxNew, pgMinNew
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
		if pgMinOld >= 0 {
			pgMinOld = math.Inf(-1)
		}
	}
	return wb, nil
}

// dot returns Σ val[j]·w[idx[j]], accumulated in float64 with four
// partial sums, which breaks the dependency chain of a single accumulator.
func dot(w []float32, idx []int32, val []float32) float64 {
	return dotFrom(w, idx, val, 0, 0, 0, 0, 0)
}

// dotFrom continues dot from position j with partial sums s0..s3.
func dotFrom(w []float32, idx []int32, val []float32, j int, s0, s1, s2, s3 float64) float64 {
	val = val[:len(idx)]
	for ; j+4 <= len(idx); j += 4 {
		ix := idx[j : j+4 : j+4]
		vx := val[j : j+4 : j+4]
		s0 += float64(vx[0] * w[ix[0]])
		s1 += float64(vx[1] * w[ix[1]])
		s2 += float64(vx[2] * w[ix[2]])
		s3 += float64(vx[3] * w[ix[3]])
	}
	for ; j < len(idx); j++ {
		s0 += float64(val[j] * w[idx[j]])
	}
	return (s0 + s1) + (s2 + s3)
}

// dot2 returns dot(w, ia, va) and dot(w, ib, vb), bit for bit, computing
// them in one loop so that the loads of both rows are in flight together.
func dot2(w []float32, ia []int32, va []float32, ib []int32, vb []float32) (float64, float64) {
	va = va[:len(ia)]
	vb = vb[:len(ib)]
	var a0, a1, a2, a3, b0, b1, b2, b3 float64
	n := min(len(ia), len(ib)) &^ 3
	j := 0
	for ; j < n; j += 4 {
		ix, vx := ia[j:j+4:j+4], va[j:j+4:j+4]
		iy, vy := ib[j:j+4:j+4], vb[j:j+4:j+4]
		a0 += float64(vx[0] * w[ix[0]])
		b0 += float64(vy[0] * w[iy[0]])
		a1 += float64(vx[1] * w[ix[1]])
		b1 += float64(vy[1] * w[iy[1]])
		a2 += float64(vx[2] * w[ix[2]])
		b2 += float64(vy[2] * w[iy[2]])
		a3 += float64(vx[3] * w[ix[3]])
		b3 += float64(vy[3] * w[iy[3]])
	}
	return dotFrom(w, ia, va, j, a0, a1, a2, a3), dotFrom(w, ib, vb, j, b0, b1, b2, b3)
}

// axpy adds d·x to w.
func axpy(d float64, idx []int32, val []float32, w []float32) {
	val = val[:len(idx)]
	for j, c := range idx {
		w[c] += float32(d * float64(val[j]))
	}
}

// rng is a small PCG-XSH-RR style generator: the coordinate order needs
// speed and reproducibility, not statistical strength, and owning it keeps
// the sequence stable across Go releases.
type rng struct{ state, inc uint64 }

func newRNG(seed int64, stream uint64) *rng {
	r := &rng{inc: stream<<1 | 1}
	r.next()
	r.state += uint64(seed)
	r.next()
	return r
}

func (r *rng) next() uint32 {
	old := r.state
	r.state = old*6364136223846793005 + r.inc
	xs := uint32(((old >> 18) ^ old) >> 27)
	rot := uint32(old >> 59)
	return xs>>rot | xs<<((-rot)&31)
}

// intn returns a value in [0,n) for 0 < n < 2³¹ (Lemire's multiply-shift,
// with its slight bias: fine for a shuffle heuristic).
func (r *rng) intn(n int) int {
	return int(uint64(r.next()) * uint64(n) >> 32)
}
