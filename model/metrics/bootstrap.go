package metrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
)

// Bootstrap defaults.
const (
	// DefaultResamples is the number of bootstrap resamples.
	DefaultResamples = 1000
	// DefaultLevel is the coverage of the confidence intervals.
	DefaultLevel = 0.95
	// DefaultBootstrapSeed is the seed of the intervals in reports whose
	// caller has no seed of its own (model.Model.Evaluate).
	DefaultBootstrapSeed = 42
)

// Interval is a confidence interval [lo, hi], written in JSON as a
// two-element array.
type Interval [2]float64

// Contains reports whether x lies in the closed interval.
func (iv Interval) Contains(x float64) bool { return iv[0] <= x && x <= iv[1] }

// BootstrapOptions tunes Bootstrap. The zero value asks for 1,000
// resamples, 95 % intervals, seed 0 and all cores.
type BootstrapOptions struct {
	Resamples int     // 0 means DefaultResamples
	Level     float64 // in (0, 1); 0 means DefaultLevel
	Seed      int64   // drives the resampling: same seed, same intervals
	Workers   int     // 0 means runtime.GOMAXPROCS(0)
}

// CIInfo says how the intervals of a Report were computed; it is stored in
// report.json beside accuracy_ci and macro_f1_ci.
type CIInfo struct {
	Method    string  `json:"method"`
	Level     float64 `json:"level"`
	Resamples int     `json:"resamples"`
	Seed      int64   `json:"seed"`
}

// Intervals are the bootstrap confidence intervals of the accuracy and the
// macro-F1 of one set of predictions.
type Intervals struct {
	Accuracy Interval
	MacroF1  Interval
	Info     CIInfo
}

// BootstrapMethod names the method in CIInfo.
const BootstrapMethod = "percentile bootstrap over the evaluated questions"

// Bootstrap computes percentile-bootstrap confidence intervals for the
// accuracy and the macro-F1 (over numLabels labels, as Evaluate) of the
// predictions yPred of the true classes yTrue.
//
// Each resample draws len(yTrue) questions with replacement and recomputes
// both scores from per-class counts (true positives, support, predictions):
// nothing is predicted again, so 1,000 resamples of 4,500 questions take a
// few milliseconds. Resample b draws from a PCG generator seeded by (Seed,
// b), so the result depends only on the data and the options, not on the
// number of workers. The interval is the (1-Level)/2 and (1+Level)/2
// quantiles of the resampled scores, linearly interpolated between order
// statistics (numpy's default).
func Bootstrap(numLabels int, yTrue, yPred []int32, opt BootstrapOptions) (Intervals, error) {
	var out Intervals
	if numLabels < 1 {
		return out, errors.New("metrics: bootstrap: no labels")
	}
	if len(yTrue) != len(yPred) {
		return out, fmt.Errorf("metrics: bootstrap: %d true classes but %d predictions", len(yTrue), len(yPred))
	}
	if len(yTrue) == 0 {
		return out, errors.New("metrics: bootstrap: no predictions")
	}
	if uint64(len(yTrue)) >= 1<<32 {
		return out, fmt.Errorf("metrics: bootstrap: %d predictions, at most 2^32-1", len(yTrue))
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return out, err
	}
	pairs := make([]uint64, len(yTrue))
	for i, t := range yTrue {
		p := yPred[i]
		if t < 0 || int(t) >= numLabels || p < 0 || int(p) >= numLabels {
			return out, fmt.Errorf("metrics: bootstrap: class pair (%d, %d) at position %d out of range [0,%d)", t, p, i, numLabels)
		}
		pairs[i] = uint64(uint32(t))<<32 | uint64(uint32(p))
	}
	acc, f1 := resample(numLabels, pairs, opt)
	lo, hi := (1-opt.Level)/2, (1+opt.Level)/2
	out.Accuracy = Interval{quantile(acc, lo), quantile(acc, hi)}
	out.MacroF1 = Interval{quantile(f1, lo), quantile(f1, hi)}
	out.Info = CIInfo{Method: BootstrapMethod, Level: opt.Level, Resamples: opt.Resamples, Seed: opt.Seed}
	return out, nil
}

