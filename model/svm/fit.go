package svm

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"intent/model/sparse"
)

// Dual holds the dual variables of a fit, one per row and class, so that a
// later fit on the same rows (plus new ones) can start close to its optimum.
// Alpha[i*Classes+k] is the variable of row i for class k: for one-vs-rest it
// is the liblinear α_i of the problem "class k versus the rest"; for
// Crammer-Singer it is α_i^k of Keerthi et al.
type Dual struct {
	Solver  Solver
	Classes int
	Rows    int
	Alpha   []float64
}

// Expand returns the dual variables of an n-row problem whose row rows[i] is
// row i of d; the other rows start at zero. It is how a fit on a subset
// seeds a fit on the whole set.
func (d *Dual) Expand(rows []int, n int) (*Dual, error) {
	if len(rows) != d.Rows {
		return nil, fmt.Errorf("svm: expand: %d row positions for %d rows", len(rows), d.Rows)
	}
	out := &Dual{Solver: d.Solver, Classes: d.Classes, Rows: n, Alpha: make([]float64, n*d.Classes)}
	k := d.Classes
	for i, r := range rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("svm: expand: row position %d out of range [0,%d)", r, n)
		}
		copy(out.Alpha[r*k:(r+1)*k], d.Alpha[i*k:(i+1)*k])
	}
	return out, nil
}

// Fit trains a model on the rows of X with class indices y in [0,classes).
//
// progress, when non-nil, is called after each one-vs-rest class finishes as
// progress(done, classes); the calls come from worker goroutines but never
// overlap and done increases. Crammer-Singer calls progress(iter, MaxIter)
// after each pass and progress(MaxIter, MaxIter) at the end.
//
// Fit returns an error wrapping ctx.Err() if ctx is cancelled; it checks
// between passes over the data.
func Fit(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg Config, progress func(done, total int)) (*Linear, error) {
	m, _, err := fit(ctx, X, y, classes, cfg, false, progress)
	return m, err
}

// FitDual is Fit that also returns the dual variables, for warm starts
// through Config.Init.
func FitDual(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg Config, progress func(done, total int)) (*Linear, *Dual, error) {
	return fit(ctx, X, y, classes, cfg, true, progress)
}

func fit(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg Config, wantDual bool, progress func(done, total int)) (*Linear, *Dual, error) {
	if err := validateProblem(X, y, classes); err != nil {
		return nil, nil, err
	}
	if err := cfg.validate(classes); err != nil {
		return nil, nil, err
	}
	if d := cfg.Init; d != nil {
		if d.Solver != cfg.Solver || d.Classes != classes || d.Rows != X.Rows() || len(d.Alpha) != d.Rows*d.Classes {
			return nil, nil, fmt.Errorf("svm: warm start from a %v fit of %d rows x %d classes does not match a %v fit of %d rows x %d classes",
				d.Solver, d.Rows, d.Classes, cfg.Solver, X.Rows(), classes)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("svm: %w", err)
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	fitter := fitOvR
	if cfg.Solver == CrammerSinger {
		fitter = fitCS
	}
	m, dual, err := fitter(ctx, X, y, classes, &cfg, wantDual, progress)
	if m != nil {
		m.Export = cfg.Weights
	}
	return m, dual, err
}

func validateProblem(X *sparse.Matrix, y []int32, classes int) error {
	if X == nil {
		return fmt.Errorf("svm: nil matrix")
	}
	if X.Rows() <= 0 {
		return fmt.Errorf("svm: empty training set")
	}
	if len(y) != X.Rows() {
		return fmt.Errorf("svm: %d labels for %d rows", len(y), X.Rows())
	}
	if classes < 2 {
		return fmt.Errorf("svm: need at least 2 classes, got %d", classes)
	}
	if X.Cols < 0 || X.Cols > math.MaxInt32 {
		return fmt.Errorf("svm: invalid column count %d", X.Cols)
	}
	if err := X.Validate(); err != nil {
		return fmt.Errorf("svm: %w", err)
	}
	for i, v := range X.Value {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("svm: non-finite value %v at entry %d", v, i)
		}
	}
	seen := make([]bool, classes)
	distinct := 0
	for i, c := range y {
		if c < 0 || int(c) >= classes {
			return fmt.Errorf("svm: label %d of row %d out of range [0,%d)", c, i, classes)
		}
		if !seen[c] {
			seen[c] = true
			distinct++
		}
	}
	if distinct < 2 {
		return fmt.Errorf("svm: training labels hold a single class")
	}
	return nil
}

// rowNorms returns x_i·x_i + bias², the diagonal of the Gram matrix that the
// coordinate steps divide by.
func rowNorms(X *sparse.Matrix, bias float64) []float64 {
	qd := make([]float64, X.Rows())
	for i := range qd {
		s := bias * bias
		for _, v := range X.Value[X.Ptr[i]:X.Ptr[i+1]] {
			s += float64(v) * float64(v)
		}
		qd[i] = s
	}
	return qd
}

func workerCount(cfg *Config, jobs int) int {
	w := cfg.Workers
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, jobs))
}

