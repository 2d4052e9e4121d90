package model

import (
	"fmt"
	"slices"
	"strconv"

	"intent/model/dataset"
)

// OOS is a model's out-of-scope rule: when the probability of the best
// intent is below Threshold, the model answers Label ("none of my
// intents") instead.
type OOS struct {
	Threshold float64 `json:"threshold"`
	Label     string  `json:"label"`
	// Fitted says where the threshold comes from: "fixed", or how it was
	// fitted ("auto on 3,100 validation questions, 100 out of scope").
	Fitted string `json:"fitted"`
}

// FallbackClass is Prediction.Class for an out-of-scope answer: no class
// of the model, Label is the OOS label.
const FallbackClass = -1

// OOS returns the model's out-of-scope rule, nil when it has none.
func (m *Model) OOS() *OOS {
	if m.meta.OOS == nil {
		return nil
	}
	o := *m.meta.OOS
	return &o
}

// WithOOS returns a copy of m that answers o.Label below o.Threshold (nil
// removes the rule). When every label of the model is an integer the
// fallback label must be one too, so that answers keep one JSON type; it
// must not be one of the model's intents.
func (m *Model) WithOOS(o *OOS) (*Model, error) {
	meta := m.Meta()
	if o != nil {
		if !(o.Threshold >= 0 && o.Threshold <= 1) {
			return nil, fmt.Errorf("model: out-of-scope threshold %v is not in [0, 1]", o.Threshold)
		}
		if o.Label == "" {
			return nil, fmt.Errorf("model: the out-of-scope label is empty")
		}
		if slices.Contains(meta.Labels, o.Label) {
			return nil, fmt.Errorf("model: the out-of-scope label %q is one of the model's intents: questions with it must not be trained on", o.Label)
		}
		if m.numeric {
			if _, err := strconv.ParseInt(o.Label, 10, 64); err != nil {
				return nil, fmt.Errorf("model: every intent is a number, so the out-of-scope label must be one too (e.g. -1), not %q", o.Label)
			}
		}
		c := *o
		meta.OOS = &c
	} else {
		meta.OOS = nil
	}
	return newModel(meta, m.enc, m.clf)
}

// Fallback applies the out-of-scope rule to a prediction of the best
// intent.
func (m *Model) Fallback(p Prediction) Prediction {
	if o := m.meta.OOS; o != nil && p.Probability < o.Threshold {
		return Prediction{Class: FallbackClass, Label: o.Label, Probability: p.Probability}
	}
	return p
}

// OOSReport measures an out-of-scope rule on labeled questions, those
// labeled Label being the out-of-scope ones.
type OOSReport struct {
	Label     string  `json:"label"`
	Threshold float64 `json:"threshold"`
	InScope   int     `json:"in_scope"`
	OutScope  int     `json:"out_of_scope"`
	// InScopeAccuracy counts an in-scope question right when its intent
	// is right and not replaced by the fallback; OOSRecall is the share of
	// out-of-scope questions answered with the fallback; OOSPrecision the
	// share of fallback answers that were out of scope; Accuracy is over
	// every question, the fallback being right for the out-of-scope ones.
	InScopeAccuracy float64 `json:"in_scope_accuracy"`
	OOSRecall       float64 `json:"oos_recall"`
	OOSPrecision    float64 `json:"oos_precision"`
	Accuracy        float64 `json:"accuracy"`
}

// ScoreOOS measures the threshold t on the predictions of the best intent
// (as Evaluate returns them, without any fallback) of examples.
func ScoreOOS(preds []Prediction, examples []dataset.Example, label string, t float64) OOSReport {
	r := OOSReport{Label: label, Threshold: t}
	var inRight, outRight, fallbacks int
	for i, e := range examples {
		below := preds[i].Probability < t
		if below {
			fallbacks++
		}
		if e.Label == label {
			r.OutScope++
			if below {
				outRight++
			}
			continue
		}
		r.InScope++
		if !below && preds[i].Label == e.Label {
			inRight++
		}
	}
	r.InScopeAccuracy = ratio(inRight, r.InScope)
	r.OOSRecall = ratio(outRight, r.OutScope)
	r.OOSPrecision = ratio(outRight, fallbacks)
	r.Accuracy = ratio(inRight+outRight, r.InScope+r.OutScope)
	return r
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// DefaultOOSMaxLoss is how much in-scope accuracy FitOOSThreshold may give
// up for out-of-scope recall: one point.
const DefaultOOSMaxLoss = 0.01

// FitOOSThreshold picks the threshold that catches the most out-of-scope
// questions of examples while in-scope accuracy stays within maxLoss of
// its value without a threshold (in-scope questions far outnumber the
// others in use: an answer lost to the fallback is an intent missed).
// Candidates lie midway between the probabilities the predictions take. It
// needs questions of both kinds.
func FitOOSThreshold(preds []Prediction, examples []dataset.Example, label string, maxLoss float64) (float64, OOSReport, error) {
	cands := []float64{0}
	var nOut, nIn int
	for i, e := range examples {
		if e.Label == label {
			nOut++
		} else {
			nIn++
		}
		cands = append(cands, preds[i].Probability)
	}
	if nOut == 0 || nIn == 0 {
		return 0, OOSReport{}, fmt.Errorf("fitting the out-of-scope threshold needs validation questions labeled %q and others: found %d and %d", label, nOut, nIn)
	}
	if !(maxLoss >= 0 && maxLoss <= 1) {
		return 0, OOSReport{}, fmt.Errorf("the in-scope accuracy the out-of-scope threshold may cost, %v, is not in [0, 1]", maxLoss)
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	floor := ScoreOOS(preds, examples, label, 0).InScopeAccuracy - maxLoss
	best := 0.0
	bestRep := ScoreOOS(preds, examples, label, 0)
	for i, c := range cands {
		t := c
		if i+1 < len(cands) {
			t = (c + cands[i+1]) / 2
		}
		r := ScoreOOS(preds, examples, label, t)
		if r.InScopeAccuracy < floor-1e-12 {
			break // accuracy only falls as the threshold rises
		}
		if r.OOSRecall > bestRep.OOSRecall {
			best, bestRep = t, r
		}
	}
	return best, bestRep, nil
}