// Bootstrap computes the intervals of r from its confusion matrix and
// stores them in r.AccuracyCI, r.MacroF1CI and r.CI. The questions are
// taken in confusion-matrix order (row by row, each cell standing for that
// many questions), so the intervals depend only on the matrix and opt, not
// on the order the questions were evaluated in.
func (r *Report) Bootstrap(opt BootstrapOptions) error {
	k := len(r.Labels)
	yTrue := make([]int32, 0, r.N)
	yPred := make([]int32, 0, r.N)
	for i, row := range r.Confusion {
		for j, c := range row {
			for ; c > 0; c-- {
				yTrue = append(yTrue, int32(i))
				yPred = append(yPred, int32(j))
			}
		}
	}
	iv, err := Bootstrap(k, yTrue, yPred, opt)
	if err != nil {
		return err
	}
	r.AccuracyCI, r.MacroF1CI, r.CI = iv.Accuracy, iv.MacroF1, &iv.Info
	return nil
}

func (o BootstrapOptions) withDefaults() (BootstrapOptions, error) {
	if o.Resamples == 0 {
		o.Resamples = DefaultResamples
	}
	if o.Resamples < 2 {
		return o, fmt.Errorf("metrics: bootstrap: %d resamples, need at least 2", o.Resamples)
	}
	if o.Level == 0 {
		o.Level = DefaultLevel
	}
	if !(o.Level > 0 && o.Level < 1) {
		return o, fmt.Errorf("metrics: bootstrap: level %v must be in (0, 1)", o.Level)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	o.Workers = min(o.Workers, o.Resamples)
	return o, nil
}

// resample returns the accuracy and macro-F1 of every resample, each slice
// sorted.
func resample(k int, pairs []uint64, opt BootstrapOptions) (acc, f1 []float64) {
	B := opt.Resamples
	acc, f1 = make([]float64, B), make([]float64, B)
	var wg sync.WaitGroup
	for w := range opt.Workers {
		wg.Go(func() {
			tp := make([]int32, k)
			sup := make([]int32, k)
			pred := make([]int32, k)
			draw := make([]uint32, len(pairs))
			var r rand.PCG
			for b := w; b < B; b += opt.Workers {
				clear(tp)
				clear(sup)
				clear(pred)
				r.Seed(uint64(opt.Seed), uint64(b))
				draws(&r, draw)
				hits := 0
				for _, i := range draw {
					c := pairs[i]
					t, p := uint32(c>>32), uint32(c)
					sup[t]++
					pred[p]++
					if t == p {
						tp[t]++
						hits++
					}
				}
				var sum float64
				for i := range k {
					if tp[i] > 0 {
						// 2PR/(P+R) with P = tp/pred, R = tp/support.
						sum += 2 * float64(tp[i]) / float64(sup[i]+pred[i])
					}
				}
				acc[b] = float64(hits) / float64(len(pairs))
				f1[b] = sum / float64(k)
			}
		})
	}
	wg.Wait()
	slices.Sort(acc)
	slices.Sort(f1)
	return acc, f1
}

// draws fills dst with uniform indices in [0, len(dst)), two from each
// 64-bit output of r (Lemire's multiply-shift on 32-bit halves, with
// rejection so that every index is exactly equally likely). len(dst) must
// be below 2^32.
func draws(r *rand.PCG, dst []uint32) {
	n := uint64(len(dst))
	thresh := uint32((1 << 32) % n) // reject a half whose low product is below
	i := 0
	for i < len(dst) {
		x := r.Uint64()
		m := (x & 0xffffffff) * n
		if uint32(m) >= thresh {
			dst[i] = uint32(m >> 32)
			i++
			if i == len(dst) {
				break
			}
		}
		m = (x >> 32) * n
		if uint32(m) >= thresh {
			dst[i] = uint32(m >> 32)
			i++
		}
	}
}

// quantile is the q-quantile of sorted values, interpolating linearly
// between the order statistics at positions floor and ceil of q·(n-1).
func quantile(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	i := int(math.Floor(pos))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := pos - float64(i)
	return sorted[i] + frac*(sorted[i+1]-sorted[i])
}

// FormatPercentCI formats a score and its interval as the reports print
// them: "92.87 % (95 % CI 92.1-93.6)". Without an interval (level 0) it is
// the score alone, "92.87 %".
func FormatPercentCI(x float64, iv Interval, level float64) string {
	s := strconv.FormatFloat(100*x, 'f', 2, 64) + " %"
	if level <= 0 {
		return s
	}
	return fmt.Sprintf("%s (%s %% CI %.1f-%.1f)", s, strconv.FormatFloat(100*level, 'f', -1, 64), 100*iv[0], 100*iv[1])
}
