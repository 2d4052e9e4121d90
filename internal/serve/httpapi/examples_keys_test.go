package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Caller IDs, unlabeled examples, getting one example, deleting by filter
// and predicting a stored example (examples.go).

func TestExampleKeys(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	ids := decode[addedJSON](t, e.do(t, "POST", "/examples", `[{"id": "abc-1", "text": "sushis enceinte", "intent": 26, "source": "crm"},
		{"key": 42, "text": "doliprane", "intent": 3}, {"text": "vaccin", "intent": 41}]`), 201).IDs

	// By key and by id: the same example, its key shown.
	byKey := decode[exampleJSON](t, e.do(t, "GET", "/examples/by-key/abc-1", ""), 200)
	byID := decode[exampleJSON](t, e.do(t, "GET", fmt.Sprintf("/examples/%d", ids[0]), ""), 200)
	if byKey != byID || byKey.ID != ids[0] || byKey.Key != "abc-1" || byKey.Intent != "26" || byKey.Source != "crm" {
		t.Fatalf("by key %+v, by id %+v", byKey, byID)
	}
	// An all-digit key is a key under by-key, never an id.
	if got := decode[exampleJSON](t, e.do(t, "GET", "/examples/by-key/42", ""), 200); got.ID != ids[1] || got.Key != "42" {
		t.Errorf("by-key/42: %+v", got)
	}
	w := e.do(t, "GET", fmt.Sprintf("/examples/%d", ids[2]), "")
	if !strings.Contains(w.Body.String(), `"id":`) || strings.Contains(w.Body.String(), `"key"`) {
		t.Errorf("an example without key shows none: %s", w.Body)
	}
	page := decode[examplesPageJSON](t, e.do(t, "GET", "/examples", ""), 200)
	if page.Total != 3 || page.Examples[0].Key != "abc-1" || page.Examples[1].Key != "42" {
		t.Errorf("list: %+v", page)
	}

	// A duplicate key is a 409 naming it; nothing of the list is stored.
	wantError(t, e.do(t, "POST", "/examples", `[{"text": "x", "intent": 3}, {"id": "abc-1", "text": "y", "intent": 3}]`),
		http.StatusConflict, `key "abc-1" is taken by example `+fmt.Sprint(ids[0]))
	wantError(t, e.do(t, "POST", "/examples", `[{"id": "n", "text": "x", "intent": 3}, {"id": "n", "text": "y", "intent": 3}]`),
		http.StatusConflict, `key "n" is given twice`)
	if p := decode[examplesPageJSON](t, e.do(t, "GET", "/examples", ""), 200); p.Total != 3 {
		t.Errorf("%d examples after refused lists, want 3", p.Total)
	}

	// Relabel and delete by key.
	got := decode[exampleJSON](t, e.do(t, "PATCH", "/examples/by-key/abc-1", `{"intent": 3}`), 200)
	if got.ID != ids[0] || got.Intent != "3" || got.Key != "abc-1" {
		t.Errorf("relabeled by key: %+v", got)
	}
	if w := e.do(t, "DELETE", "/examples/by-key/abc-1", ""); w.Code != http.StatusNoContent {
		t.Fatalf("delete by key: %d %s", w.Code, w.Body)
	}
	wantError(t, e.do(t, "GET", "/examples/by-key/abc-1", ""), 404, `no example has key "abc-1"`)
	wantError(t, e.do(t, "DELETE", "/examples/by-key/abc-1", ""), 404, `no example has key "abc-1"`)
	wantError(t, e.do(t, "PATCH", "/examples/by-key/abc-1", `{"intent": 3}`), 404, `no example has key "abc-1"`)
	wantError(t, e.do(t, "GET", fmt.Sprintf("/examples/%d", ids[0]), ""), 404, fmt.Sprintf("no example %d", ids[0]))
	// The key is free again.
	decode[addedJSON](t, e.do(t, "POST", "/examples", `{"id": "abc-1", "text": "sushis", "intent": 26}`), 201)

	for _, c := range []struct {
		name, method, target, body string
		status                     int
		msg                        string
	}{
		{"id and key", "POST", "/examples", `{"id": "a", "key": "b", "text": "q", "intent": 1}`, 400, `give "id" or "key"`},
		{"key with a slash", "POST", "/examples", `{"id": "a/b", "text": "q", "intent": 1}`, 400, `"id" "a/b": an example's identifier is 1 to 128`},
		{"key too long", "POST", "/examples", `{"key": "` + strings.Repeat("k", maxKeyLen+1) + `", "text": "q", "intent": 1}`, 400, `"key"`},
		{"float key", "POST", "/examples", `{"id": 1.5, "text": "q", "intent": 1}`, 400, `"id" must be a string or an integer`},
		{"key in a list", "POST", "/examples", `[{"text": "q", "intent": 1}, {"id": "é", "text": "q", "intent": 1}]`, 400, "examples[1]: "},
		{"id not a number", "GET", "/examples/abc-1", "", 400, "/examples/by-key/{key}"},
		{"bad key in the path", "GET", "/examples/by-key/a%20b", "", 400, "an example's identifier is"},
		{"patch, id not a number", "PATCH", "/examples/abc", `{"intent": 3}`, 400, "/examples/by-key/{key}"},
		{"unknown id", "GET", "/examples/999", "", 404, "no example 999"},
	} {
		t.Run(c.name, func(t *testing.T) { wantError(t, e.do(t, c.method, c.target, c.body), c.status, c.msg) })
	}
}

