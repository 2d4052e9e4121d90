package text

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	def := DefaultConfig()
	noElide := def
	noElide.Elisions = false
	keepCase := def
	keepCase.Lowercase = false
	keepAccents := def
	keepAccents.FoldAccents = false

	cases := []struct {
		name string
		in   string
		cfg  Config
		want string
	}{
		{"question mark splits", "Risques poisson cru pendant la GROSSESSE ?", def, "risques poisson cru pendant la grossesse"},
		{"glued question mark", "grossesse?", def, "grossesse"},
		{"typographic apostrophe", "l’ibuprofène", def, "ibuprofene"},
		{"ascii apostrophe", "l'ibuprofène", def, "ibuprofene"},
		{"left quote apostrophe", "L‘Ibuprofène", def, "ibuprofene"},
		{"backquote apostrophe", "l`ibuprofene", def, "ibuprofene"},
		{"acute accent apostrophe", "l´ibuprofène", def, "ibuprofene"},
		{"qu and hyphen", "qu'est-ce", def, "est ce"},
		{"long elisions", "jusqu'à lorsqu'il puisqu'on quoiqu'il", def, "a il on il"},
		{"pronouns", "j'ai n'est s'il c'est m'a t'as d'où", def, "ai est il est a as ou"},
		{"not an elision", "aujourd'hui", def, "aujourd hui"},
		{"elision needs a letter after", "l' eau d'1 l'", def, "l eau d 1 l"},
		{"digits stay in words", "Doliprane 1000mg", def, "doliprane 1000mg"},
		{"mixed case accents", "ÉCOLE Élève çà ÀÔÛ", def, "ecole eleve ca aou"},
		{"ligatures", "œuf Cœur ÆSOP straße", def, "oeuf coeur aesop strasse"},
		{"compatibility forms", "ﬁn ２０ｍｇ x²", def, "fin 20mg x2"},
		{"decomposed input", "e\u0301te\u0301", def, "ete"},
		{"invalid utf-8 separates", "ab\xffcd\xc3", def, "ab cd"},
		{"only punctuation", "  ?! ... ", def, ""},
		{"empty", "", def, ""},
		{"elisions off", "l'ibuprofène", noElide, "l ibuprofene"},
		{"case kept", "L'Eau ÉCOLE Œuf", keepCase, "Eau ECOLE OEuf"},
		{"accents kept", "Élève e\u0301te\u0301", keepAccents, "élève été"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in, tc.cfg); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	got := Tokenize("Risques poisson cru pendant la GROSSESSE ?", DefaultConfig())
	want := []string{"risques", "poisson", "cru", "pendant", "la", "grossesse"}
	if !slices.Equal(got, want) {
		t.Fatalf("Tokenize = %q, want %q", got, want)
	}
}

