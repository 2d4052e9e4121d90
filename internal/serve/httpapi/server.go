package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
)

// Options configure the HTTP layer.
type Options struct {
	Limits Limits
	Upload UploadLimits
	// Token is the bearer token mutating endpoints require; empty disables
	// them (403).
	Token     string
	AccessLog bool
	Log       *slog.Logger
	// Jobs runs training tasks and holds the stored examples; nil leaves
	// their routes out.
	Jobs *jobs.Service
}

// DefaultLimits are the query and body limits of a server started without
// flags.
func DefaultLimits() Limits { return Limits{MaxQuery: 10_000, MaxBody: 1 << 20, MaxBatch: 1_000} }

// DefaultUploadLimits bound model uploads by default.
func DefaultUploadLimits() UploadLimits {
	return UploadLimits{MaxBytes: 512 << 20, Timeout: 10 * time.Minute}
}

// New is the whole HTTP surface over the models (and the job runner):
// every route and every middleware. The routes without a model name serve
// the default model.
func New(set *versions.Set, o Options) http.Handler {
	reg := set.Default()
	s := &server{models: reg, set: set, limits: o.Limits, upload: o.Upload, auth: newTokenAuth(o.Token),
		log: o.Log, metrics: newMetrics(reg), accessLog: o.AccessLog}
	if o.Jobs != nil {
		s.tasks = newTasksAPI(o.Jobs, o.Log)
	}
	return s.routes()
}
