package features

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"
	"time"
)

const clincPath = "/work/shared/datasets/clinc150/data_full.json"

// clincTrain returns the 15,000 CLINC150 training texts, or skips when the
// dataset is absent.
func clincTrain(tb testing.TB) []string {
	tb.Helper()
	raw, err := os.ReadFile(clincPath)
	if err != nil {
		tb.Skipf("CLINC150 not available: %v", err)
	}
	var data struct {
		Train [][]string `json:"train"`
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		tb.Fatal(err)
	}
	docs := make([]string, 0, len(data.Train))
	for _, row := range data.Train {
		if len(row) != 2 {
			tb.Fatalf("CLINC150 row %q is not [text, intent]", row)
		}
		docs = append(docs, row[0])
	}
	return docs
}

func TestCLINCFeatureCounts(t *testing.T) {
	if testing.Short() {
		t.Skip("fits CLINC150 three times")
	}
	docs := clincTrain(t)
	for _, minDF := range []int{1, 2, 3} {
		cfg := DefaultConfig()
		cfg.MinDF = minDF
		start := time.Now()
		e, err := Fit(context.Background(), docs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.TransformAll(context.Background(), docs, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		t.Logf("min-df %d: %d features (%d char), %d nnz, fit+transform %v",
			minDF, e.NumFeatures(), e.charEnd, m.NNZ(), time.Since(start))
	}
}

func BenchmarkCLINCFit(b *testing.B) {
	docs := clincTrain(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(context.Background(), docs, DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCLINCFitTransformAll(b *testing.B) {
	docs := clincTrain(b)
	b.ReportAllocs()
	for b.Loop() {
		e, err := Fit(context.Background(), docs, DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.TransformAll(context.Background(), docs, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCLINCTransformAll(b *testing.B) {
	docs := clincTrain(b)
	e := mustFit(b, docs, DefaultConfig())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.TransformAll(context.Background(), docs, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCLINCComputeIDF isolates the go-nlp/tfidf step of Fit: parallel
// re-analysis into unique ids plus the single-goroutine Add loop.
func BenchmarkCLINCComputeIDF(b *testing.B) {
	docs := clincTrain(b)
	e := mustFit(b, docs, DefaultConfig())
	df := make([]int32, e.NumFeatures())
	for i := range df {
		df[i] = int32(math.Round(float64(e.NumDocs()) / math.Exp(e.IDF(i)-1)))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.computeIDF(context.Background(), docs, df, false, 0); err != nil {
			b.Fatal(err)
		}
	}
}
