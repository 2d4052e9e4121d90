package store

import "time"

// Example is one question: labeled (Intent set) or waiting for a label
// (Intent empty). The waiting ones are the pool the labeling queue ranks
// (Curator.Unlabeled): there is one table of questions, and labeling one
// sets its intent, keeping its id and key.
type Example struct {
	ID int64
	// Key is the caller's own identifier of the example ("abc-1"); empty
	// for none. Two examples never share a key.
	Key       string
	Text      string
	Intent    string // empty: not labeled yet
	Source    string // who added it ("api", an annotation tool, ...); may be empty
	CreatedAt time.Time
}

// Labeling selects examples by whether they have an intent.
type Labeling int

// The values of ExampleFilter.Labeling.
const (
	OnlyLabeled   Labeling = iota // examples with an intent (the zero value)
	OnlyUnlabeled                 // examples waiting for a label
	LabeledOrNot                  // both
)

// ExampleFilter selects a page of examples.
type ExampleFilter struct {
	Intent string // only this intent; empty means all
	// Text keeps only examples whose text contains it, ignoring the case
	// of ASCII letters; empty means all. Only a Curator backend honors it.
	Text string
	// Labeling keeps labeled examples (the zero value), unlabeled ones, or
	// both. With Intent set, only labeled examples can match.
	Labeling Labeling
	After    int64 // only ids greater than this (the previous page's Next)
	Limit    int   // at most this many; must be positive
}

// ExamplePage is one page of examples in id order.
type ExamplePage struct {
	Examples []Example
	Total    int   // examples matching the filter's intent and text, all pages together
	Next     int64 // pass as After for the next page; 0 on the last page
}

// DeleteFilter selects the examples DeleteExamples removes: those matching
// every field that is not empty. At least one must be set.
type DeleteFilter struct {
	Intent string // labeled examples of this intent
	Source string // examples, labeled or not, from this source
}

// Empty reports whether f selects nothing in particular (it would delete
// everything, which DeleteExamples refuses).
func (f DeleteFilter) Empty() bool { return f.Intent == "" && f.Source == "" }

// BatchConflict is the ErrConflict error of a batch of AddExamples that
// contradicts itself: two examples with one key, or two questions without
// key nor intent with one text. Backends check it before the database.
func BatchConflict(examples []Example) error {
	keys, texts := map[string]int{}, map[string]int{}
	for i, e := range examples {
		switch {
		case e.Key != "":
			if j, ok := keys[e.Key]; ok {
				return Conflict("key %q is given twice: examples %d and %d of the list", e.Key, j, i)
			}
			keys[e.Key] = i
		case e.Intent == "":
			if j, ok := texts[e.Text]; ok {
				return Conflict("the question %q is given twice without intent nor key: examples %d and %d of the list", e.Text, j, i)
			}
			texts[e.Text] = i
		}
	}
	return nil
}
