package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s as the analyzer sees it: words (maximal runs of
// letters and digits after folding) joined by single spaces, with case,
// accents and elisions handled as cfg says. Punctuation and invalid UTF-8
// bytes only separate words; they never appear in the result.
func Normalize(s string, cfg Config) string {
	var sc Scratch
	b := sc.normalize(s, cfg)
	if len(b) < 2 {
		return "" // just the padding space: no words
	}
	return string(b[1 : len(b)-1])
}

// Tokenize returns the words of s after normalization, in order.
func Tokenize(s string, cfg Config) []string {
	return strings.Fields(Normalize(s, cfg))
}

// normalize writes the normalized text into sc.norm as " w1 w2 ... wk ":
// one space before, between and after the words (just " " when there are
// none). The padding makes every word's char_wb form " word " and every
// word n-gram a contiguous slice of the buffer, so the analyzer emits terms
// without building strings.
func (sc *Scratch) normalize(s string, cfg Config) []byte {
	if !cfg.FoldAccents && !isASCII(s) {
		// Without folding we still want "é" and "e\u0301" to agree, so
		// compose first. This path allocates; the default config never
		// takes it.
		sc.nfc = norm.NFC.AppendString(sc.nfc[:0], s)
		s = string(sc.nfc)
	}
	n := normalizer{buf: append(sc.norm[:0], ' '), start: -1, cfg: cfg}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				n.wordByte(c)
			case 'A' <= c && c <= 'Z':
				if cfg.Lowercase {
					c += 'a' - 'A'
				}
				n.wordByte(c)
			case c == '\'' || c == '`':
				n.apostrophe(s[i:])
			default:
				n.sep()
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n.sep()
		case isApostrophe(r):
			n.apostrophe(s[i+size:])
		case cfg.FoldAccents:
			if d := norm.NFKD.PropertiesString(s[i:]).Decomposition(); d != nil {
				for len(d) > 0 {
					dr, ds := utf8.DecodeRune(d)
					n.fold(dr)
					d = d[ds:]
				}
			} else {
				n.fold(r)
			}
		default:
			n.add(r)
		}
		i += size
	}
	n.sep()
	sc.norm = n.buf
	return n.buf
}

type normalizer struct {
	buf   []byte
	start int // index in buf where the current word starts; -1 between words
	cfg   Config
}

func (n *normalizer) wordByte(c byte) {
	if n.start < 0 {
		n.start = len(n.buf)
	}
	n.buf = append(n.buf, c)
}

// sep ends the current word, if any, so words are separated by exactly one
// space.
func (n *normalizer) sep() {
	if n.start >= 0 {
		n.buf = append(n.buf, ' ')
		n.start = -1
	}
}

// apostrophe handles ' ’ ‘ ` ´. When the word before it is a French elided
// article or pronoun and a letter follows, the prefix is dropped ("l'eau" ->
// "eau"): it carries no intent and would split one drug name into many
// spellings. Otherwise the apostrophe is a separator.
func (n *normalizer) apostrophe(rest string) {
	if n.cfg.Elisions && n.start >= 0 && isElision(n.buf[n.start:]) && startsWithLetter(rest) {
		n.buf = n.buf[:n.start]
		n.start = -1
		return
	}
	n.sep()
}

// fold maps one rune of an NFKD decomposition to its unaccented spelling.
func (n *normalizer) fold(r rune) {
	if unicode.Is(unicode.Mn, r) {
		return // the accent itself: é = e + U+0301
	}
	// Letters NFKD leaves alone but a French reader treats as plain
	// letters or digraphs.
	switch r {
	case 'œ':
		n.add('o')
		n.add('e')
	case 'Œ':
		n.add('O')
		n.add('E')
	case 'æ':
		n.add('a')
		n.add('e')
	case 'Æ':
		n.add('A')
		n.add('E')
	case 'ß':
		n.add('s')
		n.add('s')
	case 'ẞ':
		n.add('S')
		n.add('S')
	case 'ø':
		n.add('o')
	case 'Ø':
		n.add('O')
	case 'đ', 'ð':
		n.add('d')
	case 'Đ', 'Ð':
		n.add('D')
	case 'ł':
		n.add('l')
	case 'Ł':
		n.add('L')
	case 'ı':
		n.add('i')
	case 'þ':
		n.add('t')
		n.add('h')
	case 'Þ':
		n.add('T')
		n.add('H')
	default:
		n.add(r)
	}
}

// add appends a rune to the current word, or ends the word when r is not a
// word character. Marks count as word characters so scripts that rely on
// them (and accents kept when folding is off) do not split words.
func (n *normalizer) add(r rune) {
	if r < utf8.RuneSelf {
		c := byte(r)
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			n.wordByte(c)
		case 'A' <= c && c <= 'Z':
			if n.cfg.Lowercase {
				c += 'a' - 'A'
			}
			n.wordByte(c)
		default:
			n.sep()
		}
		return
	}
	if n.cfg.Lowercase {
		r = unicode.ToLower(r)
	}
	if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsMark(r) {
		n.sep()
		return
	}
	if n.start < 0 {
		n.start = len(n.buf)
	}
	n.buf = utf8.AppendRune(n.buf, r)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u2019', '\u2018', '\u00b4':
		return true
	}
	return false
}

// isElision reports whether w, ASCII case-insensitively, is one of the
// French words that elide before a vowel.
func isElision(w []byte) bool {
	if len(w) == 0 || len(w) > 7 {
		return false
	}
	var low [7]byte
	for i, c := range w {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	switch string(low[:len(w)]) {
	case "l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu":
		return true
	}
	return false
}

func startsWithLetter(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
