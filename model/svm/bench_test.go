package svm

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"intent/model/sparse"
)

const clincPath = "../../../shared/datasets/clinc150/data_full.json"

// clincData is CLINC150's train and test splits featurized by clincFeaturize.
type clincData struct {
	Xtr, Xte *sparse.Matrix
	Ytr, Yte []int32
	Classes  int
}

var (
	clincOnce sync.Once
	clinc     *clincData
	clincErr  error
)

// loadCLINC featurizes CLINC150 once per test binary, or skips.
func loadCLINC(tb testing.TB) *clincData {
	tb.Helper()
	clincOnce.Do(func() {
		raw, err := os.ReadFile(clincPath)
		if err != nil {
			clincErr = err
			return
		}
		var d map[string][][2]string
		if err := json.Unmarshal(raw, &d); err != nil {
			clincErr = err
			return
		}
		labels := map[string]int32{}
		lab := func(s string) int32 {
			if c, ok := labels[s]; ok {
				return c
			}
			labels[s] = int32(len(labels))
			return labels[s]
		}
		var trText, teText []string
		var ytr, yte []int32
		for _, p := range d["train"] {
			trText = append(trText, p[0])
			ytr = append(ytr, lab(p[1]))
		}
		for _, p := range d["test"] {
			teText = append(teText, p[0])
			yte = append(yte, lab(p[1]))
		}
		f := newHashFeaturizer(trText, 1)
		clinc = &clincData{Xtr: f.transform(trText), Xte: f.transform(teText), Ytr: ytr, Yte: yte, Classes: len(labels)}
	})
	if clincErr != nil {
		tb.Skipf("CLINC150 not available: %v", clincErr)
	}
	return clinc
}

// hashFeaturizer is a rough, self-contained stand-in for model/features:
// word 1-2-grams and char_wb 2-5-grams, hashed, sublinear TF, smooth IDF,
// each block L2-normalized (so rows have norm √2).
type hashFeaturizer struct {
	vocab map[uint64]int32
	idf   []float64
}

func tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func hashTerm(block byte, s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte{block})
	h.Write([]byte(s))
	return h.Sum64()
}

// terms returns the hashed terms of both blocks with their counts.
func terms(doc string) (word, char map[uint64]int) {
	word, char = map[uint64]int{}, map[uint64]int{}
	toks := tokenize(doc)
	for i, t := range toks {
		word[hashTerm('w', t)]++
		if i > 0 {
			word[hashTerm('w', toks[i-1]+" "+t)]++
		}
		r := []rune(" " + t + " ")
		for n := 2; n <= 5; n++ {
			for a := 0; a+n <= len(r); a++ {
				char[hashTerm('c', string(r[a:a+n]))]++
			}
		}
	}
	return word, char
}

func newHashFeaturizer(docs []string, minDF int) *hashFeaturizer {
	df := map[uint64]int{}
	for _, d := range docs {
		w, c := terms(d)
		for h := range w {
			df[h]++
		}
		for h := range c {
			df[h]++
		}
	}
	keys := make([]uint64, 0, len(df))
	for h, n := range df {
		if n >= minDF {
			keys = append(keys, h)
		}
	}
	slices.Sort(keys)
	f := &hashFeaturizer{vocab: map[uint64]int32{}, idf: make([]float64, len(keys))}
	for i, h := range keys {
		f.vocab[h] = int32(i)
		f.idf[i] = math.Log(float64(1+len(docs))/float64(1+df[h])) + 1
	}
	return f
}

