package httpapi

import (
	"errors"
	"io"
	"log/slog"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/serve/alectio"
	"intent/internal/serve/datasets"
	"intent/model/dataset"
)

// Datasets uploaded over HTTP (package datasets) and the Alectio
// active-learning protocol over them (alectio.go). GET /datasets lists the
// uploaded datasets with the data folder's (curate.go).

// dataAPI serves the uploaded datasets and the Alectio projects.
type dataAPI struct {
	store   *datasets.Store
	alectio *alectio.Service
	upload  UploadLimits
	auth    tokenAuth
	log     *slog.Logger
}

// dataRoutes registers the datasets and Alectio routes, on a server with a
// data folder.
func (s *server) dataRoutes(handle func(path string, h http.Handler, methods ...string), dataDir string) {
	store := datasets.Open(dataDir)
	d := &dataAPI{store: store, alectio: alectio.New(store, s.set, s.log), upload: s.upload, auth: s.auth, log: s.log}
	handle("/datasets", s.requireToken(d.handleUpload()), http.MethodPost)
	handle("/datasets/{id}", d.handleDescribe(), http.MethodGet)
	handle("/datasets/{id}", s.requireToken(d.handleDelete()), http.MethodDelete)
	handle("/datasets/{id}/rows", d.handleRows(), http.MethodGet)
	d.alectioRoutes(handle)
}

// datasetJSON is an uploaded dataset as POST /datasets and GET
// /datasets/{id} show it: its description and its data report.
type datasetJSON struct {
	datasets.Meta
	Report dataset.Report `json:"report"`
}

// uploadParams are the query parameters (or multipart fields) of POST
// /datasets.
var uploadParams = []string{"name", "format", "text_col", "label_col", "id_col"}

// maxParamPart bounds a multipart field holding a parameter.
const maxParamPart = 1 << 10

// handleUpload answers POST /datasets: the file as the body
// (?name=questions.csv&format=csv&text_col=&label_col=&id_col=), or as the
// multipart field "file", or the Posos files as the fields
// input_train.csv and output_train.csv (or input_test.csv alone), streamed
// to the data folder, read, and stored under a new id: 201 with its
// description and data report. Limited like model uploads (--max-upload,
// --upload-timeout). A file that cannot be read, or holds no usable row,
// is refused (400, saying why).
func (d *dataAPI) handleUpload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > d.upload.MaxBytes {
			w.Header().Set("Connection", "close")
			writeError(w, r, d.log, errorf(kindTooLarge, "upload over %d bytes (--max-upload)", d.upload.MaxBytes))
			return
		}
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(d.upload.Timeout))
		rc.SetWriteDeadline(time.Now().Add(d.upload.Timeout + 30*time.Second))
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, d.log, err)
			return
		}
		for k := range q {
			if !isUploadParam(k) {
				writeError(w, r, d.log, errorf(kindInvalid, "unknown parameter %q: POST /datasets takes %s", truncate(k, 50), strings.Join(uploadParams, ", ")))
				return
			}
		}
		u, err := d.store.NewUpload()
		if err != nil {
			writeError(w, r, d.log, err)
			return
		}
		defer u.Close()
		params := map[string]string{}
		for _, k := range uploadParams {
			params[k] = q.Get(k)
		}
		if err := receiveDataset(w, r, u, d.upload.MaxBytes, params); err != nil {
			writeError(w, r, d.log, err)
			return
		}
		data, err := u.Commit(datasets.Spec{Name: params["name"], Format: strings.ToLower(params["format"]),
			TextCol: params["text_col"], LabelCol: params["label_col"], IDCol: params["id_col"]})
		if err != nil {
			writeError(w, r, d.log, err)
			return
		}
		d.log.Info("dataset uploaded", slog.String("dataset", data.Meta.ID), slog.String("format", data.Meta.Format),
			slog.Int64("bytes", data.Meta.Bytes), slog.Int("rows", data.Meta.Rows))
		w.Header().Set("Location", "/datasets/"+data.Meta.ID)
		writeJSON(w, http.StatusCreated, datasetJSON{Meta: data.Meta, Report: data.Report})
	})
}

func isUploadParam(k string) bool {
	for _, p := range uploadParams {
		if k == p {
			return true
		}
	}
	return false
}

// receiveDataset streams the body of POST /datasets, at most max bytes in
// all, into u. Multipart fields named as parameters set params.
func receiveDataset(w http.ResponseWriter, r *http.Request, u *datasets.Upload, max int64, params map[string]string) error {
	body := http.MaxBytesReader(w, r.Body, max)
	readErr := func(err error) error {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return errorf(kindTooLarge, "upload over %d bytes (--max-upload)", max)
		}
		return &apiError{Code: kindInvalid, Msg: "cannot read the upload: the body ended early or the connection failed", Err: err}
	}
	buf := make([]byte, uploadBuffer)
	save := func(part, name string, rd io.Reader) error {
		f, err := u.Create(part, name)
		if err != nil {
			return err
		}
		defer f.Close()
		var werr error
		n, err := io.CopyBuffer(writerOnly{f, &werr}, readerOnly{rd}, buf)
		u.Received(n)
		if werr != nil {
			return werr
		}
		if err != nil {
			return readErr(err)
		}
		if n == 0 {
			return errorf(kindInvalid, "%s is empty", truncate(name, 100))
		}
		return f.Close()
	}
	// partOf is the part a file is: a Posos file by its name, else "file".
	partOf := func(field, name string) string {
		if field == datasets.PartFile && datasets.IsPart(name) {
			return name
		}
		return field
	}

	ct := r.Header.Get("Content-Type")
	mt, mparams, err := mime.ParseMediaType(ct)
	if ct == "" {
		mt, err = "application/octet-stream", nil
	}
	if err != nil {
		return errorf(kindInvalid, "bad Content-Type %q: %v", truncate(ct, 100), err)
	}
	if mt != "multipart/form-data" {
		// The file itself, whatever its type (text/csv, application/json,
		// curl's default application/x-www-form-urlencoded...).
		name := params["name"]
		if name == "" {
			name = "body"
		}
		return save(partOf(datasets.PartFile, name), name, body)
	}
	mr := multipart.NewReader(body, mparams["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
				return readErr(err)
			}
			return &apiError{Code: kindInvalid, Msg: "cannot read the multipart upload: " + multipartProblem(err), Err: err}
		}
		field := p.FormName()
		if isUploadParam(field) && p.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(p, maxParamPart+1))
			if err != nil {
				return readErr(err)
			}
			if len(b) > maxParamPart {
				return errorf(kindInvalid, "multipart field %q is over %d bytes", field, maxParamPart)
			}
			if params[field] == "" {
				params[field] = string(b)
			}
			continue
		}
		if !datasets.IsPart(field) {
			return errorf(kindInvalid, "unknown multipart field %q: send \"file\" (a CSV, TSV, JSONL or JSON file) or the Posos files %s, %s (or %s alone); %s as fields or parameters",
				truncate(field, 50), dataset.PososInput, dataset.PososOutput, dataset.PososTest, strings.Join(uploadParams, ", "))
		}
		name := p.FileName()
		if name == "" {
			name = field
		}
		if err := save(partOf(field, name), name, p); err != nil {
			return err
		}
	}
}

// handleDescribe answers GET /datasets/{id}: the dataset's description
// (rows, labeled, unlabeled, rejected, intents, columns, path) and its
// data report (usable or not and why, examples per intent, the first
// rejected rows with why).
func (d *dataAPI) handleDescribe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := d.store.Load(mux.Vars(r)["id"])
		if err != nil {
			writeError(w, r, d.log, d.notFound(err, mux.Vars(r)["id"]))
			return
		}
		writeJSON(w, http.StatusOK, datasetJSON{Meta: data.Meta, Report: data.Report})
	})
}

