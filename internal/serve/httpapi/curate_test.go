package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/internal/testmodel/testrepo"
	"intent/model"
	"intent/store/sqlite"
)

// fullEnv is the whole HTTP surface over a real registry, job runner and
// database, with the sample set in its data folder.
type fullEnv struct {
	h    http.Handler
	reg  *versions.Registry
	data string
}

// newFullServer serves the models (versions 1, 2, ...) with testToken.
func newFullServer(t *testing.T, models ...*model.Model) *fullEnv {
	t.Helper()
	root := t.TempDir()
	e := &fullEnv{data: filepath.Join(root, "data")}
	copyDir(t, testrepo.SampleDir(), filepath.Join(e.data, "sample"))
	e.reg = versions.New(writeModels(t, models...), 0, quiet)
	must(t, e.reg.Reload(context.Background()))
	db, err := sqlite.Open(filepath.Join(root, "intent.db"))
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := jobs.New(ctx, jobs.Config{Store: db, DataDir: e.data, Log: quiet, Versions: e.reg})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); svc.Close(); db.Close() })
	e.h = New(versions.SetOf(e.reg), Options{Limits: DefaultLimits(), Upload: DefaultUploadLimits(), Token: testToken, Log: quiet, Jobs: svc})
	return e
}

// do sends a request with the token (and a JSON body when not empty).
func (e *fullEnv) do(t *testing.T, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, e.h, method, target, body)
}

// upload posts a file as the multipart field "file" of POST /label/pool.
func (e *fullEnv) upload(t *testing.T, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, err := mw.CreateFormFile("file", name)
	must(t, err)
	fw.Write([]byte(content))
	must(t, mw.Close())
	req := httptest.NewRequest("POST", "/label/pool", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+testToken)
	return serve2(e.h, req)
}

