package dataset

import (
	"sort"
	"strconv"
	"strings"
)

// Example is one usable record.
type Example struct {
	ID     string // the id column, or the 1-based data row number when the file has none
	Text   string // the question, trimmed of surrounding white space; never empty
	Label  string // the intent; empty only when loaded with Options.Unlabeled
	Source string // the file the text was read from
	Line   int    // 1-based line of Source where the record starts
}

// Rejection is one record that was read but cannot be used.
type Rejection struct {
	Source string // the file holding the record
	Line   int    // 1-based line where the record starts
	ID     string // the record's id, if any
	Reason string // one of the Reason constants
}

// Reasons for rejecting a record. RejectionSummary counts by these.
const (
	ReasonEmptyText    = "empty text"
	ReasonMissingLabel = "missing label"
	ReasonMissingID    = "missing id"
	ReasonDuplicateID  = "duplicate id"
	ReasonNoLabel      = "id has no label in output file"
	ReasonNoQuestion   = "id has no question in input file"
	ReasonBadValue     = "text or label is not a string or number"
)

// Dataset is the result of Load: the usable examples in file order and every
// record that was set aside, with why.
type Dataset struct {
	Examples []Example
	Rejected []Rejection
	Format   string   // "posos", "csv", "tsv", "jsonl" or "json"
	Sources  []string // the files read, in order
}

// Options tune Load. The zero value detects everything.
type Options struct {
	// TextCol, LabelCol and IDCol name the columns (or JSON keys) to use,
	// matched case-insensitively. Empty means detect among common names.
	TextCol, LabelCol, IDCol string
	// Unlabeled loads data to predict: a label column is optional and rows
	// without a label are kept. A Posos folder then loads input_test.csv.
	Unlabeled bool
	// MaxRows, when positive, stops reading once that many examples are kept.
	// Records past that point are neither read nor rejected.
	MaxRows int
}

// Counts returns the number of examples of each non-empty label.
func (d *Dataset) Counts() map[string]int {
	c := make(map[string]int)
	for _, e := range d.Examples {
		if e.Label != "" {
			c[e.Label]++
		}
	}
	return c
}

// Labels returns the distinct non-empty labels in SortLabels order.
func (d *Dataset) Labels() []string {
	c := d.Counts()
	ls := make([]string, 0, len(c))
	for l := range c {
		ls = append(ls, l)
	}
	SortLabels(ls)
	return ls
}

// RejectionSummary returns the number of rejected records per reason.
func (d *Dataset) RejectionSummary() map[string]int {
	m := make(map[string]int)
	for _, r := range d.Rejected {
		m[r.Reason]++
	}
	return m
}

// SortLabels sorts labels in place: numerically when every label is a
// decimal integer (ties such as "7" and "07" broken lexicographically),
// lexicographically otherwise.
func SortLabels(labels []string) {
	nums := make([]int64, len(labels))
	numeric := true
	for i, l := range labels {
		n, err := strconv.ParseInt(l, 10, 64)
		if err != nil {
			numeric = false
			break
		}
		nums[i] = n
	}
	if !numeric {
		sort.Strings(labels)
		return
	}
	sort.Sort(byNumber{labels, nums})
}

type byNumber struct {
	s []string
	n []int64
}

func (b byNumber) Len() int { return len(b.s) }
func (b byNumber) Less(i, j int) bool {
	if b.n[i] != b.n[j] {
		return b.n[i] < b.n[j]
	}
	return b.s[i] < b.s[j]
}
func (b byNumber) Swap(i, j int) {
	b.s[i], b.s[j] = b.s[j], b.s[i]
	b.n[i], b.n[j] = b.n[j], b.n[i]
}

// builder applies the row rules shared by every format.
type builder struct {
	ds        *Dataset
	unlabeled bool
	max       int
	seen      map[string]struct{} // ids kept or rejected-as-empty, when ids come from the file
}

func newBuilder(ds *Dataset, opt Options) *builder {
	return &builder{ds: ds, unlabeled: opt.Unlabeled, max: opt.MaxRows, seen: make(map[string]struct{})}
}

func (b *builder) reject(source string, line int, id, reason string) {
	b.ds.Rejected = append(b.ds.Rejected, Rejection{Source: source, Line: line, ID: id, Reason: reason})
}

// full reports whether MaxRows examples have been kept.
func (b *builder) full() bool { return b.max > 0 && len(b.ds.Examples) >= b.max }

// add keeps e or rejects it. checkID enables the id checks (ids read from
// the file; row numbers are unique by construction).
func (b *builder) add(e Example, checkID bool) {
	e.ID = strings.TrimSpace(e.ID)
	if checkID && !b.checkID(e) {
		return
	}
	b.keep(e)
}

// checkID rejects a record whose id is empty or already seen (the first
// record with an id wins) and reports whether e may go on.
func (b *builder) checkID(e Example) bool {
	if e.ID == "" {
		b.reject(e.Source, e.Line, e.ID, ReasonMissingID)
		return false
	}
	if _, dup := b.seen[e.ID]; dup {
		b.reject(e.Source, e.Line, e.ID, ReasonDuplicateID)
		return false
	}
	b.seen[e.ID] = struct{}{}
	return true
}

// keep rejects e for an empty text or (unless unlabeled) an empty label,
// and keeps it otherwise.
func (b *builder) keep(e Example) {
	e.Text = strings.TrimSpace(e.Text)
	e.Label = strings.TrimSpace(e.Label)
	switch {
	case e.Text == "":
		b.reject(e.Source, e.Line, e.ID, ReasonEmptyText)
	case e.Label == "" && !b.unlabeled:
		b.reject(e.Source, e.Line, e.ID, ReasonMissingLabel)
	default:
		b.ds.Examples = append(b.ds.Examples, e)
	}
}
