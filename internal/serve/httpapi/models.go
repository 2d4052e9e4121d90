package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/errcode"
	"intent/internal/serve/versions"
	"intent/model"
	"intent/modelrepo"
)

// uploadLimits bound POST /models.
type UploadLimits struct {
	MaxBytes int64         // largest model upload (all parts together)
	Timeout  time.Duration // time allowed to receive an upload, replacing --read-timeout
}

// versionJSON is one version as GET /models lists it.
type versionJSON struct {
	Version int    `json:"version"`
	State   string `json:"state"` // loading, available, failed or unloaded
	Error   string `json:"error,omitempty"`
	Default bool   `json:"default"`
	Pinned  bool   `json:"pinned"`
	// Held versions never answer by default unless pinned (make_default).
	Held       bool               `json:"held"`
	HeldReason string             `json:"held_reason,omitempty"`
	CreatedAt  *time.Time         `json:"created_at"`
	DataHash   string             `json:"data_hash,omitempty"`
	Labels     int                `json:"labels,omitempty"`
	Metrics    *versions.Headline `json:"metrics"`
	HasValid   bool               `json:"has_validation"`
	LoadedAt   *time.Time         `json:"loaded_at,omitempty"`
	LoadMS     float64            `json:"load_ms,omitempty"`

	Report json.RawMessage `json:"report,omitempty"` // GET /models/{n} only
}

// modelsJSON is the answer of GET /models.
type modelsJSON struct {
	defaultJSON
	Keep     int           `json:"keep"`
	Versions []versionJSON `json:"versions"`
}

// defaultJSON says which version answers by default and why.
type defaultJSON struct {
	Default  *int   `json:"default"`
	Pinned   *int   `json:"pinned"`
	PinError string `json:"pin_error,omitempty"`
}

func defaultOf(s *versions.Snapshot) defaultJSON {
	var d defaultJSON
	if s.Default != nil {
		d.Default = &s.Default.N
	}
	if s.Pinned > 0 {
		d.Pinned = &s.Pinned
	}
	d.PinError = s.PinErr
	return d
}

// describe builds the listing entry of scanned version f.
func describe(s *versions.Snapshot, f *versions.Folder) versionJSON {
	out := versionJSON{
		Version: f.N,
		State:   s.State(f.N),
		Default: s.Default != nil && s.Default.N == f.N,
		Pinned:  s.Pinned == f.N,
		Held:    f.Info.Held, HeldReason: f.Info.HeldReason,
		DataHash: f.Info.DataHash,
		Labels:   f.Info.Labels,
		Metrics:  f.Info.Metrics,
		HasValid: f.Info.HasValid,
	}
	if !f.Info.CreatedAt.IsZero() {
		t := f.Info.CreatedAt
		out.CreatedAt = &t
	}
	if fl := s.Failure(f.N); fl != nil {
		out.Error = hideFailurePath(fl.Err.Error(), fl)
	}
	if v := s.Get(f.N); v != nil {
		t := v.LoadedAt
		out.LoadedAt = &t
		out.LoadMS = float64(v.LoadTook.Microseconds()) / 1000
		if out.CreatedAt == nil && !v.Meta.CreatedAt.IsZero() {
			t := v.Meta.CreatedAt
			out.CreatedAt = &t
		}
	}
	return out
}

