package svm

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"intent/model/sparse"
)

// Fit trains a model on the rows of X with class indices y in [0,classes).
//
// progress, when non-nil, is called after each block of one-vs-rest
// classes (blockSize of them) finishes as progress(done, classes); the calls come from worker goroutines but never
// overlap and done increases. Crammer-Singer calls progress(iter, MaxIter)
// after each pass and progress(MaxIter, MaxIter) at the end.
//
// Fit returns an error wrapping ctx.Err() if ctx is cancelled; it checks
// between passes over the data.
func Fit(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg Config, progress func(done, total int)) (*Linear, error) {
	r, err := fit(ctx, problem{X: X}, y, classes, cfg, want{}, progress)
	return r.model, err
}

// FitDual is Fit that also returns the dual variables, for warm starts
// through Config.Init.
func FitDual(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg Config, progress func(done, total int)) (*Linear, *Dual, error) {
	r, err := fit(ctx, problem{X: X}, y, classes, cfg, want{dual: true}, progress)
	return r.model, r.dual, err
}

// FitScore fits as Fit does but returns, instead of the model, the decision
// values of the rows score of X: scores[j*classes+c] is that of row
// score[j] for class c. Cross-fitting needs only those, and a one-vs-rest
// fit then never assembles its features × classes weights (139 MB for a
// million questions and 150 intents): each block of classes scores the
// rows as soon as it is trained.
func FitScore(ctx context.Context, X *sparse.Matrix, y []int32, classes int, cfg Config, score []int, progress func(done, total int)) ([]float32, error) {
	return fitScore(ctx, problem{X: X}, y, classes, cfg, score, progress)
}

// Fit, FitDual and FitScore on a Matrix are the functions of the same
// names on the rows m was made from, without the copy they make.
func (m *Matrix) Fit(ctx context.Context, y []int32, classes int, cfg Config, progress func(done, total int)) (*Linear, error) {
	r, err := fit(ctx, problem{M: m}, y, classes, cfg, want{}, progress)
	return r.model, err
}

func (m *Matrix) FitDual(ctx context.Context, y []int32, classes int, cfg Config, progress func(done, total int)) (*Linear, *Dual, error) {
	r, err := fit(ctx, problem{M: m}, y, classes, cfg, want{dual: true}, progress)
	return r.model, r.dual, err
}

func (m *Matrix) FitScore(ctx context.Context, y []int32, classes int, cfg Config, score []int, progress func(done, total int)) ([]float32, error) {
	return fitScore(ctx, problem{M: m}, y, classes, cfg, score, progress)
}

// problem is the rows of a fit: a sparse.Matrix (the one-vs-rest solvers
// make a Matrix of it) or a Matrix (Crammer-Singer makes a sparse.Matrix).
type problem struct {
	X *sparse.Matrix
	M *Matrix
}

func (p problem) rows() int {
	if p.M != nil {
		return p.M.Rows()
	}
	return p.X.Rows()
}

func fitScore(ctx context.Context, p problem, y []int32, classes int, cfg Config, score []int, progress func(done, total int)) ([]float32, error) {
	if p.X == nil && p.M == nil {
		return nil, fmt.Errorf("svm: nil matrix")
	}
	for _, r := range score {
		if r < 0 || r >= p.rows() {
			return nil, fmt.Errorf("svm: row %d to score out of range [0,%d)", r, p.rows())
		}
	}
	r, err := fit(ctx, p, y, classes, cfg, want{score: score, scoring: true}, progress)
	if err != nil {
		return nil, err
	}
	if r.model != nil { // a solver without block scoring: score with the model
		X, at := p.X, func(j int) int { return score[j] }
		if X == nil {
			X, at = p.M.toSparse(score), func(j int) int { return j }
		}
		r.scores = make([]float32, len(score)*classes)
		for j := range score {
			r.model.Decision(X.Row(at(j)), r.scores[j*classes:(j+1)*classes])
		}
	}
	return r.scores, nil
}

// want says what a fit returns besides the model: its dual variables, or
// only the decision values of some rows (no model).
type want struct {
	dual    bool
	scoring bool
	score   []int
}

type fitResult struct {
	model  *Linear
	dual   *Dual
	scores []float32
}

