package svm

import (
	"context"
	"fmt"
	"math"
	"slices"

	"intent/model/sparse"
)

// fitCS is liblinear's Solver_MCSVM_CS: the sequential dual method of
// Keerthi et al. (2008) for the Crammer-Singer multi-class SVM, with
// liblinear's shrinking of (row, class) variables and of whole rows.
//
// Every step reads and writes the weights of all active classes for one row,
// so the classes cannot be split across goroutines without either locking
// per feature or changing the result with the schedule; it runs on one.
func fitCS(ctx context.Context, X *sparse.Matrix, y []int32, K int, cfg *Config, wantDual bool, progress func(done, total int)) (*Linear, *Dual, error) {
	var (
		n, nf      = X.Rows(), X.Cols
		ptr        = X.Ptr
		xi, xv     = X.Index, X.Value
		bias       = cfg.Bias
		qd         = rowNorms(X, nil, bias)
		cw         = cfg.costs(K)
		w          = make([]float64, nf*K) // feature-major, as in liblinear
		wb         = make([]float64, K)    // weights of the bias feature
		alpha      = make([]float64, n*K)
		alphaIndex = make([]int32, n*K) // per row, a permutation of classes: active ones first
		activeI    = make([]int32, n)   // active classes of each row
		yIndex     = make([]int32, n)   // position of y_i in alphaIndex of row i
		index      = make([]int32, n)
		G          = make([]float64, K)
		Bv         = make([]float64, K)
		D          = make([]float64, K)
		full       = make([]float64, K)
		alphaNew   = make([]float64, K)
		dInd       = make([]int32, K)
		dVal       = make([]float64, K)
	)
	for i := range n {
		for m := range K {
			alphaIndex[i*K+m] = int32(m)
		}
		activeI[i] = int32(K)
		yIndex[i] = y[i]
		index[i] = int32(i)
	}
	if cfg.Init != nil {
		warmStartCS(cfg.Init.dense(), alpha, y, cw, K)
		for i := range n {
			ai := alpha[i*K : (i+1)*K]
			for f := ptr[i]; f < ptr[i+1]; f++ {
				row := w[int(xi[f])*K : int(xi[f])*K+K]
				v := float64(xv[f])
				for m, a := range ai {
					row[m] += a * v
				}
			}
			for m, a := range ai {
				wb[m] += a * bias
			}
		}
	}

	rng := newRNG(cfg.Seed, 0)
	active := n
	epsShrink := max(10*cfg.Eps, 1) // looser tolerance while shrinking
	startFromAll := true
	for iter := 0; iter < cfg.MaxIter; iter++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("svm: crammer-singer: %w", err)
		}
		stopping := math.Inf(-1)
		for i := 0; i < active; i++ {
			j := i + rng.intn(active-i)
			index[i], index[j] = index[j], index[i]
		}
		for s := 0; s < active; s++ {
			i := int(index[s])
			ai := qd[i]
			if ai <= 0 {
				continue
			}
			alphaI := alpha[i*K : (i+1)*K]
			aix := alphaIndex[i*K : (i+1)*K]
			act := int(activeI[i])
			yI := int(yIndex[i])
			ci := cw[y[i]]
			idx, val := xi[ptr[i]:ptr[i+1]], xv[ptr[i]:ptr[i+1]]
			val = val[:len(idx)]

			// G_m = 1 − [m = y_i] + w_m·x_i over the active classes.
			if 2*act > K {
				// Most classes active: one contiguous pass per feature, then
				// gather. Same additions in the same order as the sparse path.
				for m := range full {
					full[m] = 1
				}
				full[y[i]] = 0
				for j, f := range idx {
					v := float64(val[j])
					row := w[int(f)*K : int(f)*K+K]
					row = row[:len(full)]
					for m, wv := range row {
						full[m] += wv * v
					}
				}
				for m, wv := range wb {
					full[m] += wv * bias
				}
				for m := range act {
					G[m] = full[aix[m]]
				}
			} else {
				for m := range act {
					G[m] = 1
				}
				if yI < act {
					G[yI] = 0
				}
				for j, f := range idx {
					v := float64(val[j])
					row := w[int(f)*K : int(f)*K+K]
					for m, c := range aix[:act] {
						G[m] += row[c] * v
					}
				}
				for m, c := range aix[:act] {
					G[m] += wb[c] * bias
				}
			}

			minG, maxG := math.Inf(1), math.Inf(-1)
			for m := range act {
				if alphaI[aix[m]] < 0 && G[m] < minG {
					minG = G[m]
				}
				maxG = max(maxG, G[m])
			}
			if yI < act && alphaI[y[i]] < ci && G[yI] < minG {
				minG = G[yI]
			}

			// Shrink the classes whose variable sits at its bound with a
			// gradient that keeps it there, swapping them past act.
			shrunk := func(m int) bool {
				bound := 0.0
				if m == yI {
					bound = ci
				}
				return alphaI[aix[m]] == bound && G[m] < minG
			}
			for m := 0; m < act; m++ {
				if !shrunk(m) {
					continue
				}
				act--
				for act > m {
					if !shrunk(act) {
						aix[m], aix[act] = aix[act], aix[m]
						G[m], G[act] = G[act], G[m]
						if yI == act {
							yI = m
						} else if yI == m {
							yI = act
						}
						break
					}
					act--
				}
			}
			activeI[i], yIndex[i] = int32(act), int32(yI)

			if act <= 1 {
				active--
				index[s], index[active] = index[active], index[s]
				s--
				continue
			}
			if maxG-minG <= 1e-12 {
				continue
			}
			stopping = max(stopping, maxG-minG)

			for m := range act {
				Bv[m] = G[m] - ai*alphaI[aix[m]]
			}
			solveSubProblem(ai, yI, ci, Bv[:act], D[:act], alphaNew[:act])
			nz := 0
			for m := range act {
				c := aix[m]
				d := alphaNew[m] - alphaI[c]
				alphaI[c] = alphaNew[m]
				if math.Abs(d) >= 1e-12 {
					dInd[nz], dVal[nz] = c, d
					nz++
				}
			}
			for j, f := range idx {
				v := float64(val[j])
				row := w[int(f)*K : int(f)*K+K]
				for m := range nz {
					row[dInd[m]] += dVal[m] * v
				}
			}
			for m := range nz {
				wb[dInd[m]] += dVal[m] * bias
			}
		}

		progress(iter+1, cfg.MaxIter)
		if stopping < epsShrink {
			if stopping < cfg.Eps && startFromAll {
				break
			}
			active = n
			for i := range activeI {
				activeI[i] = int32(K)
			}
			epsShrink = max(epsShrink/2, cfg.Eps)
			startFromAll = true
		} else {
			startFromAll = false
		}
	}
	progress(cfg.MaxIter, cfg.MaxIter)

	m := &Linear{Classes: K, Features: nf, W: make([]float32, nf*K), B: make([]float32, K)}
	for j, v := range w {
		m.W[j] = float32(v)
	}
	for k, v := range wb {
		m.B[k] = float32(v * bias)
	}
	var dual *Dual
	if wantDual {
		dual = denseDual(CrammerSinger, n, K, alpha)
	}
	return m, dual, nil
}

