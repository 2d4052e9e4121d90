package dataset

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// synth returns examples with sizes[i] examples of label "L<i>", interleaved
// so that labels are mixed in file order.
func synth(sizes ...int) []Example {
	var ex []Example
	for round := 0; ; round++ {
		added := false
		for l, n := range sizes {
			if round < n {
				ex = append(ex, Example{ID: strconv.Itoa(len(ex)), Text: fmt.Sprintf("t%d", len(ex)), Label: fmt.Sprintf("L%d", l)})
				added = true
			}
		}
		if !added {
			return ex
		}
	}
}

func ids(ex []Example) []string {
	out := make([]string, len(ex))
	for i, e := range ex {
		out[i] = e.ID
	}
	return out
}

func TestSplitInvalidFraction(t *testing.T) {
	for _, v := range []float64{0, 1, -0.1, 1.5, math.NaN(), math.Inf(1)} {
		if _, _, _, err := Split(synth(3, 3), v, 1); err == nil {
			t.Errorf("Split(valid=%v) gave no error", v)
		}
	}
}

func TestSplitProportionsAndPartition(t *testing.T) {
	sizes := []int{2, 3, 10, 47, 100, 151}
	ex := synth(sizes...)
	train, valid, rep, err := Split(ex, 0.2, 42)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Train != len(train) || rep.Valid != len(valid) || len(train)+len(valid) != len(ex) {
		t.Fatalf("report %d/%d, sets %d/%d, input %d", rep.Train, rep.Valid, len(train), len(valid), len(ex))
	}
	// Partition, in input order.
	all := append(ids(train), ids(valid)...)
	slices.SortFunc(all, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	if !reflect.DeepEqual(all, ids(ex)) {
		t.Fatal("train and valid do not partition the input")
	}
	for _, set := range [][]Example{train, valid} {
		if !slices.IsSortedFunc(set, func(a, b Example) int { x, _ := strconv.Atoi(a.ID); y, _ := strconv.Atoi(b.ID); return x - y }) {
			t.Error("output not in input order")
		}
	}
	for l, n := range sizes {
		label := fmt.Sprintf("L%d", l)
		wantV := min(max(int(math.Round(0.2*float64(n))), 1), n-1)
		if got := rep.PerLabel[label]; got != [2]int{n - wantV, wantV} {
			t.Errorf("%s: PerLabel = %v, want %v", label, got, [2]int{n - wantV, wantV})
		}
		gotV := 0
		for _, e := range valid {
			if e.Label == label {
				gotV++
			}
		}
		if gotV != wantV {
			t.Errorf("%s: %d in valid, want %d", label, gotV, wantV)
		}
		if n >= 10 && math.Abs(float64(gotV)/float64(n)-0.2) > 0.05 {
			t.Errorf("%s: valid fraction %.3f far from 0.2", label, float64(gotV)/float64(n))
		}
	}
	if len(rep.TooSmall) != 0 {
		t.Errorf("TooSmall = %v, want none", rep.TooSmall)
	}
}

func TestSplitTooSmall(t *testing.T) {
	ex := []Example{
		{ID: "a", Label: "10"}, {ID: "b", Label: "2"}, {ID: "c", Label: "2"},
		{ID: "d", Label: "9"}, {ID: "e", Label: "2"},
	}
	train, valid, rep, err := Split(ex, 0.5, 7)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"9", "10"}; !reflect.DeepEqual(rep.TooSmall, want) {
		t.Errorf("TooSmall = %v, want %v", rep.TooSmall, want)
	}
	if rep.PerLabel["10"] != [2]int{1, 0} || rep.PerLabel["2"] != [2]int{1, 2} {
		t.Errorf("PerLabel = %v", rep.PerLabel)
	}
	if len(train) != 3 || len(valid) != 2 {
		t.Errorf("train %v valid %v", ids(train), ids(valid))
	}
}

func TestSplitDeterministic(t *testing.T) {
	ex := synth(30, 40, 50)
	_, v1, _, _ := Split(ex, 0.25, 42)
	_, v2, _, _ := Split(ex, 0.25, 42)
	if !reflect.DeepEqual(ids(v1), ids(v2)) {
		t.Error("same seed gave different splits")
	}
	_, v3, _, _ := Split(ex, 0.25, 43)
	if reflect.DeepEqual(ids(v1), ids(v3)) {
		t.Error("different seeds gave the same split")
	}
	// A label's split does not depend on the other labels: compare the
	// ranks, within label L0, of its examples sent to validation.
	rank := func(all, valid []Example) []int {
		pos := map[string]int{}
		for _, e := range all {
			if e.Label == "L0" {
				pos[e.ID] = len(pos)
			}
		}
		var r []int
		for _, e := range valid {
			if e.Label == "L0" {
				r = append(r, pos[e.ID])
			}
		}
		return r
	}
	alone := synth(30)
	_, v4, _, _ := Split(alone, 0.25, 42)
	if a, b := rank(ex, v1), rank(alone, v4); !reflect.DeepEqual(a, b) {
		t.Errorf("label L0 split %v among other labels, %v alone", a, b)
	}
}

