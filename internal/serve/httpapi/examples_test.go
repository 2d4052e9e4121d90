package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestExamplesAddListDelete(t *testing.T) {
	e := newTaskEnv(t, nil)
	var added addedJSON
	// One example, the intent as a number.
	w := e.do(t, http.MethodPost, "/examples", `{"text": "  quelle dose de doliprane ?  ", "intent": 3}`, &added)
	if w.Code != http.StatusCreated || len(added.IDs) != 1 {
		t.Fatalf("one example: %d %s", w.Code, w.Body.String())
	}
	first := added.IDs[0]
	// A list, the intents as strings.
	w = e.do(t, http.MethodPost, "/examples", `[{"text": "sushis enceinte", "intent": "26"}, {"text": "fièvre après le vaccin", "intent": "41", "source": "tool"}]`, &added)
	if w.Code != http.StatusCreated || len(added.IDs) != 2 || added.IDs[0] <= first {
		t.Fatalf("list: %d %s", w.Code, w.Body.String())
	}
	// The object form.
	w = e.do(t, http.MethodPost, "/examples", `{"examples": [{"text": "cancel my order", "intent": "cancel \"order\""}, {"text": "poisson cru grossesse", "intent": 26}]}`, &added)
	if w.Code != http.StatusCreated || len(added.IDs) != 2 {
		t.Fatalf("object list: %d %s", w.Code, w.Body.String())
	}

	var page examplesPageJSON
	e.do(t, http.MethodGet, "/examples", "", &page)
	if page.Total != 5 || len(page.Examples) != 5 || page.Next != nil {
		t.Fatalf("GET /examples: %+v", page)
	}
	ex := page.Examples[0]
	if ex.ID != first || ex.Text != "quelle dose de doliprane ?" || ex.Intent != "3" || ex.Source != "api" || ex.CreatedAt.IsZero() {
		t.Errorf("first example: %+v", ex)
	}
	if page.Examples[2].Source != "tool" || page.Examples[3].Intent != `cancel "order"` {
		t.Errorf("examples: %+v", page.Examples)
	}

	// Filter by intent (given as a number or a string, the same), paginate.
	e.do(t, http.MethodGet, "/examples?intent=26&limit=1", "", &page)
	if page.Total != 2 || len(page.Examples) != 1 || page.Examples[0].Text != "sushis enceinte" || page.Next == nil {
		t.Fatalf("intent 26, page 1: %+v", page)
	}
	next := *page.Next
	if !strings.HasPrefix(next, "/examples?") || !strings.Contains(next, "intent=26") || !strings.Contains(next, "limit=1") {
		t.Errorf("next %q", next)
	}
	e.do(t, http.MethodGet, next, "", &page)
	if page.Total != 2 || len(page.Examples) != 1 || page.Examples[0].Text != "poisson cru grossesse" || page.Next != nil {
		t.Errorf("intent 26, page 2: %+v", page)
	}
	e.do(t, http.MethodGet, "/examples?intent="+`cancel%20%22order%22`, "", &page)
	if page.Total != 1 {
		t.Errorf("string intent: %+v", page)
	}

	// Delete.
	if w := e.do(t, http.MethodDelete, fmt.Sprint("/examples/", first), "", nil); w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("DELETE: %d %q", w.Code, w.Body.String())
	}
	var errBody errorBody
	if w := e.do(t, http.MethodDelete, fmt.Sprint("/examples/", first), "", &errBody); w.Code != http.StatusNotFound || !strings.Contains(errBody.Error, "no example") {
		t.Errorf("second DELETE: %d %s", w.Code, w.Body.String())
	}
	e.do(t, http.MethodGet, "/examples", "", &page)
	if page.Total != 4 || page.Examples[0].ID == first {
		t.Errorf("after delete: %+v", page)
	}
}

