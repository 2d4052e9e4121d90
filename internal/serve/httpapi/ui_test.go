package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"intent/internal/serve/web"
)

func TestWebInterface(t *testing.T) {
	_, h, _ := newModelServer(t, t.TempDir(), "", 0)
	for _, target := range []string{"/", "/?q=risques+poisson+cru", "/ui/app.js", "/ui/style.css", "/ui/icon.svg"} {
		w := serve(t, h, "GET", target, "")
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", target, w.Code, w.Body)
		}
		hd := w.Header()
		if hd.Get("Content-Security-Policy") != web.CSP || hd.Get("X-Content-Type-Options") != "nosniff" ||
			hd.Get("X-Frame-Options") != "DENY" || hd.Get("ETag") == "" || hd.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: headers %v", target, hd)
		}
		want := map[string]string{"/ui/app.js": "text/javascript; charset=utf-8", "/ui/style.css": "text/css; charset=utf-8", "/ui/icon.svg": "image/svg+xml"}[target]
		if want == "" {
			want = "text/html; charset=utf-8"
		}
		if hd.Get("Content-Type") != want {
			t.Errorf("GET %s: Content-Type %q, want %q", target, hd.Get("Content-Type"), want)
		}
		// Revalidation: 304 without a body.
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("If-None-Match", hd.Get("ETag"))
		if w := serve2(h, req); w.Code != 304 || w.Body.Len() != 0 {
			t.Errorf("GET %s with its ETag: %d, %d bytes", target, w.Code, w.Body.Len())
		}
	}
	if w := serve(t, h, "GET", "/", ""); !strings.Contains(w.Body.String(), `<script type="module" src="/ui/app.js">`) {
		t.Errorf("GET /: %.200s", w.Body)
	}
	if w := serve(t, h, "HEAD", "/", ""); w.Code != 200 || w.Body.Len() != 0 {
		t.Errorf("HEAD /: %d, %d bytes", w.Code, w.Body.Len())
	}
	wantError(t, serve(t, h, "GET", "/ui/nope.js", ""), 404, "no such file of the web interface: nope.js")
	wantError(t, serve(t, h, "GET", "/ui/index.html", ""), 404, "no such file of the web interface")
	wantError(t, serve(t, h, "POST", "/", ""), 405, "allowed: GET, HEAD")
	// The JSON API is unchanged around it.
	if w := serve(t, h, "GET", "/models", ""); w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Errorf("GET /models: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}
