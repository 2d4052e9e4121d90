package features

import (
	"fmt"
	"math"

	"intent/model/text"
)

// Config sets the analyzer and the weighting. Start from DefaultConfig: the
// zero value has no n-grams and zero block weights.
type Config struct {
	Text       text.Config
	MinDF      int     // drop terms found in fewer documents (values <= 1 keep all)
	MaxDFRatio float64 // drop terms found in more than MaxDFRatio*N documents; 0 disables
	Sublinear  bool    // tf -> 1 + ln(tf)
	BlockNorm  bool    // L2-normalize the word and char blocks separately
	WordWeight float64 // multiplier of the word block
	CharWeight float64 // multiplier of the char block
}

// DefaultConfig: text.DefaultConfig, MinDF 2, no MaxDF cut, sublinear tf,
// per-block L2 norms with weights 1 and 1.
func DefaultConfig() Config {
	return Config{
		Text:       text.DefaultConfig(),
		MinDF:      2,
		Sublinear:  true,
		BlockNorm:  true,
		WordWeight: 1,
		CharWeight: 1,
	}
}

// Validate reports whether c can be used by Fit.
func (c Config) Validate() error {
	if err := c.Text.Validate(); err != nil {
		return fmt.Errorf("features: %w", err)
	}
	if c.MinDF < 0 || c.MinDF > math.MaxInt32 {
		return fmt.Errorf("features: min-df %d out of range", c.MinDF)
	}
	if !(c.MaxDFRatio >= 0 && c.MaxDFRatio <= 1) {
		return fmt.Errorf("features: max-df ratio %v not in [0,1]", c.MaxDFRatio)
	}
	for _, w := range []float64{c.WordWeight, c.CharWeight} {
		if !(w >= 0) || math.IsInf(w, 0) {
			return fmt.Errorf("features: block weight %v must be finite and >= 0", w)
		}
	}
	return nil
}
