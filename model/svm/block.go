package svm

import (
	"context"
	"fmt"
	"math"
	"math/bits"
)

// blockSize is how many one-vs-rest problems one blockSolver trains
// together. Their weights are stored feature-major, blockSize float32 per
// feature: one 64-byte cache line. Almost all of the one-vs-rest cost is in
// the dot products w_k·x_i over the rows of full passes (the first pass,
// and the one that confirms convergence after shrinking: on CLINC150 about
// two full passes per class), and each of those gathered one float per
// non-zero from a weight vector of its own; here one gather brings the
// weights of 16 classes, which an AVX2 kernel multiplies at once.
const blockSize = 16

// lane is one one-vs-rest problem of a block: rows of class `class` are
// positive (cost cp), the others negative (cost cn).
type lane struct {
	class  int32
	cp, cn float64
}

// blockSolver is liblinear's solve_l2r_l1l2_svc (Hsieh et al., 2008,
// Algorithm 3 with shrinking) run for up to blockSize problems at once over
// the same rows. Each problem is exactly the coordinate descent of its own:
// it visits its active rows in the pass's random order, has its own
// shrinking bounds, and stops on its own criterion, then stays frozen; only
// the visiting order of rows is shared by the block. Its buffers are reused
// across the blocks one worker trains.
type blockSolver struct {
	x       *Matrix
	rows    []int32 // row of x of each position; nil: position i is row i
	y       []int32
	qd      []float64 // x_i·x_i + bias², shared by all classes
	bias    float64
	eps     float64
	maxIter int
	l1      bool

	// w holds the feature weights, w[f*blockSize+m] for lane m; the bias
	// weights are kept apart in wb. The dot products accumulate in float32
	// (fused multiply-adds over about a hundred terms: a relative error near
	// 1e-6, far below the stopping tolerance).
	w  []float32
	wb [blockSize]float64
	// alpha[i*blockSize+m] is the dual variable of position i in lane m.
	// float32 halves the largest per-row buffer; the coordinate steps
	// compute in float64 and apply to w exactly the step that was stored.
	alpha []float32
	mask  []uint16 // per position: the lanes in which it is not shrunk
	order []int32  // positions with any lane active, in visiting order
}

func newBlockSolver(x *Matrix, rows []int32, y []int32, qd []float64, cfg *Config) *blockSolver {
	n := len(y)
	return &blockSolver{
		x: x, rows: rows, y: y, qd: qd, bias: cfg.Bias, eps: cfg.Eps, maxIter: cfg.MaxIter,
		l1:    cfg.Solver == L1LossDual,
		w:     make([]float32, x.cols*blockSize),
		alpha: make([]float32, n*blockSize),
		mask:  make([]uint16, n),
		order: make([]int32, 0, n),
	}
}

// row is the row of x at position i.
func (s *blockSolver) row(i int32) int32 {
	if s.rows != nil {
		return s.rows[i]
	}
	return i
}

