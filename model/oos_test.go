package model

import (
	"testing"

	"intent/model/dataset"
)

func TestScoreAndFitOOS(t *testing.T) {
	ex := []dataset.Example{{Label: "a"}, {Label: "a"}, {Label: "b"}, {Label: "oos"}, {Label: "oos"}}
	preds := []Prediction{
		{Label: "a", Probability: 0.9}, {Label: "b", Probability: 0.6}, {Label: "b", Probability: 0.8},
		{Label: "a", Probability: 0.3}, {Label: "b", Probability: 0.7},
	}
	r := ScoreOOS(preds, ex, "oos", 0.5)
	if r.InScope != 3 || r.OutScope != 2 || r.InScopeAccuracy != 2.0/3 || r.OOSRecall != 0.5 || r.OOSPrecision != 1 || r.Accuracy != 3.0/5 {
		t.Fatalf("ScoreOOS = %+v", r)
	}
	// Between 0.7 and 0.8 both out-of-scope questions fall below, and the
	// two right in-scope answers (0.8, 0.9) stay above: no accuracy lost.
	th, best, err := FitOOSThreshold(preds, ex, "oos", 0)
	if err != nil {
		t.Fatal(err)
	}
	if th != 0.75 || best.OOSRecall != 1 || best.InScopeAccuracy != 2.0/3 {
		t.Fatalf("FitOOSThreshold = %v %+v", th, best)
	}
	// Allowed to lose nothing, it stops before the 0.8 answer; a right
	// answer at 0.75 instead makes the 0.7 question cost accuracy.
	preds[2].Probability = 0.65
	if th, best, _ = FitOOSThreshold(preds, ex, "oos", 0); !(th > 0.3 && th < 0.65) || best.OOSRecall != 0.5 {
		t.Fatalf("no loss allowed: %v %+v", th, best)
	}
	if th, best, _ = FitOOSThreshold(preds, ex, "oos", 0.34); th != 0.8 || best.OOSRecall != 1 {
		t.Fatalf("a third allowed: %v %+v", th, best)
	}
	if _, _, err := FitOOSThreshold(preds[:3], ex[:3], "oos", 0.01); err == nil {
		t.Fatal("fitted a threshold without out-of-scope questions")
	}
}

func TestWithOOSAndFallback(t *testing.T) {
	m := trainTiny(t) // numeric labels 3, 8, 26
	if _, err := m.WithOOS(&OOS{Threshold: 0.5, Label: "oos"}); err == nil {
		t.Fatal("a string fallback on a numeric model was accepted")
	}
	if _, err := m.WithOOS(&OOS{Threshold: 0.5, Label: "8"}); err == nil {
		t.Fatal("a fallback equal to an intent was accepted")
	}
	if _, err := m.WithOOS(&OOS{Threshold: 1.5, Label: "-1"}); err == nil {
		t.Fatal("a threshold over 1 was accepted")
	}
	always, err := m.WithOOS(&OOS{Threshold: 1, Label: "-1", Fitted: "fixed"})
	if err != nil {
		t.Fatal(err)
	}
	p := always.Predict("quelle dose de doliprane")
	if p.Class != FallbackClass || p.Label != "-1" || p.Probability <= 0 {
		t.Fatalf("below the threshold: %+v", p)
	}
	never, _ := m.WithOOS(&OOS{Threshold: 0, Label: "-1"})
	if p := never.Predict("quelle dose de doliprane"); p.Class == FallbackClass {
		t.Fatalf("threshold 0 answered the fallback: %+v", p)
	}
	// The rule survives a save and a load.
	b, err := always.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if o := back.OOS(); o == nil || o.Label != "-1" || o.Threshold != 1 {
		t.Fatalf("OOS after a round trip: %+v", o)
	}
	if m.OOS() != nil {
		t.Fatal("WithOOS changed the original model")
	}
}
