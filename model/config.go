package model

import (
	"fmt"

	"intent/model/features"
	"intent/model/svm"
)

// Config is everything Train needs to know besides the data.
type Config struct {
	Features features.Config
	SVM      svm.Config
	// CalibFraction of the training examples is held out (stratified) to fit
	// the softmax temperature on decision values the calibration model never
	// saw; the final classifier is then refitted on all training examples.
	CalibFraction float64
	// PruneBelow drops, from the exported model, features whose largest
	// absolute weight over all classes is below it: they cannot change a
	// decision by more than PruneBelow times their (at most 1) value, and
	// dropping them keeps the model file small.
	PruneBelow float64
	// BalancedWeights multiplies C for each class by n/(k*n_class), so rare
	// intents count as much as frequent ones (macro-F1 rather than accuracy).
	BalancedWeights bool
	// Seed drives every random choice (calibration split, solver order).
	Seed int64
	// Workers bounds parallelism; 0 means all cores.
	Workers int
	// LabelNames optionally maps labels to human names (intents.csv).
	LabelNames map[string]string
}

// DefaultConfig is the recipe measured in the README: word 1-2-grams and
// char_wb 2-5-grams, sublinear TF-IDF, L2-loss linear SVM with C = 1.
func DefaultConfig() Config {
	return Config{
		Features:      features.DefaultConfig(),
		SVM:           svm.DefaultConfig(),
		CalibFraction: 0.1,
		PruneBelow:    1e-3,
		Seed:          42,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.CalibFraction < 0 || c.CalibFraction >= 0.5 {
		return fmt.Errorf("model: calibration fraction %v must be in [0, 0.5)", c.CalibFraction)
	}
	if c.PruneBelow < 0 {
		return fmt.Errorf("model: prune threshold %v must be >= 0", c.PruneBelow)
	}
	if c.SVM.C <= 0 {
		return fmt.Errorf("model: C = %v must be > 0", c.SVM.C)
	}
	return nil
}
