package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A validator for the subset of JSON Schema (2020-12, the dialect of
// OpenAPI 3.1) that openapi.json uses. It knows these keywords:
//
//	$ref (a JSON pointer into the document), type (a name or a list;
//	"integer" is a number written without a fraction or an exponent),
//	enum, properties, required, additionalProperties (false or a schema),
//	items, minItems, maxItems, oneOf (exactly one branch), minimum,
//	maximum, pattern, format (only "date-time" is checked: RFC 3339)
//
// and ignores the annotations description, title and contentMediaType.
// Any other keyword is an error (checkSchemaKeywords finds them in the
// whole document), so the document cannot say more than the tests check.

var schemaKeywords = map[string]bool{
	"$ref": true, "type": true, "enum": true, "properties": true, "required": true,
	"additionalProperties": true, "items": true, "minItems": true, "maxItems": true,
	"oneOf": true, "minimum": true, "maximum": true, "pattern": true, "format": true,
	// Annotations.
	"description": true, "title": true, "contentMediaType": true,
}

// openAPIDoc is a decoded OpenAPI document (numbers as json.Number).
type openAPIDoc struct {
	root     map[string]any
	mu       sync.Mutex
	patterns map[string]*regexp.Regexp
}

func parseOpenAPI(b []byte) (*openAPIDoc, error) {
	v, err := decodeJSONValue(b)
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not a JSON object")
	}
	return &openAPIDoc{root: root, patterns: map[string]*regexp.Regexp{}}, nil
}

// decodeJSONValue decodes one JSON value, keeping numbers as json.Number
// (to tell 1 from 1.0) and refusing trailing data.
func decodeJSONValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// resolve follows a local reference ("#/components/schemas/Error").
func (d *openAPIDoc) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("reference %q: only references into this document (#/...) are supported", ref)
	}
	var cur any = d.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("reference %q: %q is not inside an object", ref, tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, fmt.Errorf("reference %q: no %q", ref, tok)
		}
	}
	return cur, nil
}

// deref returns the object a Reference Object points at (following
// chains), or obj itself when it is not a reference.
func (d *openAPIDoc) deref(obj map[string]any) (map[string]any, error) {
	for range 10 {
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, nil
		}
		t, err := d.resolve(ref)
		if err != nil {
			return nil, err
		}
		if obj, ok = t.(map[string]any); !ok {
			return nil, fmt.Errorf("reference %q: not an object", ref)
		}
	}
	return nil, fmt.Errorf("references nested too deep")
}

