package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"intent/store"
)

// exampleInput is one example of a POST /examples body.
type exampleInput struct {
	Text   *string         `json:"text"`
	Intent json.RawMessage `json:"intent"` // a JSON string or integer
	Source *string         `json:"source"`
}

// examplesBody is an object body of POST /examples: one example, or a list
// under "examples".
type examplesBody struct {
	exampleInput
	Examples []json.RawMessage `json:"examples"`
}

const examplesShape = `{"text": "...", "intent": 26}, a list of them, or {"examples": [{"text": "...", "intent": 26}, ...]}`

// parseExamples reads the three shapes POST /examples takes:
//
//	{"text": "...", "intent": 26, "source": "..."}
//	[{"text": "...", "intent": 26}, ...]
//	{"examples": [{"text": "...", "intent": "cancel"}, ...]}
//
// and validates every example; errors of a list name the index.
func parseExamples(body []byte) ([]store.Example, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errorf(kindInvalid, "empty request body: send %s", examplesShape)
	}
	var items []json.RawMessage
	switch body[0] {
	case '[':
		if err := decodeStrict(body, &items); err != nil {
			return nil, errorf(kindInvalid, "request body must be %s: %v", examplesShape, err)
		}
		if items == nil {
			return nil, errorf(kindInvalid, "request body must be %s: got null", examplesShape)
		}
	case '{':
		var b examplesBody
		if err := decodeStrict(body, &b); err != nil {
			return nil, errorf(kindInvalid, "request body must be %s: %v", examplesShape, err)
		}
		if b.Examples == nil {
			e, err := b.exampleInput.check(-1)
			if err != nil {
				return nil, err
			}
			return []store.Example{e}, nil
		}
		if b.Text != nil || b.Intent != nil || b.Source != nil {
			return nil, errorf(kindInvalid, `send either one example {"text", "intent"} or {"examples": [...]}, not both`)
		}
		items = b.Examples
	default:
		return nil, errorf(kindInvalid, "request body must be %s", examplesShape)
	}
	switch {
	case len(items) == 0:
		return nil, errorf(kindInvalid, "the list of examples is empty")
	case len(items) > maxExamplesBatch:
		return nil, errorf(kindTooLarge, "%d examples in one request, the limit is %d: send them in several requests", len(items), maxExamplesBatch)
	}
	out := make([]store.Example, len(items))
	for i, raw := range items {
		var in exampleInput
		if err := decodeStrict(raw, &in); err != nil {
			return nil, errorf(kindInvalid, `examples[%d] must be {"text": "...", "intent": ...}: %v`, i, err)
		}
		e, err := in.check(i)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// check validates one example; i is its index in a list, or -1.
func (in exampleInput) check(i int) (store.Example, error) {
	fail := func(k kind, format string, args ...any) (store.Example, error) {
		msg := fmt.Sprintf(format, args...)
		if i >= 0 {
			msg = "examples[" + strconv.Itoa(i) + "]: " + msg
		}
		return store.Example{}, errorf(k, "%s", msg)
	}
	if in.Text == nil {
		return fail(kindInvalid, `missing "text"`)
	}
	text := strings.TrimSpace(*in.Text)
	if text == "" {
		return fail(kindInvalid, `"text" is empty`)
	}
	if n := utf8.RuneCountInString(text); n > maxExampleText {
		return fail(kindTooLarge, `"text" has %d characters, the limit is %d`, n, maxExampleText)
	}
	intent, err := intentOf(in.Intent)
	if err != nil {
		return fail(kindInvalid, "%v", err)
	}
	source := "api"
	if in.Source != nil {
		source = strings.TrimSpace(*in.Source)
		if utf8.RuneCountInString(source) > maxSourceLen {
			return fail(kindInvalid, `"source" is over %d characters`, maxSourceLen)
		}
	}
	return store.Example{Text: text, Intent: intent, Source: source}, nil
}

// intentOf reads an intent given as a JSON string or integer; it is stored
// as text (26 and "26" are the same intent).
func intentOf(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", errors.New(`missing "intent"`)
	}
	var s string
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf(`"intent": %v`, err)
		}
		s = strings.TrimSpace(s)
	default:
		if _, err := strconv.ParseInt(string(raw), 10, 64); err != nil {
			return "", fmt.Errorf(`"intent" must be a string or an integer, got %s`, truncate(string(raw), 40))
		}
		s = string(raw)
	}
	switch {
	case s == "":
		return "", errors.New(`"intent" is empty`)
	case utf8.RuneCountInString(s) > maxIntentLen:
		return "", fmt.Errorf(`"intent" is over %d characters`, maxIntentLen)
	}
	return s, nil
}

