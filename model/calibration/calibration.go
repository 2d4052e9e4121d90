package calibration

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// subsampleRows is the size of the subsample whose fit starts the search on
// large inputs.
const subsampleRows = 1000

// The range FitTemperature searches. A fitted temperature at either end
// means the optimum lies at or beyond it.
const (
	MinTemperature = 1e-3
	MaxTemperature = 1e3
)

// CheckTemperature reports whether t can be passed to Softmax and NLL: it
// must be positive and finite. Model loaders should call it on stored
// temperatures.
func CheckTemperature(t float64) error {
	if !(t > 0) || math.IsInf(t, 1) {
		return fmt.Errorf("calibration: temperature %v is not positive and finite", t)
	}
	return nil
}

// Softmax writes softmax(scores / t) into out and returns out[:len(scores)].
// out is reused when its capacity suffices, else a new slice is allocated;
// scores may be any length, including 0. The maximum is subtracted before
// exponentiating, so large scores or small temperatures do not overflow.
// A NaN score makes every output NaN.
//
// Softmax panics if t is not positive and finite (see CheckTemperature):
// that is a programming error, not an input error.
func Softmax(scores []float32, t float64, out []float64) []float64 {
	if err := CheckTemperature(t); err != nil {
		panic(err.Error())
	}
	if cap(out) < len(scores) {
		out = make([]float64, len(scores))
	}
	out = out[:len(scores)]
	if len(scores) == 0 {
		return out
	}
	m := math.Inf(-1)
	for _, s := range scores {
		m = max(m, float64(s))
	}
	var z float64
	for j, s := range scores {
		e := math.Exp((float64(s) - m) / t)
		out[j] = e
		z += e
	}
	for j := range out {
		out[j] /= z
	}
	return out
}

// MaxProb is the largest value of Softmax(scores, t) and its index,
// computed without the full distribution: the top class's probability is
// 1 / Σ_j exp((s_j − max) / t), so no per-class store or division is
// needed (the predict path asks for nothing else).
func MaxProb(scores []float32, t float64) (int, float64) {
	if err := CheckTemperature(t); err != nil {
		panic(err.Error())
	}
	if len(scores) == 0 {
		return -1, 0
	}
	best := 0
	for j, s := range scores {
		if s > scores[best] {
			best = j
		}
	}
	// The same arithmetic as Softmax, so both give the same bits.
	m := float64(scores[best])
	var z float64
	for _, s := range scores {
		z += math.Exp((float64(s) - m) / t)
	}
	return best, 1 / z
}

// NLL is the mean negative log-likelihood of the true classes y under
// softmax(scores / t):
//
//	NLL(t) = (1/n) Σ_i [ logsumexp_j(s_ij / t) − s_i,y_i / t ]
//
// scores is a flat row-major n × k matrix of decision values. The log-sum-exp
// is computed around the row maximum, so it is finite for finite scores.
func NLL(scores []float32, k int, y []int32, t float64) (float64, error) {
	if err := validate(scores, k, y); err != nil {
		return 0, err
	}
	if err := CheckTemperature(t); err != nil {
		return 0, err
	}
	return nll(scores, k, y, 1/t), nil
}

// nll is NLL at inverse temperature b on validated input.
func nll(scores []float32, k int, y []int32, b float64) float64 {
	var sum float64
	for i, c := range y {
		row := scores[i*k : (i+1)*k]
		m := math.Inf(-1)
		for _, s := range row {
			m = max(m, float64(s))
		}
		var z float64
		for _, s := range row {
			z += math.Exp(b * (float64(s) - m))
		}
		// logsumexp(b·s) − b·s_y = b·(m − s_y) + ln z
		sum += b*(m-float64(row[c])) + math.Log(z)
	}
	return sum / float64(len(y))
}

// derivatives returns the first and second derivatives of NLL with respect
// to the inverse temperature b:
//
//	g(b) = (1/n) Σ_i ( E_p[s_i] − s_i,y_i )
//	h(b) = (1/n) Σ_i Var_p[s_i]      ≥ 0
//
// where p = softmax(b·s_i). h ≥ 0 makes NLL convex in b.
func derivatives(scores []float32, k int, y []int32, b float64) (g, h float64) {
	g, h = sumRows(len(y), k, func(lo, hi int) (g, h float64) {
		for i := lo; i < hi; i++ {
			row := scores[i*k : (i+1)*k]
			m := math.Inf(-1)
			for _, s := range row {
				m = max(m, float64(s))
			}
			// Moments of d = s − m (≤ 0) under p, then shift back.
			var z, e1, e2 float64
			for _, s := range row {
				d := float64(s) - m
				w := math.Exp(b * d)
				z += w
				e1 += w * d
				e2 += w * d * d
			}
			e1 /= z
			e2 /= z
			g += e1 - (float64(row[y[i]]) - m)
			h += max(e2-e1*e1, 0)
		}
		return g, h
	})
	n := float64(len(y))
	return g / n, h / n
}