// handleModels answers GET /models: every version found in the models
// folder with its state, and which one answers by default.
func handleModels(reg *versions.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := reg.Snapshot()
		out := modelsJSON{defaultJSON: defaultOf(s), Keep: reg.Keep(), Versions: make([]versionJSON, 0, len(s.Folders))}
		for i := range s.Folders {
			out.Versions = append(out.Versions, describe(s, &s.Folders[i]))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// versionParam reads the {n} of /models/{n}.
func versionParam(r *http.Request) (int, error) {
	raw := mux.Vars(r)["n"]
	n, err := strconv.Atoi(raw)
	if err != nil || n <= 0 || strconv.Itoa(n) != raw {
		return 0, errorf(kindInvalid, "version must be a positive integer, got %q", truncate(raw, 20))
	}
	return n, nil
}

// handleModel answers GET /models/{n}: the version's listing entry with
// its whole report.json ("report": null when it has none).
func handleModel(reg *versions.Registry, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := versionParam(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		s := reg.Snapshot()
		f := s.Folder(n)
		if f == nil {
			writeError(w, r, log, errorf(kindNotFound, "unknown model version %d (versions: %s)", n, versions.JoinInts(s.FolderNumbers())))
			return
		}
		out := describe(s, f)
		out.Report = json.RawMessage("null")
		if f.Dir != "" {
			b, err := os.ReadFile(filepath.Join(f.Dir, modelrepo.ReportFile))
			switch {
			case err == nil && json.Valid(b):
				out.Report = bytes.TrimSpace(b)
			case err == nil:
				log.Warn("report.json is not valid JSON", slog.Int("version", n))
			case !versions.IsNotExist(err):
				writeError(w, r, log, err)
				return
			}
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// handleDefault answers GET /models/default.
func handleDefault(reg *versions.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, defaultOf(reg.Snapshot()))
	})
}

// versionBody is the body of PUT /models/default and of a label's PUT.
type versionBody struct {
	Version *int `json:"version"`
}

// readVersionBody reads {"version": N}, N a positive integer.
func readVersionBody(w http.ResponseWriter, r *http.Request, lim Limits) (int, error) {
	var req versionBody
	if err := readJSON(w, r, lim.MaxBody, &req, `{"version": N}`, false); err != nil {
		return 0, err
	}
	if req.Version == nil {
		return 0, errorf(kindInvalid, `missing "version": PUT {"version": N}`)
	}
	n, _, err := checkVersion(req.Version)
	return n, err
}

// handlePin answers PUT /models/default {"version": n}: n becomes the
// default until unpinned, across restarts.
func handlePin(reg *versions.Registry, lim Limits, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := readVersionBody(w, r, lim)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if err := reg.Pin(n); err != nil {
			if ae, ok := errors.AsType[*apiError](err); ok {
				if fl := reg.Snapshot().Failure(n); fl != nil {
					err = &apiError{Code: ae.Code, Msg: hideFailurePath(ae.Msg, fl), Err: ae}
				}
			}
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, defaultOf(reg.Snapshot()))
	})
}

// handleUnpin answers DELETE /models/default: the newest version answers
// by default again.
func handleUnpin(reg *versions.Registry, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := reg.Unpin(); err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, defaultOf(reg.Snapshot()))
	})
}

// deletedJSON is the answer of DELETE /models/{n}.
type deletedJSON struct {
	Deleted int `json:"deleted"`
	defaultJSON
}

// handleDeleteModel answers DELETE /models/{n}.
func handleDeleteModel(reg *versions.Registry, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := versionParam(r)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if err := reg.Delete(n); err != nil {
			writeError(w, r, log, err)
			return
		}
		writeJSON(w, http.StatusOK, deletedJSON{Deleted: n, defaultJSON: defaultOf(reg.Snapshot())})
	})
}

// uploadParts are the multipart fields POST /models accepts, and the file
// each becomes in the version folder.
var uploadParts = map[string]string{
	"model":  modelrepo.ModelFile,
	"report": modelrepo.ReportFile,
	"valid":  modelrepo.ValidFile,
}

