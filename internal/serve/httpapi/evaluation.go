package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"

	"intent/internal/serve/versions"
	"intent/model"
	"intent/model/dataset"
	modelmetrics "intent/model/metrics"
	"intent/modelrepo"
)

// The endpoints below replay a version's stored validation split
// (valid.jsonl), as POST /test does, for what the web interface shows and
// any client may ask: the reliability diagram of a version, and two
// versions compared on the same questions.

// Limits of GET /compare.
const (
	defaultCompareList = 200  // changed questions listed without limit
	maxCompareList     = 5000 // ?limit=
)

// replayer loads what a replay needs: a version's model (from memory, or
// from disk for a version --keep left unloaded, one such request at a
// time) and its validation split.
type replayer struct {
	reg       *versions.Registry
	log       *slog.Logger
	transient chan struct{} // held while a request uses models loaded from disk
}

func newReplayer(reg *versions.Registry, log *slog.Logger) *replayer {
	return &replayer{reg: reg, log: log, transient: make(chan struct{}, 1)}
}

// models returns the models of versions ns (in order). When one of them
// is not in memory, the request waits its turn to load from disk, and
// release ends it; release must be called.
func (p *replayer) models(ctx context.Context, s *versions.Snapshot, ns ...int) (ms []*model.Model, release func(), err error) {
	release = func() {}
	ms = make([]*model.Model, len(ns))
	held := false
	for i, n := range ns {
		f := s.Folder(n)
		if f == nil {
			return nil, release, errorf(kindNotFound, "unknown model version %d (versions: %s)", n, versions.JoinInts(s.FolderNumbers()))
		}
		if v := s.Get(n); v != nil {
			ms[i] = v.Model
			continue
		}
		if fl := s.Failure(n); fl != nil {
			return nil, release, errorf(kindConflict, "model version %d failed to load (see GET /models/%d)", n, n)
		}
		if !held {
			select {
			case p.transient <- struct{}{}:
				held = true
				release = func() { <-p.transient }
			case <-ctx.Done():
				return nil, release, ctx.Err()
			}
		}
		if ms[i], err = model.LoadFile(f.File); err != nil {
			return nil, release, &apiError{Code: kindConflict, Msg: "model version " + strconv.Itoa(n) + " cannot be loaded", Err: err}
		}
	}
	return ms, release, nil
}

// split reads version n's validation split; 404 when it has none.
func (p *replayer) split(s *versions.Snapshot, n int) ([]dataset.Example, error) {
	f := s.Folder(n)
	if f == nil {
		return nil, errorf(kindNotFound, "unknown model version %d (versions: %s)", n, versions.JoinInts(s.FolderNumbers()))
	}
	if f.Dir == "" || !fileExists(filepath.Join(f.Dir, modelrepo.ValidFile)) {
		return nil, errorf(kindNotFound, "model version %d has no validation split (%s): it was trained without one or uploaded without the \"valid\" field", n, modelrepo.ValidFile)
	}
	valid, err := modelrepo.ReadValid(f.Dir)
	if err != nil {
		return nil, err
	}
	if len(valid) == 0 {
		return nil, errorf(kindNotFound, "model version %d has an empty validation split", n)
	}
	return valid, nil
}

// reliabilityJSON is the answer of GET /models/{n}/reliability.
type reliabilityJSON struct {
	Version int                `json:"version"`
	N       int                `json:"n"`
	ECE     float64            `json:"ece"`
	Bins    []modelmetrics.Bin `json:"bins"`
}

// handleReliability answers GET /models/{n}/reliability: the reliability
// diagram of version n on its validation split, in model.ECEBins
// equal-width bins of the calibrated top probability:
//
//	{"version": 1, "n": 174, "ece": 0.021,
//	 "bins": [{"lo": 0, "hi": 0.0667, "count": 0, "confidence": 0, "accuracy": 0}, ...]}
//
// Each bin holds the questions whose confidence lies in (lo, hi], their
// mean confidence and the fraction answered right; ece is the expected
// calibration error over the bins.
func handleReliability(p *replayer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := versionParam(r)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		s := p.reg.Snapshot()
		valid, err := p.split(s, n)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		ms, release, err := p.models(r.Context(), s, n)
		defer release()
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		_, preds, err := ms[0].Evaluate(r.Context(), valid)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		conf := make([]float64, len(valid))
		correct := make([]bool, len(valid))
		for i, e := range valid {
			conf[i] = preds[i].Probability
			correct[i] = preds[i].Label == e.Label
		}
		bins, err := modelmetrics.Reliability(conf, correct, model.ECEBins)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		ece, err := modelmetrics.ECE(conf, correct, model.ECEBins)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		writeJSON(w, http.StatusOK, reliabilityJSON{Version: n, N: len(valid), ECE: ece, Bins: bins})
	})
}

// compareSideJSON is one version's results in GET /compare.
type compareSideJSON struct {
	Version  int           `json:"version"`
	Accuracy float64       `json:"accuracy"`
	MacroF1  float64       `json:"macro_f1"`
	PerClass []classF1JSON `json:"per_class"`

	preds []model.Prediction          // not shown
	label func(c int) json.RawMessage // formats a class of this version
}

