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
	// CalibFraction switches calibration on (> 0) or off (0). It no longer
	// sets rows aside: the temperature is fitted by cross-fitting over all
	// training examples (CalibFolds). It once was the fraction held out for
	// calibration and keeps that range, [0, 0.5), for older callers.
	CalibFraction float64
	// CalibFolds is the number of cross-fitting folds (0 means 5; at most
	// one per example): each fold's rows are scored by an SVM trained on the
	// other folds, and the softmax temperature is fitted on those
	// out-of-fold decision values. The final classifier trains on all
	// examples, warm-started from the fold fits.
	CalibFolds int
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

// defaultCalibFolds is CalibFolds when it is 0.
const defaultCalibFolds = 5

// folds is the number of cross-fitting folds asked for.
func (c Config) folds() int {
	if c.CalibFolds == 0 {
		return defaultCalibFolds
	}
	return c.CalibFolds
}

// DefaultConfig is the recipe measured in the README: word 1-2-grams and
// char_wb 2-5-grams, sublinear TF-IDF, L2-loss linear SVM with C = 1.
func DefaultConfig() Config {
	return Config{
		Features:      features.DefaultConfig(),
		SVM:           svm.DefaultConfig(),
		CalibFraction: 0.1,
		CalibFolds:    defaultCalibFolds,
		PruneBelow:    1e-3,
		Seed:          42,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	if c.CalibFraction < 0 || c.CalibFraction >= 0.5 {
		return fmt.Errorf("model: calibration fraction %v must be in [0, 0.5)", c.CalibFraction)
	}
	if c.CalibFolds < 0 || c.CalibFolds == 1 {
		return fmt.Errorf("model: %d calibration folds: need 0 (the default, %d) or at least 2", c.CalibFolds, defaultCalibFolds)
	}
	if c.PruneBelow < 0 {
		return fmt.Errorf("model: prune threshold %v must be >= 0", c.PruneBelow)
	}
	if c.SVM.C <= 0 {
		return fmt.Errorf("model: C = %v must be > 0", c.SVM.C)
	}
	return nil
}