// TestSplitGolden pins the permutation: a change here changes every
// published split and must be deliberate.
func TestSplitGolden(t *testing.T) {
	_, valid, _, err := Split(synth(5, 5), 0.4, 42)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ids(valid), goldenValid; !reflect.DeepEqual(got, want) {
		t.Errorf("valid ids = %q, want %q", got, want)
	}
}

var goldenValid = []string{"0", "1", "2", "9"}

func TestKFold(t *testing.T) {
	ex := synth(7, 12, 3, 1)
	const k = 5
	folds, err := KFold(ex, k, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(folds) != k {
		t.Fatalf("%d folds", len(folds))
	}
	seen := make([]int, len(ex))
	minSize, maxSize := len(ex), 0
	for _, f := range folds {
		if !slices.IsSorted(f) {
			t.Errorf("fold %v not sorted", f)
		}
		minSize, maxSize = min(minSize, len(f)), max(maxSize, len(f))
		perLabel := map[string]int{}
		for _, i := range f {
			seen[i]++
			perLabel[ex[i].Label]++
		}
		// Stratified: each label's share per fold is floor or ceil of n/k.
		for l, n := range map[string]int{"L0": 7, "L1": 12, "L2": 3, "L3": 1} {
			if c := perLabel[l]; c < n/k || c > (n+k-1)/k {
				t.Errorf("label %s: %d in a fold, want %d..%d", l, c, n/k, (n+k-1)/k)
			}
		}
	}
	for i, c := range seen {
		if c != 1 {
			t.Errorf("example %d in %d folds", i, c)
		}
	}
	if maxSize-minSize > 1 {
		t.Errorf("fold sizes from %d to %d", minSize, maxSize)
	}
	again, _ := KFold(ex, k, 9)
	if !reflect.DeepEqual(folds, again) {
		t.Error("same seed gave different folds")
	}
	for _, bad := range []int{-1, 0, 1, len(ex) + 1} {
		if _, err := KFold(ex, bad, 9); err == nil {
			t.Errorf("KFold(k=%d) gave no error", bad)
		}
	}
}

func TestBoundedUniform(t *testing.T) {
	// Every value of a small range is reached, none outside it.
	r := rand.NewPCG(1, 2)
	var hits [7]int
	for range 7000 {
		v := bounded(r, 7)
		if v >= 7 {
			t.Fatalf("bounded returned %d", v)
		}
		hits[v]++
	}
	for v, h := range hits {
		if h < 800 || h > 1200 {
			t.Errorf("value %d drawn %d times out of 7000", v, h)
		}
	}
}

func TestSplitIndicesMatchesSplit(t *testing.T) {
	var ex []Example
	for i := 0; i < 40; i++ {
		ex = append(ex, Example{ID: fmt.Sprint(i), Text: fmt.Sprint("q", i), Label: fmt.Sprint(i % 3)})
	}
	tr, va, _, err := Split(ex, 0.25, 9)
	if err != nil {
		t.Fatal(err)
	}
	ti, vi, _, err := SplitIndices(ex, 0.25, 9)
	if err != nil {
		t.Fatal(err)
	}
	if len(ti) != len(tr) || len(vi) != len(va) {
		t.Fatalf("sizes differ: %d/%d vs %d/%d", len(ti), len(vi), len(tr), len(va))
	}
	for i, j := range vi {
		if ex[j] != va[i] {
			t.Fatalf("validation row %d: index %d is %+v, Split gave %+v", i, j, ex[j], va[i])
		}
	}
}

func TestLoadLabelNames(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/intents.csv"
	os.WriteFile(path, []byte("\ufeffid;name\r\n26;grossesse et allaitement\r\n3;\"posologie; dose\"\r\n"), 0o644)
	names, err := LoadLabelNames(path)
	if err != nil {
		t.Fatal(err)
	}
	if names["26"] != "grossesse et allaitement" || names["3"] != "posologie; dose" || len(names) != 2 {
		t.Fatalf("names = %v", names)
	}
	os.WriteFile(path, []byte("id;name\n1;a\n1;b\n"), 0o644)
	if _, err := LoadLabelNames(path); err == nil || !strings.Contains(err.Error(), ":3") {
		t.Fatalf("duplicate key error = %v, want one naming line 3", err)
	}
}
