package dataset

import (
	"fmt"
	"strings"
)

// WeakBelow is the example count under which Check flags an intent as weak:
// usable, but too thin for its validation score to mean much.
const WeakBelow = 5

// MinPerLabel is the smallest example count per intent a stratified split
// can work with: one example to train on and one to validate.
const MinPerLabel = 2

// Report says what a training set holds and whether it can be trained on.
// It is what a training task shows before it trains.
type Report struct {
	Examples  int            `json:"examples"`
	Intents   int            `json:"intents"`
	PerIntent map[string]int `json:"per_intent"` // examples per intent
	// Rejected counts the records that were read but set aside, by reason
	// (the Reason constants); First lists the first few of them.
	Rejected        int            `json:"rejected"`
	RejectedReasons map[string]int `json:"rejected_reasons,omitempty"`
	FirstRejected   []RejectedRow  `json:"first_rejected,omitempty"`
	// DuplicateTexts counts examples whose text (case and surrounding space
	// aside) already appeared; Conflicting counts the texts seen with more
	// than one intent.
	DuplicateTexts int `json:"duplicate_texts"`
	Conflicting    int `json:"conflicting_texts"`
	// TooFew lists, in SortLabels order, the intents with fewer than the
	// minimum examples; Weak those with fewer than WeakBelow (but enough).
	TooFew []string `json:"too_few,omitempty"`
	Weak   []string `json:"weak,omitempty"`
	// MinPerIntent is the fewest examples an intent needs to be both
	// trained on and measured; intents with fewer (TooFew) are kept for
	// training only.
	MinPerIntent int `json:"min_per_intent"`
	// Usable is true when the data can be trained on at all: at least two
	// intents. Problems says why not, Warnings what may make the model or
	// its measure weaker; one sentence each.
	Usable   bool     `json:"usable"`
	Problems []string `json:"problems,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// RejectedRow is a Rejection as the report shows it.
type RejectedRow struct {
	Source string `json:"source"`
	Line   int    `json:"line"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// maxFirstRejected bounds Report.FirstRejected.
const maxFirstRejected = 20

// Check describes examples and the records rejected while reading them, and
// decides whether they can be trained on: at least two intents. Intents with
// fewer than minPerLabel examples (values below MinPerLabel are raised to
// it, since the split needs that many) are listed in TooFew with a warning.
// Unlabeled examples count as rejected for a missing label.
func Check(examples []Example, rejected []Rejection, minPerLabel int) Report {
	minPerLabel = max(minPerLabel, MinPerLabel)
	r := Report{PerIntent: map[string]int{}, MinPerIntent: minPerLabel}
	texts := map[string]string{} // normalized text -> first intent, or "" once conflicting
	conflict := map[string]bool{}
	var unlabeled []Rejection
	for _, e := range examples {
		if e.Label == "" {
			unlabeled = append(unlabeled, Rejection{Source: e.Source, Line: e.Line, ID: e.ID, Reason: ReasonMissingLabel})
			continue
		}
		r.Examples++
		r.PerIntent[e.Label]++
		key := strings.ToLower(strings.TrimSpace(e.Text))
		if first, seen := texts[key]; seen {
			r.DuplicateTexts++
			if first != e.Label && !conflict[key] {
				conflict[key] = true
				r.Conflicting++
			}
		} else {
			texts[key] = e.Label
		}
	}
	r.Intents = len(r.PerIntent)
	if len(unlabeled) > 0 {
		rejected = append(rejected[:len(rejected):len(rejected)], unlabeled...) // never into the caller's array
	}
	r.Rejected = len(rejected)
	if len(rejected) > 0 {
		r.RejectedReasons = map[string]int{}
		for i, x := range rejected {
			r.RejectedReasons[x.Reason]++
			if i < maxFirstRejected {
				r.FirstRejected = append(r.FirstRejected, RejectedRow(x))
			}
		}
	}
	labels := make([]string, 0, len(r.PerIntent))
	for l := range r.PerIntent {
		labels = append(labels, l)
	}
	SortLabels(labels)
	for _, l := range labels {
		switch n := r.PerIntent[l]; {
		case n < minPerLabel:
			r.TooFew = append(r.TooFew, l)
		case n < WeakBelow:
			r.Weak = append(r.Weak, l)
		}
	}
	if r.Intents < 2 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d intent(s) in %d example(s): a classifier needs at least 2 intents", r.Intents, r.Examples))
	}
	if len(r.TooFew) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d intent(s) have fewer than %d examples (%s): kept for training only, not measured; add examples",
			len(r.TooFew), minPerLabel, listSome(r.TooFew, 10)))
	}
	if r.Conflicting > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%d question(s) appear with different intents: check their labels", r.Conflicting))
	}
	r.Usable = len(r.Problems) == 0
	return r
}

// listSome joins at most n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
