package features

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"

	"intent/model/sparse"
	"intent/model/text"
)

// Scratch holds the buffers TransformInto reuses. The zero value is ready;
// one Scratch serves one goroutine at a time (keep one per worker, or in a
// sync.Pool).
type Scratch struct {
	text  text.Scratch
	index map[string]int32 // vocabulary of the encoder being applied
	ids   []int32          // feature id of every known term occurrence
	seen  []uint64         // bitset over features, all zero between calls
	count []uint32         // occurrences per feature, all zero between calls
	cnt   []uint32         // count of each id in idx
	idx   []int32
	val   []float32
	x     []float64
	emit  func([]byte, text.Block) // sc.see, bound once so calls do not allocate
}

func (sc *Scratch) see(term []byte, _ text.Block) {
	if id, ok := sc.index[string(term)]; ok {
		sc.ids = append(sc.ids, id)
	}
}

// countIDs analyzes doc and leaves in sc.idx the distinct known feature
// ids, increasing, and in sc.cnt their number of occurrences. Counting in a
// feature-indexed array and walking a bitset is several times cheaper than
// sorting the occurrences; both arrays are cleared as they are read, so the
// cost per document does not depend on the vocabulary size beyond the
// bitset walk (one word per 64 features between the smallest and largest id).
func (e *Encoder) countIDs(sc *Scratch, doc string) {
	if sc.emit == nil {
		sc.emit = sc.see
	}
	sc.index = e.index
	sc.ids = sc.ids[:0]
	k := e.analyzer.Split(doc, &sc.text)
	e.analyzer.WordTerms(&sc.text, sc.emit)
	for i := 0; i < k && e.cfg.Text.CharMax > 0; i++ {
		if sp, ok := e.wordChars[string(sc.text.Word(i))]; ok {
			sc.ids = append(sc.ids, e.charIDs[sp.off:sp.off+sp.n]...)
		} else {
			e.analyzer.CharTerms(&sc.text, i, sc.emit)
		}
	}
	sc.index = nil

	sc.idx, sc.cnt = sc.idx[:0], sc.cnt[:0]
	if len(sc.ids) == 0 {
		return
	}
	n := len(e.terms)
	if len(sc.count) < n {
		sc.count = make([]uint32, n)
		sc.seen = make([]uint64, (n+63)/64)
	}
	lo, hi := len(sc.seen), 0
	for _, id := range sc.ids {
		w := int(id >> 6)
		sc.seen[w] |= 1 << (id & 63)
		sc.count[id]++
		lo, hi = min(lo, w), max(hi, w)
	}
	for w := lo; w <= hi; w++ {
		for set := sc.seen[w]; set != 0; set &= set - 1 {
			id := int32(w<<6 + bits.TrailingZeros64(set))
			sc.idx = append(sc.idx, id)
			sc.cnt = append(sc.cnt, sc.count[id])
			sc.count[id] = 0
		}
		sc.seen[w] = 0
	}
}

// Transform returns the TF-IDF vector of doc in a newly allocated Vector.
// Terms not in the vocabulary are ignored; an unfitted encoder or a
// document without known terms gives an empty vector.
func (e *Encoder) Transform(doc string) sparse.Vector {
	var sc Scratch
	return e.TransformInto(&sc, doc)
}

// TransformInto is Transform writing into sc's buffers: once sc has grown
// it does not allocate. The result aliases sc and is valid until the next
// call with sc; copy it (or use TransformAll) to keep it.
func (e *Encoder) TransformInto(sc *Scratch, doc string) sparse.Vector {
	if e == nil || e.analyzer == nil {
		return sparse.Vector{}
	}
	e.countIDs(sc, doc)
	sc.val = slices.Grow(sc.val[:0], len(sc.idx))[:len(sc.idx)]
	sc.x = weigh(e, sc.idx, sc.cnt, sc.x, sc.val)
	n := len(sc.idx)
	return sparse.Vector{Index: sc.idx[:n:n], Value: sc.val[:n:n]}
}