// Inputs of at least parallelMin scores are summed over sumChunks fixed row
// ranges in parallel, the partial sums added in range order: the result
// does not depend on the number of cores or on scheduling.
const (
	parallelMin = 1 << 17
	sumChunks   = 8
)

// sumRows returns the two sums f computes over rows [0, n) of k scores.
func sumRows(n, k int, f func(lo, hi int) (float64, float64)) (float64, float64) {
	if n*k < parallelMin {
		return f(0, n)
	}
	var parts [sumChunks][2]float64
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for c := range sumChunks {
		lo, hi := c*n/sumChunks, (c+1)*n/sumChunks
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			parts[c][0], parts[c][1] = f(lo, hi)
			<-sem
		}()
	}
	wg.Wait()
	var a, b float64
	for _, p := range parts {
		a += p[0]
		b += p[1]
	}
	return a, b
}

// FitTemperature returns the temperature T in [MinTemperature,
// MaxTemperature] that minimises NLL(scores, k, y, T).
//
// NLL is convex in the inverse temperature b = 1/T (its second derivative is
// a mean of variances), so the minimum is the root of the monotone
// derivative g(b). The search starts at T = 1 (on more than 2,000 rows, at
// the fit on an evenly spaced 1,000 of them) with Newton steps on g kept
// inside a shrinking bracket, and bisects the bracket at its geometric mean
// whenever a Newton step would leave it or fails to halve the previous step. When g does not change
// sign over the range, the nearer end is returned: MinTemperature when the
// scores separate the classes ever better as T shrinks, MaxTemperature when
// the scores are no better than chance. When every row is constant the NLL
// does not depend on T and 1 is returned. The result is deterministic.
//
// Errors: k < 2, no examples, len(scores) != len(y)·k, a class out of range,
// or a NaN or infinite score.
func FitTemperature(scores []float32, k int, y []int32) (float64, error) {
	if err := validate(scores, k, y); err != nil {
		return 0, err
	}
	if k < 2 {
		return 0, fmt.Errorf("calibration: %d classes, need at least 2 to fit a temperature", k)
	}
	constant := true
	for i := range y {
		row := scores[i*k : (i+1)*k]
		for _, s := range row[1:] {
			if s != row[0] {
				constant = false
			}
		}
	}
	if constant {
		return 1, nil
	}

	// Invariant: g(bLo) < 0 < g(bHi), where an end of the range that was
	// never evaluated is assumed to qualify. Newton steps are taken when
	// they stay inside the bracket and at most halve the previous step (as
	// in Numerical Recipes' rtsafe); otherwise the bracket is bisected at
	// its geometric mean. When the assumption about an end is wrong, g keeps
	// one sign and the bracket closes on that end, which is then the answer.
	lo, hi := 1/MaxTemperature, 1/MinTemperature
	bLo, bHi := lo, hi
	b := 1.0
	if n := len(y); n >= 2*subsampleRows {
		// Each Newton step is a pass over all rows, and from T = 1 it
		// takes about ten: start instead where the fit on an evenly spaced
		// subsample lands, a few steps from the answer.
		stride := n / subsampleRows
		sub := make([]float32, 0, (n/stride+1)*k)
		var suby []int32
		for i := 0; i < n; i += stride {
			sub = append(sub, scores[i*k:(i+1)*k]...)
			suby = append(suby, y[i])
		}
		if ts, err := FitTemperature(sub, k, suby); err == nil {
			b = min(max(1/ts, bLo), bHi)
		}
	}
	sawNeg, sawPos := false, false
	prevStep := bHi - bLo
	for range 200 {
		g, h := derivatives(scores, k, y, b)
		// g = 0 counts as negative: it is a root, or the flat tail of
		// separable scores where every exp has underflowed; the bracket
		// then moves up and closes on the root or on the end.
		if g <= 0 {
			bLo, sawNeg = b, true
		} else {
			bHi, sawPos = b, true
		}
		if math.Log(bHi/bLo) < 1e-12 {
			break
		}
		next := math.Sqrt(bLo * bHi)
		if h > 0 {
			if math.Abs(g/h) <= 1e-12*b {
				return 1 / b, nil // the Newton step is below the tolerance: converged
			}
			if nt := b - g/h; nt > bLo && nt < bHi && math.Abs(nt-b) <= 0.5*prevStep {
				next = nt
			}
		}
		step := math.Abs(next - b)
		b = next
		if step <= 1e-12*b {
			break
		}
		prevStep = step
	}
	switch {
	case !sawNeg && bHi/lo < 1+1e-9:
		return MaxTemperature, nil // NLL increases with b from the start
	case !sawPos && hi/bLo < 1+1e-9:
		return MinTemperature, nil // still decreasing at the sharpest end
	}
	return 1 / b, nil
}