// handleUpload answers POST /models: a model file, as the raw body
// (Content-Type application/octet-stream, none, or curl's default
// application/x-www-form-urlencoded) or as the multipart field
// "model" (with optional "report" and "valid" fields: report.json and
// valid.jsonl), is streamed to a hidden upload folder of the models root,
// decoded, checked with a probe prediction and stored as the next version,
// loaded before the answer: 201 with its listing entry.
//
// Uploads are received concurrently, each with a fixed buffer: a slow or
// stalled client delays no one else; only publishing is serialized (by the
// registry). A Content-Length over the limit is refused before the body is
// read; a body without one is cut at the limit.
func handleUpload(reg *versions.Registry, up UploadLimits, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > up.MaxBytes {
			// Not read: the server closes the connection after the answer.
			w.Header().Set("Connection", "close")
			writeError(w, r, log, errorf(kindTooLarge, "upload over %d bytes (--max-upload)", up.MaxBytes))
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(up.Timeout))
		rc.SetWriteDeadline(time.Now().Add(up.Timeout + 30*time.Second))

		if !reg.Snapshot().Root {
			// A single model: the registry refuses any new version; let it
			// say so before anything is received.
			if _, err := reg.Publish(r.Context(), modelrepo.Publish{}, nil); errcode.Is(err, kindConflict) {
				writeError(w, r, log, err)
				return
			}
		}
		u, err := reg.Repo().NewUpload()
		if err != nil {
			writeError(w, r, log, err) // internal: the message (a path) is only logged
			return
		}
		defer u.Close()
		paths, err := receiveUpload(w, r, u, up.MaxBytes)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		m, err := loadUploaded(paths[modelrepo.ModelFile])
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		if err := versions.Probe(m); err != nil {
			writeError(w, r, log, errorf(kindInvalid, "the model cannot answer: %v", err))
			return
		}
		if p, ok := paths[modelrepo.ValidFile]; ok {
			if err := checkValidFile(p); err != nil {
				writeError(w, r, log, err)
				return
			}
		}
		n, err := reg.Publish(context.WithoutCancel(r.Context()), modelrepo.Publish{Paths: paths}, m)
		if err != nil {
			writeError(w, r, log, err)
			return
		}
		s := reg.Snapshot()
		out := versionJSON{Version: n, State: s.State(n)}
		if f := s.Folder(n); f != nil {
			out = describe(s, f)
		}
		w.Header().Set("Location", "/models/"+strconv.Itoa(n))
		writeJSON(w, http.StatusCreated, out)
	})
}

// uploadBuffer is the size of the buffer each upload is copied with.
const uploadBuffer = 64 << 10

// receiveUpload streams the files of an upload, at most max bytes in all,
// into u, and returns the path of each (keyed by version file name).
func receiveUpload(w http.ResponseWriter, r *http.Request, u *modelrepo.Upload, max int64) (map[string]string, error) {
	body := http.MaxBytesReader(w, r.Body, max)
	readErr := func(err error) error {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errorf(kindTooLarge, "upload over %d bytes (--max-upload)", max)
		}
		return &apiError{Code: kindInvalid, Msg: "cannot read the upload: the body ended early or the connection failed", Err: err}
	}
	buf := make([]byte, uploadBuffer)
	// save copies rd into the upload's file name; errors writing the file
	// are internal (they would show a path), errors reading are the client's.
	save := func(name string, rd io.Reader) (string, int64, error) {
		f, err := u.Create(name)
		if err != nil {
			return "", 0, err
		}
		defer f.Close()
		var werr error
		n, err := io.CopyBuffer(writerOnly{f, &werr}, readerOnly{rd}, buf)
		if werr != nil {
			return "", n, werr
		}
		if err != nil {
			return "", n, readErr(err)
		}
		return u.Path(name), n, f.Close()
	}

	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" {
		mt, err = "application/octet-stream", nil
	}
	switch {
	case err != nil:
		return nil, errorf(kindInvalid, "bad Content-Type %q: %v", truncate(ct, 100), err)
	case mt == "application/octet-stream", mt == "application/x-www-form-urlencoded":
		// The raw model file. curl --data-binary sends the second type
		// unless told otherwise; the bytes are checked as a model anyway.
		p, n, err := save(modelrepo.ModelFile, body)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, errorf(kindInvalid, "empty upload: send the model file as the body")
		}
		return map[string]string{modelrepo.ModelFile: p}, nil
	case mt != "multipart/form-data":
		return nil, errorf(kindUnsupported, "Content-Type %s: send the model file as application/octet-stream or as the field \"model\" of multipart/form-data", mt)
	}
	mr := multipart.NewReader(body, params["boundary"])
	paths := map[string]string{}
	var modelSize int64
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return nil, readErr(err)
			}
			return nil, &apiError{Code: kindInvalid, Msg: "cannot read the multipart upload: " + multipartProblem(err), Err: err}
		}
		name := p.FormName()
		file, ok := uploadParts[name]
		if !ok {
			return nil, errorf(kindInvalid, "unknown multipart field %q: send \"model\" (required), \"report\" and \"valid\" (optional)", truncate(name, 50))
		}
		if _, dup := paths[file]; dup {
			return nil, errorf(kindInvalid, "multipart field %q given twice", name)
		}
		path, n, err := save(file, p)
		if err != nil {
			return nil, err
		}
		paths[file] = path
		if file == modelrepo.ModelFile {
			modelSize = n
		}
	}
	if modelSize == 0 {
		return nil, errorf(kindInvalid, `missing or empty multipart field "model" (the model file)`)
	}
	if p, ok := paths[modelrepo.ReportFile]; ok {
		if err := checkJSONFile(p); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// multipartProblem describes a multipart syntax error without Go details.
func multipartProblem(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the body ended before the closing boundary"
	}
	return "not a multipart/form-data body with the boundary of its Content-Type"
}

