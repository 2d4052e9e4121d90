package features

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"intent/model/sparse"
	"intent/model/text"
)

// wordsOnly is a config small enough to compute by hand.
func wordsOnly(minDF int, sublinear bool) Config {
	c := DefaultConfig()
	c.Text = text.Config{Lowercase: true, FoldAccents: true, Elisions: true, WordMin: 1, WordMax: 1}
	c.MinDF = minDF
	c.Sublinear = sublinear
	return c
}

func mustFit(t testing.TB, docs []string, cfg Config) *Encoder {
	t.Helper()
	e, err := Fit(context.Background(), docs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// asMap turns a vector into term -> value for readable comparisons.
func asMap(e *Encoder, v sparse.Vector) map[string]float64 {
	m := make(map[string]float64, v.Len())
	for k, i := range v.Index {
		m[e.Term(int(i))] = float64(v.Value[k])
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }

func TestTFIDFByHand(t *testing.T) {
	// N=3; df(a)=3, df(b)=2, df(c)=1.
	docs := []string{"a b", "A c", "a b b"}
	idfA, idfB, idfC := 1.0, math.Log(3.0/2)+1, math.Log(3.0)+1
	cases := []struct {
		name      string
		sublinear bool
		doc       string
		want      map[string]float64
	}{
		// x_a = 1*1, x_b = (1+ln 2)(1+ln 1.5) = 2.379659; norm sqrt(1+x_b²) = 2.581236.
		{"sublinear", true, "a b b", map[string]float64{"w:a": 0.387411, "w:b": 0.921907}},
		// x_a = 1, x_b = 2(1+ln 1.5) = 2.810930; norm 2.983509.
		{"raw tf", false, "a b b", map[string]float64{"w:a": 0.335176, "w:b": 0.942156}},
		{"single term", true, "c", map[string]float64{"w:c": 1}},
		// x_b = idfB, x_c = idfC.
		{"two idfs", true, "c b", map[string]float64{
			"w:b": idfB / math.Hypot(idfB, idfC),
			"w:c": idfC / math.Hypot(idfB, idfC),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := mustFit(t, docs, wordsOnly(1, tc.sublinear))
			if e.NumFeatures() != 3 || e.Term(0) != "w:a" || e.Term(2) != "w:c" {
				t.Fatalf("vocabulary %v", e.terms)
			}
			for i, want := range []float64{idfA, idfB, idfC} {
				if !near(e.IDF(i), want) {
					t.Errorf("IDF(%s) = %v, want %v", e.Term(i), e.IDF(i), want)
				}
			}
			got := asMap(e, e.Transform(tc.doc))
			if len(got) != len(tc.want) {
				t.Fatalf("Transform(%q) = %v, want %v", tc.doc, got, tc.want)
			}
			for term, w := range tc.want {
				if !near(got[term], w) {
					t.Errorf("Transform(%q)[%s] = %v, want %v", tc.doc, term, got[term], w)
				}
			}
		})
	}
}

func TestMinMaxDF(t *testing.T) {
	docs := []string{"a b", "a c", "a b d"}
	cases := []struct {
		name  string
		minDF int
		maxDF float64
		want  []string
	}{
		{"all", 1, 0, []string{"w:a", "w:b", "w:c", "w:d"}},
		{"min 2", 2, 0, []string{"w:a", "w:b"}},
		{"min 3", 3, 0, []string{"w:a"}},
		{"max ratio drops ubiquitous", 1, 0.9, []string{"w:b", "w:c", "w:d"}},
	}
	for _, tc := range cases {
		cfg := wordsOnly(tc.minDF, true)
		cfg.MaxDFRatio = tc.maxDF
		e := mustFit(t, docs, cfg)
		if !slices.Equal(e.terms, tc.want) {
			t.Errorf("%s: vocabulary %q, want %q", tc.name, e.terms, tc.want)
		}
	}
}

func TestFitErrors(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bad := DefaultConfig()
	bad.Text.CharMin = 9
	cases := []struct {
		name string
		ctx  context.Context
		docs []string
		cfg  Config
		want string
	}{
		{"no docs", context.Background(), nil, DefaultConfig(), "no documents"},
		{"below min df", context.Background(), []string{"a", "b"}, wordsOnly(2, true), "lower --min-df"},
		{"no words", context.Background(), []string{"?", "!!"}, DefaultConfig(), "contain no words"},
		{"bad config", context.Background(), []string{"a"}, bad, "char n-gram range"},
		{"cancelled", cancelled, []string{"a", "a"}, DefaultConfig(), "context canceled"},
	}
	for _, tc := range cases {
		_, err := Fit(tc.ctx, tc.docs, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "features: ") {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := Fit(cancelled, []string{"a", "a"}, DefaultConfig()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit error %v does not wrap context.Canceled", err)
	}
}

func TestBlockNorms(t *testing.T) {
	docs := []string{"risques poisson cru grossesse", "poisson cru grossesse", "ibuprofène grossesse risques"}
	doc := "Risques du poisson cru pendant la grossesse ?"
	cases := []struct {
		name             string
		blockNorm        bool
		wordW, charW     float64
		wantWord, wantCh float64 // block norms; -1: only the total is checked
		wantTotal        float64
	}{
		{"default", true, 1, 1, 1, 1, math.Sqrt2},
		{"weighted", true, 2, 0.5, 2, 0.5, math.Hypot(2, 0.5)},
		{"single norm", false, 1, 1, -1, -1, 1},
		{"single norm weighted", false, 3, 1, -1, -1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.MinDF = 1
			cfg.BlockNorm, cfg.WordWeight, cfg.CharWeight = tc.blockNorm, tc.wordW, tc.charW
			e := mustFit(t, docs, cfg)
			v := e.Transform(doc)
			if err := v.Validate(e.NumFeatures()); err != nil {
				t.Fatal(err)
			}
			var word, char float64
			for k, i := range v.Index {
				x := float64(v.Value[k]) * float64(v.Value[k])
				if e.Block(int(i)) == text.Word {
					word += x
				} else {
					char += x
				}
			}
			if tc.wantWord >= 0 && (!near(math.Sqrt(word), tc.wantWord) || !near(math.Sqrt(char), tc.wantCh)) {
				t.Errorf("block norms word %v char %v, want %v %v", math.Sqrt(word), math.Sqrt(char), tc.wantWord, tc.wantCh)
			}
			if !near(v.Norm2(), tc.wantTotal) {
				t.Errorf("norm %v, want %v", v.Norm2(), tc.wantTotal)
			}
		})
	}
}

func TestUnknownTermsDropped(t *testing.T) {
	e := mustFit(t, []string{"a b", "a c"}, wordsOnly(1, true))
	if v := e.Transform("zzz qqq !"); v.Len() != 0 {
		t.Errorf("unknown-only document gave %v", asMap(e, v))
	}
	a, b := e.Transform("a zzz"), e.Transform("a")
	if !slices.Equal(a.Index, b.Index) || !slices.Equal(a.Value, b.Value) {
		t.Errorf("unknown word changed the vector: %v vs %v", asMap(e, a), asMap(e, b))
	}
	var zero Encoder
	if v := zero.Transform("a"); v.Len() != 0 {
		t.Error("unfitted encoder produced features")
	}
	if _, err := zero.TransformAll(context.Background(), []string{"a"}, 1); !errors.Is(err, ErrNotFitted) {
		t.Errorf("TransformAll on unfitted encoder: %v", err)
	}
}

// corpus returns n varied French-ish documents, more than one chunk's worth.
func corpus(n int) []string {
	words := []string{"risques", "poisson", "cru", "grossesse", "l'ibuprofène", "Doliprane", "1000mg",
		"enfant", "fièvre", "posologie", "qu'est-ce", "allaitement", "œuf", "ÉTÉ", "dose"}
	docs := make([]string, n)
	for i := range docs {
		var b strings.Builder
		for j := 0; j < 3+i%7; j++ {
			b.WriteString(words[(i*7+j*j*3+j)%len(words)])
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "n%d ?", i%50)
		docs[i] = b.String()
	}
	return docs
}

func TestTransformAllDeterministic(t *testing.T) {
	docs := corpus(1000)
	e := mustFit(t, docs, DefaultConfig())
	var first *sparse.Matrix
	for _, workers := range []int{1, 2, 7, 0} {
		m, err := e.TransformAll(context.Background(), docs, workers)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		if m.Rows() != len(docs) || m.Cols != e.NumFeatures() {
			t.Fatalf("shape %dx%d", m.Rows(), m.Cols)
		}
		if first == nil {
			first = m
			for i, d := range docs {
				v, r := e.Transform(d), m.Row(i)
				if !slices.Equal(v.Index, r.Index) || !slices.Equal(v.Value, r.Value) {
					t.Fatalf("row %d differs from Transform", i)
				}
			}
			continue
		}
		if !slices.Equal(first.Ptr, m.Ptr) || !slices.Equal(first.Index, m.Index) || !slices.Equal(first.Value, m.Value) {
			t.Fatalf("workers=%d output differs from workers=1", workers)
		}
	}
}

func TestFitIndependentOfParallelism(t *testing.T) {
	docs := corpus(1500)
	prev := runtime.GOMAXPROCS(1)
	one := mustFit(t, docs, DefaultConfig())
	runtime.GOMAXPROCS(max(prev, 3))
	many := mustFit(t, docs, DefaultConfig())
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(one.terms, many.terms) || !slices.Equal(one.idf, many.idf) {
		t.Fatal("vocabulary or idf depends on GOMAXPROCS")
	}
}

func TestTransformIntoDoesNotAllocate(t *testing.T) {
	e := mustFit(t, corpus(300), DefaultConfig())
	var sc Scratch
	q := "Risques du poisson cru pendant la grossesse ? l’ibuprofène 1000mg"
	e.TransformInto(&sc, q)
	if n := testing.AllocsPerRun(200, func() { e.TransformInto(&sc, q) }); n != 0 {
		t.Fatalf("TransformInto allocates %v times per call, want 0", n)
	}
}

func TestConcurrentTransform(t *testing.T) {
	docs := corpus(400)
	e := mustFit(t, docs, DefaultConfig())
	want := make([]sparse.Vector, len(docs))
	for i, d := range docs {
		want[i] = e.Transform(d)
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			var sc Scratch
			for i := g; i < len(docs); i += 2 {
				v := e.TransformInto(&sc, docs[i])
				if !slices.Equal(v.Value, want[i].Value) {
					done <- fmt.Errorf("doc %d differs under concurrency", i)
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestSelectFeatures(t *testing.T) {
	docs := corpus(500)
	cfg := DefaultConfig()
	cfg.BlockNorm = false // one norm: kept values keep their ratios
	e := mustFit(t, docs, cfg)
	var keep []int32
	for i := 0; i < e.NumFeatures(); i += 3 {
		keep = append(keep, int32(i))
	}
	s, err := e.SelectFeatures(keep)
	if err != nil {
		t.Fatal(err)
	}
	if s.NumFeatures() != len(keep) {
		t.Fatalf("NumFeatures %d, want %d", s.NumFeatures(), len(keep))
	}
	for j, i := range keep {
		if s.Term(j) != e.Term(int(i)) || s.IDF(j) != e.IDF(int(i)) || s.Block(j) != e.Block(int(i)) {
			t.Fatalf("feature %d is not old feature %d", j, i)
		}
	}
	for _, d := range docs[:50] {
		old, got := asMap(e, e.Transform(d)), s.Transform(d)
		// The new vector is the old one restricted to keep, rescaled.
		ratio := 0.0
		for k, j := range got.Index {
			o, ok := old[s.Term(int(j))]
			if !ok {
				t.Fatalf("%q: feature %s appears only after selection", d, s.Term(int(j)))
			}
			r := float64(got.Value[k]) / o
			if ratio == 0 {
				ratio = r
			} else if math.Abs(r-ratio) > 1e-4*ratio {
				t.Fatalf("%q: kept features rescaled unevenly (%v vs %v)", d, r, ratio)
			}
		}
	}
	all := make([]int32, e.NumFeatures())
	for i := range all {
		all[i] = int32(i)
	}
	same, _ := e.SelectFeatures(all)
	for _, d := range docs[:20] {
		if !slices.Equal(same.Transform(d).Value, e.Transform(d).Value) {
			t.Fatal("selecting every feature changed Transform")
		}
	}
	for name, bad := range map[string][]int32{
		"empty":     nil,
		"unsorted":  {2, 1},
		"duplicate": {1, 1},
		"range":     {int32(e.NumFeatures())},
		"negative":  {-1},
	} {
		if _, err := e.SelectFeatures(bad); err == nil {
			t.Errorf("SelectFeatures(%s) accepted %v", name, bad)
		}
	}
}

func BenchmarkTransformInto(b *testing.B) {
	docs := clincTrain(b)
	if docs == nil {
		docs = corpus(2000)
	}
	e := mustFit(b, docs, DefaultConfig())
	var sc Scratch
	q := "how long will it take me to get to the airport by car"
	b.ReportAllocs()
	for b.Loop() {
		e.TransformInto(&sc, q)
	}
}

// TestWordCacheMatchesSlowPath: the per-word cache of char ids must give
// exactly what looking up every char n-gram gives.
func TestWordCacheMatchesSlowPath(t *testing.T) {
	docs := corpus(800)
	e := mustFit(t, docs, DefaultConfig())
	if len(e.wordChars) == 0 {
		t.Fatal("no cached words: the fast path is not exercised")
	}
	slow := *e
	slow.wordChars = nil
	for _, d := range append(docs, "mots inconnus jamais vus, fièvre enfant") {
		a, b := e.Transform(d), slow.Transform(d)
		if !slices.Equal(a.Index, b.Index) || !slices.Equal(a.Value, b.Value) {
			t.Fatalf("%q: cached %v, uncached %v", d, asMap(e, a), asMap(e, b))
		}
	}
}

func TestSublinearTable(t *testing.T) {
	for c := uint32(1); c < 100; c++ {
		if got, want := sublinear(c), 1+math.Log(float64(c)); math.Abs(got-want) > 1e-15 {
			t.Fatalf("sublinear(%d) = %v, want %v", c, got, want)
		}
	}
}

// FitTransform is Fit and TransformAll in one: the same encoder and the
// same matrix, bit for bit, at its exact size.
func TestFitTransformIsFitThenTransform(t *testing.T) {
	docs := []string{
		"risques poisson cru pendant la grossesse ?",
		"puis-je prendre du doliprane enceinte",
		"doliprane et ibuprofène ensemble",
		"effets secondaires du doliprane",
		"poisson cru et allaitement",
		"la la la la la la grossesse grossesse",
		"?!",
		"ibuprofène ibuprofène",
	}
	for i := range 600 {
		docs = append(docs, fmt.Sprintf("%s %d", docs[i%8], i%37))
	}
	plain := DefaultConfig()
	plain.Sublinear, plain.BlockNorm, plain.WordWeight = false, false, 0.5
	for _, cfg := range []Config{DefaultConfig(), plain} {
		enc, err := Fit(context.Background(), docs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		want, err := enc.TransformAll(context.Background(), docs, 2)
		if err != nil {
			t.Fatal(err)
		}
		enc2, got, err := FitTransform(context.Background(), docs, cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		if enc2.NumFeatures() != enc.NumFeatures() {
			t.Fatalf("%d features, Fit gives %d", enc2.NumFeatures(), enc.NumFeatures())
		}
		if !slices.Equal(got.Ptr, want.Ptr) || !slices.Equal(got.Index, want.Index) || !slices.Equal(got.Value, want.Value) || got.Cols != want.Cols {
			t.Fatal("FitTransform's matrix differs from Fit then TransformAll")
		}
		if cap(got.Index) != len(got.Index) || cap(got.Value) != len(got.Value) {
			t.Errorf("matrix capacity %d for %d entries: not allocated at its size", cap(got.Index), len(got.Index))
		}
	}
}
