package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// ClassReport holds the scores of one class.
type ClassReport struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`   // examples whose true class is Label
	Predicted int     `json:"predicted"` // examples predicted as Label
}

// Report is the evaluation of one set of predictions. All averages follow
// scikit-learn's precision_recall_fscore_support with zero_division=0 and
// labels= set to Labels; see the package documentation for the formulas.
type Report struct {
	N      int      `json:"n"`
	Labels []string `json:"labels"`

	Accuracy float64 `json:"accuracy"`

	// AccuracyCI and MacroF1CI are confidence intervals of Accuracy and
	// MacroF1 (Report.Bootstrap); CI says how they were computed. All three
	// are zero, and left out of JSON, until Bootstrap is called.
	AccuracyCI Interval `json:"accuracy_ci,omitzero"`
	MacroF1CI  Interval `json:"macro_f1_ci,omitzero"`
	CI         *CIInfo  `json:"ci,omitempty"`

	MicroPrecision float64 `json:"micro_precision"`
	MicroRecall    float64 `json:"micro_recall"`
	MicroF1        float64 `json:"micro_f1"`

	MacroPrecision float64 `json:"macro_precision"`
	MacroRecall    float64 `json:"macro_recall"`
	MacroF1        float64 `json:"macro_f1"`

	WeightedPrecision float64 `json:"weighted_precision"`
	WeightedRecall    float64 `json:"weighted_recall"`
	WeightedF1        float64 `json:"weighted_f1"`

	PerClass []ClassReport `json:"per_class"`

	// Confusion[i][j] counts examples of true class Labels[i] predicted as
	// Labels[j].
	Confusion [][]int `json:"confusion"`
}

// Confusion is one off-diagonal cell of the confusion matrix.
type Confusion struct {
	True      string `json:"true"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// Evaluate compares predictions with the truth. yTrue and yPred hold indices
// into labels, which the caller passes already in display order (see
// SortLabels). Every label counts in the macro averages, including labels
// that appear in neither yTrue nor yPred.
func Evaluate(labels []string, yTrue, yPred []int32) (*Report, error) {
	k := len(labels)
	if k == 0 {
		return nil, errors.New("metrics: no labels")
	}
	if len(yTrue) != len(yPred) {
		return nil, fmt.Errorf("metrics: %d true classes but %d predictions", len(yTrue), len(yPred))
	}
	if len(yTrue) == 0 {
		return nil, errors.New("metrics: no predictions to evaluate")
	}
	cells := make([]int, k*k)
	conf := make([][]int, k)
	for i := range conf {
		conf[i] = cells[i*k : (i+1)*k : (i+1)*k]
	}
	for i, t := range yTrue {
		p := yPred[i]
		if t < 0 || int(t) >= k {
			return nil, fmt.Errorf("metrics: true class %d at position %d out of range [0,%d)", t, i, k)
		}
		if p < 0 || int(p) >= k {
			return nil, fmt.Errorf("metrics: predicted class %d at position %d out of range [0,%d)", p, i, k)
		}
		conf[t][p]++
	}
	return fromConfusion(labels, conf), nil
}

// FromConfusion builds a Report from a square confusion matrix whose rows are
// true classes and columns predicted classes, both in label order.
func FromConfusion(labels []string, confusion [][]int) (*Report, error) {
	k := len(labels)
	if k == 0 {
		return nil, errors.New("metrics: no labels")
	}
	if len(confusion) != k {
		return nil, fmt.Errorf("metrics: confusion matrix has %d rows for %d labels", len(confusion), k)
	}
	n := 0
	conf := make([][]int, k)
	for i, row := range confusion {
		if len(row) != k {
			return nil, fmt.Errorf("metrics: confusion row %d has %d columns for %d labels", i, len(row), k)
		}
		for j, c := range row {
			if c < 0 {
				return nil, fmt.Errorf("metrics: negative count %d at confusion[%d][%d]", c, i, j)
			}
			n += c
		}
		conf[i] = slices.Clone(row)
	}
	if n == 0 {
		return nil, errors.New("metrics: no predictions to evaluate")
	}
	return fromConfusion(labels, conf), nil
}

// fromConfusion computes every score from a validated confusion matrix.
func fromConfusion(labels []string, conf [][]int) *Report {
	k := len(labels)
	r := &Report{
		Labels:    slices.Clone(labels),
		Confusion: conf,
		PerClass:  make([]ClassReport, k),
	}
	predicted := make([]int, k)
	for _, row := range conf {
		for j, c := range row {
			predicted[j] += c
		}
	}
	var tpSum, predSum, trueSum int
	for i, row := range conf {
		support := 0
		for _, c := range row {
			support += c
		}
		tp := row[i]
		p := ratio(tp, predicted[i])
		rec := ratio(tp, support)
		r.PerClass[i] = ClassReport{
			Label:     labels[i],
			Precision: p,
			Recall:    rec,
			F1:        f1(p, rec),
			Support:   support,
			Predicted: predicted[i],
		}
		tpSum += tp
		predSum += predicted[i]
		trueSum += support
	}
	r.N = trueSum
	r.Accuracy = ratio(tpSum, trueSum)
	r.MicroPrecision = ratio(tpSum, predSum)
	r.MicroRecall = ratio(tpSum, trueSum)
	r.MicroF1 = f1(r.MicroPrecision, r.MicroRecall)

	var mp, mr, mf, wp, wr, wf float64
	for _, c := range r.PerClass {
		mp += c.Precision
		mr += c.Recall
		mf += c.F1
		s := float64(c.Support)
		wp += s * c.Precision
		wr += s * c.Recall
		wf += s * c.F1
	}
	r.MacroPrecision = mp / float64(k)
	r.MacroRecall = mr / float64(k)
	r.MacroF1 = mf / float64(k)
	if trueSum > 0 {
		r.WeightedPrecision = wp / float64(trueSum)
		r.WeightedRecall = wr / float64(trueSum)
		r.WeightedF1 = wf / float64(trueSum)
	}
	return r
}

// ratio is a/b, or 0 when b is 0 (zero_division=0).
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// f1 is the harmonic mean of p and r, or 0 when both are 0.
func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// TopConfusions returns the n most frequent off-diagonal cells of the
// confusion matrix (all of them when n <= 0), skipping empty cells. Ties are
// broken by true label order, then predicted label order.
func (r *Report) TopConfusions(n int) []Confusion {
	type cell struct{ i, j, c int }
	var cs []cell
	for i, row := range r.Confusion {
		for j, c := range row {
			if i != j && c > 0 {
				cs = append(cs, cell{i, j, c})
			}
		}
	}
	// cs is built in (i, j) order, so a stable sort on count alone keeps
	// the documented tie order.
	slices.SortStableFunc(cs, func(a, b cell) int { return cmp.Compare(b.c, a.c) })
	if n > 0 && len(cs) > n {
		cs = cs[:n]
	}
	out := make([]Confusion, len(cs))
	for x, c := range cs {
		out[x] = Confusion{True: r.Labels[c.i], Predicted: r.Labels[c.j], Count: c.c}
	}
	return out
}

// SortLabels sorts labels in place and returns them. When every label parses
// as a base-10 integer (strconv.ParseInt, so "-3" and "+4" count), they are
// ordered numerically, equal values ("7", "07") by their text; otherwise all
// labels are ordered lexicographically by bytes. So "2" < "10" < "26" for
// integer labels, while {"2", "10", "x"} sorts as "10", "2", "x".
func SortLabels(labels []string) []string {
	if !IntegerLabels(labels) {
		slices.Sort(labels)
		return labels
	}
	slices.SortFunc(labels, func(a, b string) int {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return labels
}

// IntegerLabels reports whether labels is non-empty and every label parses as
// a base-10 int64.
func IntegerLabels(labels []string) bool {
	if len(labels) == 0 {
		return false
	}
	for _, l := range labels {
		if _, err := strconv.ParseInt(l, 10, 64); err != nil {
			return false
		}
	}
	return true
}
