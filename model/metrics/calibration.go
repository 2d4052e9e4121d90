package metrics

import (
	"errors"
	"fmt"
	"math"
)

// DefaultBins is the number of confidence bins the training report uses for
// ECE.
const DefaultBins = 15

// LogLossEpsilon is the smallest probability LogLoss takes the logarithm of:
// a true-class probability below it is clipped to it, so one confident
// mistake costs at most -ln(1e-15) ≈ 34.5 instead of +Inf.
const LogLossEpsilon = 1e-15

// Bin is one confidence bin of a reliability diagram: the examples whose
// top-label confidence lies in (Lo, Hi] (the first bin also holds 0).
type Bin struct {
	Lo         float64 `json:"lo"`
	Hi         float64 `json:"hi"`
	Count      int     `json:"count"`
	Confidence float64 `json:"confidence"` // mean confidence, 0 when empty
	Accuracy   float64 `json:"accuracy"`   // fraction correct, 0 when empty
}

// Reliability sorts the top-label confidences into bins equal-width bins over
// [0, 1]. Bin b covers (b/bins, (b+1)/bins]; confidence c goes to bin
// max(0, ceil(c*bins)-1), so 0 lands in the first bin and 1 in the last.
func Reliability(confidence []float64, correct []bool, bins int) ([]Bin, error) {
	if bins < 1 {
		return nil, fmt.Errorf("metrics: %d bins, need at least 1", bins)
	}
	if len(confidence) != len(correct) {
		return nil, fmt.Errorf("metrics: %d confidences but %d correctness flags", len(confidence), len(correct))
	}
	if len(confidence) == 0 {
		return nil, errors.New("metrics: no confidences")
	}
	out := make([]Bin, bins)
	sumConf := make([]float64, bins)
	hits := make([]int, bins)
	for i, c := range confidence {
		if !(c >= 0 && c <= 1) { // also rejects NaN
			return nil, fmt.Errorf("metrics: confidence %v at position %d outside [0,1]", c, i)
		}
		b := max(int(math.Ceil(c*float64(bins)))-1, 0)
		b = min(b, bins-1)
		out[b].Count++
		sumConf[b] += c
		if correct[i] {
			hits[b]++
		}
	}
	for b := range out {
		out[b].Lo = float64(b) / float64(bins)
		out[b].Hi = float64(b+1) / float64(bins)
		if out[b].Count > 0 {
			out[b].Confidence = sumConf[b] / float64(out[b].Count)
			out[b].Accuracy = float64(hits[b]) / float64(out[b].Count)
		}
	}
	return out, nil
}

// ECE is the top-label expected calibration error over bins equal-width bins
// (see Reliability for the binning):
//
//	ECE = Σ_b (n_b / N) · |acc_b − conf_b|
//
// where n_b is the number of examples in bin b, acc_b the fraction of them
// that are correct and conf_b their mean confidence. Empty bins contribute 0.
func ECE(confidence []float64, correct []bool, bins int) (float64, error) {
	bs, err := Reliability(confidence, correct, bins)
	if err != nil {
		return 0, err
	}
	var e float64
	n := float64(len(confidence))
	for _, b := range bs {
		if b.Count > 0 {
			e += float64(b.Count) / n * math.Abs(b.Accuracy-b.Confidence)
		}
	}
	return e, nil
}

// LogLoss is the mean negative log-likelihood of the true classes:
//
//	LogLoss = −(1/n) Σ_i ln(max(probs[i*k+y[i]], LogLossEpsilon))
//
// probs is a flat row-major n × k matrix whose rows are expected to sum to 1;
// they are not renormalised. Probabilities must lie in [0, 1].
func LogLoss(probs []float64, k int, y []int32) (float64, error) {
	if k < 1 {
		return 0, fmt.Errorf("metrics: %d classes, need at least 1", k)
	}
	if len(y) == 0 {
		return 0, errors.New("metrics: no examples")
	}
	if len(probs) != len(y)*k {
		return 0, fmt.Errorf("metrics: %d probabilities for %d examples x %d classes", len(probs), len(y), k)
	}
	var s float64
	for i, c := range y {
		if c < 0 || int(c) >= k {
			return 0, fmt.Errorf("metrics: class %d at position %d out of range [0,%d)", c, i, k)
		}
		p := probs[i*k+int(c)]
		if !(p >= 0 && p <= 1) {
			return 0, fmt.Errorf("metrics: probability %v at row %d outside [0,1]", p, i)
		}
		s -= math.Log(max(p, LogLossEpsilon))
	}
	return s / float64(len(y)), nil
}

// TopLabel returns, for each row of the flat row-major n × k matrix probs,
// the largest probability and whether its class (the first one on ties)
// equals y. Its results are the inputs ECE expects.
func TopLabel(probs []float64, k int, y []int32) (confidence []float64, correct []bool, err error) {
	if k < 1 {
		return nil, nil, fmt.Errorf("metrics: %d classes, need at least 1", k)
	}
	if len(probs) != len(y)*k {
		return nil, nil, fmt.Errorf("metrics: %d probabilities for %d examples x %d classes", len(probs), len(y), k)
	}
	confidence = make([]float64, len(y))
	correct = make([]bool, len(y))
	for i := range y {
		row := probs[i*k : (i+1)*k]
		best := 0
		for j, p := range row {
			if p > row[best] {
				best = j
			}
		}
		confidence[i] = row[best]
		correct[i] = int32(best) == y[i]
	}
	return confidence, correct, nil
}
