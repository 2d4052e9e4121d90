package dataset

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

const (
	utf8BOM  = "\xef\xbb\xbf"
	peekSize = 64 << 10 // bytes looked at to detect the delimiter
)

// delimiters is the set the header line is searched for.
var delimiters = []rune{';', ',', '\t', '|'}

// table streams a delimited file (CSV, TSV, Posos) one record at a time on
// top of encoding/csv: strict quoting (LazyQuotes off), every row as wide as
// the header, UTF-8 checked field by field, errors turned into *Error with
// the line.
type table struct {
	source string
	delim  rune
	header []string
	br     *bufio.Reader
	cr     *csv.Reader
	rec    []string // the last record, for error messages
}

// openTable skips a UTF-8 byte order mark, detects the delimiter from the
// header line (preferring tab on ties when preferTab) and reads the header.
func openTable(r io.Reader, source string, preferTab bool) (*table, error) {
	br := bufio.NewReaderSize(r, peekSize)
	if err := skipBOM(br, source); err != nil {
		return nil, err
	}
	head, err := br.Peek(peekSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &Error{Source: source, Err: fmt.Errorf("read: %w", err)}
	}
	t := &table{source: source, delim: detectDelimiter(head, preferTab), br: br}
	t.cr = csv.NewReader(br)
	t.cr.Comma = t.delim
	t.cr.ReuseRecord = true
	header, _, err := t.next()
	if err == io.EOF {
		return nil, &Error{Source: source, Err: fmt.Errorf("%w: empty file", ErrMalformed),
			Hint: "the first line must name the columns, e.g. ID;question"}
	}
	if err != nil {
		return nil, err
	}
	t.header = append([]string(nil), header...)
	return t, nil
}

// skipBOM drops a UTF-8 byte order mark and refuses UTF-16 outright.
func skipBOM(br *bufio.Reader, source string) error {
	b, _ := br.Peek(3)
	if bytes.HasPrefix(b, []byte(utf8BOM)) {
		_, _ = br.Discard(3)
		return nil
	}
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
		return &Error{Source: source, Line: 1, Err: fmt.Errorf("%w: the file is UTF-16", ErrEncoding),
			Hint: "convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8"}
	}
	return nil
}

// detectDelimiter counts each candidate outside double quotes on the first
// line of head and returns the most frequent. Ties go to the earlier of
// ; , tab | (tab first when preferTab). With none found it returns tab when
// preferTab, else comma (a one-column file).
func detectDelimiter(head []byte, preferTab bool) rune {
	var counts [4]int
	inQuote := false
scan:
	for _, c := range head {
		switch c {
		case '"':
			inQuote = !inQuote
		case '\n', '\r':
			if !inQuote {
				break scan
			}
		default:
			if !inQuote {
				for i, d := range delimiters {
					if rune(c) == d {
						counts[i]++
					}
				}
			}
		}
	}
	order := []int{0, 1, 2, 3}
	if preferTab {
		order = []int{2, 0, 1, 3}
	}
	best := -1
	for _, i := range order {
		if counts[i] > 0 && (best < 0 || counts[i] > counts[best]) {
			best = i
		}
	}
	switch {
	case best >= 0:
		return delimiters[best]
	case preferTab:
		return '\t'
	default:
		return ','
	}
}

// format is "tsv" for a tab-separated table, "csv" otherwise.
func (t *table) format() string {
	if t.delim == '\t' {
		return "tsv"
	}
	return "csv"
}

// next returns the next record and the line it starts on, or io.EOF. The
// record is reused by the following call; its strings are not.
func (t *table) next() ([]string, int, error) {
	rec, err := t.cr.Read()
	t.rec = rec
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, t.parseError(err)
	}
	line, _ := t.cr.FieldPos(0)
	for i, f := range rec {
		if !utf8.ValidString(f) {
			fl, _ := t.cr.FieldPos(i)
			return nil, 0, encodingError(t.source, fl+strings.Count(f[:invalidAt(f)], "\n"))
		}
	}
	return rec, line, nil
}

// invalidAt returns the byte offset of the first invalid UTF-8 sequence in s.
func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

func encodingError(source string, line int) error {
	return &Error{Source: source, Line: line, Err: fmt.Errorf("%w: invalid byte sequence", ErrEncoding),
		Hint: "save the file as UTF-8 (from Latin-1 or Windows-1252: iconv -f WINDOWS-1252 -t UTF-8)"}
}

// parseError turns an encoding/csv error into an *Error naming the line.
func (t *table) parseError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return &Error{Source: t.source, Err: fmt.Errorf("read: %w", err)}
	}
	sep := fmt.Sprintf("%q", t.delim)
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		return &Error{Source: t.source, Line: pe.StartLine,
			Err: fmt.Errorf("%w: wrong number of fields: %d, the header has %d", ErrMalformed, len(t.rec), len(t.header)),
			Hint: fmt.Sprintf("every row needs %d fields separated by %s; quote a field that contains %s",
				len(t.header), sep, sep)}
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &Error{Source: t.source, Line: pe.Line,
			Err:  fmt.Errorf("%w: bare \" in an unquoted field (column %d)", ErrMalformed, pe.Column),
			Hint: `quote the whole field and double the quotes inside it: "say ""hi"""`}
	case errors.Is(pe.Err, csv.ErrQuote):
		if _, perr := t.br.Peek(1); perr == io.EOF {
			return &Error{Source: t.source, Line: pe.StartLine,
				Err:  fmt.Errorf("%w: unterminated quoted field starting at line %d", ErrMalformed, pe.StartLine),
				Hint: `close the quote; a quote inside a quoted field is written ""`}
		}
		return &Error{Source: t.source, Line: pe.Line,
			Err:  fmt.Errorf("%w: extraneous \" in quoted field (column %d)", ErrMalformed, pe.Column),
			Hint: `a quote inside a quoted field is written ""`}
	}
	return &Error{Source: t.source, Line: pe.Line, Err: fmt.Errorf("%w: %v", ErrMalformed, pe.Err)}
}
