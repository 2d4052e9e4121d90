package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/model"
	"intent/model/dataset"
	"intent/store"
)

// The labeling queue: a pool of unlabeled questions, kept in the database
// (store.Curator), ranked by how uncertain the model is about each
// (model.Select); labeling one stores it as an example and takes it out of
// the pool in one transaction.

// Limits of the labeling queue.
const (
	maxPoolBody     = 8 << 20 // bytes in a POST /label/pool body (JSON or file)
	maxPool         = 50_000  // questions waiting at once
	defaultQueueLen = 10      // GET /label/queue without limit
	maxQueueLen     = 100
	queueTop        = 3 // intents shown with each question
	labelSource     = "label-queue"
)

// poolRequest is the JSON body of POST /label/pool.
type poolRequest struct {
	Texts  []string `json:"texts"`
	Source string   `json:"source"`
	Data   string   `json:"data"`
}

const poolShape = `{"texts": ["...", ...], "source": "name"} or {"data": "path/under/data-folder"}`

// poolAddedJSON is the answer of POST /label/pool.
type poolAddedJSON struct {
	Added   int `json:"added"`   // questions added
	Given   int `json:"given"`   // questions read from the request
	Pending int `json:"pending"` // questions waiting now
}

// handleAddPool answers POST /label/pool: questions to label, given as
// JSON ({"texts": [...], "source": "..."}), as a dataset of the data folder
// ({"data": "sample"}: a Posos folder gives its input_test.csv), or as an
// uploaded file (multipart field "file": CSV, TSV, JSONL, JSON read by the
// same readers as training data, or .txt with one question a line). A text
// already waiting is not added twice. 201 when questions were added, 200
// when none was new.
func (t *tasksAPI) handleAddPool() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := t.curator("the labeling queue")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		texts, source, err := t.readPool(w, r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		pool, err := c.Unlabeled(r.Context())
		if err != nil {
			writeError(w, r, t.log, storeError(err, "read the pool"))
			return
		}
		if len(pool)+len(texts) > maxPool {
			writeError(w, r, t.log, errorf(kindTooLarge, "%d questions wait and %d more were sent: the pool holds at most %d (label some, or DELETE /label/pool)", len(pool), len(texts), maxPool))
			return
		}
		added, err := c.AddUnlabeled(r.Context(), texts, source)
		if err != nil {
			writeError(w, r, t.log, storeError(err, "add to the pool"))
			return
		}
		status := http.StatusCreated
		if added == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, poolAddedJSON{Added: added, Given: len(texts), Pending: len(pool) + added})
	})
}

// readPool reads the questions of a POST /label/pool and names their
// source.
func (t *tasksAPI) readPool(w http.ResponseWriter, r *http.Request) ([]string, string, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		return t.readPoolFile(w, r, params["boundary"])
	}
	var req poolRequest
	if err := readBody(w, r, maxPoolBody, &req, poolShape, false); err != nil {
		return nil, "", err
	}
	switch {
	case req.Data != "" && req.Texts != nil:
		return nil, "", errorf(kindInvalid, `send either "texts" or "data", not both`)
	case req.Data != "":
		path, err := jobs.Confine(t.jobs.DataDir(), req.Data)
		if err != nil {
			return nil, "", err
		}
		texts, err := readQuestions(path, req.Data)
		return texts, req.Data, err
	case req.Texts == nil:
		return nil, "", errorf(kindInvalid, "missing \"texts\" or \"data\": POST %s", poolShape)
	case len(req.Texts) == 0:
		return nil, "", errorf(kindInvalid, `"texts" is empty`)
	case len(req.Texts) > maxPool:
		return nil, "", errorf(kindTooLarge, `"texts" has %d entries, the limit is %d`, len(req.Texts), maxPool)
	}
	texts := make([]string, len(req.Texts))
	for i, s := range req.Texts {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return nil, "", errorf(kindInvalid, "texts[%d] is empty", i)
		case utf8.RuneCountInString(s) > maxExampleText:
			return nil, "", errorf(kindTooLarge, "texts[%d] has over %d characters", i, maxExampleText)
		}
		texts[i] = s
	}
	if utf8.RuneCountInString(req.Source) > maxSourceLen {
		return nil, "", errorf(kindInvalid, `"source" is over %d characters`, maxSourceLen)
	}
	return texts, strings.TrimSpace(req.Source), nil
}

// poolFileExts are the file types an uploaded pool may have.
var poolFileExts = map[string]bool{".csv": true, ".tsv": true, ".tab": true, ".jsonl": true, ".ndjson": true, ".json": true, ".txt": true}