func TestExamplesErrors(t *testing.T) {
	e := newTaskEnv(t, nil)
	long := strings.Repeat("é", maxExampleText+1)
	tooMany := "[" + strings.Repeat(`{"text": "q", "intent": 1},`, maxExamplesBatch) + `{"text": "q", "intent": 1}]`
	huge := `{"text": "` + strings.Repeat("a", maxExamplesBody) + `", "intent": 1}`
	for _, c := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"empty body", "", 400, "empty request body"},
		{"not JSON", "hello", 400, "request body must be"},
		{"bad JSON", `{"text": `, 400, "request body must be"},
		{"invalid UTF-8", "{\"text\": \"\xff\xfe\", \"intent\": 1}", 400, "not valid UTF-8"},
		{"missing text", `{"intent": 1}`, 400, `missing "text"`},
		{"empty text", `{"text": "   ", "intent": 1}`, 400, `"text" is empty`},
		{"missing intent", `{"text": "q"}`, 400, `missing "intent"`},
		{"null intent and an empty id", `{"text": "q", "intent": null, "id": ""}`, 400, `an example's identifier is`},
		{"empty intent", `{"text": "q", "intent": " "}`, 400, `"intent" is empty`},
		{"float intent", `{"text": "q", "intent": 2.5}`, 400, "a string or an integer"},
		{"bool intent", `{"text": "q", "intent": true}`, 400, "a string or an integer"},
		{"object intent", `{"text": "q", "intent": {}}`, 400, "a string or an integer"},
		{"long intent", `{"text": "q", "intent": "` + strings.Repeat("i", maxIntentLen+1) + `"}`, 400, "over 200 characters"},
		{"unknown field", `{"text": "q", "intent": 1, "label": 2}`, 400, "unknown field"},
		{"trailing data", `{"text": "q", "intent": 1} x`, 400, "request body must be"},
		{"both shapes", `{"text": "q", "intent": 1, "examples": []}`, 400, "not both"},
		{"empty list", `[]`, 400, "empty"},
		{"empty object list", `{"examples": []}`, 400, "empty"},
		{"null list", `null`, 400, "request body must be"},
		{"index named", `[{"text": "a", "intent": 1}, {"text": "b", "intent": 2}, {"text": "", "intent": 3}]`, 400, `examples[2]: "text" is empty`},
		{"index of a bad item", `[{"text": "a", "intent": 1}, 5]`, 400, "examples[1] must be"},
		{"text too long", `{"text": "` + long + `", "intent": 1}`, 413, "the limit is 10000"},
		{"text too long in a list", `[{"text": "a", "intent": 1}, {"text": "` + long + `", "intent": 1}]`, 413, "examples[1]:"},
		{"list too long", tooMany, 413, "1001 examples"},
		{"body too large", huge, 413, "request body over"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out errorBody
			w := e.do(t, http.MethodPost, "/examples", c.body, &out)
			if w.Code != c.status || !strings.Contains(out.Error, c.want) {
				t.Errorf("%d %q, want %d with %q", w.Code, truncate(out.Error, 300), c.status, c.want)
			}
		})
	}
	// Nothing was stored by the failed requests.
	var page examplesPageJSON
	e.do(t, http.MethodGet, "/examples", "", &page)
	if page.Total != 0 {
		t.Errorf("%d examples stored by failed requests", page.Total)
	}
	// Exactly at the limits is fine.
	atLimit := "[" + strings.Repeat(`{"text": "q", "intent": 1},`, maxExamplesBatch-1) + `{"text": "` + strings.Repeat("é", maxExampleText) + `", "intent": 1}]`
	if w := e.do(t, http.MethodPost, "/examples", atLimit, nil); w.Code != http.StatusCreated {
		t.Errorf("at the limits: %d %s", w.Code, truncate(w.Body.String(), 300))
	}

	for _, c := range []struct{ target, want string }{
		{"/examples?limit=0", "limit"},
		{"/examples?limit=1001", "limit"},
		{"/examples?limit=ten", "limit"},
		{"/examples?after=-1", "after"},
		{"/examples?after=x", "after"},
		{"/examples?intent=" + strings.Repeat("i", maxIntentLen+1), "intent"},
	} {
		if w := e.do(t, http.MethodGet, c.target, "", nil); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("GET %s: %d %s", truncate(c.target, 60), w.Code, w.Body.String())
		}
	}
	for _, id := range []string{"0", "-3", "abc", "99999999999999999999"} {
		if w := e.do(t, http.MethodDelete, "/examples/"+id, "", nil); w.Code != http.StatusBadRequest {
			t.Errorf("DELETE /examples/%s: %d %s", id, w.Code, w.Body.String())
		}
	}
}

func TestExamplesAndTrainNeedAuth(t *testing.T) {
	deny := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
		})
	}
	e := newTaskEnv(t, deny)
	for _, c := range []struct {
		method, target, body string
		want                 int
	}{
		{http.MethodPost, "/examples", `{"text": "q", "intent": 1}`, http.StatusUnauthorized},
		{http.MethodDelete, "/examples/1", "", http.StatusUnauthorized},
		{http.MethodPost, "/train", `{}`, http.StatusUnauthorized},
		{http.MethodGet, "/examples", "", http.StatusOK},
		{http.MethodGet, "/tasks", "", http.StatusOK},
		{http.MethodGet, "/status/0123456789abcdef", "", http.StatusNotFound},
	} {
		if w := e.do(t, c.method, c.target, c.body, nil); w.Code != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.target, w.Code, c.want)
		}
	}
}

func TestExamplesAnswersAreJSON(t *testing.T) {
	e := newTaskEnv(t, nil)
	w := e.do(t, http.MethodPost, "/examples", `{"text": "q", "intent": 1}`, nil)
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var raw map[string]json.RawMessage
	e.do(t, http.MethodGet, "/examples", "", &raw)
	for _, k := range []string{"examples", "total", "next"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("GET /examples lacks %q: %v", k, raw)
		}
	}
	if string(raw["next"]) != "null" {
		t.Errorf("next on the last page: %s", raw["next"])
	}
}

// TestBadQueryStrings: a query string url.ParseQuery refuses is a 400
// naming the parameter, not a filter quietly dropped.
func TestBadQueryStrings(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, map[string][]string{"1": {"a", "b"}, "2": {"c"}})
	for _, c := range []struct{ target, msg string }{
		{"/examples?intent=%zz", "parameter intent is not properly URL-encoded"},
		{"/examples?intent=1&limit=%2", "parameter limit is not properly URL-encoded"},
		{"/examples?%zz=1", `parameter name "%zz"`},
		{"/examples?intent=1;limit=1", `parameter "intent" holds a semicolon`},
		{"/tasks?state=%zz", "parameter state is not properly URL-encoded"},
		{"/tasks?limit=1%", "parameter limit is not properly URL-encoded"},
	} {
		w := e.do(t, http.MethodGet, c.target, "", nil)
		var body errorBody
		json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusBadRequest || !strings.Contains(body.Error, c.msg) {
			t.Errorf("GET %s: %d %s, want 400 with %q", c.target, w.Code, w.Body, c.msg)
		}
	}
	// Well-formed escapes still filter.
	var page examplesPageJSON
	if w := e.do(t, http.MethodGet, "/examples?intent=%32", "", &page); w.Code != 200 || page.Total != 1 {
		t.Fatalf("intent=%%32: %d %+v", w.Code, page)
	}
}
