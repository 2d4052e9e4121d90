package dataset

import (
	"reflect"
	"strings"
	"testing"
)

func labeled(counts map[string]int) []Example {
	var out []Example
	for l, n := range counts {
		for i := range n {
			out = append(out, Example{Text: l + " question " + strings.Repeat("x", i), Label: l})
		}
	}
	return out
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name     string
		counts   map[string]int
		min      int
		usable   bool
		tooFew   []string
		weak     []string
		problems int
	}{
		{"fine", map[string]int{"1": 5, "2": 9}, 2, true, nil, nil, 0},
		{"weak intents", map[string]int{"10": 4, "2": 2, "3": 7}, 2, true, nil, []string{"2", "10"}, 0},
		{"one intent", map[string]int{"only": 50}, 2, false, nil, nil, 1},
		{"no data", map[string]int{}, 2, false, nil, nil, 1},
		// Too few to measure is a warning: kept for training only.
		{"a single example", map[string]int{"a": 1, "b": 8, "c": 6}, 2, true, []string{"a"}, nil, 0},
		{"min raised to 2", map[string]int{"a": 1, "b": 8}, 0, true, []string{"a"}, nil, 0},
		{"stricter min", map[string]int{"a": 3, "b": 8}, 4, true, []string{"a"}, nil, 0},
		{"one intent of one", map[string]int{"a": 1}, 2, false, []string{"a"}, nil, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := Check(labeled(c.counts), nil, c.min)
			if r.Usable != c.usable || !reflect.DeepEqual(r.TooFew, c.tooFew) || !reflect.DeepEqual(r.Weak, c.weak) || len(r.Problems) != c.problems {
				t.Errorf("Check = usable %v, too few %v, weak %v, problems %q", r.Usable, r.TooFew, r.Weak, r.Problems)
			}
			if len(c.tooFew) > 0 && (len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "kept for training only")) {
				t.Errorf("no warning for the intents too small to measure: %q", r.Warnings)
			}
			if r.Intents != len(c.counts) || !reflect.DeepEqual(r.PerIntent, c.counts) && len(c.counts) > 0 {
				t.Errorf("intents %d, per intent %v", r.Intents, r.PerIntent)
			}
		})
	}
}

func TestCheckRejectionsAndDuplicates(t *testing.T) {
	ex := []Example{
		{Text: "Hello", Label: "greet"},
		{Text: " hello ", Label: "greet"},
		{Text: "HELLO", Label: "bye"},
		{Text: "bye", Label: "bye"},
		{Text: "no label", Source: "f.csv", Line: 9},
	}
	rej := make([]Rejection, 1, 64) // room to append: Check must not write into it
	rej[0] = Rejection{Source: "f.csv", Line: 3, ID: "7", Reason: ReasonEmptyText}
	for range 30 {
		rej = append(rej, Rejection{Source: "f.csv", Reason: ReasonDuplicateID})
	}
	r := Check(ex, rej, 2)
	if r.Examples != 4 || r.Rejected != 32 || r.DuplicateTexts != 2 || r.Conflicting != 1 {
		t.Errorf("examples %d, rejected %d, duplicates %d, conflicting %d", r.Examples, r.Rejected, r.DuplicateTexts, r.Conflicting)
	}
	want := map[string]int{ReasonEmptyText: 1, ReasonDuplicateID: 30, ReasonMissingLabel: 1}
	if !reflect.DeepEqual(r.RejectedReasons, want) {
		t.Errorf("reasons %v, want %v", r.RejectedReasons, want)
	}
	if len(r.FirstRejected) != maxFirstRejected || r.FirstRejected[0] != (RejectedRow{"f.csv", 3, "7", ReasonEmptyText}) {
		t.Errorf("first rejected: %v", r.FirstRejected)
	}
	if spare := rej[len(rej) : len(rej)+1]; spare[0] != (Rejection{}) {
		t.Errorf("Check wrote into the caller's array: %v", spare[0])
	}
}

func TestCheckListsManyTooFewBriefly(t *testing.T) {
	counts := map[string]int{"big": 10}
	for i := range 15 {
		counts[strings.Repeat("s", i+1)] = 1
	}
	r := Check(labeled(counts), nil, 2)
	if len(r.TooFew) != 15 || len(r.Warnings) == 0 || !strings.Contains(r.Warnings[0], "and 5 more") {
		t.Errorf("warnings %q", r.Warnings)
	}
}