type classF1JSON struct {
	Label   string  `json:"label"`
	F1      float64 `json:"f1"`
	Support int     `json:"support"`
}

// changedJSON is a validation question the two versions answer differently.
type changedJSON struct {
	ID    string          `json:"id"`
	Text  string          `json:"text"`
	Label json.RawMessage `json:"label"`
	A     json.RawMessage `json:"a"`
	B     json.RawMessage `json:"b"`
	AProb float64         `json:"a_probability"`
	BProb float64         `json:"b_probability"`
}

// compareJSON is the answer of GET /compare.
type compareJSON struct {
	Split     int             `json:"split"` // the version whose validation split was replayed
	N         int             `json:"n"`
	A         compareSideJSON `json:"a"`
	B         compareSideJSON `json:"b"`
	Changed   int             `json:"changed"` // questions answered differently, all of them
	Questions []changedJSON   `json:"questions"`
}

// handleCompare answers GET /compare?a=1&b=2[&split=1][&limit=200]: both
// versions replay the same validation split (a's, or split's), with
// accuracy, macro-F1 and per-intent F1 side by side, and the questions
// whose answer changed (at most limit of them; "changed" counts all):
//
//	{"split": 1, "n": 174,
//	 "a": {"version": 1, "accuracy": 0.91, "macro_f1": 0.9, "per_class": [{"label": "3", "f1": 0.93, "support": 10}, ...]},
//	 "b": {"version": 2, ...},
//	 "changed": 7, "questions": [{"id": "412", "text": "...", "label": 26, "a": 26, "b": 28,
//	                              "a_probability": 0.61, "b_probability": 0.48}, ...]}
//
// Intents are JSON numbers when the model's labels are all integers, as in
// POST /test. A version trained on some of the split's questions looks
// better than it is: compare versions trained on the same split (the same
// data and seed) for a fair comparison.
func handleCompare(p *replayer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		var ns [3]int
		for i, name := range []string{"a", "b", "split"} {
			raw := q.Get(name)
			if raw == "" && name == "split" {
				ns[2] = ns[0]
				continue
			}
			if raw == "" {
				writeError(w, r, p.log, errorf(kindInvalid, "missing %s: GET /compare?a=N&b=M", name))
				return
			}
			n, err := strconv.Atoi(raw)
			if err != nil || n <= 0 {
				writeError(w, r, p.log, errorf(kindInvalid, "%s must be a version number (a positive integer), got %q", name, truncate(raw, 20)))
				return
			}
			ns[i] = n
		}
		limit, err := intParam(q.Get("limit"), "limit", defaultCompareList, 0, maxCompareList)
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		s := p.reg.Snapshot()
		valid, err := p.split(s, ns[2])
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		ms, release, err := p.models(r.Context(), s, ns[0], ns[1])
		defer release()
		if err != nil {
			writeError(w, r, p.log, err)
			return
		}
		out := compareJSON{Split: ns[2], N: len(valid), Questions: []changedJSON{}}
		sides := [2]*compareSideJSON{&out.A, &out.B}
		for i, m := range ms {
			rep, preds, err := m.Evaluate(r.Context(), valid)
			if err != nil {
				writeError(w, r, p.log, err)
				return
			}
			side := sides[i]
			side.Version, side.Accuracy, side.MacroF1, side.preds = ns[i], rep.Accuracy, rep.MacroF1, preds
			side.PerClass = make([]classF1JSON, len(rep.PerClass))
			for j, c := range rep.PerClass {
				side.PerClass[j] = classF1JSON{Label: c.Label, F1: c.F1, Support: c.Support}
			}
			side.label = answerIntent(m)
		}
		labelOf := answerLabel(ms[0])
		for i, e := range valid {
			a, b := out.A.preds[i], out.B.preds[i]
			if a.Label == b.Label {
				continue
			}
			out.Changed++
			if len(out.Questions) >= limit {
				continue
			}
			id := e.ID
			if id == "" {
				id = strconv.Itoa(e.Line)
			}
			out.Questions = append(out.Questions, changedJSON{ID: id, Text: e.Text, Label: labelOf(e.Label),
				A: out.A.label(a.Class), B: out.B.label(b.Class), AProb: a.Probability, BProb: b.Probability})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// answerIntent formats class c of m as answers show it: a JSON number
// when every label of m is an integer, a string otherwise.
func answerIntent(m *model.Model) func(c int) json.RawMessage {
	return func(c int) json.RawMessage {
		if m.NumericLabels() {
			return strconv.AppendInt(nil, m.LabelInt(c), 10)
		}
		return appendJSONString(nil, m.Label(c))
	}
}

// answerLabel formats a label of the data as m's answers would show it.
func answerLabel(m *model.Model) func(l string) json.RawMessage {
	return func(l string) json.RawMessage {
		if m.NumericLabels() {
			if x, err := strconv.ParseInt(l, 10, 64); err == nil {
				return strconv.AppendInt(nil, x, 10)
			}
		}
		return appendJSONString(nil, l)
	}
}
