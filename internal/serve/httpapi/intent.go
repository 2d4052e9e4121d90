package httpapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"intent/internal/errcode"
	"intent/internal/serve/versions"
	"intent/model"
)

// limits bound what one request may ask.
type Limits struct {
	MaxQuery int   // characters (Unicode code points) in one query
	MaxBody  int64 // bytes in a POST body
	MaxBatch int   // queries in one POST
}

// checkQuery validates one query: the GET parameter when i < 0, else
// entry i of a batch (named in messages).
func (l Limits) checkQuery(q string, i int) error {
	var e *apiError
	switch {
	case !utf8.ValidString(q):
		e = errorf(kindInvalid, "is not valid UTF-8")
	case utf8.RuneCountInString(q) > l.MaxQuery:
		e = errorf(kindTooLarge, "has %d characters, the limit is %d", utf8.RuneCountInString(q), l.MaxQuery)
	case strings.TrimSpace(q) == "":
		e = errorf(kindInvalid, "is empty")
	default:
		return nil
	}
	if i < 0 {
		e.Msg = "query " + e.Msg
	} else {
		e.Msg = "queries[" + strconv.Itoa(i) + "] " + e.Msg
	}
	return e
}

// intentParams are the parameters of GET /intent.
type intentParams struct {
	query      string
	hasQuery   bool
	top        int
	hasTop     bool
	version    int
	hasVersion bool
	label      string // version=stable: a label of the model
	hasLabel   bool
	model      string // a named model; "*" asks every model
	hasModel   bool
}

// parseIntentParams reads query, top and version from a raw query string.
// It is url.ParseQuery without the map: the first occurrence of a key wins,
// unknown keys are ignored (but, as everywhere, a pair url.ParseQuery
// refuses is a 400), and values are unescaped only when they hold
// an escape, so the common request does not allocate.
func parseIntentParams(raw string) (intentParams, error) {
	var p intentParams
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		// What url.ParseQuery refuses is refused, whatever the key; each
		// part is unescaped once, and only a refusal is explained.
		if strings.IndexByte(pair, ';') >= 0 {
			return p, badQueryPair(pair)
		}
		key, val, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(key, "%+") {
			k, err := url.QueryUnescape(key)
			if err != nil {
				return p, badQueryPair(pair)
			}
			key = k
		}
		if strings.ContainsAny(val, "%+") {
			v, err := url.QueryUnescape(val)
			if err != nil {
				return p, badQueryPair(pair)
			}
			val = v
		}
		switch key {
		case "query":
			if !p.hasQuery {
				p.query, p.hasQuery = val, true
			}
		case "top":
			if !p.hasTop {
				n, err := strconv.Atoi(val)
				if err != nil {
					return p, errorf(kindInvalid, "top must be an integer, got %q", truncate(val, 20))
				}
				p.top, p.hasTop = n, true
			}
		case "version":
			if !p.hasVersion && !p.hasLabel {
				if val != "" && (val[0] >= '0' && val[0] <= '9' || val[0] == '-' || val[0] == '+') {
					n, err := strconv.Atoi(val)
					if err != nil || n <= 0 {
						return p, errorf(kindInvalid, "version must be a positive integer or a label, got %q", truncate(val, 20))
					}
					p.version, p.hasVersion = n, true
				} else {
					p.label, p.hasLabel = val, true // a label ("stable"), resolved against the model
				}
			}
		case "model":
			if !p.hasModel {
				p.model, p.hasModel = val, true
			}
		}
	}
	return p, nil
}

// checkTop validates a requested ranking length against a version.
func checkTop(top int, v *versions.Version) error {
	if k := v.Model.NumClasses(); top < 1 || top > k {
		return errorf(kindInvalid, "top must be between 1 and %d (the number of intents of version %d), got %d", k, v.N, top)
	}
	return nil
}

// rankPool holds ranking slices for top=K requests.
var rankPool = sync.Pool{New: func() any { return new([]model.Prediction) }}

// appendPredict predicts q with v and appends the answer; top > 0 adds a
// ranking of that many intents (the model's own intents: the out-of-scope
// fallback, when it answers, is the answer, not a rank).
func appendPredict(b []byte, v *versions.Version, q string, top int) []byte {
	if top <= 0 {
		return appendAnswer(b, v, v.Model.Predict(q), nil)
	}
	rp := rankPool.Get().(*[]model.Prediction)
	r := v.Model.PredictTop(q, top, (*rp)[:0])
	b = appendAnswer(b, v, v.Model.Fallback(r[0]), r)
	*rp = r[:0]
	rankPool.Put(rp)
	return b
}

