package httpapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/serve/web"
)

// handleUI serves the web interface (package web): the page at / (any
// query: /?q=... asks a question on load) and its files at /ui/{file},
// with the interface's Content-Security-Policy and an ETag (304 when
// unchanged). An unknown file is the API's JSON 404.
func handleUI(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := web.Index()
		if name, ok := mux.Vars(r)["file"]; ok {
			if a, ok = web.Lookup(name); !ok {
				writeError(w, r, log, errorf(kindNotFound, "no such file of the web interface: %s", truncate(name, 100)))
				return
			}
		}
		web.Headers(w.Header(), a)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.Body))
	})
}
