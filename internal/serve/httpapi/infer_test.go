package httpapi

import (
	"encoding/json"
	"fmt"
	"intent/modelrepo"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type inferAnswer struct {
	Version int               `json:"version"`
	Labels  []json.RawMessage `json:"labels"`
	Results []struct {
		Intent        json.RawMessage `json:"intent"`
		Probability   float64         `json:"probability"`
		Scores        []float32       `json:"scores"`
		Probabilities []float64       `json:"probabilities"`
	} `json:"results"`
}

func TestInfer(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num, str)
	_, h, _ := newModelServer(t, root, "", 0)
	texts := []string{"posologie du doliprane", "fièvre après le vaccin", "cancel my order", "zzz"}
	body, _ := json.Marshal(map[string]any{"texts": texts, "version": 1})

	got := decode[inferAnswer](t, serve(t, h, "POST", "/infer", string(body)), 200)
	if got.Version != 1 || len(got.Results) != len(texts) {
		t.Fatalf("answer %+v", got)
	}
	// Labels once, as JSON numbers.
	var labels []string
	for _, l := range got.Labels {
		labels = append(labels, string(l))
	}
	if strings.Join(labels, ",") != "3,26,41" {
		t.Fatalf("labels %v", labels)
	}
	for i, r := range got.Results {
		scores := num.Scores(texts[i], nil)
		probs := num.Probabilities(scores, nil)
		if fmt.Sprint(r.Scores) != fmt.Sprint(scores) {
			t.Errorf("%q: scores %v, model.Scores %v", texts[i], r.Scores, scores)
		}
		for j := range scores {
			if r.Scores[j] != scores[j] || r.Probabilities[j] != probs[j] {
				t.Errorf("%q: label %d: %v %v, want %v %v", texts[i], j, r.Scores[j], r.Probabilities[j], scores[j], probs[j])
			}
		}
		p := num.Predict(texts[i])
		if string(r.Intent) != p.Label || r.Probability != p.Probability && math.Abs(r.Probability-p.Probability) > 1e-12 {
			t.Errorf("%q: intent %s %v, Predict %s %v", texts[i], r.Intent, r.Probability, p.Label, p.Probability)
		}
	}

	// The default (newest) version has string labels: JSON strings.
	got = decode[inferAnswer](t, serve(t, h, "POST", "/infer", `{"texts": ["cancel my order"]}`), 200)
	if got.Version != 2 || string(got.Labels[1]) != `"cancel \"order\""` || string(got.Results[0].Intent) != `"cancel \"order\""` {
		t.Fatalf("string labels: %+v", got)
	}

	many, _ := json.Marshal(map[string]any{"texts": make([]string, 1001)})
	for _, c := range []struct {
		body   string
		status int
		msg    string
	}{
		{``, 400, "empty request body"},
		{`{}`, 400, `missing "texts"`},
		{`{"texts": []}`, 400, `"texts" is empty`},
		{`{"texts": ["ok", " "]}`, 400, "texts[1] is empty"},
		{`{"texts": ["` + strings.Repeat("a", 10_001) + `"]}`, 413, "texts[0] has 10001 characters"},
		{string(many), 413, `"texts" has 1001 entries, the limit is 1000`},
		{`{"texts": ["` + strings.Repeat("a ", 600_000) + `"]}`, 413, "request body over 1048576 bytes"},
		{`{"texts": "x"}`, 400, "request body must be"},
		{`{"texts": ["x"], "top": 3}`, 400, "unknown field"},
		{`{"texts": ["x"]} {}`, 400, "data after the JSON value"},
		{"{\"texts\": [\"\xff\"]}", 400, "not valid UTF-8"},
		{`{"texts": ["x"], "version": 0}`, 400, "positive integer"},
		{`{"texts": ["x"], "version": 7}`, 404, "unknown model version 7"},
	} {
		wantError(t, serve(t, h, "POST", "/infer", c.body), c.status, c.msg)
	}
	if w := serve(t, h, "GET", "/infer", ""); w.Code != 405 || w.Header().Get("Allow") != "POST" {
		t.Errorf("GET /infer: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
	_, empty, _ := newModelServer(t, t.TempDir(), "", 0)
	wantError(t, serve(t, empty, "POST", "/infer", `{"texts": ["x"]}`), 503, "no model loaded")
}

func TestTestEndpoint(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := t.TempDir()
	writeFull(t, root, num, numericIntents)     // 1: unloaded with --keep 1
	writeFull(t, root, str, stringIntents)      // 2
	modelrepo.WriteVersion(root, str, nil, nil) // 3: no validation split
	damage(t, root, num)                        // 4: failed
	os.WriteFile(filepath.Join(root, "4", modelrepo.ValidFile), []byte(`{"id":"a","text":"x","label":"3"}`+"\n"), 0o644)
	_, h, _ := newModelServer(t, root, "", 1)

	// Numeric labels: predictions and labels as JSON numbers, keyed by id.
	w := serve(t, h, "POST", "/test", `{"version": 1}`)
	type testAnswer struct {
		Version     int                        `json:"version"`
		N           int                        `json:"n"`
		Accuracy    float64                    `json:"accuracy"`
		Predictions map[string]json.RawMessage `json:"predictions"`
		Labels      map[string]json.RawMessage `json:"labels"`
	}
	raw := decode[testAnswer](t, w, 200)
	ex := examples(numericIntents)
	if raw.Version != 1 || raw.N != len(ex) || len(raw.Predictions) != len(ex) || len(raw.Labels) != len(ex) {
		t.Fatalf("POST /test version 1: %+v", raw)
	}
	hits := 0
	for _, e := range ex {
		if string(raw.Labels[e.ID]) != e.Label {
			t.Errorf("label of %s: %s, want %s", e.ID, raw.Labels[e.ID], e.Label)
		}
		if string(raw.Predictions[e.ID]) != num.Predict(e.Text).Label {
			t.Errorf("prediction of %s: %s", e.ID, raw.Predictions[e.ID])
		}
		if string(raw.Predictions[e.ID]) == e.Label {
			hits++
		}
	}
	if want := float64(hits) / float64(len(ex)); raw.Accuracy != want {
		t.Errorf("accuracy %v, want %v", raw.Accuracy, want)
	}
	// The unloaded version was loaded for the request only.
	if got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200); got.Versions[0].State != "unloaded" {
		t.Errorf("version 1 after /test: %s", got.Versions[0].State)
	}

	// String labels as strings; no version means the default... which is 3,
	// without a split.
	wantError(t, serve(t, h, "POST", "/test", ``), 404, "model version 3 has no validation split")
	got := decode[testJSON](t, serve(t, h, "POST", "/test", `{"version": 2}`), 200)
	if string(got.Labels["weather-0"]) != `"weather"` || !strings.HasPrefix(string(got.Predictions["weather-0"]), `"`) {
		t.Fatalf("string labels: %s %s", got.Labels["weather-0"], got.Predictions["weather-0"])
	}
	wantError(t, serve(t, h, "POST", "/test", `{"version": 4}`), 409, "failed to load")
	wantError(t, serve(t, h, "POST", "/test", `{"version": 9}`), 404, "unknown model version 9")
	wantError(t, serve(t, h, "POST", "/test", `{"version": -1}`), 400, "positive integer")
	wantError(t, serve(t, h, "POST", "/test", `{"version": 1, "texts": []}`), 400, "unknown field")
	if w := serve(t, h, "GET", "/test", ""); w.Code != 405 {
		t.Errorf("GET /test: %d", w.Code)
	}
}