func TestRelabelExample(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	ids := decode[addedJSON](t, e.do(t, "POST", "/examples", `[{"text": "sushis enceinte", "intent": 3}, {"text": "doliprane", "intent": 3}]`), 201).IDs
	got := decode[exampleJSON](t, e.do(t, "PATCH", fmt.Sprintf("/examples/%d", ids[0]), `{"intent": 26}`), 200)
	if got.ID != ids[0] || got.Text != "sushis enceinte" || got.Intent != "26" || got.Source != "api" || got.CreatedAt.IsZero() {
		t.Fatalf("relabeled: %+v", got)
	}
	page := decode[examplesPageJSON](t, e.do(t, "GET", "/examples?intent=26", ""), 200)
	if page.Total != 1 || page.Examples[0].ID != ids[0] {
		t.Fatalf("intent 26 after relabel: %+v", page)
	}
	if got := decode[exampleJSON](t, e.do(t, "PATCH", fmt.Sprintf("/examples/%d", ids[1]), `{"intent": "posologie"}`), 200); got.Intent != "posologie" {
		t.Errorf("string intent: %+v", got)
	}
	wantError(t, e.do(t, "PATCH", "/examples/99", `{"intent": 26}`), 404, "no example 99")
	wantError(t, e.do(t, "PATCH", "/examples/x", `{"intent": 26}`), 400, "example id must be a positive integer")
	wantError(t, e.do(t, "PATCH", fmt.Sprintf("/examples/%d", ids[0]), `{"intent": ""}`), 400, `"intent" is empty`)
	wantError(t, e.do(t, "PATCH", fmt.Sprintf("/examples/%d", ids[0]), `{}`), 400, `missing "intent"`)
	wantError(t, e.do(t, "PATCH", fmt.Sprintf("/examples/%d", ids[0]), `{"intent": 1, "text": "x"}`), 400, `unknown field "text"`)
	wantError(t, serve(t, e.h, "PATCH", fmt.Sprintf("/examples/%d", ids[0]), `{"intent": 3}`), 401, "missing token")
	if w := e.do(t, "PUT", "/examples/1", `{}`); w.Code != 405 || w.Header().Get("Allow") != "DELETE, GET, HEAD, PATCH" {
		t.Errorf("PUT /examples/1: %d, Allow %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestExamplesTextFilter(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	var list []string
	for i := range 5 {
		list = append(list, fmt.Sprintf(`{"text": "Doliprane %d", "intent": 3}`, i), fmt.Sprintf(`{"text": "sushis %d", "intent": 26}`, i))
	}
	e.do(t, "POST", "/examples", "["+strings.Join(list, ",")+"]")
	page := decode[examplesPageJSON](t, e.do(t, "GET", "/examples?text=DOLI&limit=2", ""), 200)
	if page.Total != 5 || len(page.Examples) != 2 || page.Next == nil || *page.Next != "/examples?after=3&limit=2&text=DOLI" {
		t.Fatalf("text=DOLI: total %d, %d on the page, next %v", page.Total, len(page.Examples), page.Next)
	}
	page = decode[examplesPageJSON](t, e.do(t, "GET", *page.Next, ""), 200)
	if len(page.Examples) != 2 || !strings.HasPrefix(page.Examples[0].Text, "Doliprane") {
		t.Errorf("second page: %+v", page.Examples)
	}
	if page := decode[examplesPageJSON](t, e.do(t, "GET", "/examples?text=sushis&intent=3", ""), 200); page.Total != 0 {
		t.Errorf("text and intent: %d", page.Total)
	}
	wantError(t, e.do(t, "GET", "/examples?text="+strings.Repeat("a", 201), ""), 400, "text must be valid UTF-8 of at most 200 characters")
}

func TestDatasetsAndCheck(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	must(t, os.WriteFile(filepath.Join(e.data, "more.csv"), []byte("text,intent\na,b\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(e.data, ".hidden.csv"), []byte("x"), 0o644))
	must(t, os.WriteFile(filepath.Join(e.data, "notes.md"), []byte("x"), 0o644))
	must(t, os.Mkdir(filepath.Join(e.data, "empty"), 0o755))
	got := decode[datasetsJSON](t, e.do(t, "GET", "/datasets", ""), 200)
	want := `[{"path":"more.csv","format":"csv","labeled":true,"unlabeled":true},{"path":"sample","format":"posos","labeled":true,"unlabeled":true}]`
	if b, _ := json.Marshal(got.Datasets); string(b) != want {
		t.Errorf("GET /datasets: %s\nwant %s", b, want)
	}

	rep := decode[jobs.DataReport](t, serve(t, e.h, "POST", "/check", `{"data": "sample", "use_examples": false}`), 200)
	if !rep.Usable || rep.Intents != 16 || rep.Examples != 868 || rep.StoredExamples != 0 || len(rep.Sources) != 2 {
		t.Errorf("check of the sample: usable %v, %d intents, %d examples, sources %v", rep.Usable, rep.Intents, rep.Examples, rep.Sources)
	}
	if strings.Contains(strings.Join(rep.Sources, " "), e.data) {
		t.Errorf("the report shows the data folder: %v", rep.Sources)
	}
	// The stored examples alone: one intent is not usable, and says why.
	e.do(t, "POST", "/examples", `[{"text": "a", "intent": 3}, {"text": "b", "intent": 3}]`)
	rep = decode[jobs.DataReport](t, serve(t, e.h, "POST", "/check", ``), 200)
	if rep.Usable || rep.StoredExamples != 2 || len(rep.Problems) == 0 {
		t.Errorf("check of one intent: %+v", rep)
	}
	wantError(t, serve(t, e.h, "POST", "/check", `{"data": "../etc"}`), 400, `may not contain ".."`)
	wantError(t, serve(t, e.h, "POST", "/check", `{"data": "nope"}`), 400, `"data" "nope" does not exist`)
	wantError(t, serve(t, e.h, "POST", "/check", `{"data": "notes.md", "use_examples": false}`), 400, "cannot read notes.md")
}

func TestLabelQueue(t *testing.T) {
	num := trainTiny(t, "numeric")
	e := newFullServer(t, num)
	texts := []string{"doliprane enfant", "vaccin et grossesse", "poisson cru", "fièvre", "dose de vaccin enceinte", "bonjour"}
	b, _ := json.Marshal(map[string]any{"texts": texts, "source": "test"})
	if got := decode[poolAddedJSON](t, e.do(t, "POST", "/label/pool", string(b)), 201); got != (poolAddedJSON{Added: 6, Given: 6, Pending: 6}) {
		t.Fatalf("POST /label/pool: %+v", got)
	}
	if got := decode[poolAddedJSON](t, e.do(t, "POST", "/label/pool", `{"texts": [" fièvre "]}`), 200); got != (poolAddedJSON{Added: 0, Given: 1, Pending: 6}) {
		t.Fatalf("a text already waiting: %+v", got)
	}

	q := decode[queueJSON](t, e.do(t, "GET", "/label/queue?limit=4", ""), 200)
	if q.Version != 1 || q.Strategy != "margin" || q.Pending != 6 || len(q.Items) != 4 || string(q.Labels) != "[3,26,41]" {
		t.Fatalf("queue: version %d %s pending %d, %d items, labels %s", q.Version, q.Strategy, q.Pending, len(q.Items), q.Labels)
	}
	sel, err := num.Select(context.Background(), texts, len(texts), model.Margin, 1)
	must(t, err)
	for i, it := range q.Items {
		if it.Text != sel[i].Text || it.Score != sel[i].Score || string(it.Intent) != sel[i].Label || it.Source != "test" {
			t.Errorf("item %d: %+v, want %+v (model.Select's order)", i, it, sel[i])
		}
		if len(it.Top) != 3 || string(it.Top[0].Intent) != string(it.Intent) || it.Top[0].Probability != it.Probability ||
			it.Top[1].Probability > it.Top[0].Probability {
			t.Errorf("item %d top: %+v", i, it.Top)
		}
	}

	// Labeling the most uncertain: it becomes an example and leaves the queue.
	first := q.Items[0]
	ex := decode[exampleJSON](t, e.do(t, "POST", fmt.Sprintf("/label/queue/%d", first.ID), `{"intent": 26}`), 201)
	if ex.Text != first.Text || ex.Intent != "26" || ex.Source != "label-queue" {
		t.Fatalf("labeled: %+v", ex)
	}
	page := decode[examplesPageJSON](t, e.do(t, "GET", "/examples", ""), 200)
	if page.Total != 1 || page.Examples[0].ID != ex.ID {
		t.Fatalf("examples after labeling: %+v", page)
	}
	q = decode[queueJSON](t, e.do(t, "GET", "/label/queue?limit=100", ""), 200)
	if q.Pending != 5 || len(q.Items) != 5 {
		t.Fatalf("queue after labeling: pending %d, %d items", q.Pending, len(q.Items))
	}
	for i, it := range q.Items {
		if it.ID == first.ID || it.Text != sel[i+1].Text {
			t.Errorf("item %d after labeling: %q, want %q", i, it.Text, sel[i+1].Text)
		}
	}
	wantError(t, e.do(t, "POST", fmt.Sprintf("/label/queue/%d", first.ID), `{"intent": 26}`), 404, fmt.Sprintf("no question %d waits in the pool", first.ID))
	if w := e.do(t, "DELETE", fmt.Sprintf("/label/queue/%d", q.Items[0].ID), ""); w.Code != 204 {
		t.Fatalf("skip: %d %s", w.Code, w.Body)
	}
	wantError(t, e.do(t, "DELETE", fmt.Sprintf("/label/queue/%d", q.Items[0].ID), ""), 404, "waits in the pool")

	// Other strategies and versions.
	if q := decode[queueJSON](t, e.do(t, "GET", "/label/queue?strategy=entropy&limit=1", ""), 200); q.Strategy != "entropy" || len(q.Items) != 1 || q.Pending != 4 {
		t.Errorf("entropy: %+v", q)
	}
	if q := decode[queueJSON](t, e.do(t, "GET", "/label/queue?version=1", ""), 200); q.Version != 1 || len(q.Items) != 4 {
		t.Errorf("version=1: %+v", q)
	}

	// The test file of a dataset, an uploaded file.
	if got := decode[poolAddedJSON](t, e.do(t, "POST", "/label/pool", `{"data": "sample"}`), 201); got.Added != 123 || got.Pending != 127 {
		t.Errorf("the sample's input_test.csv: %+v", got)
	}
	if got := decode[poolAddedJSON](t, e.upload(t, "questions.txt", "un\n\n deux \r\ntrois\n"), 201); got != (poolAddedJSON{Added: 3, Given: 3, Pending: 130}) {
		t.Errorf("a .txt file: %+v", got)
	}
	if got := decode[poolAddedJSON](t, e.upload(t, "q.csv", "id,text\n1,quatre\n2,cinq\n"), 201); got.Added != 2 {
		t.Errorf("a .csv file: %+v", got)
	}
	if q := decode[queueJSON](t, e.do(t, "GET", "/label/queue?limit=100", ""), 200); q.Pending != 132 || len(q.Items) != 100 {
		t.Errorf("after the files: pending %d, %d items", q.Pending, len(q.Items))
	}
	wantError(t, e.upload(t, "q.exe", "x"), 400, `file "q.exe": send a .csv, .tsv, .jsonl, .json or .txt file`)
	wantError(t, e.upload(t, "empty.txt", "\n \n"), 400, "empty.txt holds no question")
	wantError(t, e.upload(t, "bad.jsonl", "{not json\n"), 400, "cannot read bad.jsonl")
	if w := e.upload(t, "bad.jsonl", "{not json\n"); strings.Contains(w.Body.String(), os.TempDir()) {
		t.Errorf("the error shows a server path: %s", w.Body)
	}

	for _, c := range []struct {
		method, target, body string
		status               int
		msg                  string
	}{
		{"POST", "/label/pool", `{}`, 400, `missing "texts" or "data"`},
		{"POST", "/label/pool", `{"texts": []}`, 400, `"texts" is empty`},
		{"POST", "/label/pool", `{"texts": ["a", " "]}`, 400, "texts[1] is empty"},
		{"POST", "/label/pool", `{"texts": ["a"], "data": "sample"}`, 400, `either "texts" or "data"`},
		{"POST", "/label/pool", `{"data": "/etc"}`, 400, "not an absolute path"},
		{"POST", "/label/pool", `{"texts": ["` + strings.Repeat("a", 10001) + `"]}`, 413, "texts[0] has over 10000 characters"},
		{"GET", "/label/queue?strategy=best", "", 400, `strategy "best": use margin, entropy, least-confident or random`},
		{"GET", "/label/queue?limit=0", "", 400, "limit must be an integer between 1 and 100"},
		{"GET", "/label/queue?version=9", "", 404, "unknown model version 9"},
		{"POST", "/label/queue/x", `{"intent": 3}`, 400, "question id must be a positive integer"},
		{"POST", "/label/queue/1", `{"intent": ""}`, 400, `"intent" is empty`},
	} {
		wantError(t, e.do(t, c.method, c.target, c.body), c.status, c.msg)
	}
	wantError(t, serve(t, e.h, "POST", "/label/pool", `{"texts": ["a"]}`), 401, "missing token")
	wantError(t, serve(t, e.h, "DELETE", "/label/pool", ""), 401, "missing token")

	if got := decode[deletedCountJSON](t, e.do(t, "DELETE", "/label/pool", ""), 200); got.Deleted != 132 {
		t.Errorf("DELETE /label/pool: %+v", got)
	}
	if q := decode[queueJSON](t, e.do(t, "GET", "/label/queue", ""), 200); q.Pending != 0 || q.Items == nil || len(q.Items) != 0 {
		t.Errorf("empty queue: %+v", q)
	}
	// The labeled example stays.
	if page := decode[examplesPageJSON](t, e.do(t, "GET", "/examples", ""), 200); page.Total != 1 {
		t.Errorf("examples after clearing the pool: %d", page.Total)
	}
}

// The queue answers 503 before any model is loaded, as /intent does.
func TestLabelQueueWithoutModel(t *testing.T) {
	e := newFullServer(t)
	e.do(t, "POST", "/label/pool", `{"texts": ["a"]}`)
	wantError(t, e.do(t, "GET", "/label/queue", ""), 503, "no model loaded")
}