// readPoolFile reads the multipart field "file" of a POST /label/pool into
// a temporary file, then its questions.
func (t *tasksAPI) readPoolFile(w http.ResponseWriter, r *http.Request, boundary string) ([]string, string, error) {
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, maxPoolBody), boundary)
	part, err := mr.NextPart()
	for err == nil && part.FormName() != "file" {
		part, err = mr.NextPart()
	}
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, "", errorf(kindTooLarge, "upload over %d bytes", maxPoolBody)
		}
		if errors.Is(err, io.EOF) {
			return nil, "", errorf(kindInvalid, `missing multipart field "file" (the questions to label)`)
		}
		return nil, "", errorf(kindInvalid, "cannot read the multipart upload: %s", multipartProblem(err))
	}
	name := filepath.Base(part.FileName())
	ext := strings.ToLower(filepath.Ext(name))
	if !poolFileExts[ext] {
		return nil, "", errorf(kindInvalid, "file %q: send a .csv, .tsv, .jsonl, .json or .txt file (one question a line)", truncate(name, 100))
	}
	tmp, err := os.CreateTemp("", "pool-*"+ext)
	if err != nil {
		return nil, "", err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := io.Copy(tmp, part); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, "", errorf(kindTooLarge, "upload over %d bytes", maxPoolBody)
		}
		return nil, "", &apiError{Code: kindInvalid, Msg: "cannot read the upload: the body ended early or the connection failed", Err: err}
	}
	if err := tmp.Close(); err != nil {
		return nil, "", err
	}
	texts, err := readQuestions(tmp.Name(), name)
	return texts, name, err
}

// readQuestions reads the questions of the file or Posos folder at path
// (named name in messages): every non-empty line of a .txt file, else the
// texts the dataset readers find (a Posos folder: input_test.csv).
func readQuestions(path, name string) ([]string, error) {
	var texts []string
	if strings.EqualFold(filepath.Ext(path), ".txt") {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if !utf8.Valid(b) {
			return nil, errorf(kindInvalid, "%s is not valid UTF-8", truncate(name, 100))
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if s := strings.TrimSpace(line); s != "" {
				texts = append(texts, s)
			}
		}
	} else {
		ds, err := dataset.LoadUnlabeled(path, dataset.Options{MaxRows: maxPool + 1})
		if err != nil {
			msg := strings.ReplaceAll(err.Error(), path, name)
			if dir := filepath.Dir(path); dir != "." {
				msg = strings.ReplaceAll(msg, dir+string(filepath.Separator), "")
			}
			return nil, &apiError{Code: kindInvalid, Msg: "cannot read " + truncate(name, 100) + ": " + msg, Err: err}
		}
		for _, e := range ds.Examples {
			texts = append(texts, e.Text)
		}
	}
	switch {
	case len(texts) == 0:
		return nil, errorf(kindInvalid, "%s holds no question", truncate(name, 100))
	case len(texts) > maxPool:
		return nil, errorf(kindTooLarge, "%s holds over %d questions, the most the pool takes", truncate(name, 100), maxPool)
	}
	for i, s := range texts {
		if utf8.RuneCountInString(s) > maxExampleText {
			return nil, errorf(kindTooLarge, "%s: question %d has over %d characters", truncate(name, 100), i+1, maxExampleText)
		}
	}
	return texts, nil
}

// deletedCountJSON is the answer of DELETE /label/pool.
type deletedCountJSON struct {
	Deleted int `json:"deleted"`
}

// handleClearPool answers DELETE /label/pool: every waiting question is
// removed (labeled ones stay examples).
func (t *tasksAPI) handleClearPool() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := t.curator("the labeling queue")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		n, err := c.DeleteUnlabeled(r.Context(), 0)
		if err != nil {
			writeError(w, r, t.log, storeError(err, "clear the pool"))
			return
		}
		writeJSON(w, http.StatusOK, deletedCountJSON{Deleted: n})
	})
}

// queueItemJSON is one question of GET /label/queue.
type queueItemJSON struct {
	ID          int64             `json:"id"`
	Text        string            `json:"text"`
	Source      string            `json:"source"`
	Score       float64           `json:"score"`  // the strategy's: higher is more worth labeling
	Intent      json.RawMessage   `json:"intent"` // the suggestion: the most likely intent
	Probability float64           `json:"probability"`
	Top         []queueChoiceJSON `json:"top"` // the 3 most likely intents
}

type queueChoiceJSON struct {
	Intent      json.RawMessage `json:"intent"`
	Probability float64         `json:"probability"`
}

// queueJSON is the answer of GET /label/queue.
type queueJSON struct {
	Version  int             `json:"version"`
	Strategy string          `json:"strategy"`
	Pending  int             `json:"pending"`
	Labels   json.RawMessage `json:"labels"` // every intent of the version, to pick from
	Items    []queueItemJSON `json:"items"`
}

