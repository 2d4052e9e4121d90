package model

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"intent/model/calibration"
	"intent/model/features"
	"intent/model/svm"
)

// Version is the program version recorded in every model file; release
// builds set it with -ldflags "-X intent/model.Version=...".
var Version = "0.1.0-dev"

// ErrNotFitted is returned when a Model is used before it was trained or loaded.
var ErrNotFitted = errors.New("model: not fitted")

// Metadata describes a model: what it predicts, how it was trained and how
// well it did. It is stored as JSON in the model file.
type Metadata struct {
	FormatVersion  int               `json:"format_version"`
	ProgramVersion string            `json:"program_version"`
	CreatedAt      time.Time         `json:"created_at"`
	DataHash       string            `json:"data_hash"`
	Labels         []string          `json:"labels"`
	LabelNames     map[string]string `json:"label_names,omitempty"`
	Temperature    float64           `json:"temperature"`
	Solver         string            `json:"solver"`
	C              float64           `json:"c"`
	NTrain         int               `json:"n_train"`
	NValid         int               `json:"n_valid"`
	NFeatures      int               `json:"n_features"`
	Metrics        *Headline         `json:"metrics,omitempty"`
	// Weights is how the file stores the classifier's weights: "float32" or
	// "int8" (one byte a weight, one float32 scale per feature). Empty in
	// format version 1 files, which are all float32.
	Weights string `json:"weights,omitempty"`
	// OOS, when set, answers a fallback label below a probability
	// threshold (see oos.go).
	OOS *OOS `json:"oos,omitempty"`
}

// Headline is the handful of numbers shown next to a model version.
type Headline struct {
	Accuracy  float64 `json:"accuracy"`
	MacroF1   float64 `json:"macro_f1"`
	MicroF1   float64 `json:"micro_f1"`
	ECEBefore float64 `json:"ece_before"`
	ECEAfter  float64 `json:"ece_after"`
}

// Model is a trained intent classifier. It is immutable and safe for
// concurrent use.
type Model struct {
	meta    Metadata
	enc     *features.Encoder
	clf     *svm.Linear
	numeric bool // every label parses as an integer
	ints    []int64
	pool    sync.Pool
}

// scratch is the per-call working memory of the predict path, pooled so a
// server answering many requests does not allocate per request.
type scratch struct {
	fs     features.Scratch
	scores []float32
	probs  []float64
}

func newModel(meta Metadata, enc *features.Encoder, clf *svm.Linear) (*Model, error) {
	if enc == nil || clf == nil {
		return nil, ErrNotFitted
	}
	if len(meta.Labels) < 2 {
		return nil, fmt.Errorf("model: %d labels, need at least 2", len(meta.Labels))
	}
	if clf.Classes != len(meta.Labels) {
		return nil, fmt.Errorf("model: classifier has %d classes but metadata lists %d labels", clf.Classes, len(meta.Labels))
	}
	if clf.Features != enc.NumFeatures() {
		return nil, fmt.Errorf("model: classifier has %d features but encoder has %d", clf.Features, enc.NumFeatures())
	}
	if err := calibration.CheckTemperature(meta.Temperature); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	seen := make(map[string]bool, len(meta.Labels))
	for _, l := range meta.Labels {
		if seen[l] {
			return nil, fmt.Errorf("model: duplicate label %q", l)
		}
		seen[l] = true
	}
	// A classifier fresh from training is converted here, once, to the
	// weight encoding it is exported in, so that what is evaluated is what
	// is saved and served. A loaded one is already in its file's encoding.
	clf = clf.Exported()
	meta.NFeatures = enc.NumFeatures()
	meta.Weights = clf.Encoding.String()
	m := &Model{meta: meta, enc: enc, clf: clf, numeric: true}
	for _, l := range meta.Labels {
		v, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			m.numeric, m.ints = false, nil
			break
		}
		m.ints = append(m.ints, v)
	}
	k := len(meta.Labels)
	m.pool.New = func() any {
		return &scratch{scores: make([]float32, k), probs: make([]float64, k)}
	}
	return m, nil
}

