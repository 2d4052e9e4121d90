package httpapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"intent/internal/serve/versions"
	"intent/internal/testmodel"
	"intent/internal/testmodel/testrepo"
)

// The tiny training sets: three intents, eight phrasings each.
var (
	numericIntents = testmodel.Sets["numeric"]
	stringIntents  = testmodel.Sets["string"]
	examples       = testmodel.Examples
	trainTiny      = testmodel.Tiny
	writeModels    = testrepo.WriteModels
	trainSample    = testrepo.Sample
)

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestServer builds a server on the models under source (which may not
// exist) with default limits, logging JSON into the returned buffer.
func newTestServer(tb testing.TB, source string) (*server, *syncBuffer) {
	tb.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := versions.New(source, 0, log)
	if err := reg.Reload(context.Background()); err != nil && !versions.IsNotExist(err) {
		tb.Fatal(err)
	}
	return &server{models: reg, limits: DefaultLimits(), log: log, metrics: newMetrics(reg), accessLog: true}, logs
}

// serve sends one request through h and returns the recorded answer.
func serve(tb testing.TB, h http.Handler, method, target string, body string) *httptest.ResponseRecorder {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// serve2 sends a prepared request through h.
func serve2(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
