package model

import (
	"context"
	"path/filepath"
	"testing"

	"intent/model/dataset"
)

// sampleDir is the French demo set shipped with the project.
var sampleDir = filepath.Join("..", "data", "sample")

// TestSampleModel is a quality gate in the spirit of jdkato/prose's
// accuracy floors: a regression in text handling, features or the solver
// that hurts the shipped demo fails the build, not a user.
func TestSampleModel(t *testing.T) {
	ds, err := dataset.Load(sampleDir, dataset.Options{})
	if err != nil {
		t.Fatalf("the sample dataset must load: %v", err)
	}
	if len(ds.Rejected) != 0 {
		t.Fatalf("the sample dataset has %d rejected rows: %v", len(ds.Rejected), ds.RejectionSummary())
	}
	m, _, err := Train(context.Background(), ds.Examples, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	const q = "risques poisson cru pendant la grossesse ?"
	if p := m.Predict(q); p.Label != "26" {
		t.Fatalf("Predict(%q) = %s (p=%.3f), want the pregnancy intent 26", q, p.Label, p.Probability)
	}

	// Accuracy on the held-out test questions, whose answers are kept in
	// output_test_key.csv for this purpose.
	test, err := dataset.Load(filepath.Join(sampleDir, "input_test.csv"), dataset.Options{Unlabeled: true})
	if err != nil {
		t.Fatal(err)
	}
	key, err := dataset.LoadLabelNames(filepath.Join(sampleDir, "output_test_key.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var labeled []dataset.Example
	for _, e := range test.Examples {
		if l, ok := key[e.ID]; ok {
			e.Label = l
			labeled = append(labeled, e)
		}
	}
	if len(labeled) < 100 {
		t.Fatalf("only %d test questions have a key", len(labeled))
	}
	rep, _, err := m.Evaluate(context.Background(), labeled)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("sample test set: accuracy %.4f macro-F1 %.4f ECE %.4f -> %.4f", rep.Accuracy, rep.MacroF1, rep.ECEBefore, rep.ECEAfter)
	if rep.Accuracy < 0.80 || rep.MacroF1 < 0.78 {
		t.Fatalf("sample accuracy %.4f / macro-F1 %.4f below the floor 0.80 / 0.78", rep.Accuracy, rep.MacroF1)
	}
}
