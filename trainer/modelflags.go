package main

import (
	"github.com/spf13/pflag"

	"intent/model"
	"intent/model/svm"
)

// modelFlags are the flags that choose how a model is trained, shared by
// every command that trains (train, cv): the same names, defaults, checks
// and model.Config everywhere.
type modelFlags struct {
	seed        int64
	c           float64
	solver      string
	classWeight string
	minDF       int
	wordMax     int
	charMin     int
	charMax     int
	calib       float64
	prune       float64
	eps         float64
	workers     int
}

// addModelFlags defines the flags on fs with model.DefaultConfig's values.
func (o *modelFlags) addModelFlags(fs *pflag.FlagSet) {
	def := model.DefaultConfig()
	fs.Int64Var(&o.seed, "seed", def.Seed, "seed of the splits and the solver")
	fs.Float64Var(&o.c, "C", def.SVM.C, "SVM regularization: larger fits the training data more closely")
	fs.StringVar(&o.solver, "solver", def.SVM.Solver.String(), "SVM solver: l2 (L2-loss one-vs-rest, liblinear -s 1) or cs (Crammer-Singer, -s 4)")
	fs.StringVar(&o.classWeight, "class-weight", "none", "none, or balanced to weight classes by n/(k*n_class) for imbalanced data")
	fs.IntVar(&o.minDF, "min-df", def.Features.MinDF, "drop terms found in fewer training questions than this")
	fs.IntVar(&o.wordMax, "word-ngrams", def.Features.Text.WordMax, "longest word n-gram (0 disables words)")
	fs.IntVar(&o.charMin, "char-min", def.Features.Text.CharMin, "shortest character n-gram")
	fs.IntVar(&o.charMax, "char-max", def.Features.Text.CharMax, "longest character n-gram (0 disables characters)")
	fs.Float64Var(&o.calib, "calib", def.CalibFraction, "calibration of the probabilities: above 0, the temperature is fitted on out-of-fold decision values (cross-fitting over the training part: 5 folds, scored until 3,000 out-of-fold questions with 100 mistakes); 0 disables it")
	fs.Float64Var(&o.prune, "prune", def.PruneBelow, "drop features whose largest absolute weight is below this from the exported model (0 keeps all)")
	fs.Float64Var(&o.eps, "eps", def.SVM.Eps, "SVM stopping tolerance")
	fs.IntVar(&o.workers, "workers", 0, "parallel workers (0 = all cores)")
}

// config checks the flags and returns the model configuration they give;
// a bad value is a usage error naming its flag.
func (o *modelFlags) config() (model.Config, error) {
	cfg := model.DefaultConfig()
	solver, err := svm.ParseSolver(o.solver)
	if err != nil {
		return cfg, usageError{err}
	}
	cfg.SVM.Solver = solver
	cfg.SVM.C = o.c
	cfg.SVM.Eps = o.eps
	switch o.classWeight {
	case "none", "":
	case "balanced":
		cfg.BalancedWeights = true
	default:
		return cfg, usagef("--class-weight %q: use none or balanced", o.classWeight)
	}
	if o.minDF < 1 {
		return cfg, usagef("--min-df %d must be at least 1", o.minDF)
	}
	cfg.Features.MinDF = o.minDF
	cfg.Features.Text.WordMax = o.wordMax
	cfg.Features.Text.CharMin = o.charMin
	cfg.Features.Text.CharMax = o.charMax
	if o.wordMax < 0 || o.charMax < 0 || (o.charMax > 0 && o.charMin > o.charMax) || (o.wordMax == 0 && o.charMax == 0) {
		return cfg, usagef("n-gram ranges: need --word-ngrams >= 0, --char-min <= --char-max, and at least one of words or characters")
	}
	cfg.CalibFraction = o.calib
	cfg.PruneBelow = o.prune
	cfg.Seed = o.seed
	cfg.Workers = o.workers
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// settings is the recipe the flags chose, as reports record it.
func (o *modelFlags) settings() map[string]any {
	return map[string]any{
		"seed": o.seed, "C": o.c, "solver": o.solver, "class_weight": o.classWeight,
		"min_df": o.minDF, "word_ngrams": o.wordMax, "char_min": o.charMin, "char_max": o.charMax,
		"calib": o.calib, "prune": o.prune, "eps": o.eps,
	}
}
