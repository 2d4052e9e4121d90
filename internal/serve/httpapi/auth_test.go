package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// Every mutating endpoint needs the token; reads stay open.
func TestRequireToken(t *testing.T) {
	num := trainTiny(t, "numeric")
	mutating := []struct{ method, target, body string }{
		{"POST", "/models", ""},
		{"PUT", "/models/default", `{"version": 1}`},
		{"DELETE", "/models/default", ""},
		{"DELETE", "/models/1", ""},
	}
	open := []struct{ method, target, body string }{
		{"GET", "/models", ""},
		{"GET", "/models/1", ""},
		{"GET", "/models/default", ""},
		{"GET", "/intent?query=dose", ""},
		{"POST", "/intent", `{"queries": ["dose"]}`},
		{"POST", "/infer", `{"texts": ["dose"]}`},
		{"POST", "/test", `{}`}, // 404: no validation split, but not 401
	}

	t.Run("no token configured", func(t *testing.T) {
		_, h, _ := newModelServer(t, writeModels(t, num), "", 0)
		for _, c := range mutating {
			w := do(t, h, c.method, c.target, c.body) // even with a token
			wantError(t, w, 403, "set API_TOKEN")
			if !strings.Contains(w.Body.String(), c.method+" "+c.target+" is disabled") {
				t.Errorf("%s %s: %s", c.method, c.target, w.Body)
			}
		}
	})

	_, h, logs := newModelServer(t, writeModels(t, num), testToken, 0)
	for _, c := range mutating {
		for _, auth := range []string{"", "Bearer", "Bearer ", "Basic " + testToken, testToken} {
			req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			w := serve2(h, req)
			wantError(t, w, 401, "missing token")
			if got := w.Header().Get("WWW-Authenticate"); got != `Bearer realm="intent"` {
				t.Errorf("%s %s with %q: WWW-Authenticate %q", c.method, c.target, auth, got)
			}
		}
		for _, tok := range []string{"wrong", testToken + "x", testToken[:len(testToken)-1], strings.ToUpper(testToken)} {
			req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+tok)
			w := serve2(h, req)
			wantError(t, w, 401, "invalid token")
			if got := w.Header().Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", got)
			}
		}
	}
	// The right token passes (the scheme is case-insensitive).
	req := httptest.NewRequest("PUT", "/models/default", strings.NewReader(`{"version": 1}`))
	req.Header.Set("Authorization", "bearer "+testToken)
	if w := serve2(h, req); w.Code != 200 {
		t.Fatalf("right token: %d %s", w.Code, w.Body)
	}
	for _, c := range open {
		if w := serve(t, h, c.method, c.target, c.body); w.Code == 401 || w.Code == 403 || w.Code >= 500 {
			t.Errorf("%s %s without a token: %d %s", c.method, c.target, w.Code, w.Body)
		}
	}
	if strings.Contains(logs.String(), testToken) {
		t.Fatal("the token is in the log")
	}
}
