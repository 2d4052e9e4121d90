package httpapi

import (
	"intent/internal/serve/versions"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/gorilla/mux"
)

// server is what the handlers share: the models, the limits, the log and
// the metrics.
type server struct {
	models    *versions.Registry // the default model
	set       *versions.Set      // every model, for /v1/models and ?model=
	limits    Limits
	upload    UploadLimits
	auth      tokenAuth // the token mutating endpoints require; unset disables them
	log       *slog.Logger
	metrics   *metrics
	accessLog bool
	tasks     *tasksAPI // examples and training tasks; nil leaves their routes out
}

// routes is the whole HTTP surface of the server: every route and every
// middleware, in one place.
func (s *server) routes() http.Handler {
	router, intent := s.router()
	return s.middleware(fastIntent(route("/intent", intent), router))
}

// router routes every endpoint; it also returns the GET /intent handler
// for the fast path.
func (s *server) router() (http.Handler, http.Handler) {
	r := mux.NewRouter()
	var table allowTable
	handle := func(path string, h http.Handler, methods ...string) {
		// HEAD is GET without the body (net/http drops it) wherever GET is.
		if slices.Contains(methods, http.MethodGet) && !slices.Contains(methods, http.MethodHead) {
			methods = append(slices.Clone(methods), http.MethodHead)
		}
		r.Handle(path, route(path, h)).Methods(methods...)
		table.add(path, methods)
	}

	intent := handleIntent(s.models, s.set, s.limits, s.log)
	handle("/intent", intent, http.MethodGet)
	handle("/intent", handleIntentBatch(s.models, s.limits, s.log), http.MethodPost)
	handle("/infer", handleInfer(s.models, s.set, s.limits, s.log), http.MethodPost)
	handle("/test", handleTest(s.models, s.limits, s.log), http.MethodPost)

	// Versions. Every change needs the token (requireToken); reads are open.
	handle("/models", handleModels(s.models), http.MethodGet)
	handle("/models", s.requireToken(handleUpload(s.models, s.upload, s.log)), http.MethodPost)
	handle("/models/default", handleDefault(s.models), http.MethodGet)
	handle("/models/default", s.requireToken(handlePin(s.models, s.limits, s.log)), http.MethodPut)
	handle("/models/default", s.requireToken(handleUnpin(s.models, s.log)), http.MethodDelete)
	handle("/models/{n}", handleModel(s.models, s.log), http.MethodGet)
	handle("/models/{n}", s.requireToken(handleDeleteModel(s.models, s.log)), http.MethodDelete)
	if s.set != nil {
		s.namedRoutes(handle)
	}
	// Validation splits replayed: a version's reliability diagram, two
	// versions compared on the same questions (evaluation.go).
	replay := newReplayer(s.models, s.log)
	handle("/models/{n}/reliability", handleReliability(replay), http.MethodGet)
	handle("/compare", handleCompare(replay), http.MethodGet)

	// Examples and training tasks (POST /examples, POST /train, ...): their
	// service registers its routes, mutating ones behind requireToken.
	if s.tasks != nil {
		s.tasks.intent = intent // GET /examples/{id}/predict asks it
		s.tasks.routes(handle, s.requireToken)
		// Relabeling, the data report, the labeling queue (curate.go, label.go).
		s.tasks.curateRoutes(handle, s.requireToken, s.models)
		// Uploaded datasets and the Alectio protocol over them (datasets.go,
		// alectio.go): they live in the data folder.
		if dir := s.tasks.jobs.DataDir(); dir != "" && s.set != nil {
			s.dataRoutes(handle, dir)
		}
	}

	// The web interface (package web): the page at / and its files.
	handle("/", handleUI(s.log), http.MethodGet)
	handle("/ui/{file}", handleUI(s.log), http.MethodGet)

	handle("/healthz", handleHealthz(), http.MethodGet, http.MethodHead)
	handle("/readyz", handleReadyz(s.models, s.log), http.MethodGet, http.MethodHead)
	handle("/metrics", s.metrics.handler(), http.MethodGet)
	// This API described in OpenAPI 3.1 (openapi.go, openapi.json).
	handle("/openapi.json", handleOpenAPI(), http.MethodGet)

	r.NotFoundHandler = handleNotFound(s.log)
	r.MethodNotAllowedHandler = handleMethodNotAllowed(&table, s.log)
	if f := routerBuilt.Load(); f != nil {
		(*f)(r)
	}
	return r, intent
}

// fastIntent sends GET and HEAD /intent, the one route under load, straight
// to its handler; everything else goes through the router. gorilla/mux
// matches every route by regular expression and stores the route and its
// variables in two new request contexts: eight allocations and a fifth of
// the handler's time for a route that has no variables. The route and its
// middleware are the same either way (a test checks the answers agree).
func fastIntent(intent, router http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/intent" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			intent.ServeHTTP(w, r)
			return
		}
		router.ServeHTTP(w, r)
	})
}

// middleware wraps every request, outermost first: access log and
// metrics, then panic recovery.
func (s *server) middleware(h http.Handler) http.Handler {
	return instrument(s.log, s.metrics, s.accessLog,
		recoverPanics(s.log, s.metrics, h))
}

func handleNotFound(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, log, errorf(kindNotFound, "no such endpoint: %s %s", r.Method, truncate(r.URL.Path, 200)))
	})
}

// handleMethodNotAllowed answers 405 with the Allow header that RFC 9110
// requires (gorilla/mux does not set it).
func handleMethodNotAllowed(t *allowTable, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		allowed := t.allowed(r.URL.Path)
		if rec, ok := w.(*recorder); ok {
			if tpl := t.template(r.URL.Path); tpl != "" {
				rec.route = tpl
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, r, log, errorf(kindMethod, "method %s not allowed on %s (allowed: %s)",
			truncate(r.Method, 20), truncate(r.URL.Path, 200), strings.Join(allowed, ", ")))
	})
}

// allowTable remembers which methods each route template accepts.
type allowTable struct {
	entries []allowEntry
}

type allowEntry struct {
	template string
	re       *regexp.Regexp
	methods  []string
}

func (t *allowTable) add(template string, methods []string) {
	for i := range t.entries {
		if t.entries[i].template == template {
			t.entries[i].methods = append(t.entries[i].methods, methods...)
			return
		}
	}
	// Templates with {vars} become [^/]+; mux matched the path already, this
	// only finds which template it was.
	re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]*\\\}`).ReplaceAllString(regexp.QuoteMeta(template), "[^/]+") + "$")
	t.entries = append(t.entries, allowEntry{template, re, slices.Clone(methods)})
}

func (t *allowTable) allowed(path string) []string {
	var out []string
	for _, e := range t.entries {
		if e.re.MatchString(path) {
			out = append(out, e.methods...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (t *allowTable) template(path string) string {
	for _, e := range t.entries {
		if e.re.MatchString(path) {
			return e.template
		}
	}
	return ""
}