// Meta returns a copy of the model's metadata.
func (m *Model) Meta() Metadata {
	meta := m.meta
	meta.Labels = slices.Clone(m.meta.Labels)
	return meta
}

// Labels returns the labels in class-index order (sorted, numerically when
// they are all integers).
func (m *Model) Labels() []string { return slices.Clone(m.meta.Labels) }

// NumClasses is the number of labels.
func (m *Model) NumClasses() int { return len(m.meta.Labels) }

// Label returns the label of class index i.
func (m *Model) Label(i int) string { return m.meta.Labels[i] }

// NumericLabels reports whether every label is an integer, in which case
// LabelInt gives it as a number (the API answers {"intent": 26}).
func (m *Model) NumericLabels() bool { return m.numeric }

// LabelInt returns label i as an integer; valid only when NumericLabels.
func (m *Model) LabelInt(i int) int64 { return m.ints[i] }

// Temperature is the fitted softmax temperature.
func (m *Model) Temperature() float64 { return m.meta.Temperature }

// Encoder and Classifier expose the parts, for reports and tools.
func (m *Model) Encoder() *features.Encoder { return m.enc }
func (m *Model) Classifier() *svm.Linear    { return m.clf }

// Prediction is the most likely intent of a question.
type Prediction struct {
	Class       int     // index into Labels, or FallbackClass for the out-of-scope answer
	Label       string  // the intent
	Probability float64 // calibrated probability
}

// Predict returns the most likely intent of text with its calibrated
// probability; with an out-of-scope rule, the fallback label (Class
// FallbackClass) when that probability is below its threshold. It does not
// allocate in steady state.
func (m *Model) Predict(text string) Prediction {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	m.scoresInto(s, text)
	best, p := calibration.MaxProb(s.scores, m.meta.Temperature)
	return m.Fallback(Prediction{Class: best, Label: m.meta.Labels[best], Probability: p})
}

// PredictTop appends the k most likely intents, most likely first, to dst.
func (m *Model) PredictTop(text string, k int, dst []Prediction) []Prediction {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	m.scoresInto(s, text)
	calibration.Softmax(s.scores, m.meta.Temperature, s.probs)
	return topK(s.probs, k, m.meta.Labels, dst)
}

// Scores writes the raw decision value of every class (before any softmax)
// into dst, reused when large enough, and returns it.
func (m *Model) Scores(text string, dst []float32) []float32 {
	s := m.pool.Get().(*scratch)
	defer m.pool.Put(s)
	x := m.enc.TransformInto(&s.fs, text)
	return m.clf.Decision(x, dst)
}

// Probabilities turns decision values into calibrated probabilities.
func (m *Model) Probabilities(scores []float32, dst []float64) []float64 {
	if cap(dst) < len(scores) {
		dst = make([]float64, len(scores))
	}
	dst = dst[:len(scores)]
	return calibration.Softmax(scores, m.meta.Temperature, dst)
}

func (m *Model) scoresInto(s *scratch, text string) {
	x := m.enc.TransformInto(&s.fs, text)
	s.scores = m.clf.Decision(x, s.scores)
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// topK picks the k largest probabilities by partial selection: k is small
// and the label count modest, so this beats sorting every class.
func topK(p []float64, k int, labels []string, dst []Prediction) []Prediction {
	if k > len(p) {
		k = len(p)
	}
	start := len(dst)
	for n := 0; n < k; n++ {
		best := -1
		for i, x := range p {
			if best >= 0 && x <= p[best] {
				continue
			}
			taken := false
			for _, d := range dst[start:] {
				if d.Class == i {
					taken = true
					break
				}
			}
			if !taken {
				best = i
			}
		}
		dst = append(dst, Prediction{Class: best, Label: labels[best], Probability: p[best]})
	}
	return dst
}

// WithMetrics returns a copy of m whose metadata carries the headline
// metrics of its validation (and their size), so that a server can list
// versions without reading every report. m itself is unchanged.
func (m *Model) WithMetrics(h Headline, nValid int) (*Model, error) {
	meta := m.Meta()
	meta.NValid = nValid
	meta.Metrics = &h
	return newModel(meta, m.enc, m.clf)
}
