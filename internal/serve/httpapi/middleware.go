package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// recorder wraps the ResponseWriter of every request to learn its status,
// size and route (set by the route's handler) for the log and the metrics.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	route  string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// Route labels for requests no route matched.
const (
	routeUnmatched = "unmatched"
)

// instrument logs every request and counts it in the metrics, labelled by
// its route template (never by its raw path or query, which would leak the
// questions into the log and blow up the metrics' cardinality).
func instrument(log *slog.Logger, m *metrics, accessLog bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		rec := recorderPool.Get().(*recorder)
		*rec = recorder{ResponseWriter: w, route: routeUnmatched}
		defer func() {
			d := time.Since(start)
			m.inFlight.Dec()
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			method := methodLabel(r.Method)
			m.observe(rec.route, method, status, d)
			if accessLog {
				log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.String("method", method),
					slog.String("route", rec.route),
					slog.Int("status", status),
					slog.Duration("duration", d),
					slog.Int64("bytes", rec.bytes),
					slog.Int("query_bytes", len(r.URL.RawQuery)),
				)
			}
			*rec = recorder{}
			recorderPool.Put(rec)
		}()
		next.ServeHTTP(rec, r)
	})
}

// route tags a request with its route template for instrument.
func route(template string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*recorder); ok {
			rec.route = template
		}
		h.ServeHTTP(w, r)
	})
}

// methodLabel keeps the method label to a known set, whatever clients send.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// recoverPanics turns a handler panic into a 500 JSON answer, logged with
// its stack; the process keeps serving. http.ErrAbortHandler is passed on:
// it is how a handler asks net/http to drop the connection.
func recoverPanics(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			m.panics.Inc()
			log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("panic", fmt.Sprint(p)), slog.String("stack", string(debug.Stack())))
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				// The answer has begun: the best left is to cut the connection.
				panic(http.ErrAbortHandler)
			}
			writeError(w, r, log, errorf(kindInternal, "internal error"))
		}()
		next.ServeHTTP(w, r)
	})
}
