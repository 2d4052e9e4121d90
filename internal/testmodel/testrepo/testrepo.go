package testrepo

import (
	"context"
	"intent/model"
	"intent/model/dataset"
	"intent/modelrepo"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// WriteModels stores each model as the next version under a new models
// root and returns the root.
func WriteModels(tb testing.TB, models ...*model.Model) string {
	tb.Helper()
	root := tb.TempDir()
	for _, m := range models {
		if _, _, err := modelrepo.WriteVersion(root, m, nil, nil); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// SampleDir is the bundled French sample (data/sample) of this checkout.
func SampleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "data", "sample")
}

// Sample trains on data/sample and writes it as version 1 of a new models
// root, or skips the test when the sample is absent.
func Sample(tb testing.TB) (string, *model.Model) {
	tb.Helper()
	dir := SampleDir()
	if _, err := os.Stat(filepath.Join(dir, "input_train.csv")); err != nil {
		tb.Skipf("skipping: this test trains on the sample data at %s, which is absent (%v)", dir, err)
	}
	ds, err := dataset.Load(dir, dataset.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	m, _, err := model.Train(context.Background(), ds.Examples, model.DefaultConfig(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return WriteModels(tb, m), m
}