// validate checks the shape and values shared by NLL and FitTemperature.
func validate(scores []float32, k int, y []int32) error {
	if k < 1 {
		return fmt.Errorf("calibration: %d classes, need at least 1", k)
	}
	if len(y) == 0 {
		return errors.New("calibration: no examples")
	}
	if len(scores) != len(y)*k {
		return fmt.Errorf("calibration: %d scores for %d examples x %d classes", len(scores), len(y), k)
	}
	for i, c := range y {
		if c < 0 || int(c) >= k {
			return fmt.Errorf("calibration: class %d at example %d out of range [0,%d)", c, i, k)
		}
	}
	for i, s := range scores {
		if f := float64(s); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("calibration: score %v at example %d, class %d", s, i/k, i%k)
		}
	}
	return nil
}

// MeanConfidence is the mean over the rows of the top-class probability
// max_j softmax(s_i / t)_j: the accuracy the probabilities claim on average.
// scores is a flat row-major n × k matrix (n ≥ 1); t must be positive and
// finite.
func MeanConfidence(scores []float32, k int, t float64) (float64, error) {
	if err := checkRows(scores, k, t); err != nil {
		return 0, err
	}
	c, _ := confidence(scores, k, 1/t)
	return c, nil
}

// checkRows validates the input of MeanConfidence and CapConfidence.
func checkRows(scores []float32, k int, t float64) error {
	if k < 1 || len(scores) == 0 || len(scores)%k != 0 {
		return fmt.Errorf("calibration: %d scores do not make rows of %d classes", len(scores), k)
	}
	return CheckTemperature(t)
}

// LaplaceAccuracy is Laplace's rule of succession for correct successes in
// n trials, (correct + 1) / (n + 2): the posterior mean of an accuracy
// under a uniform prior. It is below 1 however many rows were right, and
// close to correct/n once n is large.
func LaplaceAccuracy(correct, n int) float64 {
	return float64(correct+1) / float64(n+2)
}

// CapConfidence returns the smallest temperature T ≥ t, up to
// MaxTemperature, at which MeanConfidence(scores, k, T) ≤ target: t itself
// when it already satisfies the cap, else the root of the mean confidence
// minus target (relative precision 1e-9 on 1/T; the mean confidence
// decreases as T grows), found by Newton steps on 1/T kept inside a
// bisected bracket, on the side where the cap holds. It is the safeguard of
// a temperature fitted on little evidence: with a target of
// LaplaceAccuracy(correct, n), the probabilities cannot claim on average
// more accuracy than the rows support. When even MaxTemperature exceeds the
// target (a target at or below 1/k), MaxTemperature is returned.
func CapConfidence(scores []float32, k int, t, target float64) (float64, error) {
	if err := checkRows(scores, k, t); err != nil {
		return 0, err
	}
	if math.IsNaN(target) {
		return 0, errors.New("calibration: NaN confidence target")
	}
	// f(b) = confidence at inverse temperature b, minus target: increasing.
	// Invariant: f(bLo) <= 0 < f(bHi). The search starts at b = 1/t, where
	// the cap usually binds only a little, so Newton steps from there take
	// few passes over the rows.
	b := 1 / t
	c, dc := confidence(scores, k, b)
	if c <= target {
		return t, nil
	}
	if t >= MaxTemperature {
		return MaxTemperature, nil
	}
	bLo, bHi := 1/MaxTemperature, b
	if c, _ := confidence(scores, k, bLo); c > target {
		return MaxTemperature, nil
	}
	prevStep := bHi - bLo
	for range 200 {
		f := c - target
		if f <= 0 {
			bLo = b
		} else {
			bHi = b
		}
		if f == 0 || (bHi-bLo) <= 1e-9*bLo {
			break
		}
		next := math.Sqrt(bLo * bHi)
		if dc > 0 {
			if nt := b - f/dc; nt > bLo && nt < bHi && math.Abs(nt-b) <= 0.5*prevStep {
				next = nt
			}
		}
		prevStep = math.Abs(next - b)
		b = next
		c, dc = confidence(scores, k, b)
	}
	return 1 / bLo, nil
}

// confidence returns the mean top probability at inverse temperature b and
// its derivative with respect to b. For one row with d_j = s_j − max s ≤ 0,
// the top probability is p = 1/Σ_j exp(b·d_j), and
// dp/db = −p · Σ_j d_j exp(b·d_j) / Σ_j exp(b·d_j) ≥ 0.
func confidence(scores []float32, k int, b float64) (mean, deriv float64) {
	n := len(scores) / k
	mean, deriv = sumRows(n, k, func(lo, hi int) (mean, deriv float64) {
		for i := lo; i < hi; i++ {
			row := scores[i*k : (i+1)*k]
			m := math.Inf(-1)
			for _, s := range row {
				m = max(m, float64(s))
			}
			var z, zd float64
			for _, s := range row {
				d := float64(s) - m
				w := math.Exp(b * d)
				z += w
				zd += w * d
			}
			p := 1 / z
			mean += p
			deriv -= p * zd / z
		}
		return mean, deriv
	})
	return mean / float64(n), deriv / float64(n)
}