// validate checks the JSON value v (decoded by decodeJSONValue) against
// schema and returns what does not match, each message starting with
// where (a JSON path, "$" the whole value).
func (d *openAPIDoc) validate(schema any, v any, at string) []string {
	if b, ok := schema.(bool); ok {
		if !b {
			return []string{at + ": no value is allowed here"}
		}
		return nil
	}
	s, ok := schema.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: the schema is not an object: %v", at, schema)}
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range s {
		if !schemaKeywords[k] {
			fail("the schema uses %q, which the test's validator does not know", k)
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		target, err := d.resolve(ref)
		if err != nil {
			fail("%v", err)
		} else {
			errs = append(errs, d.validate(target, v, at)...)
		}
	}
	if t, ok := s["type"]; ok {
		var names []string
		switch t := t.(type) {
		case string:
			names = []string{t}
		case []any:
			for _, n := range t {
				names = append(names, fmt.Sprint(n))
			}
		}
		if !slices.ContainsFunc(names, func(n string) bool { return hasType(v, n) }) {
			fail("%s is not of type %s", show(v), strings.Join(names, " or "))
			return errs // the other keywords would only repeat it
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		fail("%s is not one of %s", show(v), show(enum))
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					fail("missing required property %q", r)
				}
			}
		}
		for _, k := range sortedKeys(obj) {
			if p, ok := props[k]; ok {
				errs = append(errs, d.validate(p, obj[k], at+"."+k)...)
			} else if ap, ok := s["additionalProperties"]; ok {
				if ap == false {
					fail("property %q is not in the schema (additionalProperties is false)", k)
				} else {
					errs = append(errs, d.validate(ap, obj[k], at+"["+strconv.Quote(k)+"]")...)
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if n, ok := number(s["minItems"]); ok && float64(len(arr)) < n {
			fail("%d items, at least %v wanted", len(arr), n)
		}
		if n, ok := number(s["maxItems"]); ok && float64(len(arr)) > n {
			fail("%d items, at most %v wanted", len(arr), n)
		}
		if items, ok := s["items"]; ok {
			for i, x := range arr {
				errs = append(errs, d.validate(items, x, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
	}
	if num, ok := v.(json.Number); ok {
		x, _ := num.Float64()
		if n, ok := number(s["minimum"]); ok && x < n {
			fail("%s is below the minimum %v", num, n)
		}
		if n, ok := number(s["maximum"]); ok && x > n {
			fail("%s is above the maximum %v", num, n)
		}
	}
	if str, ok := v.(string); ok {
		if p, ok := s["pattern"].(string); ok {
			re, err := d.pattern(p)
			if err != nil {
				fail("pattern %q: %v", p, err)
			} else if !re.MatchString(str) {
				fail("%s does not match %q", show(v), p)
			}
		}
		if f, _ := s["format"].(string); f == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, str); err != nil {
				fail("%s is not an RFC 3339 date-time", show(v))
			}
		}
	}
	if branches, ok := s["oneOf"].([]any); ok {
		var matched []int
		var why []string
		for i, b := range branches {
			if e := d.validate(b, v, at); len(e) == 0 {
				matched = append(matched, i)
			} else {
				why = append(why, fmt.Sprintf("branch %d: %s", i, strings.Join(e[:min(len(e), 3)], "; ")))
			}
		}
		switch len(matched) {
		case 1:
		case 0:
			fail("matches no branch of oneOf (%s)", strings.Join(why, " | "))
		default:
			fail("matches branches %v of oneOf, exactly one wanted", matched)
		}
	}
	return errs
}

func (d *openAPIDoc) pattern(p string) (*regexp.Regexp, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if re, ok := d.patterns[p]; ok {
		return re, nil
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	d.patterns[p] = re
	return re, nil
}

// hasType reports whether v is of the JSON Schema type name.
func hasType(v any, name string) bool {
	switch v := v.(type) {
	case nil:
		return name == "null"
	case bool:
		return name == "boolean"
	case string:
		return name == "string"
	case map[string]any:
		return name == "object"
	case []any:
		return name == "array"
	case json.Number:
		if name == "number" {
			return true
		}
		// An integer is written as one: 3, not 3.0 or 3e0.
		return name == "integer" && !strings.ContainsAny(string(v), ".eE")
	}
	return false
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	x, err := n.Float64()
	return x, err == nil && !math.IsNaN(x)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// show is a value as a message quotes it, shortened.
func show(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// checkSchemaKeywords walks a schema and its subschemas and lists the
// keywords the validator does not know, and references that lead nowhere.
func (d *openAPIDoc) checkSchemaKeywords(schema any, at string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		if _, ok := schema.(bool); ok {
			return nil
		}
		return []string{at + ": a schema must be an object"}
	}
	var errs []string
	for _, k := range sortedKeys(s) {
		if !schemaKeywords[k] {
			errs = append(errs, fmt.Sprintf("%s: %q is not a keyword the test's validator knows (openapi_schema_test.go): use the ones it lists, or teach it", at, k))
		}
	}
	if ref, ok := s["$ref"].(string); ok {
		if _, err := d.resolve(ref); err != nil {
			errs = append(errs, at+": "+err.Error())
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, k := range sortedKeys(props) {
			errs = append(errs, d.checkSchemaKeywords(props[k], at+"/properties/"+k)...)
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if sub, ok := s[k].(map[string]any); ok {
			errs = append(errs, d.checkSchemaKeywords(sub, at+"/"+k)...)
		}
	}
	if branches, ok := s["oneOf"].([]any); ok {
		for i, b := range branches {
			errs = append(errs, d.checkSchemaKeywords(b, fmt.Sprintf("%s/oneOf/%d", at, i))...)
		}
	}
	if req, ok := s["required"].([]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range req {
			if _, ok := props[fmt.Sprint(r)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q is not in properties", at, r))
			}
		}
	}
	return errs
}

// TestSchemaValidator checks the validator itself on small cases.
func TestSchemaValidator(t *testing.T) {
	doc, err := parseOpenAPI([]byte(`{"components": {"schemas": {
		"Intent": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
		"Answer": {"type": "object", "additionalProperties": false, "required": ["intent", "p"],
			"properties": {"intent": {"$ref": "#/components/schemas/Intent"}, "p": {"type": "string", "pattern": "^0\\.[0-9]{2}$"},
				"when": {"type": ["string", "null"], "format": "date-time"},
				"ranks": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}, "minItems": 1},
				"state": {"enum": ["a", "b"]},
				"counts": {"type": "object", "additionalProperties": {"type": "integer"}}}},
		"Odd": {"type": "object", "patternProperties": {}}
	}}}`))
	if err != nil {
		t.Fatal(err)
	}
	schema := map[string]any{"$ref": "#/components/schemas/Answer"}
	for _, c := range []struct {
		value string
		want  string // a part of the first error; "" for none
	}{
		{`{"intent": 26, "p": "0.73"}`, ""},
		{`{"intent": "cancel", "p": "0.73", "when": null, "ranks": [0.5, 1], "state": "b", "counts": {"x": 1}}`, ""},
		{`{"intent": 26, "p": "0.73", "when": "2026-11-30T17:09:54.123Z"}`, ""},
		{`{"intent": 26}`, `$: missing required property "p"`},
		{`{"intent": 26, "p": "0.73", "extra": 1}`, `property "extra" is not in the schema`},
		{`{"intent": 2.5, "p": "0.73"}`, "$.intent: matches no branch of oneOf"},
		{`{"intent": 26.0, "p": "0.73"}`, "$.intent: matches no branch of oneOf"},
		{`{"intent": null, "p": "0.73"}`, "$.intent: matches no branch of oneOf"},
		{`{"intent": 26, "p": "0.7"}`, `$.p: "0.7" does not match`},
		{`{"intent": 26, "p": 0.73}`, "$.p: 0.73 is not of type string"},
		{`{"intent": 26, "p": "0.73", "when": "yesterday"}`, "$.when: \"yesterday\" is not an RFC 3339 date-time"},
		{`{"intent": 26, "p": "0.73", "ranks": []}`, "$.ranks: 0 items, at least 1 wanted"},
		{`{"intent": 26, "p": "0.73", "ranks": [1.5]}`, "$.ranks[0]: 1.5 is above the maximum 1"},
		{`{"intent": 26, "p": "0.73", "ranks": [-1]}`, "$.ranks[0]: -1 is below the minimum 0"},
		{`{"intent": 26, "p": "0.73", "state": "c"}`, `$.state: "c" is not one of ["a","b"]`},
		{`{"intent": 26, "p": "0.73", "counts": {"x": "1"}}`, `$.counts["x"]: "1" is not of type integer`},
		{`[]`, "$: [] is not of type object"},
	} {
		v, err := decodeJSONValue([]byte(c.value))
		if err != nil {
			t.Fatal(err)
		}
		errs := doc.validate(schema, v, "$")
		switch {
		case c.want == "" && len(errs) > 0:
			t.Errorf("%s: %v", c.value, errs)
		case c.want != "" && (len(errs) == 0 || !strings.Contains(errs[0], c.want)):
			t.Errorf("%s: got %q, want %q", c.value, errs, c.want)
		}
	}
	// Two branches of oneOf matching is an error.
	both := map[string]any{"oneOf": []any{map[string]any{"type": "number"}, map[string]any{"type": "integer"}}}
	if errs := doc.validate(both, json.Number("3"), "$"); len(errs) != 1 || !strings.Contains(errs[0], "exactly one wanted") {
		t.Errorf("oneOf with two matches: %v", errs)
	}
	// A keyword the validator does not know is reported, not ignored.
	odd, _ := doc.resolve("#/components/schemas/Odd")
	if errs := doc.checkSchemaKeywords(odd, "Odd"); len(errs) != 1 || !strings.Contains(errs[0], `"patternProperties" is not a keyword`) {
		t.Errorf("unknown keyword: %v", errs)
	}
	if errs := doc.checkSchemaKeywords(map[string]any{"$ref": "#/components/schemas/Nope"}, "x"); len(errs) != 1 {
		t.Errorf("dangling reference: %v", errs)
	}
}