// solve trains the lanes (at most blockSize), leaving their weights in s.w
// and s.wb and their duals in s.alpha. init, when non-nil, warm-starts lane
// m from the variables of class lanes[m].class. stream picks the random
// order, so that a block's result does not depend on which worker runs it.
func (s *blockSolver) solve(ctx context.Context, lanes []lane, seed int64, stream uint64, init *Dual) error {
	const B = blockSize
	var (
		n       = len(s.y)
		L       = len(lanes)
		ys      = s.y
		qd      = s.qd
		w       = s.w
		alpha   = s.alpha
		mask    = s.mask
		bias    = s.bias
		all     = uint16(1<<L - 1)
		done    uint16 // lanes that have converged
		cls     [B]int32
		diagP   [B]float64
		diagN   [B]float64
		upperP  [B]float64
		upperN  [B]float64
		active  [B]int // positions not shrunk, per lane
		pgMaxO  [B]float64
		pgMinO  [B]float64
		pgMaxN  [B]float64
		pgMinN  [B]float64
		dots    [B]float32
		step    [B]float32
		inf     = math.Inf(1)
		changed bool
	)
	if L < 1 || L > B {
		return fmt.Errorf("svm: a block of %d problems (1 to %d)", L, B)
	}
	for m, ln := range lanes {
		cls[m] = ln.class
		// diag is added to Q_ii and upper is the box bound: L2 loss turns
		// the box constraint into a ridge term 1/(2C).
		diagP[m], diagN[m] = 0.5/ln.cp, 0.5/ln.cn
		upperP[m], upperN[m] = inf, inf
		if s.l1 {
			diagP[m], diagN[m] = 0, 0
			upperP[m], upperN[m] = ln.cp, ln.cn
		}
		active[m] = n
		pgMaxO[m], pgMinO[m] = inf, -inf
	}
	clear(w)
	clear(alpha)
	s.wb = [B]float64{}
	for i := range mask {
		mask[i] = all
	}
	if init != nil {
		for m, ln := range lanes {
			rows, vals := init.class(int(ln.class))
			for j, i := range rows {
				a := vals[j]
				if !(a > 0) { // also drops NaN
					continue
				}
				yi, upper := -1.0, upperN[m]
				if ys[i] == ln.class {
					yi, upper = 1, upperP[m]
				}
				af := float32(min(a, upper))
				alpha[int(i)*B+m] = af
				s.x.axpyLane(w, m, float64(af)*yi, s.row(i))
				s.wb[m] += float64(af) * yi * bias
			}
		}
	}

	order := s.order[:0]
	for i := range n {
		order = append(order, int32(i))
	}
	rng := newRNG(seed, stream)
	for iter := 0; iter < s.maxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("svm: training classes %d to %d: %w", cls[0], cls[L-1], err)
		}
		for m := range L {
			pgMaxN[m], pgMinN[m] = -inf, inf
		}
		nAct := len(order)
		for i := 0; i < nAct; i++ {
			j := i + rng.intn(nAct-i)
			order[i], order[j] = order[j], order[i]
		}
		kept := 0
		for _, i := range order {
			r := s.row(i)
			s.x.dot(w, r, &dots)
			msk := mask[i]
			ai := alpha[int(i)*B : int(i)*B+B : int(i)*B+B]
			for set := msk; set != 0; set &= set - 1 {
				m := bits.TrailingZeros16(set)
				yi, diag, upper := -1.0, diagN[m], upperN[m]
				if ys[i] == cls[m] {
					yi, diag, upper = 1, diagP[m], upperP[m]
				}
				a := float64(ai[m])
				g := yi*(float64(dots[m])+s.wb[m]*bias) - 1 + a*diag
				pg := 0.0
				switch {
				case a == 0:
					if g > pgMaxO[m] {
						// Shrink: at the bound and likely to stay there.
						msk &^= 1 << m
						active[m]--
						continue
					}
					if g < 0 {
						pg = g
					}
				case a == upper:
					if g < pgMinO[m] {
						msk &^= 1 << m
						active[m]--
						continue
					}
					if g > 0 {
						pg = g
					}
				default:
					pg = g
				}
				pgMaxN[m] = max(pgMaxN[m], pg)
				pgMinN[m] = min(pgMinN[m], pg)
				if math.Abs(pg) > 1e-12 {
					na := float32(min(max(a-g/(qd[i]+diag), 0), upper))
					ai[m] = na
					d := (float64(na) - a) * yi
					step[m] = float32(d)
					s.wb[m] += d * bias
					changed = true
				}
			}
			mask[i] = msk
			if msk != 0 {
				order[kept] = i
				kept++
			}
			if changed {
				s.x.axpy(w, r, &step)
				step, changed = [B]float32{}, false
			}
		}
		order = order[:kept]

		var restore uint16 // lanes converged on their shrunk rows
		finished := done
		for m := range L {
			bit := uint16(1) << m
			if done&bit != 0 {
				continue
			}
			if pgMaxN[m]-pgMinN[m] <= s.eps {
				if active[m] == n {
					done |= bit
					continue
				}
				// Converged on the shrunk set: check again on all rows.
				restore |= bit
				active[m] = n
				pgMaxO[m], pgMinO[m] = inf, -inf
				continue
			}
			pgMaxO[m], pgMinO[m] = pgMaxN[m], pgMinN[m]
			if pgMaxO[m] <= 0 {
				pgMaxO[m] = inf
			}
			if pgMinO[m] >= 0 {
				pgMinO[m] = -inf
			}
		}
		if done == all {
			break
		}
		if restore != 0 || done != finished {
			order = order[:0]
			for i := range mask {
				msk := (mask[i] | restore) &^ done
				mask[i] = msk
				if msk != 0 {
					order = append(order, int32(i))
				}
			}
		}
	}
	s.order = order
	return nil
}

