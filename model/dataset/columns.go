package dataset

import (
	"fmt"
	"strings"
)

// Column names recognised without an override, in order of preference,
// compared case-insensitively.
var (
	textNames  = []string{"question", "text", "query", "sentence", "utterance"}
	labelNames = []string{"intention", "intent", "label", "category", "class"}
	idNames    = []string{"id"}
)

// role describes one column to find: what it is for, the names tried and
// the flag that overrides them.
type role struct {
	what  string // "text", "label", "id"
	names []string
	flag  string
}

var (
	textRole  = role{"text", textNames, "--text-col"}
	labelRole = role{"label", labelNames, "--label-col"}
	idRole    = role{"id", idNames, "--id-col"}
)

// findColumn returns the index in header of the column named override
// (case-insensitive), or, without override, of the first of r.names present.
// It returns -1 when nothing matches.
func findColumn(header []string, override string, r role) int {
	if o := strings.TrimSpace(override); o != "" {
		return indexFold(header, o)
	}
	for _, n := range r.names {
		if i := indexFold(header, n); i >= 0 {
			return i
		}
	}
	return -1
}

func indexFold(header []string, name string) int {
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), name) {
			return i
		}
	}
	return -1
}

// missingColumn builds the error for a required column that is absent.
func missingColumn(source string, line int, header []string, override string, r role) error {
	found := make([]string, len(header))
	for i, h := range header {
		found[i] = fmt.Sprintf("%q", strings.TrimSpace(h))
	}
	cols := strings.Join(found, ", ")
	if len(header) == 0 {
		cols = "none"
	}
	if o := strings.TrimSpace(override); o != "" {
		return &Error{Source: source, Line: line,
			Err:  fmt.Errorf("%w: no %s column %q; columns found: %s", ErrMissingColumn, r.what, o, cols),
			Hint: fmt.Sprintf("choose one of the columns found with %s", r.flag)}
	}
	return &Error{Source: source, Line: line,
		Err: fmt.Errorf("%w: no %s column (looked for %s); columns found: %s",
			ErrMissingColumn, r.what, strings.Join(r.names, ", "), cols),
		Hint: fmt.Sprintf("choose the %s column with %s", r.what, r.flag)}
}
