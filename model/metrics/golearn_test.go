// This file compares Evaluate with github.com/sjwhitworth/golearn/evaluation,
// an independent implementation, wherever golearn is defined (every class
// predicted and present), and pins the cases where it is not.
// golearn/evaluation builds without cgo, so it runs under -race.

package metrics

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/sjwhitworth/golearn/evaluation"
)

// toGolearn converts a confusion matrix to golearn's map form, keeping only
// non-zero cells as golearn's GetConfusionMatrix does.
func toGolearn(labels []string, conf [][]int) evaluation.ConfusionMatrix {
	m := evaluation.ConfusionMatrix{}
	for i, row := range conf {
		for j, c := range row {
			if c == 0 {
				continue
			}
			if m[labels[i]] == nil {
				m[labels[i]] = map[string]int{}
			}
			m[labels[i]][labels[j]] = c
		}
	}
	return m
}

// TestAgreesWithGolearn draws random confusion matrices in which every class
// has support and is predicted at least once, where golearn is well defined.
func TestAgreesWithGolearn(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 50 {
		k := 2 + rng.IntN(14)
		labels := make([]string, k)
		for i := range labels {
			labels[i] = strconv.Itoa(i * 3)
		}
		conf := make([][]int, k)
		for i := range conf {
			conf[i] = make([]int, k)
			for j := range conf[i] {
				if rng.IntN(3) == 0 {
					conf[i][j] = rng.IntN(8)
				}
			}
			conf[i][i] += 1 + rng.IntN(30) // support and a prediction for every class
		}
		r, err := FromConfusion(labels, conf)
		if err != nil {
			t.Fatal(err)
		}
		g := toGolearn(labels, conf)
		check := func(name string, ours, theirs float64) {
			t.Helper()
			if math.IsNaN(theirs) || !near(ours, theirs, 1e-12) {
				t.Errorf("trial %d (k=%d): %s = %.15g, golearn %.15g", trial, k, name, ours, theirs)
			}
		}
		check("accuracy", r.Accuracy, evaluation.GetAccuracy(g))
		check("micro precision", r.MicroPrecision, evaluation.GetMicroPrecision(g))
		check("micro recall", r.MicroRecall, evaluation.GetMicroRecall(g))
		check("macro precision", r.MacroPrecision, evaluation.GetMacroPrecision(g))
		check("macro recall", r.MacroRecall, evaluation.GetMacroRecall(g))
		var macroF1 float64
		for _, c := range r.PerClass {
			check(c.Label+" precision", c.Precision, evaluation.GetPrecision(c.Label, g))
			check(c.Label+" recall", c.Recall, evaluation.GetRecall(c.Label, g))
			f := evaluation.GetF1Score(c.Label, g)
			check(c.Label+" f1", c.F1, f)
			macroF1 += f
		}
		// golearn has no macro F1; the mean of its per-class F1 is sklearn's.
		check("macro f1", r.MacroF1, macroF1/float64(k))
	}
}

// TestGolearnNaNWhenClassNeverPredicted pins the case golearn gets wrong: a
// class that is never predicted has precision 0/0, which golearn returns as
// NaN and which poisons its macro precision and that class's F1. We follow
// scikit-learn's zero_division=0 and score it 0.
func TestGolearnNaNWhenClassNeverPredicted(t *testing.T) {
	labels := []string{"a", "b", "c"}
	conf := [][]int{
		{3, 1, 0},
		{0, 2, 0},
		{1, 1, 0}, // c has support 2, never predicted
	}
	r, err := FromConfusion(labels, conf)
	if err != nil {
		t.Fatal(err)
	}
	g := toGolearn(labels, conf)

	if p := evaluation.GetPrecision("c", g); !math.IsNaN(p) {
		t.Errorf("golearn precision of c = %v, expected NaN", p)
	}
	if f := evaluation.GetF1Score("c", g); !math.IsNaN(f) {
		t.Errorf("golearn F1 of c = %v, expected NaN", f)
	}
	if p := evaluation.GetMacroPrecision(g); !math.IsNaN(p) {
		t.Errorf("golearn macro precision = %v, expected NaN", p)
	}
	// sklearn: precision_recall_fscore_support(..., average='macro',
	// zero_division=0) gives (3/4 + 2/4 + 0) / 3.
	checkNear(t, "our macro precision", r.MacroPrecision, (0.75+0.5)/3)
	checkNear(t, "our precision of c", r.PerClass[2].Precision, 0)
	checkNear(t, "our F1 of c", r.PerClass[2].F1, 0)
	// Where golearn is defined it still agrees.
	checkNear(t, "macro recall", r.MacroRecall, evaluation.GetMacroRecall(g))
	checkNear(t, "accuracy", r.Accuracy, evaluation.GetAccuracy(g))
}

// TestGolearnIgnoresClassesWithoutSupport pins a second difference: golearn
// iterates over the rows of its map, i.e. true classes only. A class that is
// predicted but never true is left out of its macro averages, and wrong
// predictions into it are not counted as false positives in its micro
// precision, which then exceeds the accuracy.
func TestGolearnIgnoresClassesWithoutSupport(t *testing.T) {
	labels := []string{"a", "b", "x"}
	conf := [][]int{
		{3, 0, 1}, // one a predicted as x, which never occurs as truth
		{1, 3, 0},
		{0, 0, 0},
	}
	r, err := FromConfusion(labels, conf)
	if err != nil {
		t.Fatal(err)
	}
	g := toGolearn(labels, conf)
	checkNear(t, "our micro precision", r.MicroPrecision, 6.0/8)
	if p := evaluation.GetMicroPrecision(g); !near(p, 6.0/7, 1e-12) {
		t.Errorf("golearn micro precision = %v, expected 6/7", p)
	}
	// Ours: (3/4 + 3/3 + 0) / 3; golearn averages a and b only.
	checkNear(t, "our macro precision", r.MacroPrecision, (0.75+1)/3)
	if p := evaluation.GetMacroPrecision(g); !near(p, (0.75+1)/2, 1e-12) {
		t.Errorf("golearn macro precision = %v, expected 7/8", p)
	}
}
