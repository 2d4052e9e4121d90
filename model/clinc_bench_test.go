package model

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"intent/model/dataset"
)

// clincPath is the public CLINC150 set, present on development machines
// beside the project and absent from a user's clone: benchmarks skip then.
var clincPath = filepath.Join("..", "..", "shared", "datasets", "clinc150", "data_full.json")

// loadCLINC150 returns the in-scope train and test splits.
func loadCLINC150(tb testing.TB) (train, test []dataset.Example) {
	tb.Helper()
	b, err := os.ReadFile(clincPath)
	if err != nil {
		tb.Skipf("CLINC150 not available (%v); skipping", err)
	}
	var raw map[string][][2]string
	if err := json.Unmarshal(b, &raw); err != nil {
		tb.Fatal(err)
	}
	conv := func(rows [][2]string) []dataset.Example {
		out := make([]dataset.Example, len(rows))
		for i, r := range rows {
			out[i] = dataset.Example{Text: r[0], Label: r[1]}
		}
		return out
	}
	return conv(raw["train"]), conv(raw["test"])
}

// BenchmarkTrainCLINC150 is the whole library pipeline on CLINC150 (15,000
// training questions, 150 intents): featurize, calibration fit, final fit,
// prune, then evaluation on the 4,500 test questions and serialization.
// It reports the quality figures next to the time.
func BenchmarkTrainCLINC150(b *testing.B) {
	train, test := loadCLINC150(b)
	var rep *Report
	var size int
	for b.Loop() {
		m, _, err := Train(context.Background(), train, DefaultConfig(), nil)
		if err != nil {
			b.Fatal(err)
		}
		if rep, _, err = m.Evaluate(context.Background(), test); err != nil {
			b.Fatal(err)
		}
		blob, err := m.MarshalBinary()
		if err != nil {
			b.Fatal(err)
		}
		size = len(blob)
	}
	b.ReportMetric(100*rep.Accuracy, "accuracy%")
	b.ReportMetric(100*rep.MacroF1, "macroF1%")
	b.ReportMetric(rep.ECEBefore, "ECE-before")
	b.ReportMetric(rep.ECEAfter, "ECE-after")
	b.ReportMetric(float64(size)/(1<<20), "model-MiB")
	b.ReportMetric(float64(rep.NFeatures), "features")
}

// clincModel trains once per benchmark binary run for the predict and load
// benchmarks.
func clincModel(b *testing.B) *Model {
	train, _ := loadCLINC150(b)
	m, _, err := Train(context.Background(), train, DefaultConfig(), nil)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkLoadCLINC150 is the model load time a server pays at start.
func BenchmarkLoadCLINC150(b *testing.B) {
	blob, err := clincModel(b).MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(blob)))
	for b.Loop() {
		if _, err := Load(bytes.NewReader(blob)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictCLINC150 is the latency of one question, calibrated
// probability included.
func BenchmarkPredictCLINC150(b *testing.B) {
	m := clincModel(b)
	qs := []string{"how do i transfer money to my savings account", "what's the weather like in paris tomorrow",
		"set an alarm for 7 am", "i need to book a flight to boston", "can you tell me a joke"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(qs[i%len(qs)])
		i++
	}
}

// BenchmarkTrainSample is the pipeline on the shipped French sample.
func BenchmarkTrainSample(b *testing.B) {
	ds, err := dataset.Load(sampleDir, dataset.Options{})
	if err != nil {
		b.Skip(err)
	}
	for b.Loop() {
		if _, _, err := Train(context.Background(), ds.Examples, DefaultConfig(), nil); err != nil {
			b.Fatal(err)
		}
	}
}
