package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"intent/internal/serve/datasets"
	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/internal/testmodel/testrepo"
	"intent/model/dataset"
	"intent/store/sqlite"
)

// uploadedJSON is the answer of POST /datasets and GET /datasets/{id}.
type uploadedJSON struct {
	datasets.Meta
	Report dataset.Report `json:"report"`
}

// postDataset sends body as POST /datasets?query with the token.
func (e *fullEnv) postDataset(t *testing.T, query, contentType string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/datasets"+query, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	return serve2(e.h, req)
}

// datasetParts builds a multipart body of files (field, file name,
// content) and fields (name, value).
func datasetParts(t *testing.T, files [][3]string, fields ...[2]string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		must(t, mw.WriteField(f[0], f[1]))
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f[0], f[1])
		must(t, err)
		fw.Write([]byte(f[2]))
	}
	must(t, mw.Close())
	return mw.FormDataContentType(), b.Bytes()
}

func TestDatasetUploadDescribeRowsDelete(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	csv := "question;intent;key\nrisques sushis grossesse;26;a\n;3;b\ndoliprane dose;3;c\nquestion sans label;;d\nibuprofène enceinte;26;e\n"
	w := e.postDataset(t, "?name=questions.csv&text_col=question&label_col=intent&id_col=key", "text/csv", []byte(csv))
	up := decode[uploadedJSON](t, w, 201)
	if !datasets.IsID(up.ID) || w.Header().Get("Location") != "/datasets/"+up.ID {
		t.Fatalf("id %q, Location %q", up.ID, w.Header().Get("Location"))
	}
	if up.Name != "questions.csv" || up.Format != "csv" || up.TextCol != "question" || up.Rows != 5 || up.Labeled != 3 ||
		up.Unlabeled != 1 || up.Rejected != 1 || up.Intents != 2 || up.Path != "datasets/"+up.ID+"/data.csv" {
		t.Fatalf("uploaded: %+v", up.Meta)
	}
	if !up.Report.Usable || up.Report.PerIntent["26"] != 2 || up.Report.RejectedReasons[dataset.ReasonEmptyText] != 1 {
		t.Fatalf("report: %+v", up.Report)
	}
	// Stored under the data folder, durably: meta.json beside the file.
	if _, err := os.Stat(filepath.Join(e.data, "datasets", up.ID, datasets.MetaFile)); err != nil {
		t.Fatal(err)
	}

	got := decode[uploadedJSON](t, e.do(t, "GET", "/datasets/"+up.ID, ""), 200)
	if got.Rows != 5 || got.Report.Examples != 3 || got.CreatedAt.IsZero() {
		t.Fatalf("describe: %+v", got)
	}

	// Rows by index: file order, the rejected one says why, the intents
	// are numbers (every intent is an integer).
	type rowsJSON struct {
		Total int              `json:"total"`
		Rows  []map[string]any `json:"rows"`
	}
	rows := decode[rowsJSON](t, e.do(t, "GET", "/datasets/"+up.ID+"/rows?offset=1&limit=3", ""), 200)
	if rows.Total != 5 || len(rows.Rows) != 3 || rows.Rows[0]["rejected"] != dataset.ReasonEmptyText ||
		rows.Rows[1]["text"] != "doliprane dose" || rows.Rows[1]["intent"] != 3.0 || rows.Rows[1]["id"] != "c" || rows.Rows[2]["intent"] != nil {
		t.Fatalf("rows: %+v", rows)
	}

	// Listed with the data folder's datasets, with its id.
	type listJSON struct {
		Datasets []map[string]any `json:"datasets"`
	}
	list := decode[listJSON](t, e.do(t, "GET", "/datasets", ""), 200)
	if len(list.Datasets) != 2 || list.Datasets[0]["path"] != "sample" || list.Datasets[1]["id"] != up.ID || list.Datasets[1]["rows"] != 5.0 {
		t.Fatalf("list: %+v", list)
	}

	// /check and /train take its id; the upload's columns apply.
	rep := decode[map[string]any](t, e.do(t, "POST", "/check", `{"dataset": "`+up.ID+`"}`), 200)
	if rep["examples"] != 3.0 || rep["usable"] != true {
		t.Fatalf("check: %v", rep)
	}
	q := decode[queuedJSON](t, e.do(t, "POST", "/train", `{"dataset": "`+up.ID+`", "use_examples": false, "make_default": "never"}`), 202)
	if q.TaskID == "" {
		t.Fatal("no task")
	}

	wantError(t, e.do(t, "DELETE", "/datasets/"+up.ID, ""), 200, "")
	wantError(t, e.do(t, "GET", "/datasets/"+up.ID, ""), 404, "no dataset")
	wantError(t, e.do(t, "DELETE", "/datasets/"+up.ID, ""), 404, "no dataset")
	wantError(t, e.do(t, "GET", "/datasets/sample", ""), 404, "POST /check")
	if _, err := os.Stat(filepath.Join(e.data, "datasets", up.ID)); !os.IsNotExist(err) {
		t.Fatalf("deleted dataset still on disk: %v", err)
	}
	waitTask(t, e, q.TaskID)
}

// waitTask waits for a training task to end (before the test's folders go).
func waitTask(t *testing.T, e *fullEnv, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var st struct {
			State string `json:"state"`
		}
		json.Unmarshal(e.do(t, "GET", "/status/"+id, "").Body.Bytes(), &st)
		if st.State == "trained" || st.State == "failed" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("task %s did not end", id)
}

