package httpapi

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"intent/modelrepo"
)

// leaks are what no answer may show: server paths, socket addresses and
// Go type names.
func checkNoLeak(t *testing.T, what string, w *httptest.ResponseRecorder, roots ...string) {
	t.Helper()
	body := w.Body.String()
	if w.Code >= 500 {
		t.Errorf("%s: status %d: %s", what, w.Code, body)
	}
	for _, bad := range append([]string{"/tmp", "127.0.0.1:", "Go value", "Go struct", "main.", "httpapi.", "versions.", "modelrepo.", "[]string", "*int", "json: cannot", "json: unknown"}, roots...) {
		if strings.Contains(body, bad) {
			t.Errorf("%s: answer %d shows %q: %s", what, w.Code, bad, strings.TrimSpace(body))
		}
	}
}

var malformedJSON = []string{
	`{`, `}`, `[1]`, `null`, `"x"`, `1`, "\xff\xfe", `{"a": 1} {}`, `{"unknown": 1}`,
	`{"texts": "x"}`, `{"texts": [1]}`, `{"queries": 1}`, `{"queries": [{}]}`, `{"top": "3"}`,
	`{"version": "x"}`, `{"version": 1.5}`, `{"version": 1e99}`, `{"version": -1}`,
	`{"text": 1, "intent": "a"}`, `{"text": "a", "intent": [1]}`, `{"examples": {}}`, `{"examples": [1]}`, `[{"text": []}]`,
	`{"data": 5}`, `{"data": "../../etc/passwd"}`, `{"data": "/etc/passwd"}`, `{"options": []}`, `{"options": {"c": "big"}}`,
	`{"make_default": 1}`, `{"use_examples": "yes"}`,
}

func TestErrorsShowNoServerDetails(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num)
	damage(t, root, num)
	_, h, _ := newModelServer(t, root, testToken, 0)
	abs, _ := filepath.Abs(root)
	for _, ep := range []struct{ method, path string }{
		{"POST", "/intent"}, {"POST", "/infer"}, {"POST", "/test"}, {"PUT", "/models/default"}, {"POST", "/models"},
	} {
		for _, body := range malformedJSON {
			checkNoLeak(t, ep.method+" "+ep.path+" "+body, do(t, h, ep.method, ep.path, body), abs)
		}
	}
	for _, target := range []string{"/models", "/models/1", "/models/2", "/models/3", "/intent?query=x&version=2", "/intent?query=%zz", "/nope"} {
		checkNoLeak(t, "GET "+target, serve(t, h, "GET", target, ""), abs)
	}
	ct, b := multipartBody(t, "model", "garbage", "valid", `{"id": 1}`)
	checkNoLeak(t, "multipart upload", upload(t, h, ct, b), abs)
	checkNoLeak(t, "pin a failed version", do(t, h, "PUT", "/models/default", `{"version": 2}`), abs)
	checkNoLeak(t, "single model", do(t, func() http.Handler {
		_, h, _ := newModelServer(t, filepath.Join(root, "1", modelrepo.ModelFile), testToken, 0)
		return h
	}(), "PUT", "/models/default", `{"version": 1}`), abs)

	e := newTaskEnv(t, nil)
	for _, ep := range []string{"/examples", "/train"} {
		for _, body := range malformedJSON {
			checkNoLeak(t, "POST "+ep+" "+body, e.do(t, "POST", ep, body, nil), e.models, e.dataDir)
		}
	}
}

func TestJSONProblemMessages(t *testing.T) {
	_, h, _ := newModelServer(t, writeModels(t, trainTiny(t, "numeric")), testToken, 0)
	for _, c := range []struct{ path, body, msg string }{
		{"/infer", `{"texts": "x"}`, `field "texts": expected an array of strings, got string`},
		{"/infer", `{"texts": [1]}`, `field "texts": expected a string, got number`},
		{"/intent", `{"queries": ["a"], "top": "3"}`, `field "top": expected an integer, got string`},
		{"/intent", `[1]`, `expected an object, got array`},
		{"/intent", `{"queries": ["a"], "x": 1}`, `unknown field "x"`},
		{"/intent", `{"queries": [`, `the JSON ends early`},
		{"/intent", `{"queries": [}`, `invalid JSON at byte 14`},
		{"/intent", `{"queries": ["a"]} x`, `data after the JSON value`},
	} {
		wantError(t, do(t, h, "POST", c.path, c.body), 400, c.msg)
	}
}