func fit(ctx context.Context, p problem, y []int32, classes int, cfg Config, w want, progress func(done, total int)) (fitResult, error) {
	if err := validateProblem(p, cfg.Rows, y, classes); err != nil {
		return fitResult{}, err
	}
	if err := cfg.validate(classes); err != nil {
		return fitResult{}, err
	}
	n := len(y)
	if d := cfg.Init; d != nil {
		if d.Solver != cfg.Solver || d.Classes != classes || d.Rows != n {
			return fitResult{}, fmt.Errorf("svm: warm start from a %v fit of %d rows x %d classes does not match a %v fit of %d rows x %d classes",
				d.Solver, d.Rows, d.Classes, cfg.Solver, n, classes)
		}
		if err := d.validate(); err != nil {
			return fitResult{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return fitResult{}, fmt.Errorf("svm: %w", err)
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	if cfg.Solver == CrammerSinger {
		// Crammer-Singer holds rows × classes variables anyway: a copy of
		// the rows costs less than that.
		X := p.X
		switch {
		case X == nil:
			X, cfg.Rows = p.M.toSparse(cfg.Rows), nil
		case cfg.Rows != nil:
			X, cfg.Rows = X.Subset(cfg.Rows), nil
		}
		m, dual, err := fitCS(ctx, X, y, classes, &cfg, w.dual, progress)
		if m != nil {
			m.Export = cfg.Weights
		}
		return fitResult{model: m, dual: dual}, err
	}
	M := p.M
	if M == nil {
		var err error
		if M, err = copyMatrix(p.X); err != nil {
			return fitResult{}, err
		}
	}
	r, err := fitOvR(ctx, M, y, classes, &cfg, w, progress)
	if r.model != nil {
		r.model.Export = cfg.Weights
	}
	return r, err
}

func validateProblem(p problem, rows []int, y []int32, classes int) error {
	if p.X == nil && p.M == nil {
		return fmt.Errorf("svm: nil matrix")
	}
	total := p.rows()
	n := total
	if rows != nil {
		n = len(rows)
		for i, r := range rows {
			if r < 0 || r >= total {
				return fmt.Errorf("svm: row %d of the subset (%d) out of range [0,%d)", i, r, total)
			}
		}
	}
	if n <= 0 {
		return fmt.Errorf("svm: empty training set")
	}
	if len(y) != n {
		return fmt.Errorf("svm: %d labels for %d rows", len(y), n)
	}
	if X := p.X; X != nil {
		if X.Cols < 0 || X.Cols > math.MaxInt32 {
			return fmt.Errorf("svm: invalid column count %d", X.Cols)
		}
		if err := checkMatrix(X); err != nil {
			return err
		}
		for i, v := range X.Value {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("svm: non-finite value %v at entry %d", v, i)
			}
		}
	}
	if classes < 2 {
		return fmt.Errorf("svm: need at least 2 classes, got %d", classes)
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

// checkMatrix checks what the solvers rely on: a well-formed CSR layout
// and every index in range. Unlike sparse.Matrix.Validate it accepts rows
// whose indices are not increasing; a repeated index only adds up, as in
// the dot products.
func checkMatrix(X *sparse.Matrix) error {
	if len(X.Ptr) == 0 || X.Ptr[0] != 0 || X.Ptr[len(X.Ptr)-1] != len(X.Index) || len(X.Index) != len(X.Value) {
		return fmt.Errorf("svm: malformed matrix: %d row pointers, %d indices, %d values", len(X.Ptr), len(X.Index), len(X.Value))
	}
	for i := 1; i < len(X.Ptr); i++ {
		if X.Ptr[i] < X.Ptr[i-1] {
			return fmt.Errorf("svm: malformed matrix: row %d has a negative length", i-1)
		}
	}
	for j, f := range X.Index {
		if f < 0 || int(f) >= X.Cols {
			return fmt.Errorf("svm: index %d at entry %d out of range [0,%d)", f, j, X.Cols)
		}
	}
	return nil
}

// rowNorms returns x_i·x_i + bias² for every row of the problem (the rows
// of X, or those listed in rows), the diagonal of the Gram matrix that the
// coordinate steps divide by.
func rowNorms(X *sparse.Matrix, rows []int, bias float64) []float64 {
	n := X.Rows()
	if rows != nil {
		n = len(rows)
	}
	qd := make([]float64, n)
	for i := range qd {
		r := i
		if rows != nil {
			r = rows[i]
		}
		s := bias * bias
		for _, v := range X.Value[X.Ptr[r]:X.Ptr[r+1]] {
			s += float64(v) * float64(v)
		}
		qd[i] = s
	}
	return qd
}

// matrixNorms is rowNorms for a Matrix, whose rows are listed in rows
// (nil: all of them).
func matrixNorms(M *Matrix, rows []int32, bias float64) []float64 {
	n := M.Rows()
	if rows != nil {
		n = len(rows)
	}
	qd := make([]float64, n)
	for i := range qd {
		r := int32(i)
		if rows != nil {
			r = rows[i]
		}
		qd[i] = bias*bias + M.norm2(r)
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

func fitOvR(ctx context.Context, X *Matrix, y []int32, classes int, cfg *Config, want want, progress func(done, total int)) (fitResult, error) {
	n, nf := len(y), X.cols
	var rows []int32
	if cfg.Rows != nil {
		rows = make([]int32, n)
		for i, r := range cfg.Rows {
			rows[i] = int32(r)
		}
	}
	qd := matrixNorms(X, rows, cfg.Bias)
	order := X.order
	cp := cfg.costs(classes)
	// Two classes are one problem: class 1 versus class 0 is its mirror.
	var m *Linear
	var scores []float32
	if want.scoring {
		scores = make([]float32, len(want.score)*classes)
	} else {
		m = &Linear{Classes: classes, Features: nf, W: make([]float32, nf*classes), B: make([]float32, classes)}
	}
	var dual *dualBuilder
	if want.dual {
		dual = newDualBuilder(cfg.Solver, n, classes)
	}

	// The problems, blockSize at a time: a block is trained by one worker.
	var lanes []lane
	if classes == 2 {
		lanes = []lane{{class: 0, cp: cp[0], cn: cp[1]}}
	} else {
		for k := range classes {
			lanes = append(lanes, lane{class: int32(k), cp: cp[k], cn: cfg.C})
		}
	}
	blocks := (len(lanes) + blockSize - 1) / blockSize

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		mu       sync.Mutex // serializes progress and guards firstErr, done
		firstErr error
		done     int
		wg       sync.WaitGroup
	)
	for range workerCount(cfg, blocks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newBlockSolver(X, rows, y, qd, cfg)
			for {
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				bl := lanes[b*blockSize : min((b+1)*blockSize, len(lanes))]
				if err := s.solve(ctx, bl, cfg.Seed, uint64(b), cfg.Init); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				if scores != nil {
					s.score(want.score, bl, classes, scores)
				} else {
					for f := range nf {
						c := int(order[f])
						src := s.w[f*blockSize : f*blockSize+len(bl)]
						for j, ln := range bl {
							m.W[c*classes+int(ln.class)] = src[j]
						}
					}
					for j, ln := range bl {
						m.B[ln.class] = float32(s.wb[j] * cfg.Bias)
					}
					if classes == 2 {
						for f := range nf {
							m.W[f*2+1] = -m.W[f*2]
						}
						m.B[1] = -m.B[0]
					}
				}
				mu.Lock()
				if dual != nil {
					for j, ln := range bl {
						dual.setLane(int(ln.class), s.alpha, j)
						if classes == 2 {
							dual.setLane(1, s.alpha, j)
						}
					}
				}
				done += len(bl) * classes / len(lanes)
				progress(done, classes)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return fitResult{}, firstErr
	}
	// Cancelled after the last block's last check: still cancelled.
	if err := ctx.Err(); err != nil {
		return fitResult{}, fmt.Errorf("svm: %w", err)
	}
	r := fitResult{model: m, scores: scores}
	if dual != nil {
		r.dual = dual.dual()
	}
	return r, nil
}

// Position inverts a permutation: Position(order)[order[c]] = c.
func Position(order []int32) []int32 {
	pos := make([]int32, len(order))
	for c, f := range order {
		pos[f] = int32(c)
	}
	return pos
}