// readerOnly and writerOnly hide ReadFrom/WriteTo so that io.CopyBuffer
// uses the given buffer; writerOnly records write errors apart from read
// errors.
type readerOnly struct{ io.Reader }

type writerOnly struct {
	w   io.Writer
	err *error
}

func (w writerOnly) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil {
		*w.err = err
	}
	return n, err
}

// loadUploaded decodes the uploaded model file at path.
func loadUploaded(path string) (*model.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := model.Load(f)
	if err != nil {
		if _, ok := errors.AsType[*fs.PathError](err); ok {
			return nil, err // internal: reading our own file failed
		}
		return nil, errorf(kindInvalid, "not a valid model file: %v", err)
	}
	return m, nil
}

// checkJSONFile checks that the uploaded report at path is one JSON value,
// reading it as a stream.
func checkJSONFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, uploadBuffer))
	depth, values := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errorf(kindInvalid, `multipart field "report" is not valid JSON`)
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				if depth == 0 {
					values++
				}
				depth++
			} else {
				depth--
			}
		} else if depth == 0 {
			values++
		}
	}
	if values != 1 || depth != 0 {
		return errorf(kindInvalid, `multipart field "report" is not valid JSON`)
	}
	return nil
}

// checkValidFile checks the uploaded valid.jsonl at path.
func checkValidFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return checkValid(bufio.NewReaderSize(f, uploadBuffer))
}

// checkValid checks an uploaded valid.jsonl: one {"id","text","label"}
// object per line.
func checkValid(rd io.Reader) error {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		var row struct {
			ID    string `json:"id"`
			Text  string `json:"text"`
			Label string `json:"label"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return errorf(kindInvalid, `multipart field "valid" line %d: want {"id": "..", "text": "..", "label": ".."}: %s`, line, jsonProblem(err))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return errorf(kindInvalid, `multipart field "valid" line %d is over 16 MiB`, line+1)
		}
		return err // reading our own file: internal
	}
	if line == 0 {
		return errorf(kindInvalid, `multipart field "valid" is empty`)
	}
	return nil
}

// hideFailurePath replaces, in a message about the failure fl, the server
// path of the file that failed by the name clients know it by.
func hideFailurePath(msg string, fl *versions.Failure) string {
	if fl.File == "" {
		return msg
	}
	name := filepath.Base(fl.File)
	if fl.N > 0 {
		name = "models/" + strconv.Itoa(fl.N) + "/" + name
	}
	msg = strings.ReplaceAll(msg, fl.File, name)
	if abs, err := filepath.Abs(fl.File); err == nil {
		msg = strings.ReplaceAll(msg, abs, name)
	}
	return msg
}
