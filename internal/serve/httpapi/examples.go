package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"intent/store"
)

// exampleInput is one example of a POST /examples body.
type exampleInput struct {
	Text *string `json:"text"`
	// Intent is a JSON string or integer, or null for a question to label.
	Intent json.RawMessage `json:"intent"`
	Source *string         `json:"source"`
	// ID, or Key, is the caller's own identifier of the example (a string,
	// or an integer taken as its digits), stored as its key.
	ID  json.RawMessage `json:"id"`
	Key json.RawMessage `json:"key"`
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
		if b.Text != nil || b.Intent != nil || b.Source != nil || b.ID != nil || b.Key != nil {
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
	var intent string
	if !bytes.Equal(bytes.TrimSpace(in.Intent), []byte("null")) {
		var err error
		if intent, err = intentOf(in.Intent); err != nil {
			if len(in.Intent) == 0 {
				err = errors.New(`missing "intent" (null for a question to label)`)
			}
			return fail(kindInvalid, "%v", err)
		}
	}
	key, err := in.key()
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
	return store.Example{Key: key, Text: text, Intent: intent, Source: source}, nil
}

// maxKeyLen bounds a caller's key.
const maxKeyLen = 128

// keyPattern is what a caller's key may hold: it goes into URLs
// (/examples/by-key/{key}) as it is.
var keyPattern = regexp.MustCompile(`^[A-Za-z0-9._~:@-]+$`)

const keyRule = "1 to 128 letters, digits or ._~:@- characters"

// key reads the caller's identifier, "id" or "key" (not both); "" when
// there is none.
func (in exampleInput) key() (string, error) {
	raw, name := in.ID, "id"
	switch {
	case in.ID != nil && in.Key != nil:
		return "", errors.New(`give "id" or "key" (the same thing: your identifier of the example), not both`)
	case in.Key != nil:
		raw, name = in.Key, "key"
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%q: %v", name, err)
		}
	} else if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		s = string(raw)
	} else {
		return "", fmt.Errorf("%q must be a string or an integer (your identifier of the example), got %s", name, truncate(string(raw), 40))
	}
	if err := checkKey(s); err != nil {
		return "", fmt.Errorf("%q %v", name, err)
	}
	return s, nil
}

