package dataset

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by Load is an *Error whose Err wraps
// one of these (or an I/O error), so callers can test with errors.Is.
var (
	// ErrMissingColumn: the text, label or id column cannot be found.
	ErrMissingColumn = errors.New("missing column")
	// ErrMalformed: the file does not parse (CSV quoting, field count, JSON).
	ErrMalformed = errors.New("malformed file")
	// ErrEncoding: the file is not UTF-8.
	ErrEncoding = errors.New("not UTF-8")
	// ErrNoExamples: the file parses but no row is usable.
	ErrNoExamples = errors.New("no usable examples")
)

// Error reports a file that cannot be used at all. Rows that are merely
// unusable are not errors; they become Rejections.
type Error struct {
	Source string // the file (or folder) at fault
	Line   int    // 1-based line of the problem; 0 when not tied to a line
	Err    error  // the problem; wraps a sentinel above or an I/O error
	Hint   string // how to fix it; may be empty
}

// Error formats as "dataset: FILE:LINE: PROBLEM; HINT".
func (e *Error) Error() string {
	s := "dataset: " + e.Source
	if e.Line > 0 {
		s += ":" + strconv.Itoa(e.Line)
	}
	s += ": " + e.Err.Error()
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }
