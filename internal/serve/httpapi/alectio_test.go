package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"intent/internal/serve/alectio"
	"intent/modelrepo"
)

// alectioErr is an error answer of the protocol.
type alectioErr struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}

// wantAlectioError checks an error answer: its HTTP status, the same
// "status" in the body, and a message holding msg.
func wantAlectioError(t *testing.T, w *httptest.ResponseRecorder, status int, msg string) {
	t.Helper()
	var e alectioErr
	if w.Code != status || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Status != status || !strings.Contains(e.Error, msg) {
		t.Fatalf("got %d %s, want %d with \"status\": %d and %q", w.Code, strings.TrimSpace(w.Body.String()), status, status, msg)
	}
}

// alectioTest is the body of a {base}/test answer.
type alectioTest struct {
	Predictions map[string]json.RawMessage `json:"predictions"`
	Labels      map[string]json.RawMessage `json:"labels"`
	Status      int                        `json:"status"`
}

// smallProject uploads a training pool and a test set of a few questions
// on two intents (26: pregnancy, 3: dose) and creates project p1.
func smallProject(t *testing.T, e *fullEnv) (train, test string) {
	t.Helper()
	pool := "text,label\n" +
		"sushi enceinte,26\n" + // 0
		"doliprane dose maximale,3\n" + // 1
		"fromage cru grossesse,26\n" + // 2
		"combien de doliprane par jour,3\n" + // 3
		"alcool pendant la grossesse,26\n" + // 4
		",3\n" + // 5: rejected, empty text
		"quelle dose d'ibuprofène,\n" + // 6: no intent
		"ibuprofène et grossesse,26\n" // 7
	testSet := "text,label\nsaumon cru enceinte,26\ndose de paracétamol,3\nvin et grossesse,26\nmaximum de doliprane,3\n"
	train = decode[uploadedJSON](t, e.postDataset(t, "?name=pool.csv", "text/csv", []byte(pool)), 201).ID
	test = decode[uploadedJSON](t, e.postDataset(t, "?name=test.csv", "text/csv", []byte(testSet)), 201).ID
	body := fmt.Sprintf(`{"name": "p1", "train_dataset": %q, "test_dataset": %q, "options": {"min_df": 1}}`, train, test)
	w := e.do(t, "POST", "/alectio/projects", body)
	p := decode[map[string]any](t, w, 201)
	if p["base_url"] != "/alectio/p1" || p["model"] != "p1" || p["status"] != 201.0 || w.Header().Get("Location") != "/alectio/p1" {
		t.Fatalf("project: %v", p)
	}
	return train, test
}

func TestAlectioProtocol(t *testing.T) {
	e, set := newDataServer(t, DefaultUploadLimits(), 0)
	train, test := smallProject(t, e)

	// Loop 1: one question per intent is enough (nothing is held out).
	w := e.do(t, "POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_1", "labeled": [0, 1]}`)
	if w.Code != 200 || w.Body.String() != `{"status": 200}`+"\n" {
		t.Fatalf("train: %d %s", w.Code, w.Body)
	}
	reg, err := set.Get("p1")
	must(t, err)
	s := reg.Snapshot()
	v1, ok := s.Labels["ckpt_1"]
	if !ok {
		t.Fatalf("no label ckpt_1: %v", s.Labels)
	}
	// Held out of the model's default; the checkpoint's record beside it.
	if f := s.Folder(v1); f == nil || !f.Info.Held || s.Default != nil {
		t.Fatalf("version %d: folder %+v, default %v", v1, f, s.Default)
	}
	var ck alectio.Checkpoint
	b, err := os.ReadFile(filepath.Join(s.Folder(v1).Dir, alectio.CheckpointFile))
	must(t, err)
	must(t, json.Unmarshal(b, &ck))
	if ck.Name != "ckpt_1" || ck.ResumeFrom != nil || len(ck.Labeled) != 2 || ck.TrainDataset != train || ck.TestDataset != test {
		t.Fatalf("checkpoint record: %+v", ck)
	}

	// Test: every test row, by index, intents as numbers.
	res := decode[alectioTest](t, e.do(t, "POST", "/alectio/p1/test", `{"ckpt_file": "ckpt_1"}`), 200)
	if res.Status != 200 || len(res.Predictions) != 4 || len(res.Labels) != 4 || string(res.Labels["0"]) != "26" || string(res.Labels["3"]) != "3" {
		t.Fatalf("test: %+v", res)
	}
	for k, p := range res.Predictions {
		if s := string(p); s != "26" && s != "3" {
			t.Errorf("prediction %s = %s", k, s)
		}
	}

	// Infer: one decision value per intent, in the order of {base}/labels.
	type inferJSON struct {
		Outputs map[string][]float64 `json:"outputs"`
		Status  int                  `json:"status"`
	}
	inf := decode[inferJSON](t, e.do(t, "POST", "/alectio/p1/infer", `{"ckpt_file": "ckpt_1", "unlabeled": [2, 3, 4, 6, 7]}`), 200)
	if inf.Status != 200 || len(inf.Outputs) != 5 || len(inf.Outputs["6"]) != 2 {
		t.Fatalf("infer: %+v", inf)
	}
	labels := decode[struct {
		Labels  []json.RawMessage `json:"labels"`
		Version int               `json:"version"`
	}](t, e.do(t, "GET", "/alectio/p1/labels?ckpt_file=ckpt_1", ""), 200)
	if len(labels.Labels) != 2 || string(labels.Labels[0]) != "3" || string(labels.Labels[1]) != "26" || labels.Version != v1 {
		t.Fatalf("labels: %+v", labels)
	}
	// Row 3 (combien de doliprane par jour) scores 3 above 26, as row 1
	// (doliprane dose maximale) taught.
	if o := inf.Outputs["3"]; !(o[0] > o[1]) {
		t.Errorf("row 3 outputs %v: 3 not above 26", o)
	}

	// Loop 2 resumes from ckpt_1 with more rows; ckpt_1 stays where it was.
	w = e.do(t, "POST", "/alectio/p1/train", `{"resume_from": "ckpt_1", "ckpt_file": "ckpt_2", "labeled": [0, 1, 2, 3, 4, 7]}`)
	if w.Code != 200 {
		t.Fatalf("train 2: %d %s", w.Code, w.Body)
	}
	s = reg.Snapshot()
	if s.Labels["ckpt_1"] != v1 || s.Labels["ckpt_2"] <= v1 {
		t.Fatalf("labels after loop 2: %v", s.Labels)
	}
	// A retry of the same request answers 200 without a new version.
	versionsBefore := len(s.Folders)
	w = e.do(t, "POST", "/alectio/p1/train", `{"resume_from": "ckpt_1", "ckpt_file": "ckpt_2", "labeled": [7, 4, 3, 2, 1, 0]}`)
	if w.Code != 200 || len(reg.Snapshot().Folders) != versionsBefore {
		t.Fatalf("retry: %d %s, %d versions (was %d)", w.Code, w.Body, len(reg.Snapshot().Folders), versionsBefore)
	}
	// The earlier checkpoint can still be tested.
	decode[alectioTest](t, e.do(t, "POST", "/alectio/p1/test", `{"ckpt_file": "ckpt_1"}`), 200)

	// The project lists its checkpoints.
	type projectCheckpoints struct {
		Checkpoints []struct {
			Name       string   `json:"ckpt_file"`
			Version    int      `json:"version"`
			ResumeFrom *string  `json:"resume_from"`
			Labeled    int      `json:"labeled"`
			Accuracy   *float64 `json:"test_accuracy"`
		} `json:"checkpoints"`
	}
	proj := decode[projectCheckpoints](t, e.do(t, "GET", "/alectio/p1", ""), 200)
	if len(proj.Checkpoints) != 2 || proj.Checkpoints[0].Name != "ckpt_1" || proj.Checkpoints[1].Labeled != 6 ||
		proj.Checkpoints[1].ResumeFrom == nil || *proj.Checkpoints[1].ResumeFrom != "ckpt_1" || proj.Checkpoints[1].Accuracy == nil {
		t.Fatalf("project checkpoints: %+v", proj.Checkpoints)
	}

	// Errors: JSON with "status", the right HTTP status.
	for _, c := range []struct {
		method, path, body string
		status             int
		msg                string
	}{
		{"POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_2", "labeled": [0, 1]}`, 409, "never replaced"},
		{"POST", "/alectio/p1/train", `{"resume_from": "ckpt_9", "ckpt_file": "ckpt_3", "labeled": [0, 1]}`, 404, `no checkpoint "ckpt_9"`},
		{"POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_3", "labeled": [0, 5, 6, 8, -1]}`, 400, "4 index(es) cannot be used: 5 (empty text), 6 (no intent), 8 (out of range), -1 (out of range)"},
		{"POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_3", "labeled": [0, 0, 1]}`, 400, "0 (given twice)"},
		{"POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_3", "labeled": [0, 2]}`, 400, "cannot be trained on: 1 intent(s)"},
		{"POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "3", "labeled": [0, 1]}`, 400, "ckpt_file"},
		{"POST", "/alectio/p1/train", `{"ckpt_file": "ckpt_3"}`, 400, `missing "labeled"`},
		{"POST", "/alectio/p1/train", `{"ckpt_file": "ckpt_3", "labeled": [0, 1], "epochs": 3}`, 400, `unknown field "epochs"`},
		{"POST", "/alectio/p1/test", `{"ckpt_file": "ckpt_7"}`, 404, `no checkpoint "ckpt_7" (its checkpoints: ckpt_1, ckpt_2)`},
		{"POST", "/alectio/p1/test", `{}`, 400, `missing "ckpt_file"`},
		{"POST", "/alectio/p1/infer", `{"ckpt_file": "ckpt_1", "unlabeled": [5]}`, 400, "5 (empty text)"},
		{"POST", "/alectio/p1/infer", `{"ckpt_file": "ckpt_1"}`, 400, `missing "unlabeled"`},
		{"POST", "/alectio/nope/test", `{"ckpt_file": "ckpt_1"}`, 404, `no project "nope"`},
		{"GET", "/alectio/p1/labels?ckpt_file=ckpt_1&x=1", "", 400, `unknown parameter "x"`},
		{"POST", "/alectio/projects", `{"name": "p2", "model": "p1", "train_dataset": "` + train + `", "test_dataset": "` + test + `"}`, 409, `bound to project "p1"`},
		{"POST", "/alectio/projects", `{"name": "p1", "model": "other", "train_dataset": "` + train + `", "test_dataset": "` + test + `"}`, 409, "exists"},
		{"POST", "/alectio/projects", `{"name": "p3", "train_dataset": "ds_000000000000", "test_dataset": "` + test + `"}`, 400, "train_dataset: no dataset"},
		{"POST", "/alectio/projects", `{"name": "projects", "train_dataset": "` + train + `", "test_dataset": "` + test + `"}`, 400, "project name"},
		{"POST", "/alectio/projects", `{"name": "p3", "train_dataset": "` + train + `", "test_dataset": "` + test + `", "options": {"valid": 0.2}}`, 400, "do not apply"},
		{"POST", "/alectio/projects", `{"name": "p3", "train_dataset": "` + train + `", "test_dataset": "` + test + `", "options": {"c": -1}}`, 400, "options.c"},
		{"DELETE", "/datasets/" + train, "", 409, ""},
	} {
		w := e.do(t, c.method, c.path, c.body)
		if strings.HasPrefix(c.path, "/datasets") {
			wantError(t, w, c.status, "used by the Alectio project p1")
			continue
		}
		wantAlectioError(t, w, c.status, c.msg)
	}
	// Without the token: 401, in the protocol's shape.
	wantAlectioError(t, serve(t, e.h, "POST", "/alectio/p1/train", `{"ckpt_file": "ckpt_3", "labeled": [0, 1]}`), 401, "missing token")

	// Deleting the project keeps its model; the dataset can go then.
	decode[map[string]any](t, e.do(t, "DELETE", "/alectio/p1", ""), 200)
	wantAlectioError(t, e.do(t, "GET", "/alectio/p1", ""), 404, "no project")
	if _, err := set.Get("p1"); err != nil {
		t.Fatal(err)
	}
	decode[map[string]any](t, e.do(t, "DELETE", "/datasets/"+train, ""), 200)
}

// TestAlectioInferTenThousand: a pool of 10,000 is scored in one request.
func TestAlectioInferTenThousand(t *testing.T) {
	e, _ := newDataServer(t, DefaultUploadLimits(), 0)
	var pool strings.Builder
	pool.WriteString("text,label\n")
	words := []string{"sushi enceinte", "doliprane dose", "grossesse alcool", "combien de comprimés", "allaitement et ibuprofène", "conduite et somnolence"}
	for i := range 10000 {
		fmt.Fprintf(&pool, "%s %d,%d\n", words[i%len(words)], i, []int{26, 3, 26, 3, 40, 5}[i%len(words)])
	}
	train := decode[uploadedJSON](t, e.postDataset(t, "?name=pool.csv", "text/csv", []byte(pool.String())), 201).ID
	test := decode[uploadedJSON](t, e.postDataset(t, "?name=test.csv", "text/csv", []byte("text,label\nsushi,26\ndose,3\nallaitement,40\nconduite,5\n")), 201).ID
	decode[map[string]any](t, e.do(t, "POST", "/alectio/projects", fmt.Sprintf(`{"name": "big", "train_dataset": %q, "test_dataset": %q}`, train, test)), 201)
	w := e.do(t, "POST", "/alectio/big/train", `{"resume_from": null, "ckpt_file": "ckpt_0", "labeled": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}`)
	if w.Code != 200 {
		t.Fatalf("train: %d %s", w.Code, w.Body)
	}
	idx := make([]string, 10000)
	for i := range idx {
		idx[i] = fmt.Sprint(i)
	}
	body := `{"ckpt_file": "ckpt_0", "unlabeled": [` + strings.Join(idx, ",") + `]}`
	start := time.Now()
	w = e.do(t, "POST", "/alectio/big/infer", body)
	took := time.Since(start)
	var inf struct {
		Outputs map[string][]float64 `json:"outputs"`
		Status  int                  `json:"status"`
	}
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &inf) != nil || len(inf.Outputs) != 10000 || len(inf.Outputs["9999"]) != 4 || inf.Status != 200 {
		t.Fatalf("infer 10,000: %d, %d outputs", w.Code, len(inf.Outputs))
	}
	t.Logf("infer on 10,000 indices: %v, %d bytes", took, w.Body.Len())
}

