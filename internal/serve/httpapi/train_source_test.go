package httpapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/internal/serve/jobs"
)

// POST /train and POST /check with "dataset" and the column names
// (jobs/source.go).

// writeColumnsFile writes the tiny numeric set as a CSV whose columns the
// readers do not guess (ref;body;tag), and returns its name.
func writeColumnsFile(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("ref;body;tag\n")
	i := 0
	for label, texts := range numericIntents {
		for _, q := range texts {
			i++
			b.WriteString("r" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + ";" + q + ";" + label + "\n")
		}
	}
	must(t, os.WriteFile(filepath.Join(dir, "cols.csv"), []byte(b.String()), 0o644))
	return "cols.csv"
}

func TestTrainDatasetAndColumns(t *testing.T) {
	e := newTaskEnv(t, nil)
	name := writeColumnsFile(t, e.dataDir)

	// Without the columns the file cannot be read: the task fails, saying
	// which column is missing.
	s := e.waitDone(t, e.train(t, `{"dataset": "`+name+`"}`))
	if s.State != "failed" || !strings.Contains(s.Error, `choose the text column with "text_col"`) {
		t.Fatalf("without columns: %s %q", s.State, s.Error)
	}
	s = e.waitDone(t, e.train(t, `{"dataset": "`+name+`", "text_col": "body", "label_col": "tag", "id_col": "ref"}`))
	if s.State != "trained" {
		t.Fatalf("with columns: %s %q (report %s)", s.State, s.Error, s.DataReport)
	}
	var rep jobs.DataReport
	json.Unmarshal(s.DataReport, &rep)
	if rep.Intents != 3 || rep.Examples != 24 || rep.StoredExamples != 0 {
		t.Errorf("data report %s", s.DataReport)
	}
	var plan jobs.Plan
	must(t, json.Unmarshal(s.Request, &plan))
	if plan.Dataset != name || plan.Data != name || plan.TextCol != "body" || plan.LabelCol != "tag" || plan.IDCol != "ref" || plan.UseExamples {
		t.Errorf("the task's request: %s", s.Request)
	}
	// "data" takes the columns too.
	if s := e.waitDone(t, e.train(t, `{"data": "`+name+`", "text_col": "BODY", "label_col": "Tag"}`)); s.State != "trained" {
		t.Errorf("data with columns (any case): %s %q", s.State, s.Error)
	}

	for _, c := range []struct {
		name, body, msg string
	}{
		{"unknown dataset", `{"dataset": "nope.csv"}`, `no dataset "nope.csv" in the data folder (GET /datasets; labeled ones: cols.csv)`},
		{"a path is not a dataset", `{"dataset": "sub/cols.csv"}`, `no dataset "sub/cols.csv"`},
		{"dataset and data", `{"dataset": "cols.csv", "data": "cols.csv"}`, `give "dataset"`},
		{"columns without data", `{"text_col": "body"}`, `"text_col" names a column of "data" or "dataset"`},
		{"blank column", `{"data": "cols.csv", "label_col": "  "}`, `"label_col" must be a column name`},
		{"long column", `{"data": "cols.csv", "id_col": "` + strings.Repeat("c", 101) + `"}`, `"id_col" must be a column name of 1 to 100`},
		{"control character", `{"data": "cols.csv", "text_col": "a\tb"}`, `"text_col" must be a column name`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(t, "POST", "/train", c.body, nil), 400, c.msg)
		})
	}
}

func TestTrainDatasetWithoutDataFolder(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.serveData = ""
	e.start(t, nil)
	wantError(t, e.do(t, "POST", "/train", `{"dataset": "sample"}`, nil), 400, `this server has no data folder, so "dataset" cannot be used`)
}

func TestCheckDatasetAndColumns(t *testing.T) {
	e := newFullServer(t, trainTiny(t, "numeric"))
	name := writeColumnsFile(t, e.data)
	// The plugin's "is it applicable" call: the same fields as POST /train.
	rep := decode[jobs.DataReport](t, serve(t, e.h, "POST", "/check", `{"dataset": "`+name+`", "text_col": "body", "label_col": "tag"}`), 200)
	if !rep.Usable || rep.Intents != 3 || rep.Examples != 24 || rep.Sources[0] != name {
		t.Errorf("check with columns: %+v", rep)
	}
	rep = decode[jobs.DataReport](t, serve(t, e.h, "POST", "/check", `{"dataset": "sample"}`), 200)
	if !rep.Usable || rep.Intents != 16 || rep.StoredExamples != 0 {
		t.Errorf("check of the sample dataset: %+v", rep)
	}
	wantError(t, serve(t, e.h, "POST", "/check", `{"dataset": "`+name+`", "text_col": "question"}`), 400, `no text column "question"; columns found: "ref", "body", "tag"; choose one of the columns found with "text_col"`)
	wantError(t, serve(t, e.h, "POST", "/check", `{"dataset": "nope"}`), 400, `no dataset "nope"`)
	must(t, os.MkdirAll(filepath.Join(e.data, "unl"), 0o755))
	must(t, os.WriteFile(filepath.Join(e.data, "unl", "input_test.csv"), []byte("ID;question\n1;a\n"), 0o644))
	wantError(t, serve(t, e.h, "POST", "/check", `{"dataset": "unl"}`), 400, `dataset "unl" holds no labeled data`)
}