func (f *hashFeaturizer) transform(docs []string) *sparse.Matrix {
	m := sparse.NewMatrix(len(f.idf))
	for _, d := range docs {
		w, c := terms(d)
		var idx []int32
		var val []float32
		for _, block := range []map[uint64]int{w, c} {
			start := len(idx)
			var norm float64
			for h, n := range block {
				j, ok := f.vocab[h]
				if !ok {
					continue
				}
				v := (1 + math.Log(float64(n))) * f.idf[j]
				idx = append(idx, j)
				val = append(val, float32(v))
				norm += v * v
			}
			norm = math.Sqrt(norm)
			for k := start; k < len(val); k++ {
				val[k] = float32(float64(val[k]) / norm)
			}
		}
		order := make([]int, len(idx))
		for k := range order {
			order[k] = k
		}
		slices.SortFunc(order, func(a, b int) int { return int(idx[a]) - int(idx[b]) })
		v := sparse.Vector{Index: make([]int32, len(idx)), Value: make([]float32, len(idx))}
		for k, o := range order {
			v.Index[k], v.Value[k] = idx[o], val[o]
		}
		m.Append(v)
	}
	return m
}

// synthetic builds a CLINC-shaped problem: rows mix class-specific features
// with Zipf-distributed common ones, L2-normalized.
func synthetic(rows, classes, features, nnz int, seed uint64) (*sparse.Matrix, []int32) {
	r := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(r, 1.1, 10, uint64(features-1))
	X := sparse.NewMatrix(features)
	y := make([]int32, rows)
	topic := 300
	for i := range rows {
		c := int32(i % classes)
		y[i] = c
		set := map[int32]float32{}
		for len(set) < nnz/3 {
			set[int32((int(c)*topic+r.IntN(topic))%features)] = r.Float32() + 0.5
		}
		for len(set) < nnz {
			set[int32(zipf.Uint64())] = r.Float32()
		}
		v := sparse.Vector{}
		for j := range set {
			v.Index = append(v.Index, j)
		}
		slices.Sort(v.Index)
		var norm float64
		for _, j := range v.Index {
			v.Value = append(v.Value, set[j])
			norm += float64(set[j]) * float64(set[j])
		}
		for k := range v.Value {
			v.Value[k] = float32(float64(v.Value[k]) / math.Sqrt(norm))
		}
		X.Append(v)
	}
	return X, y
}

func accuracy(m *Linear, X *sparse.Matrix, y []int32) float64 {
	ok := 0
	buf := make([]float32, m.Classes)
	for i := range X.Rows() {
		if argmax(m.Decision(X.Row(i), buf)) == int(y[i]) {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

func benchFit(b *testing.B, X *sparse.Matrix, y []int32, classes int, cfg Config, Xte *sparse.Matrix, yte []int32) {
	b.Helper()
	var m *Linear
	c0 := cpuTime()
	for b.Loop() {
		var err error
		m, err = Fit(context.Background(), X, y, classes, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op")
	if Xte != nil {
		b.ReportMetric(100*accuracy(m, Xte, yte), "test-acc-%")
	}
}

func BenchmarkFitCLINC(b *testing.B) {
	d := loadCLINC(b)
	b.Logf("CLINC150: %d train rows, %d features, %.0f nnz/row", d.Xtr.Rows(), d.Xtr.Cols, float64(d.Xtr.NNZ())/float64(d.Xtr.Rows()))
	for _, s := range []Solver{L2LossDual, CrammerSinger, L1LossDual} {
		b.Run(s.String(), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Solver = s
			benchFit(b, d.Xtr, d.Ytr, d.Classes, cfg, d.Xte, d.Yte)
		})
	}
}

func BenchmarkFitSynthetic(b *testing.B) {
	X, y := synthetic(5000, 50, 80000, 200, 1)
	for _, s := range []Solver{L2LossDual, CrammerSinger} {
		b.Run(s.String(), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Solver = s
			benchFit(b, X, y, 50, cfg, nil, nil)
		})
	}
}

func BenchmarkDecision(b *testing.B) {
	X, y := synthetic(2000, 150, 80000, 200, 2)
	m, err := Fit(context.Background(), X, y, 150, DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float32, m.Classes)
	i := 0
	for b.Loop() {
		out = m.Decision(X.Row(i%X.Rows()), out)
		i++
	}
}
