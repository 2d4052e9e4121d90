package tune

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"intent/model"
	"intent/model/svm"
)

// Params is one configuration of the search.
type Params struct {
	C           float64 `json:"c"`
	Solver      string  `json:"solver"`
	ClassWeight string  `json:"class_weight"` // none or balanced
	MinDF       int     `json:"min_df"`
	WordMax     int     `json:"word_ngrams"`
	CharMin     int     `json:"char_min"`
	CharMax     int     `json:"char_max"`
}

// Apply returns base with p's settings.
func (p Params) Apply(base model.Config) (model.Config, error) {
	cfg := base
	s, err := svm.ParseSolver(p.Solver)
	if err != nil {
		return cfg, err
	}
	cfg.SVM.Solver = s
	cfg.SVM.C = p.C
	cfg.BalancedWeights = p.ClassWeight == "balanced"
	cfg.Features.MinDF = p.MinDF
	cfg.Features.Text.WordMax = p.WordMax
	cfg.Features.Text.CharMin = p.CharMin
	cfg.Features.Text.CharMax = p.CharMax
	return cfg, cfg.Validate()
}

// String is the configuration in flag form.
func (p Params) String() string {
	return fmt.Sprintf("--C %s --solver %s --class-weight %s --min-df %d --word-ngrams %d --char-min %d --char-max %d",
		strconv.FormatFloat(p.C, 'g', 4, 64), p.Solver, p.ClassWeight, p.MinDF, p.WordMax, p.CharMin, p.CharMax)
}

// encoder is the part of Params that decides the features.
type encoder struct{ minDF, wordMax, charMin, charMax int }

func (p Params) encoder() encoder { return encoder{p.MinDF, p.WordMax, p.CharMin, p.CharMax} }

// Space is the set of values each setting may take.
type Space struct {
	C            []float64 `json:"c"`
	Solvers      []string  `json:"solvers"`
	ClassWeights []string  `json:"class_weights"`
	MinDF        []int     `json:"min_df"`
	WordMax      []int     `json:"word_ngrams"`
	Char         [][2]int  `json:"char_ranges"` // {min, max}; {0, 0} disables characters
}

// DefaultSpace: C on a log scale from 0.1 to 10, both solvers, both class
// weightings, min-df 1 and 2, words up to 1 or 2, characters 2-5 and 3-5.
func DefaultSpace() Space {
	return Space{
		C:            LogScale(0.1, 10, 5),
		Solvers:      []string{"l2", "cs"},
		ClassWeights: []string{"none", "balanced"},
		MinDF:        []int{1, 2},
		WordMax:      []int{1, 2},
		Char:         [][2]int{{2, 5}, {3, 5}},
	}
}

// LogScale is n values from lo to hi, evenly spaced on a log scale.
func LogScale(lo, hi float64, n int) []float64 {
	if n == 1 {
		return []float64{lo}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = roundSig(math.Exp(math.Log(lo) + (math.Log(hi)-math.Log(lo))*float64(i)/float64(n-1)))
	}
	return out
}

// roundSig keeps 4 significant digits, so that values print as typed.
func roundSig(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 4, 64), 64)
	return v
}

