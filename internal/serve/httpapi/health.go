package httpapi

import (
	"intent/internal/serve/versions"
	"log/slog"
	"net/http"
)

// handleHealthz answers 200 as long as the process serves HTTP: liveness.
func handleHealthz() http.Handler {
	body := []byte(`{"status": "ok"}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeBody(w, http.StatusOK, body)
	})
}

// readyBody is the answer of /readyz when a model is loaded.
type readyBody struct {
	Status   string `json:"status"`
	Default  int    `json:"default_version"`
	Versions []int  `json:"versions"`
}

// handleReadyz answers 200 when a model is loaded and 503 before:
// readiness, for load balancers and for scripts waiting for the server.
func handleReadyz(reg *versions.Registry, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := reg.Snapshot()
		if s.Default == nil {
			writeError(w, r, log, versions.ErrNoModel)
			return
		}
		writeJSON(w, http.StatusOK, readyBody{Status: "ready", Default: s.Default.N, Versions: s.Numbers()})
	})
}
