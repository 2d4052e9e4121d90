package svm

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Solver selects the training algorithm. The zero value is L2LossDual.
type Solver int

const (
	// L2LossDual is liblinear -s 1: L2-regularized squared-hinge-loss SVC,
	// dual coordinate descent with shrinking, one-vs-rest.
	L2LossDual Solver = iota
	// L1LossDual is liblinear -s 3: L2-regularized hinge-loss SVC, dual
	// coordinate descent with shrinking, one-vs-rest.
	L1LossDual
	// CrammerSinger is liblinear -s 4: the multi-class SVM of Crammer and
	// Singer, sequential dual method with shrinking, single goroutine.
	CrammerSinger
)

var solverNames = [...]string{L2LossDual: "l2", L1LossDual: "l1", CrammerSinger: "cs"}

// String returns the short name accepted by ParseSolver: "l2", "l1" or "cs".
func (s Solver) String() string {
	if s >= 0 && int(s) < len(solverNames) {
		return solverNames[s]
	}
	return fmt.Sprintf("Solver(%d)", int(s))
}

// ParseSolver accepts the names printed by String ("l2", "l1", "cs"), some
// longer aliases ("l2loss", "l1loss", "crammer-singer") and liblinear's
// numbers ("1", "3", "4"), case-insensitively.
func ParseSolver(name string) (Solver, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "l2", "l2loss", "l2-loss", "squared-hinge", "1":
		return L2LossDual, nil
	case "l1", "l1loss", "l1-loss", "hinge", "3":
		return L1LossDual, nil
	case "cs", "crammer-singer", "crammersinger", "4":
		return CrammerSinger, nil
	}
	return 0, fmt.Errorf("svm: unknown solver %q (want l2, l1 or cs)", name)
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (s Solver) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(solverNames) {
		return nil, fmt.Errorf("svm: unknown solver %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseSolver.
func (s *Solver) UnmarshalText(b []byte) error {
	v, err := ParseSolver(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Config holds the training parameters. Start from DefaultConfig.
type Config struct {
	// Solver is the algorithm (default L2LossDual).
	Solver Solver
	// C is the cost of margin violations (liblinear -c). Larger C fits the
	// training data harder. Must be > 0.
	C float64
	// Eps is the stopping tolerance (liblinear -e): training stops when the
	// spread of the projected gradient over the dual variables (max − min,
	// measured on all variables after shrinking has been undone) is at most
	// Eps. liblinear's default for the dual solvers is 0.1.
	Eps float64
	// MaxIter bounds the outer iterations (passes over the active rows) per
	// problem; liblinear uses 1000 for -s 1/-s 3. Hitting it is not an error.
	MaxIter int
	// Bias, when > 0, appends a constant feature of that value to every row;
	// its weight is regularized (liblinear -B). 0 means no bias term.
	Bias float64
	// ClassWeights, when non-nil, has one positive multiplier of C per class
	// (liblinear -wi): in one-vs-rest the rows of class k get
	// C·ClassWeights[k] when class k is the positive class and plain C
	// otherwise; Crammer-Singer uses C·ClassWeights[y_i] for row i.
	ClassWeights []float64
	// Seed drives the random coordinate order. Equal seeds give equal models.
	Seed int64
	// Workers is the number of goroutines training one-vs-rest classes;
	// 0 means runtime.GOMAXPROCS(0). It never changes the result.
	Workers int
	// Weights is the encoding the model is to be exported in: Fit trains and
	// returns float32 weights either way and records this in Linear.Export,
	// for Linear.Exported to apply after any feature pruning.
	Weights Weights
	// Init, when non-nil, warm-starts the solver from the dual variables of
	// an earlier fit (see FitDual, Dual.Expand and Dual.Select). It must
	// have been made by the same solver with as many rows and classes as
	// this fit.
	Init *Dual
	// Rows, when non-nil, fits on these rows of X only, in this order: the
	// fit is that on X.Subset(Rows), with the labels, Init and the returned
	// Dual indexed by position in Rows, but the one-vs-rest solvers read the
	// rows in place instead of copying them (cross-fitting folds).
	Rows []int
}

// DefaultConfig returns liblinear's defaults for -s 1 with a bias:
// L2LossDual, C=1, Eps=0.1, MaxIter=1000, Bias=1, Seed=1, Workers=0 (all
// cores), no class weights; the model is to be exported with Int8 weights.
func DefaultConfig() Config {
	return Config{Solver: L2LossDual, C: 1, Eps: 0.1, MaxIter: 1000, Bias: 1, Seed: 1, Weights: Int8}
}

// BalancedWeights returns n/(k·n_c) for each class c, as scikit-learn's
// class_weight="balanced": rare classes get a proportionally larger C.
// Classes with no row get weight 1. Labels outside [0,k) are ignored.
func BalancedWeights(y []int32, k int) []float64 {
	if k <= 0 {
		return nil
	}
	count := make([]int, k)
	for _, c := range y {
		if c >= 0 && int(c) < k {
			count[c]++
		}
	}
	w := make([]float64, k)
	for c, n := range count {
		if n == 0 {
			w[c] = 1
			continue
		}
		w[c] = float64(len(y)) / (float64(k) * float64(n))
	}
	return w
}

// ErrNotFitted is returned by methods of a zero Linear.
var ErrNotFitted = errors.New("svm: model not fitted")

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 0) }

func (c *Config) validate(classes int) error {
	if c.Solver < 0 || int(c.Solver) >= len(solverNames) {
		return fmt.Errorf("svm: unknown solver %d", int(c.Solver))
	}
	if !finitePositive(c.C) {
		return fmt.Errorf("svm: C must be a positive finite number, got %v", c.C)
	}
	if !finitePositive(c.Eps) {
		return fmt.Errorf("svm: Eps must be a positive finite number, got %v", c.Eps)
	}
	if c.MaxIter <= 0 {
		return fmt.Errorf("svm: MaxIter must be positive, got %d", c.MaxIter)
	}
	if c.Bias < 0 || math.IsNaN(c.Bias) || math.IsInf(c.Bias, 0) {
		return fmt.Errorf("svm: Bias must be a finite number >= 0, got %v", c.Bias)
	}
	if !c.Weights.valid() {
		return fmt.Errorf("svm: unknown weight encoding %d", int(c.Weights))
	}
	if c.Workers < 0 {
		return fmt.Errorf("svm: Workers must be >= 0, got %d", c.Workers)
	}
	if c.ClassWeights != nil {
		if len(c.ClassWeights) != classes {
			return fmt.Errorf("svm: %d class weights for %d classes", len(c.ClassWeights), classes)
		}
		for k, w := range c.ClassWeights {
			if !finitePositive(w) {
				return fmt.Errorf("svm: class weight %d must be a positive finite number, got %v", k, w)
			}
		}
	}
	return nil
}

// costs returns C for the positives of each class.
func (c *Config) costs(classes int) []float64 {
	cp := make([]float64, classes)
	for k := range cp {
		cp[k] = c.C
		if c.ClassWeights != nil {
			cp[k] *= c.ClassWeights[k]
		}
	}
	return cp
}
