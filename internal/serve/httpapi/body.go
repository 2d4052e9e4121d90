package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"
)

// The one strict JSON reader of the API. Every JSON body (POST /intent,
// /infer, /test, /examples, /train, PUT /models/default) is read by readJSON
// or by readRaw then decodeStrict, so that all answer the same messages,
// which name what the client sent (a field, a byte offset), never a Go type
// or a server path.

// readRaw reads a request body of at most max bytes that must be UTF-8
// (encoding/json would quietly turn invalid UTF-8 into U+FFFD).
func readRaw(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, errorf(kindTooLarge, "request body over %d bytes", max)
		}
		return nil, &apiError{Code: kindInvalid, Msg: "cannot read the request body: it ended early or the connection failed", Err: err}
	}
	if !utf8.Valid(body) {
		return nil, errorf(kindInvalid, "request body is not valid UTF-8")
	}
	return body, nil
}

// readJSON reads a JSON request body of at most max bytes into dst,
// refusing unknown fields and trailing data. shape is the expected body,
// shown in the error message. An empty body is allowed when emptyOK, and
// leaves dst as it is.
func readJSON(w http.ResponseWriter, r *http.Request, max int64, dst any, shape string, emptyOK bool) error {
	body, err := readRaw(w, r, max)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if emptyOK {
			return nil
		}
		return errorf(kindInvalid, "empty request body: send %s", shape)
	}
	if err := decodeStrict(body, dst); err != nil {
		return errorf(kindInvalid, "request body must be %s: %v", shape, err)
	}
	return nil
}

// decodeStrict decodes the one JSON value b into dst, refusing unknown
// fields and trailing data. Its error is a client-facing description.
func decodeStrict(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errors.New(jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// jsonProblem describes a decoding error of encoding/json in the client's
// terms: the field and what it should hold, or where the syntax breaks.
func jsonProblem(err error) string {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		got := e.Value
		if got == "" {
			got = "another type"
		}
		if e.Field == "" {
			return fmt.Sprintf("expected %s, got %s", describeType(e.Type), got)
		}
		return fmt.Sprintf("field %q: expected %s, got %s", e.Field, describeType(e.Type), got)
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the JSON ends early"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field ") {
		return msg
	}
	// Anything else (an UnmarshalJSON method's error) may name Go types.
	if strings.Contains(msg, "Go ") || strings.Contains(msg, ".") && strings.Contains(msg, "type") {
		return "a value has the wrong type"
	}
	return msg
}

// describeType names the JSON a Go type decodes from.
func describeType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[json.RawMessage]() || t.Kind() == reflect.Interface {
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		e := t.Elem()
		for e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		switch e.Kind() {
		case reflect.String:
			return "an array of strings"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return "an array of integers"
		case reflect.Float32, reflect.Float64:
			return "an array of numbers"
		case reflect.Struct, reflect.Map:
			return "an array of objects"
		}
		return "an array"
	}
	return "another type"
}

// checkVersion validates an optional version number of a request body.
func checkVersion(v *int) (int, bool, error) {
	if v == nil {
		return 0, false, nil
	}
	if *v <= 0 {
		return 0, false, errorf(kindInvalid, "version must be a positive integer, got %d", *v)
	}
	return *v, true, nil
}

// parseQuery parses a request's raw query string like url.ParseQuery, but
// refuses it (400) instead of dropping what it cannot parse, with a message
// naming the parameter at fault.
func parseQuery(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil {
		return q, nil
	}
	for pair := range strings.SplitSeq(r.URL.RawQuery, "&") {
		if err := badQueryPair(pair); err != nil {
			return nil, err
		}
	}
	return nil, errorf(kindInvalid, "the query string is not properly URL-encoded")
}

// badQueryPair explains why url.ParseQuery refuses one key=value pair of a
// query string, or returns nil when it accepts it.
func badQueryPair(pair string) error {
	key, val, _ := strings.Cut(pair, "=")
	if strings.Contains(pair, ";") {
		name, _, _ := strings.Cut(key, ";")
		if k, err := url.QueryUnescape(name); err == nil {
			name = k
		}
		return errorf(kindInvalid, "parameter %q holds a semicolon: separate parameters with & and encode ; as %%3B", truncate(name, 50))
	}
	k, err := url.QueryUnescape(key)
	if err != nil {
		return errorf(kindInvalid, "parameter name %q is not properly URL-encoded (%% must start %%XX, two hex digits)", truncate(key, 50))
	}
	if _, err := url.QueryUnescape(val); err != nil {
		return errorf(kindInvalid, "parameter %s is not properly URL-encoded (%% must start %%XX, two hex digits): %q", truncate(k, 50), truncate(val, 50))
	}
	return nil
}
