package features

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/go-nlp/tfidf"

	"intent/model/sparse"
	"intent/model/text"
)

// ErrNotFitted is returned when an Encoder that was never fitted (or
// loaded) is asked to transform or serialize.
var ErrNotFitted = errors.New("features: encoder not fitted")

// Encoder maps documents to TF-IDF vectors. Build one with Fit or
// UnmarshalBinary; it is never modified afterwards.
type Encoder struct {
	cfg      Config
	analyzer *text.Analyzer
	terms    []string // feature i is terms[i]; strictly increasing
	idf      []float64
	index    map[string]int32
	charEnd  int // features [0,charEnd) are char n-grams, the rest word n-grams
	docs     int // N, the number of documents Fit saw

	// wordChars caches, for every word unigram of the vocabulary, the known
	// feature ids of its char n-grams (a span of charIDs). A word's char
	// n-grams depend on the word alone, so one lookup replaces about 4x its
	// length lookups; words not cached take the slow path with the same
	// result. Derived from terms, never serialized.
	wordChars map[string]span
	charIDs   []int32
}

// span is a slice [off, off+n) of a shared id arena.
type span struct{ off, n int32 }

// chunk is the number of documents a worker takes at a time: large enough
// to amortize scheduling, small enough to balance two cores.
const chunk = 256

// Fit learns the vocabulary and IDF of docs. Terms are counted in parallel;
// the kept terms' document frequencies are then fed to go-nlp/tfidf, one
// pre-deduplicated Document per training document, and its IDF is used.
func Fit(ctx context.Context, docs []string, cfg Config) (*Encoder, error) {
	e, _, err := fit(ctx, docs, cfg, false, 0)
	return e, err
}

// FitTransform is Fit followed by TransformAll(docs) (the same matrix, bit
// for bit), without analyzing the documents a third time: the analysis
// that gives go-nlp/tfidf its documents also fills the matrix, which is
// allocated once at its exact size (the kept terms' document frequencies
// add up to its non-zeros). Training uses it: at a million questions the
// matrix is a gigabyte, and TransformAll holds it twice while assembling it.
// workers bounds the goroutines (0 or less: GOMAXPROCS), so that a
// training task leaves the server its other cores; it never changes the
// result.
func FitTransform(ctx context.Context, docs []string, cfg Config, workers int) (*Encoder, *sparse.Matrix, error) {
	return fit(ctx, docs, cfg, true, workers)
}