func TestUnlabeledExamples(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	ids := decode[addedJSON](t, e.do(t, "POST", "/examples", `[{"id": "u1", "text": "eliquis halal ?", "intent": null},
		{"text": "doliprane enfant", "intent": 3}, {"text": "sushis enceinte ?", "intent": null}]`), 201).IDs
	w := e.do(t, "GET", "/examples/by-key/u1", "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"intent":null`) {
		t.Fatalf("an unlabeled example: %d %s", w.Code, w.Body)
	}
	for target, want := range map[string]int{"/examples": 1, "/examples?labeled=true": 1, "/examples?labeled=false": 2, "/examples?labeled=any": 3} {
		if p := decode[examplesPageJSON](t, e.do(t, "GET", target, ""), 200); p.Total != want || len(p.Examples) != want {
			t.Errorf("%s: %d examples, want %d", target, p.Total, want)
		}
	}
	p := decode[examplesPageJSON](t, e.do(t, "GET", "/examples?labeled=false&limit=1", ""), 200)
	if p.Next == nil || !strings.Contains(*p.Next, "labeled=false") {
		t.Errorf("next page of the unlabeled: %v", p.Next)
	}
	wantError(t, e.do(t, "GET", "/examples?labeled=maybe", ""), 400, "labeled must be true")
	// A question waits once (without key), as in the pool it is.
	wantError(t, e.do(t, "POST", "/examples", `{"text": "sushis enceinte ?", "intent": null}`), 409, "already waits for a label")

	// They are the labeling queue's pool: ranked there, labeled there or by
	// PATCH, keeping their id and key.
	q := decode[queueJSON](t, e.do(t, "GET", "/label/queue", ""), 200)
	if q.Pending != 2 || len(q.Items) != 2 {
		t.Fatalf("queue: %+v", q)
	}
	got := decode[exampleJSON](t, e.do(t, "POST", fmt.Sprintf("/label/queue/%d", ids[0]), `{"intent": 41}`), 201)
	if got.ID != ids[0] || got.Key != "u1" || got.Intent != "41" {
		t.Errorf("labeled from the queue: %+v", got)
	}
	got = decode[exampleJSON](t, e.do(t, "PATCH", fmt.Sprintf("/examples/%d", ids[2]), `{"intent": 26}`), 200)
	if got.ID != ids[2] || got.Intent != "26" {
		t.Errorf("labeled by PATCH: %+v", got)
	}
	if q := decode[queueJSON](t, e.do(t, "GET", "/label/queue", ""), 200); q.Pending != 0 {
		t.Errorf("queue after labeling both: %+v", q)
	}
	// Questions pooled through /label/pool are unlabeled examples too.
	decode[poolAddedJSON](t, e.do(t, "POST", "/label/pool", `{"texts": ["vaccin et fièvre"], "source": "chat"}`), 201)
	p = decode[examplesPageJSON](t, e.do(t, "GET", "/examples?labeled=false", ""), 200)
	if p.Total != 1 || p.Examples[0].Text != "vaccin et fièvre" || p.Examples[0].Source != "chat" {
		t.Errorf("the pool as examples: %+v", p)
	}
}