// solveSubProblem minimizes the Crammer-Singer dual over the variables of one
// row (Keerthi et al., 2008, section 3; liblinear's solve_sub_problem):
// the optimum is alpha_m = min(bound_m, (beta − B_m)/A) for the beta found by
// walking the sorted B. D is scratch of len(B).
func solveSubProblem(A float64, yi int, cyi float64, B, D, alphaNew []float64) {
	act := len(B)
	copy(D, B)
	if yi < act {
		D[yi] += A * cyi
	}
	slices.Sort(D)
	slices.Reverse(D)
	beta := D[0] - A*cyi
	r := 1
	for ; r < act && beta < float64(r)*D[r]; r++ {
		beta += D[r]
	}
	beta /= float64(r)
	for m := range act {
		if m == yi {
			alphaNew[m] = min(cyi, (beta-B[m])/A)
		} else {
			alphaNew[m] = min(0, (beta-B[m])/A)
		}
	}
}

// warmStartCS copies feasible rows of init into alpha: alpha_{i,y_i} <= C_i,
// the others <= 0, summing to zero. A row scaled to meet a smaller C stays
// feasible; an infeasible row (labels changed, NaN) starts from zero.
func warmStartCS(init, alpha []float64, y []int32, cw []float64, K int) {
	for i, yi := range y {
		src := init[i*K : (i+1)*K]
		ok := true
		sum, scale := 0.0, 0.0
		for m, a := range src {
			if math.IsNaN(a) || math.IsInf(a, 0) || (m != int(yi) && a > 0) {
				ok = false
				break
			}
			sum += a
			scale += math.Abs(a)
		}
		if !ok || src[yi] < 0 || math.Abs(sum) > 1e-9*max(scale, 1) {
			continue
		}
		f := 1.0
		if c := cw[yi]; src[yi] > c {
			f = c / src[yi]
		}
		for m, a := range src {
			alpha[i*K+m] = a * f
		}
	}
}
