package httpapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/internal/serve/versions"
	"intent/modelrepo"
)

// newNamedServer serves a models root whose default model has two
// versions (numeric intents) and a named model "travel" one (string ones).
func newNamedServer(t *testing.T) (*versions.Set, string, func(method, target, body string) *httptest.ResponseRecorder) {
	t.Helper()
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num, num)
	if _, _, err := modelrepo.WriteVersion(filepath.Join(root, versions.NamedDir, "travel"), str, nil, nil); err != nil {
		t.Fatal(err)
	}
	set := versions.NewSet(root, 0, quiet)
	if err := set.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := New(set, Options{Limits: DefaultLimits(), Upload: DefaultUploadLimits(), Token: testToken, Log: quiet})
	call := func(method, target, body string) *httptest.ResponseRecorder { return do(t, h, method, target, body) }
	return set, root, call
}

func TestNamedModels(t *testing.T) {
	set, root, call := newNamedServer(t)
	var list struct {
		Models []namedJSON `json:"models"`
	}
	if w := call("GET", "/v1/models", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &list) != nil || len(list.Models) != 2 ||
		list.Models[0].Name != "default" || list.Models[1].Name != "travel" || *list.Models[0].Default != 2 {
		t.Fatalf("GET /v1/models: %d %s", w.Code, w.Body)
	}
	// The model parameter picks the model; the default model answers
	// without it, as always.
	if got := call("GET", "/intent?query=book+a+flight&model=travel", "").Body.String(); !strings.HasPrefix(got, `{"intent": "book_flight"`) {
		t.Fatalf("model=travel: %s", got)
	}
	if got := call("GET", "/intent?query=dose+de+paracetamol", "").Body.String(); !strings.HasPrefix(got, `{"intent": 3,`) {
		t.Fatalf("default model: %s", got)
	}
	if w := call("GET", "/intent?query=x&model=nope", ""); w.Code != 404 || !strings.Contains(w.Body.String(), `unknown model \"nope\" (models: default, travel)`) {
		t.Fatalf("unknown model: %d %s", w.Code, w.Body)
	}
	// Every model at once.
	var all struct {
		Models map[string]json.RawMessage `json:"models"`
	}
	w := call("GET", "/intent?query=book+a+flight&model=*", "")
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &all) != nil || len(all.Models) != 2 || !strings.Contains(string(all.Models["travel"]), "book_flight") {
		t.Fatalf("model=*: %d %s", w.Code, w.Body)
	}
	// Labels name versions.
	if w := call("PUT", "/v1/models/default/labels/stable", `{"version": 1}`); w.Code != 200 {
		t.Fatalf("set label: %d %s", w.Code, w.Body)
	}
	if w := call("GET", "/intent?query=dose&version=stable", ""); w.Code != 200 {
		t.Fatalf("version=stable: %d %s", w.Code, w.Body)
	}
	if w := call("GET", "/intent?query=dose&version=canary", ""); w.Code != 404 || !strings.Contains(w.Body.String(), `no version labeled \"canary\" (labels: stable)`) {
		t.Fatalf("unknown label: %d %s", w.Code, w.Body)
	}
	if w := call("DELETE", "/v1/models/default/versions/1", ""); w.Code != 409 {
		t.Fatalf("deleting a labeled version: %d %s", w.Code, w.Body)
	}
	if w := call("PUT", "/v1/models/default/labels/stable", `{"version": 9}`); w.Code != 404 {
		t.Fatalf("label of an unknown version: %d %s", w.Code, w.Body)
	}
	if w := call("DELETE", "/v1/models/default/labels/stable", ""); w.Code != 200 {
		t.Fatalf("remove label: %d %s", w.Code, w.Body)
	}
	// Upload into a new model creates it; the file downloads as stored.
	b, _ := trainTiny(t, "string").MarshalBinary()
	req := httptest.NewRequest("POST", "/v1/models/support", strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/octet-stream")
	h := New(set, Options{Limits: DefaultLimits(), Upload: DefaultUploadLimits(), Token: testToken, Log: quiet})
	if w := serve2(h, req); w.Code != 201 {
		t.Fatalf("upload into a new model: %d %s", w.Code, w.Body)
	}
	dl := call("GET", "/v1/models/support/versions/1/model.bin", "")
	if dl.Code != 200 || dl.Body.String() != string(b) {
		t.Fatalf("download: %d, %d bytes", dl.Code, dl.Body.Len())
	}
	// Reset removes every version of a model.
	if w := call("DELETE", "/v1/models/support", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"removed_versions":1`) {
		t.Fatalf("reset: %d %s", w.Code, w.Body)
	}
	if _, err := os.Stat(filepath.Join(root, versions.NamedDir, "support")); !os.IsNotExist(err) {
		t.Fatalf("the reset model's folder is still there: %v", err)
	}
	if w := call("GET", "/v1/models/support", ""); w.Code != 404 {
		t.Fatalf("a reset model: %d", w.Code)
	}
	// Names are checked; changes need the token.
	if w := call("POST", "/v1/models/Bad%20Name", "x"); w.Code != 400 {
		t.Fatalf("bad name: %d %s", w.Code, w.Body)
	}
	if w := serve(t, h, "DELETE", "/v1/models/travel", ""); w.Code != 401 {
		t.Fatalf("reset without the token: %d", w.Code)
	}
}

func TestInferNamedModelAndLabel(t *testing.T) {
	_, _, call := newNamedServer(t)
	w := call("POST", "/infer", `{"texts": ["book a flight"], "model": "travel"}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"intent": "book_flight"`) {
		t.Fatalf("/infer model travel: %d %s", w.Code, w.Body)
	}
	call("PUT", "/v1/models/default/labels/old", `{"version": 1}`)
	if w := call("POST", "/infer", `{"texts": ["dose"], "label": "old"}`); w.Code != 200 || !strings.Contains(w.Body.String(), `"version": 1`) {
		t.Fatalf("/infer label old: %d %s", w.Code, w.Body)
	}
	if w := call("POST", "/infer", `{"texts": ["dose"], "label": "old", "version": 2}`); w.Code != 400 {
		t.Fatalf("label and version: %d %s", w.Code, w.Body)
	}
	if w := call("POST", "/infer", `{"texts": ["dose"], "model": "nope"}`); w.Code != 404 {
		t.Fatalf("unknown model: %d %s", w.Code, w.Body)
	}
}