func TestDeleteExamplesByFilter(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	decode[addedJSON](t, e.do(t, "POST", "/examples", `[{"text": "a", "intent": 3, "source": "crm"}, {"text": "b", "intent": 3},
		{"text": "c", "intent": 26, "source": "crm"}, {"text": "d", "intent": null, "source": "crm"}, {"text": "e", "intent": 26}]`), 201)
	for _, c := range []struct {
		target string
		status int
		msg    string
	}{
		{"/examples", 400, "needs a filter, intent= or source="},
		{"/examples?intent=", 400, "needs a filter"},
		{"/examples?text=a", 400, "not text=: nothing was deleted"},
		{"/examples?intent=3&limit=1", 400, "not limit="},
	} {
		wantError(t, e.do(t, "DELETE", c.target, ""), c.status, c.msg)
	}
	if p := decode[examplesPageJSON](t, e.do(t, "GET", "/examples?labeled=any", ""), 200); p.Total != 5 {
		t.Fatalf("refused deletes deleted: %d left", p.Total)
	}
	for _, c := range []struct {
		target string
		want   int
	}{{"/examples?intent=3&source=crm", 1}, {"/examples?source=crm", 2}, {"/examples?intent=26", 1}, {"/examples?intent=nope", 0}} {
		got := decode[deletedCountJSON](t, e.do(t, "DELETE", c.target, ""), 200)
		if got.Deleted != c.want {
			t.Errorf("DELETE %s: %d deleted, want %d", c.target, got.Deleted, c.want)
		}
	}
	p := decode[examplesPageJSON](t, e.do(t, "GET", "/examples?labeled=any", ""), 200)
	if p.Total != 1 || p.Examples[0].Text != "b" {
		t.Errorf("left: %+v", p)
	}
	// It needs the token.
	req := serve(t, e.h, "DELETE", "/examples?intent=3", "")
	if req.Code != http.StatusUnauthorized {
		t.Errorf("DELETE /examples without the token: %d", req.Code)
	}
}

func TestPredictExample(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"), trainTiny(t, "numeric"))
	ids := decode[addedJSON](t, e.do(t, "POST", "/examples", `[{"id": "s1", "text": "peut on manger des sushis enceinte", "intent": 3},
		{"text": "effets secondaires du vaccin", "intent": null}]`), 201).IDs
	intent := serve(t, e.h, "GET", "/intent?query=peut+on+manger+des+sushis+enceinte&top=2&version=1", "")
	for _, target := range []string{"/examples/by-key/s1/predict?top=2&version=1", fmt.Sprintf("/examples/%d/predict?version=1&top=2", ids[0])} {
		w := serve(t, e.h, "GET", target, "")
		if w.Code != 200 || w.Body.String() != intent.Body.String() {
			t.Errorf("%s: %d %s, want what /intent answers: %s", target, w.Code, w.Body, intent.Body)
		}
	}
	// The stored intent plays no part: the model answers (26), not the label (3).
	var ans struct {
		Intent      json.RawMessage `json:"intent"`
		Probability string          `json:"probability"`
	}
	w := serve(t, e.h, "GET", "/examples/by-key/s1/predict", "")
	if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil || string(ans.Intent) != "26" || len(ans.Probability) != 10 {
		t.Errorf("predict s1: %s (%v)", w.Body, err)
	}
	// Every model at once, as /intent?model=* answers.
	all := serve(t, e.h, "GET", "/intent?query=peut+on+manger+des+sushis+enceinte&model=*", "")
	if w := serve(t, e.h, "GET", "/examples/by-key/s1/predict?model=*", ""); w.Code != 200 || w.Body.String() != all.Body.String() {
		t.Errorf("model=*: %d %s, want %s", w.Code, w.Body, all.Body)
	}
	w = serve(t, e.h, "GET", fmt.Sprintf("/examples/%d/predict", ids[1]), "")
	if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil || string(ans.Intent) != "41" {
		t.Errorf("predict an unlabeled example: %s (%v)", w.Body, err)
	}
	for _, c := range []struct {
		target string
		status int
		msg    string
	}{
		{"/examples/999/predict", 404, "no example 999"},
		{"/examples/by-key/nope/predict", 404, `no example has key "nope"`},
		{"/examples/by-key/s1/predict?version=9", 404, "9"},
		{"/examples/by-key/s1/predict?version=0", 400, "version must be a positive integer"},
		{"/examples/by-key/s1/predict?version=stable", 404, `no version labeled "stable"`},
		{"/examples/by-key/s1/predict?model=nope", 404, `unknown model "nope"`},
		{"/examples/by-key/s1/predict?query=x", 400, "query= is not taken here"},
		{"/examples/by-key/s1/predict?top=0", 400, "top must be between 1 and 3"},
		{"/examples/by-key/s1/predict?top=x", 400, "top must be an integer"},
		{"/examples/x/predict", 400, "/examples/by-key/{key}"},
	} {
		wantError(t, serve(t, e.h, "GET", c.target, ""), c.status, c.msg)
	}
}
