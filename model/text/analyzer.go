package text

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Block tells which family a term belongs to. The encoder normalizes each
// block separately.
type Block uint8

const (
	Word Block = iota // word n-gram, prefixed by WordPrefix
	Char              // character n-gram inside word boundaries, prefixed by CharPrefix
)

func (b Block) String() string {
	switch b {
	case Word:
		return "word"
	case Char:
		return "char"
	}
	return fmt.Sprintf("Block(%d)", uint8(b))
}

// Namespace prefixes, the first two bytes of every term. Normalized text
// never contains ':' so the prefix cannot be confused with term content.
const (
	WordPrefix = "w:"
	CharPrefix = "c:"
)

// BlockOf returns the block of a term produced by an Analyzer, and false if
// term has no valid prefix.
func BlockOf(term string) (Block, bool) {
	if len(term) < 2 || term[1] != ':' {
		return 0, false
	}
	switch term[0] {
	case 'w':
		return Word, true
	case 'c':
		return Char, true
	}
	return 0, false
}

// Analyzer turns text into word and character n-gram terms. It is immutable
// and safe for concurrent use; each goroutine brings its own Scratch.
type Analyzer struct {
	cfg Config
}

// NewAnalyzer validates cfg and returns an analyzer for it.
func NewAnalyzer(cfg Config) (*Analyzer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Analyzer{cfg: cfg}, nil
}

// Config returns the analyzer's configuration.
func (a *Analyzer) Config() Config { return a.cfg }

// Scratch holds the buffers an Analyzer reuses between calls. The zero value
// is ready to use. A Scratch must not be shared by concurrent calls.
type Scratch struct {
	norm []byte
	nfc  []byte
	term []byte
	// words holds start,end byte offsets in norm of each word.
	words []int
	// offs holds the byte offset of each rune of a padded word, plus its end.
	offs []int
}

// Terms normalizes s and calls emit once per term occurrence: word n-grams
// for n in [WordMin, WordMax], then character n-grams of each padded word
// " word " for n in [CharMin, CharMax], following scikit-learn's char_wb
// (a padded word shorter than n is emitted once, whole). term carries its
// namespace prefix, aliases sc and is only valid during the call to emit.
func (a *Analyzer) Terms(s string, sc *Scratch, emit func(term []byte, block Block)) {
	k := a.Split(s, sc)
	a.WordTerms(sc, emit)
	for i := range k {
		a.CharTerms(sc, i, emit)
	}
}

// Split normalizes s into sc and returns its number of words; Word, WordTerms
// and CharTerms then read them from sc. Terms is Split followed by WordTerms
// and CharTerms of every word; the pieces let a caller cache the char terms
// of words it has already seen, since they depend on the word alone.
func (a *Analyzer) Split(s string, sc *Scratch) int {
	buf := sc.normalize(s, a.cfg)
	sc.words = sc.words[:0]
	for i := 1; i < len(buf); {
		j := i + bytes.IndexByte(buf[i:], ' ')
		sc.words = append(sc.words, i, j)
		i = j + 1
	}
	return len(sc.words) / 2
}

// Word returns word i of the last Split, aliasing sc.
func (sc *Scratch) Word(i int) []byte {
	return sc.norm[sc.words[2*i]:sc.words[2*i+1]]
}

// WordTerms emits the word n-grams of the last Split.
func (a *Analyzer) WordTerms(sc *Scratch, emit func(term []byte, block Block)) {
	cfg := &a.cfg
	buf, k := sc.norm, len(sc.words)/2
	for n := cfg.WordMin; cfg.WordMax > 0 && n <= cfg.WordMax && n <= k; n++ {
		for i := 0; i+n <= k; i++ {
			// Words are separated by exactly one space, so the n-gram is a
			// plain slice of the buffer.
			sc.term = append(append(sc.term[:0], WordPrefix...), buf[sc.words[2*i]:sc.words[2*(i+n-1)+1]]...)
			emit(sc.term, Word)
		}
	}
}

// CharTerms emits the character n-grams of word w of the last Split.
func (a *Analyzer) CharTerms(sc *Scratch, w int, emit func(term []byte, block Block)) {
	cfg := &a.cfg
	if cfg.CharMax == 0 {
		return
	}
	// The buffer has a space on each side of every word: the padding.
	padded := sc.norm[sc.words[2*w]-1 : sc.words[2*w+1]+1]
	sc.offs = sc.offs[:0]
	for i := 0; i < len(padded); {
		sc.offs = append(sc.offs, i)
		if padded[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(padded[i:])
			i += size
		}
	}
	sc.offs = append(sc.offs, len(padded))
	runes := len(sc.offs) - 1
	for n := cfg.CharMin; n <= cfg.CharMax; n++ {
		end := min(n, runes)
		sc.term = append(append(sc.term[:0], CharPrefix...), padded[:sc.offs[end]]...)
		emit(sc.term, Char)
		off := 0
		for off+n < runes {
			off++
			sc.term = append(append(sc.term[:0], CharPrefix...), padded[sc.offs[off]:sc.offs[off+n]]...)
			emit(sc.term, Char)
		}
		if off == 0 {
			break // the whole padded word was emitted; larger n would repeat it
		}
	}
}

// Analyze returns every term occurrence of s as a string, in emission order.
// It allocates; use Terms on hot paths.
func (a *Analyzer) Analyze(s string) []string {
	var sc Scratch
	var out []string
	a.Terms(s, &sc, func(term []byte, _ Block) {
		out = append(out, string(term))
	})
	return out
}
