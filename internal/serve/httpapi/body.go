package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// readJSON reads a JSON request body of at most max bytes into dst,
// refusing unknown fields and trailing data. shape is the expected body,
// shown in the error message. An empty body is allowed when emptyOK, and
// leaves dst as it is.
func readJSON(w http.ResponseWriter, r *http.Request, max int64, dst any, shape string, emptyOK bool) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errorf(kindTooLarge, "request body over %d bytes", max)
		}
		return errorf(kindInvalid, "cannot read the request body: %v", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if emptyOK {
			return nil
		}
		return errorf(kindInvalid, "empty request body: send %s", shape)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD.
	if !utf8.Valid(body) {
		return errorf(kindInvalid, "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errorf(kindInvalid, "request body must be %s: %v", shape, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(kindInvalid, "request body has data after the JSON object")
	}
	return nil
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
