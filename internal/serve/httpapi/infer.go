package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"intent/internal/serve/versions"
	"intent/model"
	"intent/modelrepo"
)

// inferRequest is the body of POST /infer.
type inferRequest struct {
	Texts   []string `json:"texts"`
	Version *int     `json:"version"`
	modelRef
}

// modelRef is the model and version a POST body may name: "model" (a
// named model; absent is the default one) and "label" (a version label,
// instead of "version").
type modelRef struct {
	Model string `json:"model"`
	Label string `json:"label"`
}

// pick resolves a body's model, label and version.
func (m modelRef) pick(r *http.Request, def *versions.Registry, set *versions.Set, version *int) (*versions.Version, error) {
	reg := def
	if m.Model != "" {
		if set == nil {
			return nil, errorf(kindInvalid, `"model" needs named models (a models folder)`)
		}
		var err error
		if reg, err = set.Get(m.Model); err != nil {
			return nil, err
		}
	}
	n, has, err := checkVersion(version)
	if err != nil {
		return nil, err
	}
	if m.Label != "" {
		if has {
			return nil, errorf(kindInvalid, `give "version" or "label", not both`)
		}
		if n, has, err = reg.Snapshot().Resolve(m.Label); err != nil {
			return nil, err
		}
	}
	return reg.Get(r.Context(), n, has)
}

// handleInfer answers POST /infer {"texts": [..], "version": N} with, per
// text, the raw decision value of every intent (before any softmax), the
// calibrated probabilities and the predicted intent:
//
//	{"version": 3, "labels": [3, 26, 41],
//	 "results": [{"intent": 26, "probability": 0.91,
//	              "scores": [-1.02, 0.87, -0.95], "probabilities": [0.04, 0.91, 0.05]}, ...]}
//
// labels is given once; scores and probabilities are parallel to it.
// Numbers are JSON numbers (shortest form that reads back exactly: float32
// for scores, float64 for probabilities).
func handleInfer(reg *versions.Registry, set *versions.Set, lim Limits, log *slog.Logger) http.Handler {
	const shape = `{"texts": ["...", ...], "version": N, "model": "name", "label": "stable"}`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req inferRequest
		if err := readJSON(w, r, lim.MaxBody, &req, shape, false); err != nil {
			writeError(w, r, log, err)
			return
		}
		switch {
		case req.Texts == nil:
			writeError(w, r, log, errorf(kindInvalid, `missing "texts": POST %s`, shape))
			return
		case len(req.Texts) == 0:
			writeError(w, r, log, errorf(kindInvalid, `"texts" is empty`))
			return
		case len(req.Texts) > lim.MaxBatch:
			writeError(w, r, log, errorf(kindTooLarge, `"texts" has %d entries, the limit is %d`, len(req.Texts), lim.MaxBatch))
			return
		}
		for i, t := range req.Texts {
			if err := lim.checkQuery(t, i); err != nil {
				if ae, ok := errors.AsType[*apiError](err); ok {
					ae.Msg = "texts" + strings.TrimPrefix(ae.Msg, "queries")
				}
				writeError(w, r, log, err)
				return
			}
		}
		v, err := req.pick(r, reg, set, req.Version)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		m := v.Model
		k := m.NumClasses()
		scores := make([]float32, k)
		probs := make([]float64, k)
		b := make([]byte, 0, 64+len(v.LabelsJSON)+len(req.Texts)*(k*24+64))
		b = append(b, `{"version": `...)
		b = strconv.AppendInt(b, int64(v.N), 10)
		b = append(b, `, "labels": `...)
		b = append(b, v.LabelsJSON...)
		b = append(b, `, "results": [`...)
		for i, t := range req.Texts {
			scores = m.Scores(t, scores)
			probs = m.Probabilities(scores, probs)
			best := 0
			for j, p := range probs {
				if p > probs[best] {
					best = j
				}
			}
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, `{"intent": `...)
			if m.Fallback(model.Prediction{Class: best, Probability: probs[best]}).Class == model.FallbackClass {
				b = append(b, v.FallbackJSON...) // below the out-of-scope threshold
			} else {
				b = append(b, v.IntentJSON[best]...)
			}
			b = append(b, `, "probability": `...)
			b = appendNumber(b, probs[best], 64)
			b = append(b, `, "scores": [`...)
			for j, s := range scores {
				if j > 0 {
					b = append(b, ", "...)
				}
				b = appendNumber(b, float64(s), 32)
			}
			b = append(b, `], "probabilities": [`...)
			for j, p := range probs {
				if j > 0 {
					b = append(b, ", "...)
				}
				b = appendNumber(b, p, 64)
			}
			b = append(b, "]}"...)
		}
		b = append(b, "]}\n"...)
		writeBody(w, http.StatusOK, b)
	})
}

