package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/serve/alectio"
)

// The Alectio active-learning protocol (package alectio): a project is
// created over HTTP, then the platform is given its base URL,
// /alectio/{project}, and POSTs the SDK's payloads to {base}/train,
// {base}/test and {base}/infer. Every answer of these routes, errors
// included, carries "status" (the HTTP status) as the SDK's Flask app
// does.

// maxAlectioBody bounds a body of the protocol: a list of indices of a
// whole pool (4 million indices of 7 digits fit).
const maxAlectioBody = 32 << 20

// alectioTrainTimeout is how long POST {base}/train may take to answer:
// it answers once the checkpoint is saved.
const alectioTrainTimeout = 30 * time.Minute

// alectioBufSize is the write buffer of the streamed answers.
const alectioBufSize = 64 << 10

func (d *dataAPI) alectioRoutes(handle func(path string, h http.Handler, methods ...string)) {
	handle("/alectio/projects", d.alectioToken(d.handleCreateProject()), http.MethodPost)
	handle("/alectio/projects", d.handleProjects(), http.MethodGet)
	handle("/alectio/{project}", d.handleProject(), http.MethodGet)
	handle("/alectio/{project}", d.alectioToken(d.handleDeleteProject()), http.MethodDelete)
	handle("/alectio/{project}/train", d.alectioToken(d.handleAlectioTrain()), http.MethodPost)
	handle("/alectio/{project}/test", d.handleAlectioTest(), http.MethodPost)
	handle("/alectio/{project}/infer", d.handleAlectioInfer(), http.MethodPost)
	handle("/alectio/{project}/labels", d.handleAlectioLabels(), http.MethodGet)
}

// alectioError answers err as {"error": "...", "status": N} with the
// status of its kind (writeError's table); internal errors are logged and
// shown as "internal error".
func (d *dataAPI) alectioError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Code: kindInternal, Msg: "internal error", Err: err}
	}
	status := http.StatusInternalServerError
	if int(ae.Code) < len(statusOf) && statusOf[ae.Code] != 0 {
		status = statusOf[ae.Code]
	}
	if status >= 500 && ae.Code != kindUnavailable {
		d.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.String("error", ae.Error()))
	}
	writeJSON(w, status, struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}{ae.Msg, status})
}

