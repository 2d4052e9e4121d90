package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPanicRecoveredInto500(t *testing.T) {
	s, logs := newTestServer(t, t.TempDir())
	calls := 0
	h := s.middleware(route("/boom", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			panic("kaboom")
		}
		w.Write([]byte("{}"))
	})))
	w := serve(t, h, "GET", "/boom", "")
	if w.Code != http.StatusInternalServerError || w.Body.String() != `{"error":"internal error"}`+"\n" {
		t.Fatalf("panic answered %d %q", w.Code, w.Body)
	}
	out := logs.String()
	if !strings.Contains(out, `"msg":"panic serving request"`) || !strings.Contains(out, `"panic":"kaboom"`) ||
		!strings.Contains(out, "goroutine ") || !strings.Contains(out, "middleware_test.go") {
		t.Errorf("the panic is not logged with its stack:\n%s", out)
	}
	// The same handler chain keeps serving.
	if w := serve(t, h, "GET", "/boom", ""); w.Code != http.StatusOK {
		t.Errorf("after the panic: %d", w.Code)
	}
	m := serve(t, s.routes(), "GET", "/metrics", "").Body.String()
	for _, want := range []string{`intent_http_panics_total 1`, `intent_http_requests_total{code="500",method="GET",route="/boom"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestPanicAfterWriteAbortsConnection(t *testing.T) {
	s, _ := newTestServer(t, t.TempDir())
	h := s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"partial":`))
		panic("late")
	}))
	defer func() {
		if p := recover(); p != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler so net/http drops the connection", p)
		}
	}()
	serve(t, h, "GET", "/", "")
}

func TestWriteJSONEncodingFailureIs500(t *testing.T) {
	w := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"bad": func() {}})
	}), "GET", "/", "")
	var e errorBody
	if w.Code != http.StatusInternalServerError || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error == "" {
		t.Errorf("got %d %q", w.Code, w.Body)
	}
}

func TestWriteErrorHidesInternalDetails(t *testing.T) {
	s, logs := newTestServer(t, t.TempDir())
	w := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, errSecret)
	}), "GET", "/x", "")
	if w.Code != 500 || strings.Contains(w.Body.String(), "db password") {
		t.Errorf("got %d %s", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "db password") {
		t.Errorf("the cause is not logged: %s", logs)
	}
}

type secretError struct{}

func (secretError) Error() string { return "db password is hunter2" }

var errSecret error = secretError{}

func TestStatusTableCoversEveryKind(t *testing.T) {
	for k := kindInternal; k <= kindForbidden; k++ {
		if int(k) >= len(statusOf) || statusOf[k] == 0 {
			t.Errorf("kind %d has no status", k)
		}
	}
}