// handleQueue answers GET /label/queue[?limit=10][&version=N][&strategy=margin]:
// the waiting questions the version (the default one unless asked) is
// least sure about, most uncertain first, each with the suggested intent
// and the three most likely:
//
//	{"version": 2, "strategy": "margin", "pending": 123, "labels": [3, 5, ...],
//	 "items": [{"id": 7, "text": "...", "source": "sample", "score": 0.97, "intent": 26,
//	            "probability": 0.48, "top": [{"intent": 26, "probability": 0.48}, ...]}, ...]}
//
// Strategies are those of trainer select: margin (the default), entropy,
// least-confident, random.
func (t *tasksAPI) handleQueue(reg *versions.Registry) http.Handler {
	cache := &rankCache{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		limit, err := intParam(q.Get("limit"), "limit", defaultQueueLen, 1, maxQueueLen)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		strategy := model.Margin
		if s := q.Get("strategy"); s != "" {
			if strategy, err = model.ParseStrategy(s); err != nil {
				writeError(w, r, t.log, errorf(kindInvalid, "strategy %q: use margin, entropy, least-confident or random", truncate(s, 20)))
				return
			}
		}
		n, has := 0, false
		if s := q.Get("version"); s != "" {
			if n, err = intParam(s, "version", 0, 1, 1<<30); err != nil {
				writeError(w, r, t.log, err)
				return
			}
			has = true
		}
		c, err := t.curator("the labeling queue")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		v, err := reg.Get(r.Context(), n, has)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		pool, err := c.Unlabeled(r.Context())
		if err != nil {
			writeError(w, r, t.log, storeError(err, "read the pool"))
			return
		}
		ranked, err := cache.rank(r.Context(), v, strategy, pool)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		out := queueJSON{Version: v.N, Strategy: strategy.String(), Pending: len(pool), Labels: v.LabelsJSON, Items: []queueItemJSON{}}
		byID := make(map[int64]store.Unlabeled, len(pool))
		for _, u := range pool {
			byID[u.ID] = u
		}
		var top []model.Prediction
		for _, s := range ranked[:min(limit, len(ranked))] {
			u := byID[s.id]
			item := queueItemJSON{ID: u.ID, Text: u.Text, Source: u.Source, Score: s.score,
				Intent: v.IntentJSON[s.class], Probability: s.probability}
			top = v.Model.PredictTop(u.Text, queueTop, top[:0])
			for _, p := range top {
				item.Top = append(item.Top, queueChoiceJSON{Intent: v.IntentJSON[p.Class], Probability: p.Probability})
			}
			out.Items = append(out.Items, item)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// ranked is one pool question as ranked for a version.
type ranked struct {
	id          int64
	score       float64
	class       int
	probability float64
}

// rankCache keeps the last ranking of the pool: labeling a question only
// removes it, so the next request filters the ranking instead of scoring
// every question again. A new version, strategy or question ranks anew.
type rankCache struct {
	mu sync.Mutex
	// The version ranked with, by number and load time (not by pointer,
	// which would keep an unloaded version's model in memory).
	n        int
	loadedAt time.Time
	strategy model.Strategy
	order    []ranked
	ids      map[int64]bool
}

// rank returns the pool's questions ranked for v, most worth labeling
// first.
func (c *rankCache) rank(ctx context.Context, v *versions.Version, s model.Strategy, pool []store.Unlabeled) ([]ranked, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	waiting := make(map[int64]bool, len(pool))
	fresh := c.n != v.N || !c.loadedAt.Equal(v.LoadedAt) || c.strategy != s
	for _, u := range pool {
		waiting[u.ID] = true
		if !c.ids[u.ID] {
			fresh = true
		}
	}
	if fresh {
		texts := make([]string, len(pool))
		for i, u := range pool {
			texts[i] = u.Text
		}
		c.order, c.ids = c.order[:0], make(map[int64]bool, len(pool))
		if len(pool) > 0 {
			sel, err := v.Model.Select(ctx, texts, len(texts), s, 1)
			if err != nil {
				return nil, fmt.Errorf("rank the pool: %w", err)
			}
			for _, x := range sel {
				c.order = append(c.order, ranked{id: pool[x.Index].ID, score: x.Score, class: x.Class, probability: x.Probability})
				c.ids[pool[x.Index].ID] = true
			}
		}
		c.n, c.loadedAt, c.strategy = v.N, v.LoadedAt, s
	}
	out := make([]ranked, 0, len(pool))
	for _, x := range c.order {
		if waiting[x.id] {
			out = append(out, x)
		}
	}
	return out, nil
}

// labelRequest is the body of POST /label/queue/{id}.

// handleLabel answers POST /label/queue/{id} {"intent": 26}: the waiting
// question becomes a stored example (source "label-queue") and leaves the
// pool, in one transaction: 201 with the example as GET /examples shows
// it; 404 when no such question waits.
func (t *tasksAPI) handleLabel() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := idParam(r, "id", "question")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		intent, err := readIntentBody(w, r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		c, err := t.curator("the labeling queue")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		e, err := c.LabelUnlabeled(r.Context(), id, intent, labelSource)
		if err != nil {
			writeError(w, r, t.log, storeError(err, fmt.Sprintf("no question %d waits in the pool", id)))
			return
		}
		writeJSON(w, http.StatusCreated, newExampleJSON(e))
	})
}

// handleSkip answers DELETE /label/queue/{id}: the question leaves the pool
// unlabeled. 204, or 404.
func (t *tasksAPI) handleSkip() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := idParam(r, "id", "question")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		c, err := t.curator("the labeling queue")
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		if _, err := c.DeleteUnlabeled(r.Context(), id); err != nil {
			writeError(w, r, t.log, storeError(err, fmt.Sprintf("no question %d waits in the pool", id)))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