// alectioToken is requireToken answering in the protocol's shape.
func (d *dataAPI) alectioToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.auth.set {
			d.alectioError(w, r, errorf(kindForbidden, "%s %s is disabled: set API_TOKEN (or --token-file) to enable this endpoint, then send \"Authorization: Bearer <token>\"", r.Method, truncate(r.URL.Path, 200)))
			return
		}
		present, ok := d.auth.check(r.Header.Get("Authorization"))
		switch {
		case !present:
			w.Header().Set("WWW-Authenticate", `Bearer realm="intent"`)
			d.alectioError(w, r, errorf(kindUnauthorized, `missing token: send "Authorization: Bearer <token>" with the server's API_TOKEN`))
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="intent", error="invalid_token"`)
			d.alectioError(w, r, errorf(kindUnauthorized, "invalid token"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// projectJSON is a project as the project routes show it.
type projectJSON struct {
	alectio.Project
	BaseURL     string           `json:"base_url"`
	Checkpoints []checkpointJSON `json:"checkpoints,omitempty"`
	Status      int              `json:"status"`
}

// checkpointJSON is one checkpoint of GET /alectio/{project}.
type checkpointJSON struct {
	Name       string    `json:"ckpt_file"`
	Version    int       `json:"version"`
	ResumeFrom *string   `json:"resume_from"`
	Labeled    int       `json:"labeled"`
	Accuracy   *float64  `json:"test_accuracy,omitempty"`
	TrainedAt  time.Time `json:"trained_at"`
}

const projectShape = `{"name": "p1", "model": "p1", "train_dataset": "ds_...", "test_dataset": "ds_...", "options": {"c": 1, "min_df": 2, ...}}`

// handleCreateProject answers POST /alectio/projects: 201 with the
// project and its base URL.
func (d *dataAPI) handleCreateProject() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var sp alectio.Spec
		if err := readJSON(w, r, maxTrainBody, &sp, projectShape, false); err != nil {
			d.alectioError(w, r, err)
			return
		}
		p, err := d.alectio.Create(r.Context(), sp)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		w.Header().Set("Location", p.BaseURL())
		writeJSON(w, http.StatusCreated, projectJSON{Project: p, BaseURL: p.BaseURL(), Status: http.StatusCreated})
	})
}

func (d *dataAPI) handleProjects() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		all, err := d.alectio.List()
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		out := struct {
			Projects []projectJSON `json:"projects"`
			Status   int           `json:"status"`
		}{Projects: []projectJSON{}, Status: http.StatusOK}
		for _, p := range all {
			out.Projects = append(out.Projects, projectJSON{Project: p, BaseURL: p.BaseURL(), Status: http.StatusOK})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleProject answers GET /alectio/{project}: the project and its
// checkpoints (name, version, resumed from, rows trained on, test
// accuracy).
func (d *dataAPI) handleProject() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := d.alectio.Get(mux.Vars(r)["project"])
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		cks, err := d.alectio.Checkpoints(p)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		out := projectJSON{Project: p, BaseURL: p.BaseURL(), Checkpoints: []checkpointJSON{}, Status: http.StatusOK}
		for _, c := range cks {
			out.Checkpoints = append(out.Checkpoints, checkpointJSON{Name: c.Name, Version: c.Version, ResumeFrom: c.ResumeFrom,
				Labeled: len(c.Labeled), Accuracy: c.Accuracy, TrainedAt: c.TrainedAt})
		}
		writeJSON(w, http.StatusOK, out)
	})
}

func (d *dataAPI) handleDeleteProject() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := mux.Vars(r)["project"]
		if err := d.alectio.Delete(name); err != nil {
			d.alectioError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"deleted": name, "status": http.StatusOK})
	})
}

const (
	trainShape = `{"resume_from": "ckpt_1" or null, "ckpt_file": "ckpt_2", "labeled": [0, 5, ...]}`
	testShape  = `{"ckpt_file": "ckpt_2"}`
	inferShape = `{"ckpt_file": "ckpt_2", "unlabeled": [1, 2, ...]}`
)

var statusOK = []byte(`{"status": 200}` + "\n")

// handleAlectioTrain answers POST {base}/train with {"status": 200} once
// the checkpoint is saved (a version of the project's model, held out of
// its default, labeled ckpt_file).
func (d *dataAPI) handleAlectioTrain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req alectio.TrainRequest
		if err := readJSON(w, r, maxAlectioBody, &req, trainShape, false); err != nil {
			d.alectioError(w, r, err)
			return
		}
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(alectioTrainTimeout))
		if _, err := d.alectio.Train(r.Context(), mux.Vars(r)["project"], req); err != nil {
			if r.Context().Err() != nil {
				return // the client is gone
			}
			d.alectioError(w, r, err)
			return
		}
		writeBody(w, http.StatusOK, statusOK)
	})
}

// handleAlectioTest answers POST {base}/test {"ckpt_file": "ckpt_2"}:
// the checkpoint's prediction and the true intent of every labeled row of
// the test dataset, keyed by row index:
//
//	{"predictions": {"0": 26, "1": 3, ...}, "labels": {"0": 26, "1": 41, ...}, "status": 200}
//
// Intents are JSON numbers when every intent of the project's datasets is
// an integer (as /intent answers), strings otherwise.
func (d *dataAPI) handleAlectioTest() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			CkptFile string `json:"ckpt_file"`
		}
		if err := readJSON(w, r, maxAlectioBody, &req, testShape, false); err != nil {
			d.alectioError(w, r, err)
			return
		}
		p, v, err := d.alectio.Version(r.Context(), mux.Vars(r)["project"], req.CkptFile)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		test, idx, err := d.alectio.TestRows(p)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		numeric := d.alectio.Numeric(p)
		labels := make([]string, len(idx))
		for k, i := range idx {
			labels[k] = v.Model.Predict(test.Rows[i].Text).Label
		}
		bw := startStream(w)
		b := make([]byte, 0, 256)
		b = append(b, `{"predictions": {`...)
		for k, i := range idx {
			b = appendKey(b, k, i)
			b = appendIntent(b, labels[k], numeric)
			b = flushIf(bw, b)
		}
		b = append(b, `}, "labels": {`...)
		for k, i := range idx {
			b = appendKey(b, k, i)
			b = appendIntent(b, test.Rows[i].Label, numeric)
			b = flushIf(bw, b)
		}
		b = append(b, `}, "status": 200}`+"\n"...)
		bw.Write(b)
		bw.Flush()
	})
}

// handleAlectioInfer answers POST {base}/infer {"ckpt_file": "ckpt_2",
// "unlabeled": [indices]}: the decision value of every intent (before any
// softmax; the order of GET {base}/labels) for each row of the training
// dataset asked, keyed by its index, streamed as it is computed:
//
//	{"outputs": {"12": [-1.02, 0.87, -0.95], ...}, "status": 200}
//
// The indices are all checked before the answer starts; there is no cap
// but the body's size.
func (d *dataAPI) handleAlectioInfer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			CkptFile  string `json:"ckpt_file"`
			Unlabeled []int  `json:"unlabeled"`
		}
		if err := readJSON(w, r, maxAlectioBody, &req, inferShape, false); err != nil {
			d.alectioError(w, r, err)
			return
		}
		p, v, err := d.alectio.Version(r.Context(), mux.Vars(r)["project"], req.CkptFile)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		scores, err := d.alectio.Infer(p, v, req.Unlabeled)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(alectioTrainTimeout))
		bw := startStream(w)
		b := make([]byte, 0, 1024)
		b = append(b, `{"outputs": {`...)
		k := 0
		for i, s := range scores {
			b = appendKey(b, k, i)
			b = append(b, '[')
			for j, x := range s {
				if j > 0 {
					b = append(b, ", "...)
				}
				b = appendNumber(b, float64(x), 32)
			}
			b = append(b, ']')
			k++
			if b = flushIf(bw, b); r.Context().Err() != nil {
				return
			}
		}
		b = append(b, `}, "status": 200}`+"\n"...)
		bw.Write(b)
		bw.Flush()
	})
}

// handleAlectioLabels answers GET {base}/labels?ckpt_file=ckpt_2: the
// checkpoint's intents in the order of /infer's outputs, and its version.
func (d *dataAPI) handleAlectioLabels() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		for k := range q {
			if k != "ckpt_file" {
				d.alectioError(w, r, errorf(kindInvalid, "unknown parameter %q: GET {base}/labels takes ckpt_file", truncate(k, 50)))
				return
			}
		}
		p, v, err := d.alectio.Version(r.Context(), mux.Vars(r)["project"], q.Get("ckpt_file"))
		if err != nil {
			d.alectioError(w, r, err)
			return
		}
		numeric := d.alectio.Numeric(p)
		out := struct {
			CkptFile string            `json:"ckpt_file"`
			Version  int               `json:"version"`
			Labels   []json.RawMessage `json:"labels"`
			Status   int               `json:"status"`
		}{CkptFile: q.Get("ckpt_file"), Version: v.N, Labels: []json.RawMessage{}, Status: http.StatusOK}
		for _, l := range v.Model.Labels() {
			out.Labels = append(out.Labels, appendIntent(nil, l, numeric))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// startStream writes the 200 header of a streamed JSON answer.
func startStream(w http.ResponseWriter) *bufio.Writer {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = nosniff
	w.WriteHeader(http.StatusOK)
	return bufio.NewWriterSize(w, alectioBufSize)
}

// flushIf hands b to bw once it is large, and returns it emptied.
func flushIf(bw *bufio.Writer, b []byte) []byte {
	if len(b) < alectioBufSize/2 {
		return b
	}
	bw.Write(b)
	return b[:0]
}

// appendKey appends the k-th key of an object: "index": .
func appendKey(b []byte, k, index int) []byte {
	if k > 0 {
		b = append(b, ", "...)
	}
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(index), 10)
	return append(b, `": `...)
}

// appendIntent appends an intent: a number when numeric, else a string.
func appendIntent(b []byte, label string, numeric bool) []byte {
	if numeric {
		if n, err := strconv.ParseInt(label, 10, 64); err == nil {
			return strconv.AppendInt(b, n, 10)
		}
	}
	return appendJSONString(b, label)
}