// score writes the decision values of the rows of x listed in rows for the
// lanes just trained: scores[j*classes+c] for row rows[j] and class c (both
// classes of a two-class problem, mirrored).
func (s *blockSolver) score(rows []int, lanes []lane, classes int, scores []float32) {
	var dots [blockSize]float32
	for j, r := range rows {
		s.x.dot(s.w, int32(r), &dots)
		out := scores[j*classes : (j+1)*classes]
		for m, ln := range lanes {
			out[ln.class] = dots[m] + float32(s.wb[m]*s.bias)
		}
		if classes == 2 {
			out[1] = -out[0]
		}
	}
}

// dotBlockGo is the portable dotBlock and dotBlock16:
// out[m] = Σ_j val[j]·w[idx[j]*16+m].
func dotBlockGo[T int32 | uint16](w []float32, idx []T, val []float32, out *[blockSize]float32) {
	var acc [blockSize]float32
	val = val[:len(idx)]
	for j, f := range idx {
		v := val[j]
		row := w[int(f)*blockSize : int(f)*blockSize+blockSize : int(f)*blockSize+blockSize]
		for m := range acc {
			acc[m] += v * row[m]
		}
	}
	*out = acc
}

// axpyBlockGo is the portable axpyBlock and axpyBlock16:
// w[idx[j]*16+m] += d[m]·val[j].
func axpyBlockGo[T int32 | uint16](w []float32, idx []T, val []float32, d *[blockSize]float32) {
	val = val[:len(idx)]
	for j, f := range idx {
		v := val[j]
		row := w[int(f)*blockSize : int(f)*blockSize+blockSize : int(f)*blockSize+blockSize]
		for m := range row {
			row[m] += d[m] * v
		}
	}
}

// dotBlock and axpyBlock use the AVX2 kernels where they run.
func dotBlock(w []float32, idx []int32, val []float32, out *[blockSize]float32) {
	if useAVX2 && len(idx) > 0 {
		checkBlock(w, idx, val)
		dotBlockAVX2(&w[0], &idx[0], &val[0], len(idx), out)
		return
	}
	dotBlockGo(w, idx, val, out)
}

func axpyBlock(w []float32, idx []int32, val []float32, d *[blockSize]float32) {
	if useAVX2 && len(idx) > 0 {
		checkBlock(w, idx, val)
		axpyBlockAVX2(&w[0], &idx[0], &val[0], len(idx), d)
		return
	}
	axpyBlockGo(w, idx, val, d)
}

// checkBlock is the bounds check the kernels do not do. fit checks every
// index against the column count once (checkMatrix), and w has Cols rows,
// so only the lengths are checked here.
func checkBlock(w []float32, idx []int32, val []float32) {
	if len(val) < len(idx) || len(w)%blockSize != 0 {
		panic("svm: block kernel: bad lengths")
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

// dotBlock16 and axpyBlock16 are dotBlock and axpyBlock for 16-bit
// columns (Matrix's short part); the AVX2 kernels differ only in the load.
func dotBlock16(w []float32, idx []uint16, val []float32, out *[blockSize]float32) {
	if useAVX2 && len(idx) > 0 {
		if len(val) < len(idx) {
			panic("svm: block kernel: bad lengths")
		}
		dotBlock16AVX2(&w[0], &idx[0], &val[0], len(idx), out)
		return
	}
	dotBlockGo(w, idx, val, out)
}

func axpyBlock16(w []float32, idx []uint16, val []float32, d *[blockSize]float32) {
	if useAVX2 && len(idx) > 0 {
		if len(val) < len(idx) {
			panic("svm: block kernel: bad lengths")
		}
		axpyBlock16AVX2(&w[0], &idx[0], &val[0], len(idx), d)
		return
	}
	axpyBlockGo(w, idx, val, d)
}