// Validate reports a space that cannot be searched.
func (s Space) Validate() error {
	if len(s.C) == 0 || len(s.Solvers) == 0 || len(s.ClassWeights) == 0 || len(s.MinDF) == 0 || len(s.WordMax) == 0 || len(s.Char) == 0 {
		return fmt.Errorf("tune: every setting needs at least one value")
	}
	for _, c := range s.C {
		if !(c > 0 && c <= 1e6) {
			return fmt.Errorf("tune: C %v must be > 0 and at most 1e6", c)
		}
	}
	for _, v := range s.Solvers {
		if _, err := svm.ParseSolver(v); err != nil {
			return fmt.Errorf("tune: solver %q: use l2 or cs", v)
		}
	}
	for _, v := range s.ClassWeights {
		if v != "none" && v != "balanced" {
			return fmt.Errorf("tune: class weight %q: use none or balanced", v)
		}
	}
	for _, v := range s.MinDF {
		if v < 1 || v > 1000 {
			return fmt.Errorf("tune: min-df %d must be between 1 and 1000", v)
		}
	}
	for _, v := range s.WordMax {
		if v < 0 || v > 5 {
			return fmt.Errorf("tune: word n-grams up to %d: use 0 (none) to 5", v)
		}
	}
	for _, r := range s.Char {
		if r != [2]int{0, 0} && !(r[0] >= 1 && r[0] <= r[1] && r[1] <= 8) {
			return fmt.Errorf("tune: character range %d-%d: use min-max with 1 <= min <= max <= 8, or 0-0 for none", r[0], r[1])
		}
	}
	return nil
}

// Grid is every configuration of the space (those with neither words nor
// characters left out), in a fixed order.
func (s Space) Grid() []Params {
	var out []Params
	for _, ch := range s.Char {
		for _, w := range s.WordMax {
			if w == 0 && ch[1] == 0 {
				continue
			}
			for _, df := range s.MinDF {
				for _, sol := range s.Solvers {
					for _, cw := range s.ClassWeights {
						for _, c := range s.C {
							out = append(out, Params{C: c, Solver: sol, ClassWeight: cw, MinDF: df, WordMax: w, CharMin: ch[0], CharMax: ch[1]})
						}
					}
				}
			}
		}
	}
	return out
}

// Random draws n configurations: C log-uniform between the smallest and
// largest value of the space, every other setting uniform over its values;
// duplicates are drawn again (up to a point).
func (s Space) Random(n int, seed int64) []Params {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7475_6e65))
	lo, hi := slices.Min(s.C), slices.Max(s.C)
	seen := map[Params]bool{}
	var out []Params
	for tries := 0; len(out) < n && tries < 50*n; tries++ {
		c := lo
		if hi > lo {
			c = roundSig(math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo))))
		}
		ch := s.Char[r.IntN(len(s.Char))]
		p := Params{C: c, Solver: s.Solvers[r.IntN(len(s.Solvers))], ClassWeight: s.ClassWeights[r.IntN(len(s.ClassWeights))],
			MinDF: s.MinDF[r.IntN(len(s.MinDF))], WordMax: s.WordMax[r.IntN(len(s.WordMax))], CharMin: ch[0], CharMax: ch[1]}
		if (p.WordMax == 0 && p.CharMax == 0) || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// ParseFloats reads "0.1,1,10" or "log:0.01:100:9" (9 values on a log
// scale).
func ParseFloats(s string) ([]float64, error) {
	if rest, ok := strings.CutPrefix(s, "log:"); ok {
		parts := strings.Split(rest, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%q: use log:LOW:HIGH:COUNT", s)
		}
		lo, err1 := strconv.ParseFloat(parts[0], 64)
		hi, err2 := strconv.ParseFloat(parts[1], 64)
		n, err3 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil || err3 != nil || !(lo > 0 && hi >= lo) || n < 1 || n > 100 {
			return nil, fmt.Errorf("%q: use log:LOW:HIGH:COUNT with 0 < LOW <= HIGH and 1 <= COUNT <= 100", s)
		}
		return LogScale(lo, hi, n), nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a number", s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseInts reads "1,2,3".
func ParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not an integer", s, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseRanges reads "2-5,3-5,0-0".
func ParseRanges(s string) ([][2]int, error) {
	var out [][2]int
	for _, f := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(f), "-")
		lo, err1 := strconv.Atoi(a)
		hi, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%q: %q is not a range MIN-MAX", s, f)
		}
		out = append(out, [2]int{lo, hi})
	}
	return out, nil
}

// ParseWords reads "l2,cs" (or any comma-separated list).
func ParseWords(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
