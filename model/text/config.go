package text

import "fmt"

// maxN bounds n-gram sizes so a Config always fits the encoder's one-byte
// serialized fields and a hostile config cannot request huge n-gram loops.
const maxN = 32

// Config selects the normalization steps and the n-gram ranges.
// A block whose Max is 0 is disabled.
type Config struct {
	Lowercase   bool // map letters to lower case
	FoldAccents bool // NFKD, drop nonspacing marks, expand œ æ ß and friends
	Elisions    bool // drop French elided prefixes: l' d' qu' j' n' s' c' m' t' jusqu' lorsqu' puisqu' quoiqu'
	WordMin     int  // smallest word n-gram (>= 1 when WordMax > 0)
	WordMax     int  // largest word n-gram; 0 disables word terms
	CharMin     int  // smallest character n-gram (>= 1 when CharMax > 0)
	CharMax     int  // largest character n-gram; 0 disables character terms
}

// DefaultConfig is the configuration the intent model is trained with:
// lowercase, accent folding and elision removal on, word 1- and 2-grams,
// character 2- to 5-grams inside word boundaries.
func DefaultConfig() Config {
	return Config{
		Lowercase:   true,
		FoldAccents: true,
		Elisions:    true,
		WordMin:     1,
		WordMax:     2,
		CharMin:     2,
		CharMax:     5,
	}
}

// Validate reports whether c describes a usable analyzer.
func (c Config) Validate() error {
	if c.WordMax == 0 && c.CharMax == 0 {
		return fmt.Errorf("text: both word and char n-grams are disabled")
	}
	if err := checkRange("word", c.WordMin, c.WordMax); err != nil {
		return err
	}
	return checkRange("char", c.CharMin, c.CharMax)
}

func checkRange(name string, lo, hi int) error {
	if hi == 0 {
		return nil
	}
	if lo < 1 || hi < lo || hi > maxN {
		return fmt.Errorf("text: %s n-gram range [%d,%d] invalid (need 1 <= min <= max <= %d, or max 0 to disable)", name, lo, hi, maxN)
	}
	return nil
}