// weigh sets val[k] to the weight of feature idx[k] occurring cnt[k] times
// in a document: (sublinear) tf times IDF, scaled by the block norms. cnt
// and val may be the same slice (FitTransform weighs in place). x is
// scratch, returned for reuse.
func weigh[T uint32 | float32](e *Encoder, idx []int32, cnt []T, x []float64, val []float32) []float64 {
	x = x[:0]
	var ssChar, ssWord float64 // sums of squares per block
	for k, id := range idx {
		tf := float64(cnt[k])
		if e.cfg.Sublinear {
			tf = sublinear(uint32(cnt[k]))
		}
		v := tf * e.idf[id]
		if int(id) < e.charEnd {
			ssChar += v * v
		} else {
			ssWord += v * v
		}
		x = append(x, v)
	}
	charScale, wordScale := e.cfg.CharWeight, e.cfg.WordWeight
	if e.cfg.BlockNorm {
		charScale = safeDiv(charScale, math.Sqrt(ssChar))
		wordScale = safeDiv(wordScale, math.Sqrt(ssWord))
	} else {
		norm := math.Sqrt(charScale*charScale*ssChar + wordScale*wordScale*ssWord)
		charScale = safeDiv(charScale, norm)
		wordScale = safeDiv(wordScale, norm)
	}
	val = val[:len(x)]
	for k, v := range x {
		if int(idx[k]) < e.charEnd {
			val[k] = float32(v * charScale)
		} else {
			val[k] = float32(v * wordScale)
		}
	}
	return x
}

// safeDiv is a/b, or 0 when b is 0 (an empty block stays empty).
func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// TransformAll transforms docs on workers goroutines (GOMAXPROCS when
// workers <= 0). Row i is Transform(docs[i]) whatever the worker count.
func (e *Encoder) TransformAll(ctx context.Context, docs []string, workers int) (*sparse.Matrix, error) {
	if e == nil || e.analyzer == nil {
		return nil, ErrNotFitted
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, (len(docs)+chunk-1)/chunk)
	type part struct {
		idx  []int32
		val  []float32
		lens []int
	}
	parts := make([]part, (len(docs)+chunk-1)/chunk)
	scratches := make([]Scratch, max(workers, 1))
	err := parallel(ctx, len(docs), workers, func(w, lo, hi int) {
		sc := &scratches[w]
		var p part
		p.lens = make([]int, 0, hi-lo)
		for d := lo; d < hi; d++ {
			v := e.TransformInto(sc, docs[d])
			p.idx = append(p.idx, v.Index...)
			p.val = append(p.val, v.Value...)
			p.lens = append(p.lens, len(v.Index))
		}
		parts[lo/chunk] = p
	})
	if err != nil {
		return nil, fmt.Errorf("features: transform: %w", err)
	}
	nnz := 0
	for _, p := range parts {
		nnz += len(p.idx)
	}
	m := &sparse.Matrix{
		Ptr:   make([]int, 1, len(docs)+1),
		Index: make([]int32, 0, nnz),
		Value: make([]float32, 0, nnz),
		Cols:  len(e.terms),
	}
	for _, p := range parts {
		m.Index = append(m.Index, p.idx...)
		m.Value = append(m.Value, p.val...)
		for _, n := range p.lens {
			m.Ptr = append(m.Ptr, m.Ptr[len(m.Ptr)-1]+n)
		}
	}
	return m, nil
}

// sublinearTable holds 1 + ln(c) for small counts: almost every term of a
// question occurs once or twice, and a logarithm per term was a tenth of
// the predict path.
var sublinearTable = func() (t [32]float64) {
	for c := 1; c < len(t); c++ {
		t[c] = 1 + math.Log(float64(c))
	}
	return t
}()

// sublinear is the sublinear term frequency 1 + ln(c), for c >= 1.
func sublinear(c uint32) float64 {
	if c < uint32(len(sublinearTable)) {
		return sublinearTable[c]
	}
	return 1 + math.Log(float64(c))
}
