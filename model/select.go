package model

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// Strategy is how Select ranks unlabeled questions by how much labeling
// them is expected to teach the model (uncertainty sampling, Settles 2009).
// Every strategy gives a score where higher means more worth labeling; the
// formulas, on the calibrated probabilities p (sorted so that
// p(1) ≥ p(2) ≥ … ≥ p(k)), are:
//
//	Margin:         1 − (p(1) − p(2))            in [0, 1]
//	Entropy:        −Σ_j p_j ln p_j (0 ln 0 = 0) in [0, ln k] nats
//	LeastConfident: 1 − p(1)                     in [0, 1 − 1/k]
//	Random:         a uniform draw in [0, 1) fixed by (seed, index)
//
// Random ignores the model and is the baseline the others are compared to.
type Strategy int

const (
	// Margin prefers questions whose two most likely intents are closest.
	Margin Strategy = iota
	// Entropy prefers questions whose whole distribution is the flattest.
	Entropy
	// LeastConfident prefers questions whose most likely intent is least likely.
	LeastConfident
	// Random picks questions uniformly at random (a seeded baseline).
	Random
)

var strategyNames = [...]string{Margin: "margin", Entropy: "entropy", LeastConfident: "least-confident", Random: "random"}

// Strategies lists every strategy, in declaration order.
func Strategies() []Strategy { return []Strategy{Margin, Entropy, LeastConfident, Random} }

// String returns the name ParseStrategy accepts.
func (s Strategy) String() string {
	if s < 0 || int(s) >= len(strategyNames) {
		return fmt.Sprintf("Strategy(%d)", int(s))
	}
	return strategyNames[s]
}

// ParseStrategy reads "margin", "entropy", "least-confident" or "random"
// (case-insensitive).
func ParseStrategy(name string) (Strategy, error) {
	for i, n := range strategyNames {
		if strings.EqualFold(name, n) {
			return Strategy(i), nil
		}
	}
	return 0, fmt.Errorf("model: unknown selection strategy %q (want %s)", name, strings.Join(strategyNames[:], ", "))
}

// Score is the informativeness of a question whose calibrated probabilities
// are p, by the formula of the strategy (see Strategy); higher means more
// worth labeling. p is not modified. Random has no formula on p: its Score
// is 0 and Select draws its scores from the seed. An empty p scores 0.
func (s Strategy) Score(p []float64) float64 {
	if len(p) == 0 {
		return 0
	}
	switch s {
	case Margin:
		p1, p2 := top2(p)
		return 1 - (p1 - p2)
	case Entropy:
		var h float64
		for _, x := range p {
			if x > 0 {
				h -= x * math.Log(x)
			}
		}
		return h
	case LeastConfident:
		p1, _ := top2(p)
		return 1 - p1
	}
	return 0
}

// top2 returns the largest and second largest values of p (the second is 0
// when p has one element).
func top2(p []float64) (p1, p2 float64) {
	p1, p2 = math.Inf(-1), math.Inf(-1)
	for _, x := range p {
		if x > p1 {
			p1, p2 = x, p1
		} else if x > p2 {
			p2 = x
		}
	}
	if math.IsInf(p2, -1) {
		p2 = 0
	}
	return p1, p2
}

// randomScore is a uniform draw in [0, 1) that depends only on seed and i
// (SplitMix64 of both), so Random gives the same picks whatever the number
// of workers and a different uniform sample for every seed.
func randomScore(seed int64, i int) float64 {
	z := uint64(seed)*0x9e3779b97f4a7c15 + uint64(i)
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// Selection is one question Select picked.
type Selection struct {
	Index       int     // position in the texts given to Select
	Text        string  // the question
	Score       float64 // the strategy's score (higher is more worth labeling)
	Class       int     // predicted class index
	Label       string  // predicted intent
	Probability float64 // calibrated probability of the predicted intent
}

// before is Select's order: higher score first, then lower index. It is a
// strict total order on distinct indices, so results are deterministic.
func before(a, b Selection) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.Index < b.Index
}

// worstFirst is a bounded heap whose root is the selection that would be
// dropped first.
type worstFirst []Selection

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return before(h[j], h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(Selection)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// offer keeps s if it is among the n best seen so far.
func (h *worstFirst) offer(s Selection, n int) {
	if h.Len() < n {
		heap.Push(h, s)
		return
	}
	if before(s, (*h)[0]) {
		(*h)[0] = s
		heap.Fix(h, 0)
	}
}

// selectParallelMin is the number of texts from which Select uses more
// than one worker; below it starting goroutines costs more than it saves.
const selectParallelMin = 256

// Select returns the n texts most worth labeling under strategy s, most
// informative first (ties broken by lower index), or every text ranked when
// n exceeds len(texts). seed only matters for Random. Each text is scored
// once (Scores, then Probabilities) and only kept if among the n best so
// far, so memory is O(n + classes) per worker whatever len(texts); workers
// split texts across cores and the result does not depend on their number.
// An empty texts gives an empty result; n must be at least 1.
func (m *Model) Select(ctx context.Context, texts []string, n int, s Strategy, seed int64) ([]Selection, error) {
	if m == nil || m.enc == nil || m.clf == nil {
		return nil, ErrNotFitted
	}
	if n < 1 {
		return nil, fmt.Errorf("model: select %d texts: need at least 1", n)
	}
	if s < 0 || int(s) >= len(strategyNames) {
		return nil, fmt.Errorf("model: unknown selection strategy %v", s)
	}
	n = min(n, len(texts))
	if n == 0 {
		return []Selection{}, nil
	}
	workers := 1
	if len(texts) >= selectParallelMin {
		workers = min(runtime.GOMAXPROCS(0), len(texts)/(selectParallelMin/2))
	}
	chunk := (len(texts) + workers - 1) / workers
	heaps := make([]worstFirst, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(texts))
		if lo >= hi {
			break
		}
		wg.Go(func() {
			h := make(worstFirst, 0, min(n, hi-lo))
			var sc scratch
			scores := make([]float32, m.NumClasses())
			probs := make([]float64, m.NumClasses())
			for i := lo; i < hi; i++ {
				if (i-lo)%256 == 0 && ctx.Err() != nil {
					return
				}
				x := m.enc.TransformInto(&sc.fs, texts[i])
				scores = m.clf.Decision(x, scores)
				probs = m.Probabilities(scores, probs)
				best := argmax(scores)
				score := s.Score(probs)
				if s == Random {
					score = randomScore(seed, i)
				}
				if math.IsNaN(score) {
					score = math.Inf(-1) // keeps the order total; such a text goes last
				}
				h.offer(Selection{Index: i, Text: texts[i], Score: score, Class: best,
					Label: m.meta.Labels[best], Probability: probs[best]}, n)
			}
			heaps[w] = h
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var all []Selection
	for _, h := range heaps {
		all = append(all, h...)
	}
	slices.SortFunc(all, func(a, b Selection) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
	return all[:n], nil
}
