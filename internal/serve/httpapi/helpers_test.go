package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"intent/model"
	"intent/model/dataset"
	"intent/modelrepo"
)

// Tiny training sets: three intents, eight phrasings each.
var (
	numericIntents = map[string][]string{
		"3": {"quelle dose de paracétamol pour un enfant", "posologie du doliprane enfant", "combien de doliprane par jour",
			"dose maximale de paracétamol", "paracétamol dose adulte", "quelle posologie pour le doliprane",
			"doliprane combien de fois par jour", "dose de paracétamol pour un bébé"},
		"26": {"risques poisson cru pendant la grossesse", "peut on manger des sushis enceinte", "grossesse et fromage au lait cru",
			"enceinte puis je boire du café", "alimentation pendant la grossesse", "grossesse interdits alimentaires",
			"femme enceinte poisson cru", "sushis et grossesse risques"},
		"41": {"effets secondaires du vaccin", "vaccin grippe effets indésirables", "fièvre après le vaccin",
			"réaction au vaccin bras douloureux", "vaccin effets secondaires enfant", "vaccination et fièvre",
			"douleur après vaccination", "effets indésirables de la vaccination"},
	}
	stringIntents = map[string][]string{
		"book_flight": {"book a flight to paris", "i need a plane ticket", "fly me to rome tomorrow", "reserve a flight to berlin",
			"get me a flight ticket", "book plane tickets to madrid", "flight to london please", "i want to fly to lisbon"},
		"cancel \"order\"": {"cancel my order", "i want to cancel the order", "stop my order please", "cancel order number five",
			"please cancel what i ordered", "cancel the purchase", "undo my order", "cancel my last order"},
		"weather": {"what is the weather today", "will it rain tomorrow", "weather forecast for paris", "is it sunny outside",
			"how cold is it today", "temperature this afternoon", "do i need an umbrella", "weather this weekend"},
	}
)

func examples(intents map[string][]string) []dataset.Example {
	var out []dataset.Example
	for label, texts := range intents {
		for i, t := range texts {
			out = append(out, dataset.Example{ID: fmt.Sprintf("%s-%d", label, i), Text: t, Label: label})
		}
	}
	return out
}

var trained struct {
	sync.Mutex
	m map[string]*model.Model
}

// trainTiny trains (once per test binary and kind) a model on one of the
// tiny sets: "numeric" or "string".
func trainTiny(tb testing.TB, kind string) *model.Model {
	tb.Helper()
	trained.Lock()
	defer trained.Unlock()
	if m := trained.m[kind]; m != nil {
		return m
	}
	set := numericIntents
	if kind == "string" {
		set = stringIntents
	}
	m, _, err := model.Train(context.Background(), examples(set), model.DefaultConfig(), nil)
	if err != nil {
		tb.Fatalf("train %s model: %v", kind, err)
	}
	if trained.m == nil {
		trained.m = map[string]*model.Model{}
	}
	trained.m[kind] = m
	return m
}

// writeModels stores each model as the next version under a new models
// root and returns the root.
func writeModels(tb testing.TB, models ...*model.Model) string {
	tb.Helper()
	root := tb.TempDir()
	for _, m := range models {
		if _, _, err := modelrepo.WriteVersion(root, m, nil, nil); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

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
	reg := newRegistry(source, 0, log)
	if err := reg.Reload(context.Background()); err != nil && !isNotExist(err) {
		tb.Fatal(err)
	}
	return &server{models: reg, limits: defaultConfig().Limits, log: log, metrics: newMetrics(reg), accessLog: true}, logs
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