// appendNumber appends x as a JSON number in the shortest form that reads
// back exactly at bitSize, or null when it is not finite.
func appendNumber(b []byte, x float64, bitSize int) []byte {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, x, 'g', -1, bitSize)
}

// testRequest is the body of POST /test.
type testRequest struct {
	Version *int `json:"version"`
}

// testJSON is the answer of POST /test.
type testJSON struct {
	Version     int                        `json:"version"`
	N           int                        `json:"n"`
	Accuracy    float64                    `json:"accuracy"`
	Predictions map[string]json.RawMessage `json:"predictions"`
	Labels      map[string]json.RawMessage `json:"labels"`
}

// handleTest answers POST /test {"version": N} (the default version when
// the body or version is omitted) by predicting the validation split kept
// with that version (valid.jsonl):
//
//	{"version": 3, "n": 2, "accuracy": 0.5,
//	 "predictions": {"q1": 26, "q2": 3}, "labels": {"q1": 26, "q2": 41}}
//
// Intents are JSON numbers when the model's labels are all integers. A
// version on disk but not in memory (--keep) is loaded for the request.
func handleTest(reg *versions.Registry, lim Limits, log *slog.Logger) http.Handler {
	transient := make(chan struct{}, 1) // one version loaded for /test at a time
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req testRequest
		if err := readJSON(w, r, lim.MaxBody, &req, `{"version": N}`, true); err != nil {
			writeError(w, r, log, err)
			return
		}
		n, has, err := checkVersion(req.Version)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		s := reg.Snapshot()
		var v *versions.Version
		if !has {
			if v, err = s.Pick(0, false); err != nil {
				writeError(w, r, log, err)
				return
			}
			n = v.N
		}
		f := s.Folder(n)
		if f == nil {
			writeError(w, r, log, errorf(kindNotFound, "unknown model version %d (versions: %s)", n, versions.JoinInts(s.FolderNumbers())))
			return
		}
		if f.Dir == "" || !fileExists(filepath.Join(f.Dir, modelrepo.ValidFile)) {
			writeError(w, r, log, errorf(kindNotFound, "model version %d has no validation split (%s): it was trained without one or uploaded without the \"valid\" field", n, modelrepo.ValidFile))
			return
		}
		var m *model.Model
		if v = s.Get(n); v != nil {
			m = v.Model
		} else if fl := s.Failure(n); fl != nil {
			writeError(w, r, log, errorf(kindConflict, "model version %d failed to load: %v", n, fl.Err))
			return
		} else {
			select {
			case transient <- struct{}{}:
				defer func() { <-transient }()
			case <-r.Context().Done():
				return
			}
			if m, err = model.LoadFile(f.File); err != nil {
				writeError(w, r, log, errorf(kindConflict, "model version %d cannot be loaded: %v", n, err))
				return
			}
		}
		valid, err := modelrepo.ReadValid(f.Dir)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if len(valid) == 0 {
			writeError(w, r, log, errorf(kindNotFound, "model version %d has an empty validation split", n))
			return
		}
		rep, preds, err := m.Evaluate(r.Context(), valid)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		intent := func(c int) json.RawMessage {
			if m.NumericLabels() {
				return strconv.AppendInt(nil, m.LabelInt(c), 10)
			}
			return appendJSONString(nil, m.Label(c))
		}
		label := func(l string) json.RawMessage {
			if m.NumericLabels() {
				if x, err := strconv.ParseInt(l, 10, 64); err == nil {
					return strconv.AppendInt(nil, x, 10)
				}
			}
			return appendJSONString(nil, l)
		}
		out := testJSON{Version: n, N: len(valid), Accuracy: rep.Accuracy,
			Predictions: make(map[string]json.RawMessage, len(valid)), Labels: make(map[string]json.RawMessage, len(valid))}
		for i, e := range valid {
			id := e.ID
			if id == "" {
				id = strconv.Itoa(e.Line)
			}
			out.Predictions[id] = intent(preds[i].Class)
			out.Labels[id] = label(e.Label)
		}
		writeJSON(w, http.StatusOK, out)
	})
}