// TestAlectioConcurrentTrains: two loops posted at once train one after
// the other, each saved under its own label.
func TestAlectioConcurrentTrains(t *testing.T) {
	e, set := newDataServer(t, DefaultUploadLimits(), 0)
	smallProject(t, e)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range 2 {
		wg.Go(func() {
			codes[i] = e.do(t, "POST", "/alectio/p1/train", fmt.Sprintf(`{"resume_from": null, "ckpt_file": "c%d", "labeled": [0, 1, %d]}`, i, 2+i)).Code
		})
	}
	wg.Wait()
	reg, _ := set.Get("p1")
	labels := reg.Snapshot().Labels
	if codes[0] != 200 || codes[1] != 200 || len(labels) != 2 || labels["c0"] == labels["c1"] {
		t.Fatalf("codes %v, labels %v", codes, labels)
	}
	if _, err := os.Stat(filepath.Join(reg.Repo().Dir(labels["c0"]), modelrepo.ValidFile)); err != nil {
		t.Errorf("checkpoint without its test split: %v", err)
	}
}

// TestAlectioCheckpointsBeyondKeep: with --keep 1, every earlier checkpoint
// is loaded on demand to be tested, inferred with or resumed from.
func TestAlectioCheckpointsBeyondKeep(t *testing.T) {
	e, set := newDataServer(t, DefaultUploadLimits(), 1)
	smallProject(t, e)
	for i, rows := range []string{"0, 1", "0, 1, 2, 3", "0, 1, 2, 3, 4, 7"} {
		resume := "null"
		if i > 0 {
			resume = fmt.Sprintf(`"ckpt_%d"`, i)
		}
		if w := e.do(t, "POST", "/alectio/p1/train", fmt.Sprintf(`{"resume_from": %s, "ckpt_file": "ckpt_%d", "labeled": [%s]}`, resume, i+1, rows)); w.Code != 200 {
			t.Fatalf("loop %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	reg, _ := set.Get("p1")
	for i := range 3 {
		ck := fmt.Sprintf("ckpt_%d", i+1)
		decode[alectioTest](t, e.do(t, "POST", "/alectio/p1/test", `{"ckpt_file": "`+ck+`"}`), 200)
		decode[map[string]any](t, e.do(t, "POST", "/alectio/p1/infer", `{"ckpt_file": "`+ck+`", "unlabeled": [6]}`), 200)
	}
	if n := len(reg.Snapshot().Versions); n > 2 {
		t.Errorf("%d versions in memory with --keep 1", n)
	}
	if w := e.do(t, "POST", "/alectio/p1/train", `{"resume_from": "ckpt_1", "ckpt_file": "ckpt_4", "labeled": [0, 1, 3]}`); w.Code != 200 {
		t.Fatalf("resume from ckpt_1: %d %s", w.Code, w.Body)
	}
}