func fit(ctx context.Context, docs []string, cfg Config, transform bool, maxWorkers int) (*Encoder, *sparse.Matrix, error) {
	if maxWorkers <= 0 {
		maxWorkers = runtime.GOMAXPROCS(0)
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if len(docs) == 0 {
		return nil, nil, fmt.Errorf("features: no documents to fit")
	}
	if len(docs) > math.MaxInt32 {
		return nil, nil, fmt.Errorf("features: %d documents is too many", len(docs))
	}
	analyzer, err := text.NewAnalyzer(cfg.Text)
	if err != nil {
		return nil, nil, fmt.Errorf("features: %w", err)
	}
	workers := min(maxWorkers, (len(docs)+chunk-1)/chunk)

	// Pass 1: each worker counts document frequencies of its own terms.
	counters := make([]*dfCounter, workers)
	err = parallel(ctx, len(docs), workers, func(w, lo, hi int) {
		c := counters[w]
		if c == nil {
			c = newDFCounter(analyzer)
			counters[w] = c
		}
		for d := lo; d < hi; d++ {
			c.add(docs[d], int32(d))
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("features: fit: %w", err)
	}
	terms, df := mergeCounts(counters)
	if len(terms) == 0 {
		return nil, nil, fmt.Errorf("features: empty vocabulary: the %d documents contain no words", len(docs))
	}

	// Keep terms within [MinDF, MaxDF], in byte order so feature ids do
	// not depend on how documents were split among workers.
	maxDF := int32(math.MaxInt32)
	if cfg.MaxDFRatio > 0 {
		maxDF = int32(cfg.MaxDFRatio * float64(len(docs)))
	}
	var kept []string
	for i, t := range terms {
		if int(df[i]) >= cfg.MinDF && df[i] <= maxDF {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return nil, nil, fmt.Errorf("features: empty vocabulary: none of %d terms appears in at least %d of %d documents (max-df ratio %v); lower --min-df",
			len(terms), cfg.MinDF, len(docs), cfg.MaxDFRatio)
	}
	slices.Sort(kept)
	e := newEncoder(cfg, analyzer, kept, make([]float64, len(kept)), len(docs))
	keptDF := make([]int32, len(kept))
	for i, t := range terms {
		if id, ok := e.index[t]; ok {
			keptDF[id] = df[i]
		}
	}

	X, err := e.computeIDF(ctx, docs, keptDF, transform, maxWorkers)
	if err != nil {
		return nil, nil, err
	}
	return e, X, nil
}

func newEncoder(cfg Config, analyzer *text.Analyzer, terms []string, idf []float64, docs int) *Encoder {
	e := &Encoder{cfg: cfg, analyzer: analyzer, terms: terms, idf: idf, docs: docs}
	e.index = make(map[string]int32, len(terms))
	for i, t := range terms {
		e.index[t] = int32(i)
	}
	// CharPrefix sorts before WordPrefix, so the char block is a prefix.
	e.charEnd, _ = slices.BinarySearch(terms, text.WordPrefix)
	e.buildWordChars()
	return e
}

func (e *Encoder) buildWordChars() {
	if e.cfg.Text.CharMax == 0 {
		return
	}
	var sc text.Scratch
	var ids []int32
	e.wordChars = make(map[string]span)
	for _, t := range e.terms[e.charEnd:] {
		w := t[len(text.WordPrefix):]
		// Only unigrams, and only if they are already normalized words
		// (always true for terms Fit produced).
		if e.analyzer.Split(w, &sc) != 1 || string(sc.Word(0)) != w {
			continue
		}
		off := len(ids)
		e.analyzer.CharTerms(&sc, 0, func(term []byte, _ text.Block) {
			if id, ok := e.index[string(term)]; ok {
				ids = append(ids, id)
			}
		})
		e.wordChars[w] = span{int32(off), int32(len(ids) - off)}
	}
	e.charIDs = slices.Clip(ids)
}

// idDoc is a go-nlp/tfidf Document over a reused id slice.
type idDoc struct{ ids []int }

func (d *idDoc) IDs() []int { return d.ids }

// computeIDF gets document frequencies through go-nlp/tfidf. Documents are
// re-analyzed in parallel into sorted unique feature ids; one goroutine adds
// them to the library, chunk by chunk as they become ready (its Add locks a
// mutex and sorts per document, so feeding it from many goroutines would
// only contend; overlapping it with the analysis hides most of the latter).
// The library's counts must equal the ones pass 1 found; a mismatch is a
// bug, reported as an error.
//
// With transform, the same goroutine also appends each chunk's ids and term
// counts to the matrix X (the counts held in X.Value until the IDF is
// known), and drops the chunk; the weights are then computed in place.
func (e *Encoder) computeIDF(ctx context.Context, docs []string, wantDF []int32, transform bool, maxWorkers int) (*sparse.Matrix, error) {
	nChunks := (len(docs) + chunk - 1) / chunk
	workers := min(maxWorkers, nChunks)
	lens := make([]int32, len(docs)) // number of ids of each document
	type part struct {
		ids []int32
		cnt []float32
	}
	parts := make([]part, nChunks)
	ready := make([]chan struct{}, nChunks)
	for c := range ready {
		ready[c] = make(chan struct{})
	}
	scratches := make([]Scratch, workers)
	analyzed := make(chan error, 1)
	go func() {
		analyzed <- parallel(ctx, len(docs), workers, func(w, lo, hi int) {
			sc := &scratches[w]
			var p part
			for d := lo; d < hi; d++ {
				e.countIDs(sc, docs[d])
				p.ids = append(p.ids, sc.idx...)
				if transform {
					for _, c := range sc.cnt {
						p.cnt = append(p.cnt, float32(c))
					}
				}
				lens[d] = int32(len(sc.idx))
			}
			parts[lo/chunk] = p
			close(ready[lo/chunk])
		})
	}()

	var X *sparse.Matrix
	if transform {
		nnz := 0
		for _, df := range wantDF {
			nnz += int(df)
		}
		X = &sparse.Matrix{Ptr: make([]int, 1, len(docs)+1), Index: make([]int32, 0, nnz), Value: make([]float32, 0, nnz), Cols: len(e.terms)}
	}
	lib := tfidf.New()
	doc := &idDoc{}
	for c := range nChunks {
		select {
		case <-ready[c]:
		case err := <-analyzed:
			// Analysis stopped; the chunk may still have been finished.
			select {
			case <-ready[c]:
				analyzed <- err // let later iterations see it too
			default:
				return nil, fmt.Errorf("features: fit: %w", err)
			}
		}
		p := parts[c]
		parts[c] = part{}
		off := 0
		for d := c * chunk; d < min((c+1)*chunk, len(docs)); d++ {
			n := int(lens[d])
			doc.ids = doc.ids[:0]
			for _, id := range p.ids[off : off+n] {
				doc.ids = append(doc.ids, int(id))
			}
			off += n
			lib.Add(doc)
			if X != nil {
				X.Ptr = append(X.Ptr, X.Ptr[len(X.Ptr)-1]+n)
			}
		}
		if X != nil {
			X.Index = append(X.Index, p.ids...)
			X.Value = append(X.Value, p.cnt...)
		}
	}
	if err := <-analyzed; err != nil {
		return nil, fmt.Errorf("features: fit: %w", err)
	}
	lib.CalculateIDF()
	if lib.Docs != len(docs) {
		return nil, fmt.Errorf("features: tfidf counted %d documents, want %d", lib.Docs, len(docs))
	}
	for i := range e.idf {
		if got := lib.TF[i]; got != float64(wantDF[i]) {
			return nil, fmt.Errorf("features: tfidf counted df %v for %q, want %d", got, e.terms[i], wantDF[i])
		}
		e.idf[i] = lib.IDF[i] + 1
	}
	if X == nil {
		return nil, nil
	}
	if len(X.Index) != cap(X.Index) {
		return nil, fmt.Errorf("features: the documents hold %d terms, the document frequencies %d", len(X.Index), cap(X.Index))
	}
	err := parallel(ctx, len(docs), workers, func(w, lo, hi int) {
		sc := &scratches[w]
		for d := lo; d < hi; d++ {
			a, b := X.Ptr[d], X.Ptr[d+1]
			sc.x = weigh(e, X.Index[a:b], X.Value[a:b], sc.x, X.Value[a:b])
		}
	})
	if err != nil {
		return nil, fmt.Errorf("features: fit: %w", err)
	}
	return X, nil
}

// dfCounter counts, for one worker, the number of documents each term
// occurs in. Like the Encoder it caches the char terms of each word it has
// seen (as local ids), so repeated words cost one lookup.
type dfCounter struct {
	analyzer  *text.Analyzer
	sc        text.Scratch
	ids       map[string]int32
	terms     []string
	df        []int32
	last      []int32 // last document that counted the term, so repeats count once
	doc       int32
	wordChars map[string]span
	charIDs   []int32
	see       func([]byte, text.Block)
	seeChar   func([]byte, text.Block)
}

func newDFCounter(a *text.Analyzer) *dfCounter {
	c := &dfCounter{analyzer: a, ids: make(map[string]int32, 1<<14), wordChars: make(map[string]span, 1<<12)}
	c.see = func(term []byte, _ text.Block) { c.count(c.id(term)) }
	c.seeChar = func(term []byte, _ text.Block) { c.charIDs = append(c.charIDs, c.id(term)) }
	return c
}

func (c *dfCounter) add(doc string, d int32) {
	c.doc = d
	k := c.analyzer.Split(doc, &c.sc)
	c.analyzer.WordTerms(&c.sc, c.see)
	if c.analyzer.Config().CharMax == 0 {
		return
	}
	for i := range k {
		w := c.sc.Word(i)
		sp, ok := c.wordChars[string(w)]
		if !ok {
			off := len(c.charIDs)
			c.analyzer.CharTerms(&c.sc, i, c.seeChar)
			sp = span{int32(off), int32(len(c.charIDs) - off)}
			c.wordChars[string(w)] = sp
		}
		for _, id := range c.charIDs[sp.off : sp.off+sp.n] {
			c.count(id)
		}
	}
}

// id returns the local id of term, adding it if new.
func (c *dfCounter) id(term []byte) int32 {
	id, ok := c.ids[string(term)]
	if !ok {
		t := string(term)
		id = int32(len(c.terms))
		c.ids[t] = id
		c.terms = append(c.terms, t)
		c.df = append(c.df, 0)
		c.last = append(c.last, -1)
	}
	return id
}

func (c *dfCounter) count(id int32) {
	if c.last[id] != c.doc {
		c.last[id] = c.doc
		c.df[id]++
	}
}

// mergeCounts sums the workers' counts into the first used worker's
// tables. A worker may have taken no chunk at all, leaving its slot nil.
func mergeCounts(cs []*dfCounter) ([]string, []int32) {
	cs = slices.DeleteFunc(cs, func(c *dfCounter) bool { return c == nil })
	base := cs[0]
	for _, c := range cs[1:] {
		for i, t := range c.terms {
			if id, ok := base.ids[t]; ok {
				base.df[id] += c.df[i]
			} else {
				base.ids[t] = int32(len(base.terms))
				base.terms = append(base.terms, t)
				base.df = append(base.df, c.df[i])
			}
		}
	}
	return base.terms, base.df
}

// parallel calls fn(worker, lo, hi) for consecutive chunks of [0,n), chunks
// handed out in order to workers goroutines. It stops early and returns
// the context's error when ctx is done.
func parallel(ctx context.Context, n, workers int, fn func(w, lo, hi int)) error {
	var (
		mu   sync.Mutex
		next int
		wg   sync.WaitGroup
	)
	take := func() (int, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= n || ctx.Err() != nil {
			return 0, false
		}
		lo := next
		next += chunk
		return lo, true
	}
	for w := range max(workers, 1) {
		wg.Go(func() {
			for {
				lo, ok := take()
				if !ok {
					return
				}
				fn(w, lo, min(lo+chunk, n))
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// NumFeatures is the vocabulary size, the dimension of every vector.
func (e *Encoder) NumFeatures() int { return len(e.terms) }

// Term returns the term of feature i, namespace prefix included: "w:la
// grossesse" for a word bigram, "c: gro" for a char n-gram (spaces mark word
// boundaries).
func (e *Encoder) Term(i int) string { return e.terms[i] }

// IDF returns the inverse document frequency of feature i,
// ln(N/df) + 1.
func (e *Encoder) IDF(i int) float64 { return e.idf[i] }

// Block tells whether feature i is a word or a char n-gram.
func (e *Encoder) Block(i int) text.Block {
	if i < e.charEnd {
		return text.Char
	}
	return text.Word
}

// Config returns the configuration the encoder was fitted with.
func (e *Encoder) Config() Config { return e.cfg }

// NumDocs is the number of documents the encoder was fitted on.
func (e *Encoder) NumDocs() int { return e.docs }

// SelectFeatures returns a new encoder whose feature j is e's feature
// keep[j], with the same IDF. keep must be strictly increasing and in
// range. Vectors of the new encoder equal e's restricted to keep before
// normalization; norms are recomputed over the kept features.
func (e *Encoder) SelectFeatures(keep []int32) (*Encoder, error) {
	if e.analyzer == nil {
		return nil, ErrNotFitted
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("features: select: no features kept")
	}
	if err := (sparse.Vector{Index: keep, Value: make([]float32, len(keep))}).Validate(len(e.terms)); err != nil {
		return nil, fmt.Errorf("features: select: %w", err)
	}
	terms := make([]string, len(keep))
	idf := make([]float64, len(keep))
	for j, i := range keep {
		terms[j] = e.terms[i]
		idf[j] = e.idf[i]
	}
	return newEncoder(e.cfg, e.analyzer, terms, idf, e.docs), nil
}
