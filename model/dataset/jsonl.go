package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// readJSON loads JSON Lines (one object per line, blank lines skipped) or,
// when the first non-blank byte is '[', a JSON array of objects.
func readJSON(r io.Reader, source string, opt Options) (*Dataset, error) {
	br := bufio.NewReaderSize(r, peekSize)
	if err := skipBOM(br, source); err != nil {
		return nil, err
	}
	head, _ := br.Peek(peekSize)
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		return readJSONArray(br, source, opt)
	}
	ds := &Dataset{Format: "jsonl", Sources: []string{source}}
	j := &jsonRows{source: source, opt: opt, b: newBuilder(ds, opt)}
	for line := 1; !j.b.full(); line++ {
		data, err := br.ReadBytes('\n')
		if len(data) > 0 {
			if !utf8.Valid(data) {
				return nil, encodingError(source, line)
			}
			if obj := bytes.TrimSpace(data); len(obj) > 0 {
				if err := j.row(obj, line); err != nil {
					return nil, err
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &Error{Source: source, Line: line, Err: fmt.Errorf("read: %w", err)}
		}
	}
	return ds, nil
}

// readJSONArray loads a JSON array of objects. The file is read whole.
func readJSONArray(r io.Reader, source string, opt Options) (*Dataset, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{Source: source, Err: fmt.Errorf("read: %w", err)}
	}
	if !utf8.Valid(data) {
		return nil, encodingError(source, lineAt(data, invalidAt(string(data))))
	}
	ds := &Dataset{Format: "json", Sources: []string{source}}
	j := &jsonRows{source: source, opt: opt, b: newBuilder(ds, opt)}
	dec := json.NewDecoder(bytes.NewReader(data))
	syntax := func(err error) error {
		line := lineAt(data, int(dec.InputOffset()))
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line = lineAt(data, int(se.Offset))
		}
		return &Error{Source: source, Line: line, Err: fmt.Errorf("%w: not valid JSON: %v", ErrMalformed, err),
			Hint: "a .json file holds one array of objects"}
	}
	if _, err := dec.Token(); err != nil { // '[' checked by the caller
		return nil, syntax(err)
	}
	lc := lineCounter{data: data, line: 1}
	for dec.More() && !j.b.full() {
		off := int(dec.InputOffset())
		for off < len(data) && strings.IndexByte(" \t\r\n,", data[off]) >= 0 {
			off++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntax(err)
		}
		if err := j.row(raw, lc.at(off)); err != nil {
			return nil, err
		}
	}
	if j.b.full() {
		return ds, nil
	}
	if _, err := dec.Token(); err != nil { // ']'
		return nil, syntax(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Source: source, Line: lineAt(data, int(dec.InputOffset())),
			Err:  fmt.Errorf("%w: data after the closing ]", ErrMalformed),
			Hint: "a .json file holds one array of objects"}
	}
	return ds, nil
}

// lineAt returns the 1-based line holding byte offset off of data.
func lineAt(data []byte, off int) int {
	off = min(max(off, 0), len(data))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// lineCounter answers lineAt for increasing offsets in linear total time.
type lineCounter struct {
	data []byte
	pos  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(max(off, 0), len(c.data))
	if off < c.pos {
		c.pos, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.pos:off], []byte{'\n'})
	c.pos = off
	return c.line
}

// jsonRows turns JSON objects into examples. The keys to use are resolved
// on the first object and looked up in every later one.
type jsonRows struct {
	source                   string
	opt                      Options
	b                        *builder
	resolved                 bool
	textKey, labelKey, idKey string // "" when absent
	n                        int    // objects seen
}

func (j *jsonRows) row(data []byte, line int) error {
	var obj map[string]json.RawMessage
	err := json.Unmarshal(data, &obj)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) || (err == nil && obj == nil) {
		return &Error{Source: j.source, Line: line, Err: fmt.Errorf("%w: not a JSON object", ErrMalformed),
			Hint: `each record is an object such as {"text": "...", "label": "..."}`}
	}
	if err != nil {
		return &Error{Source: j.source, Line: line, Err: fmt.Errorf("%w: not valid JSON: %v", ErrMalformed, err),
			Hint: "JSON Lines hold one complete object per line"}
	}
	if !j.resolved {
		if err := j.resolve(obj, line); err != nil {
			return err
		}
	}
	j.n++
	e := Example{Source: j.source, Line: line, ID: strconv.Itoa(j.n)}
	var ok [3]bool
	e.Text, ok[0] = field(obj, j.textKey)
	e.Label, ok[1] = field(obj, j.labelKey)
	ok[2] = true
	if j.idKey != "" {
		e.ID, ok[2] = field(obj, j.idKey)
	}
	if !ok[0] || !ok[1] || !ok[2] {
		j.b.reject(j.source, line, strings.TrimSpace(e.ID), ReasonBadValue)
		return nil
	}
	j.b.add(e, j.idKey != "")
	return nil
}

func (j *jsonRows) resolve(obj map[string]json.RawMessage, line int) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pick := func(override string, r role, required bool) (string, error) {
		i := findColumn(keys, override, r)
		if i >= 0 {
			return keys[i], nil
		}
		if required || override != "" {
			return "", missingColumn(j.source, line, keys, override, r)
		}
		return "", nil
	}
	var err error
	if j.textKey, err = pick(j.opt.TextCol, textRole, true); err != nil {
		return err
	}
	if j.labelKey, err = pick(j.opt.LabelCol, labelRole, !j.opt.Unlabeled); err != nil {
		return err
	}
	if j.labelKey == j.textKey {
		return &Error{Source: j.source, Line: line,
			Err:  fmt.Errorf("%w: text and label are both key %q", ErrMissingColumn, j.textKey),
			Hint: "choose different keys with --text-col and --label-col"}
	}
	if j.idKey, err = pick(j.opt.IDCol, idRole, false); err != nil {
		return err
	}
	j.resolved = true
	return nil
}

// field returns the value of key in obj as text: strings as they are,
// numbers as decimal text (integral numbers without exponent or fraction,
// so 26, 26.0 and 2.6e1 all give "26"), booleans as true/false, null or a
// missing key as "". ok is false for arrays and objects.
func field(obj map[string]json.RawMessage, key string) (s string, ok bool) {
	if key == "" {
		return "", true
	}
	raw, present := obj[key]
	if !present {
		for k, v := range obj {
			if strings.EqualFold(k, key) {
				raw, present = v, true
				break
			}
		}
	}
	raw = bytes.TrimSpace(raw)
	if !present || len(raw) == 0 {
		return "", true
	}
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case 'n':
		return "", true
	case 't', 'f':
		return string(raw), true
	case '{', '[':
		return "", false
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), true
	}
	return string(raw), true
}