// notFound adds to a not-found error where the data folder's own datasets
// are described.
func (d *dataAPI) notFound(err error, id string) error {
	if errorsIsNotFound(err) && !datasets.IsID(id) {
		return errorf(kindNotFound, "no uploaded dataset %q (ids look like ds_0123456789ab; POST /check {\"dataset\": %q} reports on a dataset of the data folder)", truncate(id, 60), truncate(id, 60))
	}
	return err
}

func errorsIsNotFound(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && ae.Code == kindNotFound
}

// handleDelete answers DELETE /datasets/{id}: 200 {"deleted": id}, 404, or
// 409 while an Alectio project uses it.
func (d *dataAPI) handleDelete() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := mux.Vars(r)["id"]
		if _, err := d.store.Meta(id); err != nil {
			writeError(w, r, d.log, d.notFound(err, id))
			return
		}
		if p := d.alectio.UsedBy(id); p != "" {
			writeError(w, r, d.log, errorf(kindConflict, "dataset %s is used by the Alectio project %s (DELETE /alectio/%s first)", id, p, p))
			return
		}
		if err := d.store.Delete(id); err != nil {
			writeError(w, r, d.log, err)
			return
		}
		d.log.Info("dataset deleted", slog.String("dataset", id))
		writeJSON(w, http.StatusOK, map[string]string{"deleted": id})
	})
}

// rowJSON is a row of GET /datasets/{id}/rows.
type rowJSON struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Text     string `json:"text,omitempty"`
	Intent   any    `json:"intent"` // null when the row has none
	Line     int    `json:"line"`
	Rejected string `json:"rejected,omitempty"`
}

// handleRows answers GET /datasets/{id}/rows[?offset=0][&limit=100]: the
// rows by index, a page at a time, as the Alectio indices name them:
//
//	{"total": 869, "offset": 0, "rows": [{"index": 0, "id": "0", "text": "...", "intent": 3, "line": 2}, ...]}
//
// An intent is a JSON number when every intent of the dataset is an
// integer; a rejected row says why and has no text.
func (d *dataAPI) handleRows() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := d.store.Load(mux.Vars(r)["id"])
		if err != nil {
			writeError(w, r, d.log, d.notFound(err, mux.Vars(r)["id"]))
			return
		}
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, d.log, err)
			return
		}
		for k := range q {
			if k != "offset" && k != "limit" {
				writeError(w, r, d.log, errorf(kindInvalid, "unknown parameter %q: GET /datasets/{id}/rows takes offset and limit", truncate(k, 50)))
				return
			}
		}
		offset, err := intParam(q.Get("offset"), "offset", 0, 0, math.MaxInt32)
		if err != nil {
			writeError(w, r, d.log, err)
			return
		}
		limit, err := intParam(q.Get("limit"), "limit", defaultPageSize, 1, maxPageSize)
		if err != nil {
			writeError(w, r, d.log, err)
			return
		}
		out := struct {
			Total  int       `json:"total"`
			Offset int       `json:"offset"`
			Rows   []rowJSON `json:"rows"`
		}{Total: len(data.Rows), Offset: offset, Rows: []rowJSON{}}
		for i := offset; i < len(data.Rows) && i < offset+limit; i++ {
			row := data.Rows[i]
			j := rowJSON{Index: i, ID: row.ID, Text: row.Text, Line: row.Line, Rejected: row.Rejected}
			if row.Label != "" {
				j.Intent = intentValue(row.Label, data.Numeric)
			}
			out.Rows = append(out.Rows, j)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// intentValue is an intent as answers give it: a number when numeric.
func intentValue(label string, numeric bool) any {
	if numeric {
		if n, err := strconv.ParseInt(label, 10, 64); err == nil {
			return n
		}
	}
	return label
}