// handleIntent answers GET /intent?query=...[&top=K][&version=N|LABEL]
// [&model=NAME] with {"intent": 26, "probability": "0.73356545"[,
// "ranking": [...]]}; model=* asks every model (answerAll). set is nil
// for a server of one model (def).
func handleIntent(def *versions.Registry, set *versions.Set, lim Limits, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := parseIntentParams(r.URL.RawQuery)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if !p.hasQuery {
			writeError(w, r, log, errorf(kindInvalid, "missing query parameter: GET /intent?query=your+question"))
			return
		}
		if err := lim.checkQuery(p.query, -1); err != nil {
			writeError(w, r, log, err)
			return
		}
		if p.hasModel && p.model == "*" {
			answerAll(w, r, set, p, log)
			return
		}
		reg := def
		if p.hasModel {
			if reg, err = set.Get(p.model); err != nil {
				writeError(w, r, log, err)
				return
			}
		}
		if p.hasLabel {
			if p.version, p.hasVersion, err = reg.Snapshot().Resolve(p.label); err != nil {
				writeError(w, r, log, err)
				return
			}
		}
		v, err := reg.Get(r.Context(), p.version, p.hasVersion)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if p.hasTop {
			if err := checkTop(p.top, v); err != nil {
				writeError(w, r, log, err)
				return
			}
		}
		bp := getBuf()
		*bp = append(appendPredict(*bp, v, p.query, p.top), '\n')
		writeBody(w, http.StatusOK, *bp)
		putBuf(bp)
	})
}

// batchRequest is the body of POST /intent.
type batchRequest struct {
	Queries []string `json:"queries"`
	Top     *int     `json:"top"`
	Version *int     `json:"version"`
}

// handleIntentBatch answers POST /intent {"queries": [...], "top": K,
// "version": N} with {"results": [<answer>, ...]} in the order of queries.
func handleIntentBatch(reg *versions.Registry, lim Limits, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := readBatch(w, r, lim)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		var n int
		if req.Version != nil {
			n = *req.Version
			if n <= 0 {
				writeError(w, r, log, errorf(kindInvalid, "version must be a positive integer, got %d", n))
				return
			}
		}
		v, err := reg.Get(r.Context(), n, req.Version != nil)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		top := 0
		if req.Top != nil {
			if err := checkTop(*req.Top, v); err != nil {
				writeError(w, r, log, err)
				return
			}
			top = *req.Top
		}
		bp := getBuf()
		defer putBuf(bp)
		b := append((*bp)[:0], `{"results": [`...)
		for i, q := range req.Queries {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendPredict(b, v, q, top)
		}
		b = append(b, "]}\n"...)
		*bp = b
		writeBody(w, http.StatusOK, b)
	})
}

// readBatch reads and validates a POST /intent body.
func readBatch(w http.ResponseWriter, r *http.Request, lim Limits) (*batchRequest, error) {
	var req batchRequest
	if err := readJSON(w, r, lim.MaxBody, &req, `{"queries": ["...", ...], "top": K, "version": N}`, false); err != nil {
		return nil, err
	}
	switch {
	case req.Queries == nil:
		return nil, errorf(kindInvalid, `missing "queries": POST {"queries": ["your question", ...]}`)
	case len(req.Queries) == 0:
		return nil, errorf(kindInvalid, `"queries" is empty`)
	case len(req.Queries) > lim.MaxBatch:
		return nil, errorf(kindTooLarge, `"queries" has %d entries, the limit is %d`, len(req.Queries), lim.MaxBatch)
	}
	for i, q := range req.Queries {
		if err := lim.checkQuery(q, i); err != nil {
			return nil, err
		}
	}
	return &req, nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string { return errcode.Truncate(s, n) }

// answerAll answers GET /intent?model=*: every model's default version
// (or version=N|LABEL where the model has it) answers, in
// {"models": {"default": <answer>, "name": <answer>, ...}}; a model that
// cannot answer gives {"error": "..."} in its place.
func answerAll(w http.ResponseWriter, r *http.Request, set *versions.Set, p intentParams, log *slog.Logger) {
	if set == nil {
		writeError(w, r, log, errorf(kindInvalid, "model=* needs named models (a models folder)"))
		return
	}
	bp := getBuf()
	defer putBuf(bp)
	b := append((*bp)[:0], `{"models": {`...)
	for i, name := range set.Names() {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendJSONString(b, name)
		b = append(b, ": "...)
		reg, err := set.Get(name)
		n, has := p.version, p.hasVersion
		if err == nil && p.hasLabel {
			n, has, err = reg.Snapshot().Resolve(p.label)
		}
		var v *versions.Version
		if err == nil {
			v, err = reg.Get(r.Context(), n, has)
		}
		if err == nil && p.hasTop {
			err = checkTop(p.top, v)
		}
		if err != nil {
			msg := "internal error"
			if e := errcode.Of(err); e != nil {
				msg = e.Msg
			}
			b = append(b, `{"error": `...)
			b = appendJSONString(b, msg)
			b = append(b, '}')
			continue
		}
		b = appendPredict(b, v, p.query, p.top)
	}
	b = append(b, "}}\n"...)
	*bp = b
	writeBody(w, http.StatusOK, b)
}
