package dataset

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// SplitReport describes a Split.
type SplitReport struct {
	Train, Valid int
	// TooSmall lists, in SortLabels order, the labels with fewer than two
	// examples: they cannot be split and go wholly to train.
	TooSmall []string
	// PerLabel maps each label to its {train, valid} counts.
	PerLabel map[string][2]int
}

// Split divides ex into a training and a validation set, stratified by label.
//
// For each label with n ≥ 2 examples, round(valid·n) of them, clamped to
// [1, n-1], go to validation: every such label is seen in both sets. A label
// with a single example goes to train and is listed in TooSmall. Which
// examples go where is decided by shuffling each label's examples with a PCG
// generator seeded by (seed, FNV-1a of the label), through a Fisher-Yates
// shuffle written here: the same seed gives the same split on every run and
// Go version, and a label's split does not depend on the other labels.
// Both outputs keep the order of ex. valid must lie in (0, 1).
func Split(ex []Example, valid float64, seed int64) (train, validSet []Example, rep SplitReport, err error) {
	trainIdx, validIdx, rep, err := SplitIndices(ex, valid, seed)
	if err != nil {
		return nil, nil, rep, err
	}
	train = make([]Example, len(trainIdx))
	for i, j := range trainIdx {
		train[i] = ex[j]
	}
	validSet = make([]Example, len(validIdx))
	for i, j := range validIdx {
		validSet[i] = ex[j]
	}
	return train, validSet, rep, nil
}

// SplitIndices is Split returning indices into ex (each list increasing)
// instead of copies, for callers that hold features aligned with ex.
func SplitIndices(ex []Example, valid float64, seed int64) (trainIdx, validIdx []int, rep SplitReport, err error) {
	if !(valid > 0 && valid < 1) {
		return nil, nil, rep, fmt.Errorf("dataset: validation fraction %v is not in (0, 1)", valid)
	}
	inValid := make([]bool, len(ex))
	rep.PerLabel = make(map[string][2]int)
	for _, g := range groupByLabel(ex) {
		n := len(g.idx)
		if n < 2 {
			rep.TooSmall = append(rep.TooSmall, g.label)
			rep.PerLabel[g.label] = [2]int{n, 0}
			continue
		}
		nv := min(max(int(math.Round(valid*float64(n))), 1), n-1)
		shuffle(g.idx, seed, g.label)
		for _, i := range g.idx[:nv] {
			inValid[i] = true
		}
		rep.PerLabel[g.label] = [2]int{n - nv, nv}
	}
	for i := range ex {
		if inValid[i] {
			validIdx = append(validIdx, i)
		} else {
			trainIdx = append(trainIdx, i)
		}
	}
	rep.Train, rep.Valid = len(trainIdx), len(validIdx)
	return trainIdx, validIdx, rep, nil
}

// KFold assigns the indices of ex to k folds, stratified by label: each
// label's examples, shuffled as in Split, are dealt in turn to the folds,
// continuing from the fold where the previous label (in SortLabels order)
// stopped, so fold sizes differ by at most one. folds[f] lists, in
// increasing order, the indices held out in fold f. It needs 2 ≤ k ≤ len(ex).
func KFold(ex []Example, k int, seed int64) ([][]int, error) {
	if k < 2 || k > len(ex) {
		return nil, fmt.Errorf("dataset: %d folds for %d examples: need 2 ≤ k ≤ the number of examples", k, len(ex))
	}
	folds := make([][]int, k)
	next := 0
	for _, g := range groupByLabel(ex) {
		shuffle(g.idx, seed, g.label)
		for _, i := range g.idx {
			folds[next] = append(folds[next], i)
			next = (next + 1) % k
		}
	}
	for _, f := range folds {
		slices.Sort(f)
	}
	return folds, nil
}

type labelGroup struct {
	label string
	idx   []int // indices into the examples, increasing
}

// groupByLabel groups the indices of ex by label, labels in SortLabels order.
func groupByLabel(ex []Example) []labelGroup {
	byLabel := make(map[string][]int)
	for i, e := range ex {
		byLabel[e.Label] = append(byLabel[e.Label], i)
	}
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	SortLabels(labels)
	groups := make([]labelGroup, len(labels))
	for i, l := range labels {
		groups[i] = labelGroup{l, byLabel[l]}
	}
	return groups
}

// shuffle permutes idx with a Fisher-Yates shuffle driven by a PCG generator
// seeded by (seed, FNV-1a 64 of label). Only PCG's output is relied upon,
// which math/rand/v2 specifies, so the permutation is stable across releases.
func shuffle(idx []int, seed int64, label string) {
	h := fnv.New64a()
	h.Write([]byte(label))
	r := rand.NewPCG(uint64(seed), h.Sum64())
	for i := len(idx) - 1; i > 0; i-- {
		j := bounded(r, uint64(i+1))
		idx[i], idx[j] = idx[j], idx[i]
	}
}

// bounded returns a uniform integer in [0, n), n > 0, by Lemire's
// multiply-shift method with rejection.
func bounded(r *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(r.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.Uint64(), n)
		}
	}
	return hi
}