// addedJSON is the answer of POST /examples.
type addedJSON struct {
	IDs []int64 `json:"ids"`
}

// handleAddExamples answers POST /examples: 201 {"ids": [...]} once the
// examples are committed to the database (and so survive a crash).
func (t *tasksAPI) handleAddExamples() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readRawBody(w, r, maxExamplesBody)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		examples, err := parseExamples(body)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		ids, err := t.db.AddExamples(r.Context(), examples)
		if err != nil {
			writeError(w, r, t.log, storeError(err, "add examples"))
			return
		}
		writeJSON(w, http.StatusCreated, addedJSON{IDs: ids})
	})
}

// exampleJSON is a stored example as GET /examples shows it. The intent is
// always a string: it is stored as text.
type exampleJSON struct {
	ID        int64     `json:"id"`
	Text      string    `json:"text"`
	Intent    string    `json:"intent"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

// examplesPageJSON is the answer of GET /examples.
type examplesPageJSON struct {
	Examples []exampleJSON `json:"examples"`
	Total    int           `json:"total"` // matching the intent filter, all pages together
	Next     *string       `json:"next"`  // the URL of the next page; null on the last one
}

// handleListExamples answers GET /examples[?intent=26][&text=...][&limit=100][&after=ID]:
// examples in id order, a page at a time; text keeps those whose text
// contains it (ignoring the case of ASCII letters).
func (t *tasksAPI) handleListExamples() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		intent := strings.TrimSpace(q.Get("intent"))
		if utf8.RuneCountInString(intent) > maxIntentLen || !utf8.ValidString(intent) {
			writeError(w, r, t.log, errorf(kindInvalid, "intent must be valid UTF-8 of at most %d characters", maxIntentLen))
			return
		}
		text := strings.TrimSpace(q.Get("text"))
		if utf8.RuneCountInString(text) > maxIntentLen || !utf8.ValidString(text) {
			writeError(w, r, t.log, errorf(kindInvalid, "text must be valid UTF-8 of at most %d characters", maxIntentLen))
			return
		}
		if text != "" {
			if _, err := t.curator("filtering examples by text"); err != nil {
				writeError(w, r, t.log, err)
				return
			}
		}
		limit, err := intParam(q.Get("limit"), "limit", defaultPageSize, 1, maxPageSize)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		var after int64
		if s := q.Get("after"); s != "" {
			if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
				writeError(w, r, t.log, errorf(kindInvalid, "after must be an example id (a non-negative integer), got %q", truncate(s, 20)))
				return
			}
		}
		page, err := t.db.ListExamples(r.Context(), store.ExampleFilter{Intent: intent, Text: text, After: after, Limit: limit})
		if err != nil {
			writeError(w, r, t.log, storeError(err, "list examples"))
			return
		}
		out := examplesPageJSON{Examples: make([]exampleJSON, len(page.Examples)), Total: page.Total}
		for i, e := range page.Examples {
			out.Examples[i] = exampleJSON{ID: e.ID, Text: e.Text, Intent: e.Intent, Source: e.Source, CreatedAt: e.CreatedAt}
		}
		if page.Next > 0 {
			v := url.Values{}
			if intent != "" {
				v.Set("intent", intent)
			}
			if text != "" {
				v.Set("text", text)
			}
			v.Set("limit", strconv.Itoa(limit))
			v.Set("after", strconv.FormatInt(page.Next, 10))
			next := "/examples?" + v.Encode()
			out.Next = &next
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleDeleteExample answers DELETE /examples/{id}: 204, or 404.
func (t *tasksAPI) handleDeleteExample() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := mux.Vars(r)["id"]
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			writeError(w, r, t.log, errorf(kindInvalid, "example id must be a positive integer, got %q", truncate(s, 20)))
			return
		}
		if err := t.db.DeleteExample(r.Context(), id); err != nil {
			writeError(w, r, t.log, storeError(err, fmt.Sprintf("no example %d", id)))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