func TestDatasetUploadMultipartAndPosos(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	in, err := os.ReadFile(filepath.Join(testrepo.SampleDir(), dataset.PososInput))
	must(t, err)
	out, err := os.ReadFile(filepath.Join(testrepo.SampleDir(), dataset.PososOutput))
	must(t, err)
	ct, body := datasetParts(t, [][3]string{{"input_train.csv", "input_train.csv", string(in)}, {"output_train.csv", "output_train.csv", string(out)}},
		[2]string{"name", "sample"})
	up := decode[uploadedJSON](t, e.postDataset(t, "", ct, body), 201)
	if up.Format != "posos" || up.Name != "sample" || up.Rows != 868 || up.Labeled != 868 || up.Intents != 16 || len(up.Files) != 2 {
		t.Fatalf("posos upload: %+v", up.Meta)
	}
	// The same files as "file" parts, recognized by their names.
	ct, body = datasetParts(t, [][3]string{{"file", "input_train.csv", string(in)}, {"file", "output_train.csv", string(out)}})
	if up2 := decode[uploadedJSON](t, e.postDataset(t, "", ct, body), 201); up2.Rows != 868 || up2.Format != "posos" {
		t.Fatalf("posos as file parts: %+v", up2.Meta)
	}
	// A JSONL file as "file"; its format from its name.
	ct, body = datasetParts(t, [][3]string{{"file", "q.jsonl", `{"text": "a", "label": "x"}` + "\n" + `{"text": "b"}` + "\n"}})
	if up3 := decode[uploadedJSON](t, e.postDataset(t, "", ct, body), 201); up3.Format != "jsonl" || up3.Rows != 2 || up3.Unlabeled != 1 {
		t.Fatalf("jsonl: %+v", up3.Meta)
	}

	// Refusals.
	wantError(t, e.postDataset(t, "?name=x.txt", "text/plain", []byte("a,b\n")), 400, "format=")
	wantError(t, e.postDataset(t, "?format=csv", "text/csv", []byte("text,label\n")), 400, "no data rows")
	wantError(t, e.postDataset(t, "?format=csv", "text/csv", nil), 400, "empty")
	wantError(t, e.postDataset(t, "?format=csv&sheet=1", "text/csv", []byte("a")), 400, `unknown parameter "sheet"`)
	wantError(t, e.postDataset(t, "?format=csv&text_col=nope", "text/csv", []byte("text,label\na,1\n")), 400, "text_col")
	ct, body = datasetParts(t, [][3]string{{"data", "x.csv", "a"}})
	wantError(t, e.postDataset(t, "", ct, body), 400, `unknown multipart field "data"`)
	ct, body = datasetParts(t, [][3]string{{"output_train.csv", "output_train.csv", string(out)}})
	wantError(t, e.postDataset(t, "", ct, body), 400, "need their questions")
	wantError(t, serve(t, e.h, "POST", "/datasets?format=csv", "text\na\n"), 401, "missing token")
	entries, _ := os.ReadDir(filepath.Join(e.data, "datasets"))
	if len(entries) != 3 {
		t.Fatalf("the datasets folder holds %d entries after 3 uploads and the refusals", len(entries))
	}
}

// newDataServer is newFullServer with upload limits up, at most keep
// versions of a model in memory (0: all), and the set of models its named
// models are created in.
func newDataServer(t *testing.T, up UploadLimits, keep int) (*fullEnv, *versions.Set) {
	t.Helper()
	root := t.TempDir()
	e := &fullEnv{data: filepath.Join(root, "data")}
	copyDir(t, testrepo.SampleDir(), filepath.Join(e.data, "sample"))
	e.reg = versions.New(writeModels(t, trainTiny(t, "numeric")), keep, quiet)
	must(t, e.reg.Reload(context.Background()))
	db, err := sqlite.Open(filepath.Join(root, "intent.db"))
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	set := versions.SetOf(e.reg)
	svc, err := jobs.New(ctx, jobs.Config{Store: db, DataDir: e.data, Log: quiet, Versions: e.reg,
		Models: func(ctx context.Context, name string) (jobs.Versions, error) { return set.Create(ctx, name) }})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); svc.Close(); db.Close() })
	e.h = New(set, Options{Limits: DefaultLimits(), Upload: up, Token: testToken, Log: quiet, Jobs: svc})
	return e, set
}

func TestDatasetUploadSizeLimit(t *testing.T) {
	e, _ := newDataServer(t, UploadLimits{MaxBytes: 100, Timeout: time.Minute}, 0)
	big := "text,label\n" + strings.Repeat("une question assez longue,1\n", 10)
	wantError(t, e.postDataset(t, "?format=csv", "text/csv", []byte(big)), 413, "--max-upload")
	// Without a Content-Length, the body is cut at the limit.
	req := httptest.NewRequest("POST", "/datasets?format=csv", struct{ *strings.Reader }{strings.NewReader(big)})
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+testToken)
	wantError(t, serve2(e.h, req), 413, "--max-upload")
	entries, _ := os.ReadDir(filepath.Join(e.data, "datasets"))
	if len(entries) != 0 {
		t.Fatalf("refused uploads left %v", entries)
	}
}