func fitOvR(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg *Config, wantDual bool, progress func(done, total int)) (*Linear, *Dual, error) {
	n, nf := X.Rows(), X.Cols
	qd := rowNorms(X, cfg.Bias)
	X, order := byFrequency(X)
	cp := cfg.costs(classes)
	// Two classes are one problem: class 1 versus class 0 is its mirror.
	problems := classes
	if classes == 2 {
		problems = 1
	}
	m := &Linear{Classes: classes, Features: nf, W: make([]float32, nf*classes), B: make([]float32, classes)}
	var dual *Dual
	if wantDual {
		dual = &Dual{Solver: cfg.Solver, Classes: classes, Rows: n, Alpha: make([]float64, n*classes)}
	}
	var init []float64
	if cfg.Init != nil {
		init = cfg.Init.Alpha
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex // serializes progress and guards firstErr, done
		firstErr error
		done     int
		wg       sync.WaitGroup
	)
	for range workerCount(cfg, problems) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &binarySolver{
				x: X, y: y, qd: qd, bias: cfg.Bias, eps: cfg.Eps, maxIter: cfg.MaxIter,
				l1:     cfg.Solver == L1LossDual,
				w:      make([]float32, nf),
				alpha:  make([]float64, n),
				index:  make([]int32, n),
				shrunk: make([]int32, n),
			}
			for {
				k := int(next.Add(1) - 1)
				if k >= problems {
					return
				}
				cn := cfg.C
				if classes == 2 {
					cn = cp[1]
				}
				wb, err := s.solve(ctx, int32(k), cp[k], cn, cfg.Seed, init, classes)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				for f, v := range s.w {
					m.W[int(order[f])*classes+k] = v
				}
				m.B[k] = float32(wb * cfg.Bias)
				if dual != nil {
					for i, a := range s.alpha {
						dual.Alpha[i*classes+k] = a
					}
				}
				if classes == 2 {
					for f := range nf {
						m.W[f*2+1] = -m.W[f*2]
					}
					m.B[1] = -m.B[0]
					if dual != nil {
						for i, a := range s.alpha {
							dual.Alpha[i*2+1] = a
						}
					}
				}
				mu.Lock()
				done += classes / problems
				progress(done, classes)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, nil, firstErr
	}
	return m, dual, nil
}

// byFrequency returns X with its columns renumbered by decreasing number of
// non-zeros, and order, where new column c is old column order[c]. The
// training loops gather w[f] at random rows; packing the frequent features
// together keeps most of those gathers in the first cache lines of w. Only
// addresses change, not the arithmetic, so the weights are the same bits.
func byFrequency(X *sparse.Matrix) (*sparse.Matrix, []int32) {
	count := make([]int32, X.Cols)
	for _, f := range X.Index {
		count[f]++
	}
	order := make([]int32, X.Cols)
	for f := range order {
		order[f] = int32(f)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(count[b], count[a]) })
	pos := make([]int32, X.Cols)
	for c, f := range order {
		pos[f] = int32(c)
	}
	index := make([]int32, len(X.Index))
	for j, f := range X.Index {
		index[j] = pos[f]
	}
	return &sparse.Matrix{Ptr: X.Ptr, Index: index, Value: X.Value, Cols: X.Cols}, order
}
