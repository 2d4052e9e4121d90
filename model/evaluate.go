package model

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"intent/model/calibration"
	"intent/model/dataset"
	"intent/model/metrics"
)

// ECEBins is the number of equal-width confidence bins of the calibration
// error in reports.
const ECEBins = 15

// Report is what report.json holds: the metrics of a model on a labeled set
// plus how the model was trained and how the data looked.
type Report struct {
	*metrics.Report
	ECEBefore     float64    `json:"ece_before"`
	ECEAfter      float64    `json:"ece_after"`
	Temperature   float64    `json:"temperature"`
	NTrain        int        `json:"n_train"`
	NValid        int        `json:"n_valid"`
	NFeatures     int        `json:"n_features"`
	TrainSeconds  float64    `json:"train_seconds"`
	UnknownLabels []string   `json:"unknown_labels,omitempty"`
	Train         *TrainInfo `json:"train,omitempty"`
	Data          *DataInfo  `json:"data,omitempty"`
	Model         *Metadata  `json:"model,omitempty"`
	// OOS measures the out-of-scope rule on these questions, when the
	// model has one; Test is the report on a separate test set
	// (--test-data), when one was given.
	OOS  *OOSReport `json:"oos,omitempty"`
	Test *Report    `json:"test,omitempty"`
}

// DataInfo says where the data came from, what could not be used and how
// it was split.
type DataInfo struct {
	Sources   []string          `json:"sources"`
	Format    string            `json:"format"`
	Rows      int               `json:"rows"`
	Rejected  int               `json:"rejected"`
	Reasons   map[string]int    `json:"rejected_reasons,omitempty"`
	Check     *dataset.Report   `json:"check,omitempty"`
	TooSmall  []string          `json:"too_small_to_split,omitempty"`
	PerLabel  map[string][2]int `json:"per_label,omitempty"`
	ValidFrom string            `json:"valid_from"`
	// RefitOn, when not 0, is how many questions the exported model was
	// trained on after the evaluation (--refit): the metrics are those of
	// a model that did not see the validation questions.
	RefitOn int `json:"refit_on,omitempty"`
	// OOSTrainDropped counts the out-of-scope questions kept out of
	// training (they only fit and measure the out-of-scope threshold).
	OOSTrainDropped int `json:"oos_train_dropped,omitempty"`
}

// Evaluate predicts every example and measures the predictions against the
// labels. Labels the model does not know are kept in the report (their
// recall is 0) and listed in UnknownLabels. The report carries 95 %
// confidence intervals of the accuracy and the macro-F1: a percentile
// bootstrap over the examples (1,000 resamples, seed
// metrics.DefaultBootstrapSeed, computed from counts in a few milliseconds).
func (m *Model) Evaluate(ctx context.Context, examples []dataset.Example) (*Report, []Prediction, error) {
	if len(examples) == 0 {
		return nil, nil, fmt.Errorf("model: no examples to evaluate")
	}
	labels := slices.Clone(m.meta.Labels)
	index := make(map[string]int32, len(labels))
	for i, l := range labels {
		index[l] = int32(i)
	}
	var unknown []string
	for _, e := range examples {
		if _, ok := index[e.Label]; !ok {
			index[e.Label] = -1
			unknown = append(unknown, e.Label)
		}
	}
	if len(unknown) > 0 {
		metrics.SortLabels(unknown)
		labels = append(labels, unknown...)
		metrics.SortLabels(labels)
		for i, l := range labels {
			index[l] = int32(i)
		}
	}
	// Map model classes to report label indices (they differ when unknown
	// labels were merged in).
	classTo := make([]int32, m.NumClasses())
	for c, l := range m.meta.Labels {
		classTo[c] = index[l]
	}

	preds, confBefore, err := m.predictAll(ctx, examples)
	if err != nil {
		return nil, nil, err
	}
	yTrue := make([]int32, len(examples))
	yPred := make([]int32, len(examples))
	correct := make([]bool, len(examples))
	confAfter := make([]float64, len(examples))
	for i, e := range examples {
		yTrue[i] = index[e.Label]
		yPred[i] = classTo[preds[i].Class]
		correct[i] = yTrue[i] == yPred[i]
		confAfter[i] = preds[i].Probability
	}
	rep, err := metrics.Evaluate(labels, yTrue, yPred)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	if err := rep.Bootstrap(metrics.BootstrapOptions{Seed: metrics.DefaultBootstrapSeed}); err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	before, err := metrics.ECE(confBefore, correct, ECEBins)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	after, err := metrics.ECE(confAfter, correct, ECEBins)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	meta := m.Meta()
	return &Report{
		Report:        rep,
		ECEBefore:     before,
		ECEAfter:      after,
		Temperature:   m.meta.Temperature,
		NTrain:        m.meta.NTrain,
		NValid:        len(examples),
		NFeatures:     m.enc.NumFeatures(),
		UnknownLabels: unknown,
		Model:         &meta,
	}, preds, nil
}

// predictAll predicts in parallel; it also returns the top probability under
// a plain softmax (temperature 1), the uncalibrated confidence.
func (m *Model) predictAll(ctx context.Context, examples []dataset.Example) ([]Prediction, []float64, error) {
	preds := make([]Prediction, len(examples))
	raw := make([]float64, len(examples))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(examples) + workers - 1) / workers
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(examples))
		if lo >= hi {
			break
		}
		wg.Go(func() {
			scores := make([]float32, m.NumClasses())
			probs := make([]float64, m.NumClasses())
			var s scratch
			for i := lo; i < hi; i++ {
				if i%256 == 0 && ctx.Err() != nil {
					return
				}
				x := m.enc.TransformInto(&s.fs, examples[i].Text)
				scores = m.clf.Decision(x, scores)
				best := argmax(scores)
				probs = m.Probabilities(scores, probs)
				preds[i] = Prediction{Class: best, Label: m.meta.Labels[best], Probability: probs[best]}
				raw[i] = calibration.Softmax(scores, 1, probs)[best]
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return preds, raw, nil
}