// checkKey validates a caller's key.
func checkKey(s string) error {
	if len(s) > maxKeyLen || !keyPattern.MatchString(s) {
		return fmt.Errorf("%q: an example's identifier is %s", truncate(s, 40), keyRule)
	}
	return nil
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
// always a string (it is stored as text), or null for an example waiting
// for a label; the key is the caller's identifier, shown when it has one.
type exampleJSON struct {
	ID        int64     `json:"id"`
	Key       string    `json:"key,omitempty"`
	Text      string    `json:"text"`
	Intent    string    `json:"intent"`
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
}

func newExampleJSON(e store.Example) exampleJSON {
	return exampleJSON{ID: e.ID, Key: e.Key, Text: e.Text, Intent: e.Intent, Source: e.Source, CreatedAt: e.CreatedAt}
}

// MarshalJSON writes an empty intent as null: the example is unlabeled.
func (e exampleJSON) MarshalJSON() ([]byte, error) {
	out := struct {
		ID        int64     `json:"id"`
		Key       string    `json:"key,omitempty"`
		Text      string    `json:"text"`
		Intent    *string   `json:"intent"`
		Source    string    `json:"source"`
		CreatedAt time.Time `json:"created_at"`
	}{ID: e.ID, Key: e.Key, Text: e.Text, Source: e.Source, CreatedAt: e.CreatedAt}
	if e.Intent != "" {
		out.Intent = &e.Intent
	}
	return json.Marshal(out)
}

// examplesPageJSON is the answer of GET /examples.
type examplesPageJSON struct {
	Examples []exampleJSON `json:"examples"`
	Total    int           `json:"total"` // matching the filters, all pages together
	Next     *string       `json:"next"`  // the URL of the next page; null on the last one
}

// labelings are the values of GET /examples?labeled=.
var labelings = map[string]store.Labeling{"true": store.OnlyLabeled, "false": store.OnlyUnlabeled, "any": store.LabeledOrNot}

// handleListExamples answers GET /examples[?intent=26][&text=...][&labeled=true|false|any]
// [&limit=100][&after=ID]: examples in id order, a page at a time; text
// keeps those whose text contains it (ignoring the case of ASCII
// letters); labeled=false lists the questions waiting for a label, any
// both (the default is the labeled ones).
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
		labeled := q.Get("labeled")
		labeling, ok := labelings[labeled]
		if !ok && labeled != "" {
			writeError(w, r, t.log, errorf(kindInvalid, "labeled must be true (the default), false (the questions waiting for a label) or any, got %q", truncate(labeled, 20)))
			return
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
		page, err := t.db.ListExamples(r.Context(), store.ExampleFilter{Intent: intent, Text: text, Labeling: labeling, After: after, Limit: limit})
		if err != nil {
			writeError(w, r, t.log, storeError(err, "list examples"))
			return
		}
		out := examplesPageJSON{Examples: make([]exampleJSON, len(page.Examples)), Total: page.Total}
		for i, e := range page.Examples {
			out.Examples[i] = newExampleJSON(e)
		}
		if page.Next > 0 {
			v := url.Values{}
			if intent != "" {
				v.Set("intent", intent)
			}
			if text != "" {
				v.Set("text", text)
			}
			if labeled != "" {
				v.Set("labeled", labeled)
			}
			v.Set("limit", strconv.Itoa(limit))
			v.Set("after", strconv.FormatInt(page.Next, 10))
			next := "/examples?" + v.Encode()
			out.Next = &next
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// An example is named in a path by its id (/examples/12) or by the
// caller's key (/examples/by-key/abc-1): the two never mix, so a key may
// be all digits.

// exampleRef reads the example a path names: {id}, a positive integer,
// or {key}, a caller's key. It returns the id, and the key when the path
// gave one.
func exampleRef(r *http.Request) (id int64, key string, err error) {
	vars := mux.Vars(r)
	if k, ok := vars["key"]; ok {
		if err := checkKey(k); err != nil {
			return 0, "", errorf(kindInvalid, "%v", err)
		}
		return 0, k, nil
	}
	s := vars["id"]
	id, perr := strconv.ParseInt(s, 10, 64)
	if perr != nil || id <= 0 {
		return 0, "", errorf(kindInvalid, "example id must be a positive integer, got %q (an example by your own identifier: /examples/by-key/{key})", truncate(s, 20))
	}
	return id, "", nil
}

// lookup returns the example a path names.
func (t *tasksAPI) lookup(r *http.Request) (store.Example, error) {
	id, key, err := exampleRef(r)
	if err != nil {
		return store.Example{}, err
	}
	var e store.Example
	if key != "" {
		e, err = t.db.ExampleByKey(r.Context(), key)
	} else {
		e, err = t.db.Example(r.Context(), id)
	}
	if err != nil {
		return e, storeError(err, refName(id, key))
	}
	return e, nil
}

// refName is how a 404 names the example looked for.
func refName(id int64, key string) string {
	if key != "" {
		return fmt.Sprintf("no example has key %q", key)
	}
	return fmt.Sprintf("no example %d", id)
}

// handleGetExample answers GET /examples/{id} and GET
// /examples/by-key/{key}: the example as GET /examples shows it, or 404.
func (t *tasksAPI) handleGetExample() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := t.lookup(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		writeJSON(w, http.StatusOK, newExampleJSON(e))
	})
}

// handleDeleteExample answers DELETE /examples/{id} and DELETE
// /examples/by-key/{key}: 204, or 404.
func (t *tasksAPI) handleDeleteExample() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, key, err := t.exampleID(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		if err := t.db.DeleteExample(r.Context(), id); err != nil {
			writeError(w, r, t.log, storeError(err, refName(id, key)))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleDeleteExamples answers DELETE /examples?intent=26[&source=crm]:
// every example matching all the filters given (intent: the labeled ones
// of that intent; source: labeled or not) is deleted, in one statement,
// and {"deleted": n} says how many. Without a filter, or with a parameter
// that is not one, it deletes nothing and answers 400.
func (t *tasksAPI) handleDeleteExamples() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		for k := range q {
			if k != "intent" && k != "source" {
				writeError(w, r, t.log, errorf(kindInvalid, "DELETE /examples filters by intent= and source= only, not %s=: nothing was deleted", truncate(k, 40)))
				return
			}
		}
		f := store.DeleteFilter{Intent: strings.TrimSpace(q.Get("intent")), Source: strings.TrimSpace(q.Get("source"))}
		if f.Empty() {
			writeError(w, r, t.log, errorf(kindInvalid, "DELETE /examples needs a filter, intent= or source= (or both): nothing was deleted"))
			return
		}
		for _, v := range []string{f.Intent, f.Source} {
			if utf8.RuneCountInString(v) > maxIntentLen || !utf8.ValidString(v) {
				writeError(w, r, t.log, errorf(kindInvalid, "intent and source must be valid UTF-8 of at most %d characters", maxIntentLen))
				return
			}
		}
		n, err := t.db.DeleteExamples(r.Context(), f)
		if err != nil {
			writeError(w, r, t.log, storeError(err, "delete examples"))
			return
		}
		writeJSON(w, http.StatusOK, deletedCountJSON{Deleted: n})
	})
}

// handlePredictExample answers GET /examples/{id}/predict and GET
// /examples/by-key/{key}/predict with the parameters of GET /intent but
// query ([&model=NAME|*][&version=N|LABEL][&top=K]): the stored example's
// text, labeled or not, answered by the /intent handler itself ({"intent":
// 26, "probability": "0.73356545"[, "ranking": [...]]}), so the models,
// versions (loaded on demand) and format are exactly those of /intent.
func (t *tasksAPI) handlePredictExample() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		if q.Has("query") {
			writeError(w, r, t.log, errorf(kindInvalid, "query= is not taken here: the question is the stored example's text"))
			return
		}
		e, err := t.lookup(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		if t.intent == nil {
			writeError(w, r, t.log, errorf(kindUnavailable, "predictions are not served by this handler"))
			return
		}
		ask := r.Clone(r.Context())
		ask.URL.RawQuery = "query=" + url.QueryEscape(e.Text)
		if r.URL.RawQuery != "" {
			ask.URL.RawQuery += "&" + r.URL.RawQuery
		}
		t.intent.ServeHTTP(w, ask)
	})
}