func TestAnalyze(t *testing.T) {
	def := DefaultConfig()
	wordsOnly := Config{Lowercase: true, FoldAccents: true, Elisions: true, WordMin: 1, WordMax: 3}
	charsOnly := Config{Lowercase: true, FoldAccents: true, CharMin: 2, CharMax: 5}
	rawChars := Config{Lowercase: true, CharMin: 2, CharMax: 3}
	cases := []struct {
		name string
		cfg  Config
		in   string
		want []string
	}{
		{"short word stops at its length", charsOnly, "le",
			[]string{"c: l", "c:le", "c:e ", "c: le", "c:le ", "c: le "}},
		{"one letter word", charsOnly, "A", []string{"c: a", "c:a ", "c: a "}},
		{"five letter word", Config{CharMin: 4, CharMax: 6}, "chat",
			[]string{"c: cha", "c:chat", "c:hat ", "c: chat", "c:chat ", "c: chat "}},
		{"runes not bytes", rawChars, "été",
			[]string{"c: é", "c:ét", "c:té", "c:é ", "c: ét", "c:été", "c:té "}},
		{"word n-grams", wordsOnly, "a b c d",
			[]string{"w:a", "w:b", "w:c", "w:d", "w:a b", "w:b c", "w:c d", "w:a b c", "w:b c d"}},
		{"fewer words than n", wordsOnly, "l'eau", []string{"w:eau"}},
		{"default mixes blocks", def, "le",
			[]string{"w:le", "c: l", "c:le", "c:e ", "c: le", "c:le ", "c: le "}},
		{"nothing to analyze", def, " ?? ", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := NewAnalyzer(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Analyze(tc.in); !slices.Equal(got, tc.want) {
				t.Errorf("Analyze(%q) =\n %q\nwant\n %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestAnalyzeCounts checks totals against hand counts: a padded word of L
// runes gives L-n+1 n-grams for each n < L, then itself once.
func TestAnalyzeCounts(t *testing.T) {
	a, err := NewAnalyzer(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in          string
		words, char int
	}{
		// words: le, chat, "le chat". " le " (4): 3+2+1. " chat " (6): 5+4+3+2.
		{"le chat", 3, 6 + 14},
		// "a": " a " (3): 2+1. "grossesse": " grossesse " (11): 10+9+8+7.
		{"a GROSSESSE?", 3, 3 + 34},
		{"l'", 1, 3}, // "l" kept: no letter after the apostrophe
	}
	for _, tc := range cases {
		var words, chars int
		var sc Scratch
		a.Terms(tc.in, &sc, func(term []byte, b Block) {
			if b == Word {
				words++
			} else {
				chars++
			}
		})
		if words != tc.words || chars != tc.char {
			t.Errorf("%q: %d word and %d char terms, want %d and %d", tc.in, words, chars, tc.words, tc.char)
		}
	}
}

func TestNamespacesDoNotCollide(t *testing.T) {
	a, _ := NewAnalyzer(DefaultConfig())
	terms := a.Analyze("le le")
	if !slices.Contains(terms, "w:le") || !slices.Contains(terms, "c:le") {
		t.Fatalf("want both w:le and c:le, got %q", terms)
	}
	for _, term := range terms {
		b, ok := BlockOf(term)
		if !ok {
			t.Fatalf("term %q has no namespace", term)
		}
		if (b == Word) != strings.HasPrefix(term, WordPrefix) {
			t.Fatalf("BlockOf(%q) = %v", term, b)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"words only", Config{WordMin: 1, WordMax: 1}, true},
		{"chars only", Config{CharMin: 3, CharMax: 3}, true},
		{"nothing enabled", Config{}, false},
		{"min zero", Config{WordMin: 0, WordMax: 2}, false},
		{"min above max", Config{CharMin: 4, CharMax: 3}, false},
		{"too large", Config{CharMin: 1, CharMax: maxN + 1}, false},
	}
	for _, tc := range cases {
		if err := tc.cfg.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if _, err := NewAnalyzer(tc.cfg); (err == nil) != tc.ok {
			t.Errorf("%s: NewAnalyzer error = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestTermsDoesNotAllocate(t *testing.T) {
	a, _ := NewAnalyzer(DefaultConfig())
	var sc Scratch
	n := 0
	emit := func(term []byte, _ Block) { n += len(term) }
	q := "Risques du poisson cru pendant la GROSSESSE ? l’ibuprofène, Œstrogènes 1000mg"
	a.Terms(q, &sc, emit)
	if allocs := testing.AllocsPerRun(100, func() { a.Terms(q, &sc, emit) }); allocs != 0 {
		t.Fatalf("Terms allocates %v times per call, want 0", allocs)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"Risques poisson cru pendant la GROSSESSE ?", "l’ibuprofène", "qu'est-ce",
		"Doliprane 1000mg", "ÉCOLE œuf ß ﬁ ２０", "ab\xffcd", "l'", "''", "e\u0301", "",
	} {
		f.Add(s)
	}
	cfg := DefaultConfig()
	a, _ := NewAnalyzer(cfg)
	f.Fuzz(func(t *testing.T, s string) {
		norm := Normalize(s, cfg)
		if !utf8.ValidString(norm) {
			t.Fatalf("Normalize(%q) = %q is not UTF-8", s, norm)
		}
		if strings.Contains(norm, "  ") || strings.HasPrefix(norm, " ") || strings.HasSuffix(norm, " ") {
			t.Fatalf("Normalize(%q) = %q has stray spaces", s, norm)
		}
		if again := Normalize(norm, cfg); again != norm {
			t.Fatalf("Normalize not idempotent: %q -> %q -> %q", s, norm, again)
		}
		words := Tokenize(s, cfg)
		if !slices.Equal(words, strings.Fields(norm)) {
			t.Fatalf("Tokenize(%q) = %q disagrees with Normalize %q", s, words, norm)
		}
		var sc Scratch
		nWord := 0
		a.Terms(s, &sc, func(term []byte, b Block) {
			ts := string(term)
			got, ok := BlockOf(ts)
			if !ok || got != b || !utf8.ValidString(ts) {
				t.Fatalf("bad term %q (block %v) from %q", ts, b, s)
			}
			body := ts[2:]
			switch b {
			case Word:
				nWord++
				if body == "" || strings.HasPrefix(body, " ") || strings.HasSuffix(body, " ") {
					t.Fatalf("bad word term %q from %q", ts, s)
				}
			case Char:
				if n := utf8.RuneCountInString(body); n < 2 || n > cfg.CharMax {
					t.Fatalf("char term %q has %d runes", ts, n)
				}
			}
		})
		k := len(words)
		want := k + max(k-1, 0)
		if nWord != want {
			t.Fatalf("%q: %d word terms, want %d", s, nWord, want)
		}
	})
}

func BenchmarkTerms(b *testing.B) {
	a, _ := NewAnalyzer(DefaultConfig())
	var sc Scratch
	q := "Quels sont les risques du poisson cru pendant la grossesse ? Et l’ibuprofène ?"
	n := 0
	emit := func(term []byte, _ Block) { n++ }
	b.ReportAllocs()
	b.SetBytes(int64(len(q)))
	for b.Loop() {
		a.Terms(q, &sc, emit)
	}
}

// TestSplitPieces: Split, Word, WordTerms and CharTerms together give what
// Terms gives, so callers may cache per-word char terms.
func TestSplitPieces(t *testing.T) {
	a, _ := NewAnalyzer(DefaultConfig())
	var sc Scratch
	s := "L'été, Œufs crus?"
	k := a.Split(s, &sc)
	var words []string
	for i := range k {
		words = append(words, string(sc.Word(i)))
	}
	if want := []string{"ete", "oeufs", "crus"}; !slices.Equal(words, want) {
		t.Fatalf("Split words %q, want %q", words, want)
	}
	var pieces []string
	collect := func(term []byte, _ Block) { pieces = append(pieces, string(term)) }
	a.WordTerms(&sc, collect)
	for i := range k {
		a.CharTerms(&sc, i, collect)
	}
	if all := a.Analyze(s); !slices.Equal(pieces, all) {
		t.Fatalf("pieces %q\n!= Analyze %q", pieces, all)
	}
}
