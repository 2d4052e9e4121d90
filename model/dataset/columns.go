package dataset

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
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

// tableMissingColumn builds the error for a required column absent from the
// first line of the table t. When that line looks like a row of data rather
// than column names, the file most likely has no header row: the error says
// so and suggests one (suggest, e.g. "question;intent"; empty: none). Else it
// is missingColumn's.
func tableMissingColumn(t *table, override string, r role, suggest string) error {
	if !headerless(t.header) {
		return missingColumn(t.source, 1, t.header, override, r)
	}
	cells := make([]string, len(t.header))
	for i, h := range t.header {
		h = strings.TrimSpace(h)
		if utf8.RuneCountInString(h) > 60 { // shortened at a word boundary
			cut := string([]rune(h)[:57])
			if i := strings.LastIndexByte(cut, ' '); i > 0 {
				cut = cut[:i]
			}
			h = cut + "..."
		}
		cells[i] = fmt.Sprintf("%q", h)
	}
	add := "add a first line that names the columns"
	if suggest != "" {
		add += ", e.g. " + suggest
	}
	return &Error{Source: t.source, Line: 1,
		Err: fmt.Errorf("%w: no %s column: the first line looks like data, not column names: %s",
			ErrMissingColumn, r.what, strings.Join(cells, ", ")),
		Hint: fmt.Sprintf("the file seems to have no header row: %s (if that line does name the columns, choose the %s column with %s)",
			add, r.what, r.flag)}
}

// number is a cell that is a number ("26", "-1", "3.5", "3,5").
var number = regexp.MustCompile(`^[+-]?[0-9]+([.,][0-9]+)?$`)

// headerless reports whether header, the first line of a table, looks like
// a row of data: one of its cells is a number (an ID or an intent) or a
// sentence (a question mark, four words or more, or over 40 characters).
// Column names are short words.
func headerless(header []string) bool {
	for _, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if number.MatchString(h) || strings.Contains(h, "?") ||
			len(strings.Fields(h)) >= 4 || utf8.RuneCountInString(h) > 40 {
			return true
		}
	}
	return false
}

// suggestHeader proposes column names for a headerless table from its first
// row: the longest cell is the question; with two columns the other is the
// intent (the ID when the file is not labeled), with three the others are
// the ID then the intent. It returns "" for other widths.
func suggestHeader(first []string, delim rune, labeled bool) string {
	text := 0
	for i, c := range first {
		if utf8.RuneCountInString(c) > utf8.RuneCountInString(first[text]) {
			text = i
		}
	}
	var others []string
	switch len(first) {
	case 2:
		others = []string{"intent"}
		if !labeled {
			others = []string{"ID"}
		}
	case 3:
		others = []string{"ID", "intent"}
	default:
		return ""
	}
	names := make([]string, len(first))
	for i := range first {
		if i == text {
			names[i] = "question"
		} else {
			names[i], others = others[0], others[1:]
		}
	}
	return strings.Join(names, string(delim))
}
