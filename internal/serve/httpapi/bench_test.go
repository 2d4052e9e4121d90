package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"intent/model"
	"intent/modelrepo"
)

// benchServer serves the sample model when data/sample is present, the
// tiny numeric model otherwise.
func benchServer(b *testing.B, accessLog bool) (http.Handler, string) {
	b.Helper()
	root, name := "", "sample"
	if testing.Short() {
		root, name = writeModels(b, trainTiny(b, "numeric")), "tiny"
	} else {
		root, _ = trainSample(b)
	}
	s, _ := newTestServer(b, root)
	s.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	s.accessLog = accessLog
	return s.routes(), name
}

// nopWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures the server and not httptest's recorder.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}

func benchmarkGet(b *testing.B, target string, accessLog bool) {
	h, _ := benchServer(b, accessLog)
	req := httptest.NewRequest("GET", target, nil)
	w := &nopWriter{h: http.Header{}}
	h.ServeHTTP(w, req)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, req)
	}
}

const benchQuery = "/intent?query=risques+poisson+cru+pendant+la+grossesse+%3F"

// The /intent handler through the router and the middleware.
func BenchmarkIntent(b *testing.B)           { benchmarkGet(b, benchQuery, false) }
func BenchmarkIntentAccessLog(b *testing.B)  { benchmarkGet(b, benchQuery, true) }
func BenchmarkIntentTop3(b *testing.B)       { benchmarkGet(b, benchQuery+"&top=3", false) }
func BenchmarkIntentBadRequest(b *testing.B) { benchmarkGet(b, "/intent?query=+", false) }

// The prediction alone, to see what the HTTP layer adds.
func BenchmarkPredictOnly(b *testing.B) {
	_, m := trainSample(b)
	b.ReportAllocs()
	for b.Loop() {
		m.Predict("risques poisson cru pendant la grossesse ?")
	}
}

func BenchmarkIntentBatch100(b *testing.B) {
	h, _ := benchServer(b, false)
	body := `{"queries": [` + strings.Repeat(`"risques poisson cru pendant la grossesse ?", `, 99) + `"doliprane enfant"]}`
	w := &nopWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, httptest.NewRequest("POST", "/intent", strings.NewReader(body)))
	}
}

// Loading a model version from disk: the server's startup and hot-reload cost.
func BenchmarkLoadModel(b *testing.B) {
	root, _ := trainSample(b)
	file := filepath.Join(root, "1", modelrepo.ModelFile)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.LoadFile(file); err != nil {
			b.Fatal(err)
		}
	}
}
