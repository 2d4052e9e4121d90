package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"intent/internal/serve/jobs"
	"intent/modelrepo"
	"intent/store"
	"intent/store/sqlite"
)

func TestTrainOnStoredExamples(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	id := e.train(t, `{"use_examples": true, "options": {"valid": 0.25, "seed": 7}}`)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
		t.Errorf("task id %q", id)
	}
	s := e.waitDone(t, id)
	if s.State != "trained" || s.Error != "" {
		t.Fatalf("task ended %s: %s", s.State, s.Error)
	}
	if s.Version != 1 || s.Metrics == nil || s.Metrics.NValid != 6 || s.Metrics.NTrain != 18 || s.Metrics.Accuracy <= 0 {
		t.Errorf("result: version %d, metrics %+v", s.Version, s.Metrics)
	}
	if s.Default == nil || !*s.Default || !strings.Contains(s.DefaultReason, "no version was the default") {
		t.Errorf("default %v: %q", s.Default, s.DefaultReason)
	}
	if s.Progress != 1 || s.Stage != "done" || s.StartedAt == nil || s.FinishedAt == nil || s.FinishedAt.Before(*s.StartedAt) {
		t.Errorf("progress %v stage %q started %v finished %v", s.Progress, s.Stage, s.StartedAt, s.FinishedAt)
	}
	var timings map[string]float64
	json.Unmarshal(s.Timings, &timings)
	for _, stage := range []string{"queued", "load", "check", "split", "featurize", "fit", "evaluate", "write", "total"} {
		if _, ok := timings[stage]; !ok {
			t.Errorf("timings lack %s: %s", stage, s.Timings)
		}
	}
	var rep jobs.DataReport
	if err := json.Unmarshal(s.DataReport, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Usable || rep.Examples != 24 || rep.Intents != 3 || rep.StoredExamples != 24 || rep.PerIntent["26"] != 8 {
		t.Errorf("data report %s", s.DataReport)
	}
	var req jobs.Plan
	json.Unmarshal(s.Request, &req)
	if !req.UseExamples || req.Options.Valid != 0.25 || req.Options.Seed != 7 || req.Options.Solver != "l2" || req.MakeDefault != "if_better" {
		t.Errorf("stored request %s", s.Request)
	}
	// The version folder is complete and was reloaded.
	dir := filepath.Join(e.models, "1")
	for _, f := range []string{modelrepo.ModelFile, modelrepo.ReportFile, modelrepo.ValidFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	m, err := modelrepo.LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Labels(); strings.Join(got, ",") != "3,26,41" {
		t.Errorf("labels %v", got)
	}
	if publishes, decisions := e.versions.state(); publishes != 1 || !slices.Equal(decisions, []string{"pin 1"}) {
		t.Errorf("publishes %d, decisions %v", publishes, decisions)
	}
}

func TestTrainSampleFolder(t *testing.T) {
	e := newTaskEnv(t, nil)
	copyDir(t, filepath.Join("..", "..", "..", "data", "sample"), filepath.Join(e.dataDir, "posos", "sample"))
	id := e.train(t, `{"data": "posos/sample", "make_default": "always"}`)
	s := e.waitDone(t, id)
	if s.State != "trained" {
		t.Fatalf("task ended %s: %s (report %s)", s.State, s.Error, s.DataReport)
	}
	var rep jobs.DataReport
	json.Unmarshal(s.DataReport, &rep)
	if rep.Format != "posos" || rep.StoredExamples != 0 || rep.Intents < 10 || rep.Examples < 800 {
		t.Errorf("data report %s", s.DataReport)
	}
	for _, src := range rep.Sources {
		if filepath.IsAbs(src) || strings.Contains(src, e.dataDir) {
			t.Errorf("the report shows the server's path %q", src)
		}
	}
	if s.Version != 1 || s.Metrics.Accuracy < 0.5 || s.Default == nil || !*s.Default {
		t.Errorf("version %d metrics %+v default %v", s.Version, s.Metrics, s.Default)
	}
	m, err := modelrepo.LoadPath(filepath.Join(e.models, "1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Meta().LabelNames) == 0 {
		t.Error("intents.csv names not passed to the model")
	}
	if publishes, _ := e.versions.state(); publishes != 1 {
		t.Errorf("%d publishes", publishes)
	}
}

func TestTrainUnusableDataFailsWithReport(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, map[string][]string{"only": {"a question", "another question", "a third one"}})
	s := e.waitDone(t, e.train(t, `{}`))
	if s.State != "failed" || !strings.Contains(s.Error, "not usable") || !strings.Contains(s.Error, "at least 2 intents") {
		t.Fatalf("task %s: %q", s.State, s.Error)
	}
	var rep jobs.DataReport
	json.Unmarshal(s.DataReport, &rep)
	if rep.Usable || rep.Intents != 1 || rep.PerIntent["only"] != 3 || len(rep.Problems) == 0 {
		t.Errorf("data report %s", s.DataReport)
	}
	if s.Version != 0 || s.Metrics != nil {
		t.Errorf("a failed task has a version: %+v", s.Result)
	}
	if publishes, _ := e.versions.state(); publishes != 0 {
		t.Error("published after a failed task")
	}

	// One example in an intent: kept for training only, with a warning in
	// the report, as trainer train does (the same pipeline).
	e.addExamples(t, map[string][]string{"other": {"lonely"}})
	s = e.waitDone(t, e.train(t, `{}`))
	if s.State != "trained" {
		t.Fatalf("task %s: %q", s.State, s.Error)
	}
	json.Unmarshal(s.DataReport, &rep)
	if !rep.Usable || len(rep.Warnings) == 0 || !strings.Contains(rep.Warnings[0], "fewer than 2 examples (other): kept for training only") {
		t.Errorf("data report %s", s.DataReport)
	}
}

func TestTrainDataFileRejectionsAreReported(t *testing.T) {
	e := newTaskEnv(t, nil)
	var b strings.Builder
	b.WriteString("question,intent\n")
	for label, texts := range numericIntents {
		for _, q := range texts {
			b.WriteString(q + "," + label + "\n")
		}
	}
	b.WriteString(",3\nno label,\n")
	os.WriteFile(filepath.Join(e.dataDir, "q.csv"), []byte(b.String()), 0o644)
	s := e.waitDone(t, e.train(t, `{"data": "q.csv"}`))
	if s.State != "trained" {
		t.Fatalf("task %s: %s", s.State, s.Error)
	}
	var rep jobs.DataReport
	json.Unmarshal(s.DataReport, &rep)
	if rep.Rejected != 2 || rep.RejectedReasons["empty text"] != 1 || rep.RejectedReasons["missing label"] != 1 ||
		len(rep.FirstRejected) != 2 || rep.FirstRejected[0].Source != "q.csv" || rep.StoredExamples != 0 {
		t.Errorf("data report %s", s.DataReport)
	}
}

func TestTrainPathConfinement(t *testing.T) {
	e := newTaskEnv(t, nil)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("question,intent\na,1\nb,2\n"), 0o644)
	os.WriteFile(filepath.Join(e.dataDir, "ok.csv"), []byte("question,intent\na,1\nb,2\n"), 0o644)
	os.Mkdir(filepath.Join(e.dataDir, "sub"), 0o755)
	must(t, os.Symlink(outside, filepath.Join(e.dataDir, "out")))
	must(t, os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(e.dataDir, "secret.csv")))
	must(t, os.Symlink(filepath.Join(e.dataDir, "ok.csv"), filepath.Join(e.dataDir, "sub", "inside.csv")))
	os.Mkdir(filepath.Join(e.dataDir, "posos"), 0o755)
	must(t, os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(e.dataDir, "posos", "input_train.csv")))

	for _, c := range []struct {
		data string
		want string // in the error; "" means accepted
	}{
		{"../x", `may not contain ".."`},
		{"sub/../../x", `may not contain ".."`},
		{`sub\..\..\x`, `may not contain ".."`},
		{"/etc/passwd", "not an absolute path"},
		{filepath.Join(e.dataDir, "ok.csv"), "not an absolute path"},
		{"out/secret.csv", "leads out of the data folder"},
		{"out", "leads out of the data folder"},
		{"secret.csv", "leads out of the data folder"},
		{"posos", "a symbolic link out of the data folder"},
		{"missing.csv", "does not exist"},
		{"ok\x00.csv", "NUL"},
		{"ok.csv", ""},
		{"./ok.csv", ""},
		{"sub/inside.csv", ""},
		{"sub", ""},
		{".", "holds out, a symbolic link out of the data folder"},
	} {
		body, _ := json.Marshal(map[string]any{"data": c.data})
		var out map[string]any
		w := e.do(t, http.MethodPost, "/train", string(body), &out)
		if c.want == "" {
			if w.Code != http.StatusAccepted {
				t.Errorf("data %q: %d %s", c.data, w.Code, w.Body.String())
			}
			continue
		}
		if msg, _ := out["error"].(string); w.Code != http.StatusBadRequest || !strings.Contains(msg, c.want) {
			t.Errorf("data %q: %d %s, want 400 with %q", c.data, w.Code, w.Body.String(), c.want)
		}
		if strings.Contains(w.Body.String(), outside) {
			t.Errorf("data %q: the answer shows the outside path", c.data)
		}
	}
}

func TestTrainWithoutDataFolder(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.svc.Close()
	e.serveData = ""
	e.start(t, nil)
	w := e.do(t, http.MethodPost, "/train", `{"data": "x.csv"}`, nil)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "no data folder") {
		t.Errorf("%d %s", w.Code, w.Body.String())
	}
}

func TestTrainRequestErrors(t *testing.T) {
	e := newTaskEnv(t, nil)
	for _, c := range []struct{ body, want string }{
		{`{"use_examples": false}`, "nothing to train on"},
		{`{"options": {"valid": 1}}`, "options.valid"},
		{`{"options": {"valid": 0}}`, "options.valid"},
		{`{"options": {"c": -1}}`, "options.c"},
		{`{"options": {"solver": "sgd"}}`, "options.solver"},
		{`{"options": {"min_df": 0}}`, "options.min_df"},
		{`{"options": {"class_weight": "heavy"}}`, "options.class_weight"},
		{`{"make_default": "maybe"}`, "make_default"},
		{`{"epochs": 3}`, "unknown field"},
		{`{"options": {"valid": "0.2"}}`, "request body must be"},
		{`[1]`, "request body must be"},
		{`{} {}`, "after the JSON value"},
		{"{\"data\": \"\xff\"}", "not valid UTF-8"},
	} {
		w := e.do(t, http.MethodPost, "/train", c.body, nil)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), c.want) {
			t.Errorf("%s: %d %s, want 400 with %q", c.body, w.Code, w.Body.String(), c.want)
		}
	}
	big := `{"data": "` + strings.Repeat("x", maxTrainBody) + `"}`
	if w := e.do(t, http.MethodPost, "/train", big, nil); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("big body: %d", w.Code)
	}
	// An empty body trains on the stored examples.
	if w := e.do(t, http.MethodPost, "/train", "", nil); w.Code != http.StatusAccepted {
		t.Errorf("empty body: %d %s", w.Code, w.Body.String())
	}
}

func TestStatusUnknownTask(t *testing.T) {
	e := newTaskEnv(t, nil)
	for _, id := range []string{"0123456789abcdef", "nope", "0123456789ABCDEF", strings.Repeat("a", 100)} {
		w := e.do(t, http.MethodGet, "/status/"+id, "", nil)
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s", id, w.Code, w.Body.String())
		}
	}
}

// TestTasksQueueOneAtATime holds the first task in its reload step and
// checks the second waits, queued, until the first ends.
func TestTasksQueueOneAtATime(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	release := make(chan struct{})
	e.versions.reload = func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	first := e.train(t, `{}`)
	s := e.wait(t, first, "in its write step", func(s taskJSON) bool { return s.Stage == "write" })
	if s.State != "training" || s.Progress < 0.9 || s.Progress >= 1 {
		t.Errorf("first task: %s %s %v", s.State, s.Stage, s.Progress)
	}
	second := e.train(t, `{"make_default": "never"}`)
	time.Sleep(100 * time.Millisecond)
	if s := e.status(t, second); s.State != "queued" || s.StartedAt != nil || s.Progress != 0 {
		t.Errorf("second task while the first runs: %+v", s)
	}
	var list tasksJSON
	e.do(t, http.MethodGet, "/tasks", "", &list)
	if len(list.Tasks) != 2 || list.Tasks[0].TaskID != second || list.Tasks[1].TaskID != first {
		t.Errorf("GET /tasks: %+v", list)
	}
	e.do(t, http.MethodGet, "/tasks?state=queued", "", &list)
	if len(list.Tasks) != 1 || list.Tasks[0].TaskID != second {
		t.Errorf("GET /tasks?state=queued: %+v", list)
	}
	close(release)
	s1, s2 := e.waitDone(t, first), e.waitDone(t, second)
	if s1.State != "trained" || s2.State != "trained" || s1.Version != 1 || s2.Version != 2 {
		t.Fatalf("first %s v%d (%s), second %s v%d (%s)", s1.State, s1.Version, s1.Error, s2.State, s2.Version, s2.Error)
	}
	if !s2.StartedAt.After(*s1.FinishedAt) && !s2.StartedAt.Equal(*s1.FinishedAt) {
		t.Errorf("second started %v before the first finished %v", s2.StartedAt, s1.FinishedAt)
	}
	// make_default never: version 1 stays the default.
	if *s2.Default || !*s1.Default {
		t.Errorf("defaults: first %v, second %v (%s)", *s1.Default, *s2.Default, s2.DefaultReason)
	}
	for _, c := range []string{"?state=dancing", "?limit=0", "?limit=x"} {
		if w := e.do(t, http.MethodGet, "/tasks"+c, "", nil); w.Code != http.StatusBadRequest {
			t.Errorf("GET /tasks%s: %d", c, w.Code)
		}
	}
}

func TestQueueLimit(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.svc.Close() // stop the worker: tasks stay queued
	for range jobs.MaxQueued {
		e.train(t, `{}`)
	}
	w := e.do(t, http.MethodPost, "/train", `{}`, nil)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("over the queue limit: %d %s", w.Code, w.Body.String())
	}
}

// A restart keeps the queued tasks (acknowledged work: they run) and fails
// the task the previous process was running, once its lease is over; a
// task another live server runs is left alone while its heartbeat is
// fresh, and failed when it stops.
func TestRestartAndStaleTasks(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	e.svc.Close() // stop the worker: tasks stay queued
	db, err := sqlite.Open(e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// A task a live server has just claimed.
	alive, _ := db.CreateTask(ctx, nil)
	if _, err := db.ClaimNext(ctx, "the-other-server"); err != nil {
		t.Fatal(err)
	}
	// A task a dead process was training an hour ago (no heartbeat since).
	dead, _ := db.CreateTask(ctx, nil)
	dead.State, dead.Stage, dead.StartedAt = store.Training, "fit", time.Now().Add(-time.Hour)
	must(t, db.UpdateTask(ctx, dead))
	queued := e.train(t, `{}`)
	e.svc.Close()
	e.lease = 300 * time.Millisecond
	e.start(t, nil)
	if s := e.status(t, dead.ID); s.State != "failed" || !strings.Contains(s.Error, "stopped (no heartbeat within the lease)") || s.FinishedAt == nil {
		t.Errorf("the dead server's task after restart: %s %q", s.State, s.Error)
	}
	if s := e.status(t, alive.ID); s.State != "preprocessing" {
		t.Errorf("the live server's task at restart: %s %q", s.State, s.Error)
	}
	if s := e.waitDone(t, queued); s.State != "trained" {
		t.Errorf("the queued task after restart: %s %q", s.State, s.Error)
	}
	// The other server never beats: its task is failed after the lease.
	e.wait(t, alive.ID, "failed as stale", func(s taskJSON) bool { return s.State == "failed" })
}

func TestShutdownFailsTheRunningTask(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	e.versions.reload = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	id := e.train(t, `{}`)
	e.wait(t, id, "in its write step", func(s taskJSON) bool { return s.Stage == "write" })
	e.cancel()
	e.svc.Close()
	db, err := sqlite.Open(e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	task, err := db.Task(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if task.State != store.Failed || task.Error != "interrupted: server shutting down" || task.FinishedAt.IsZero() {
		t.Errorf("after shutdown: %s %q", task.State, task.Error)
	}
	// Cut before its version appeared: no version, and none on disk.
	var res jobs.Result
	json.Unmarshal(task.Result, &res)
	if vs, _ := modelrepo.Versions(e.models); res.Version != 0 || len(vs) != 0 {
		t.Errorf("a version survived a shutdown before publishing: result %s, versions %v", task.Result, vs)
	}
}

func TestMakeDefault(t *testing.T) {
	const prev = 100 // the default before the task: a version trained earlier
	for _, c := range []struct {
		name        string
		makeDefault string
		prevAcc     float64 // < 0: no default before
		wantPins    []string
		wantDefault bool
		reason      string
	}{
		{"if_better, better", "if_better", 0.1, []string{"pin 1"}, true, "beats version 100's 0.1000: version 1 pinned"},
		{"if_better, worse", "if_better", 1.01, []string{"held 1"}, false, "does not beat version 100's 1.0100: version 1 is held and version 100 stays the default"},
		{"if_better, equal is not better", "if_better", -2, []string{"held 1"}, false, "does not beat"},
		{"if_better, no default", "if_better", -1, []string{"pin 1"}, true, "no version was the default"},
		{"default is if_better", "", 1.01, []string{"held 1"}, false, "does not beat"},
		{"always", "always", 1.01, []string{"pin 1"}, true, "make_default always"},
		{"never", "never", 0.1, []string{"held 1"}, false, "version 1 is held out of the default"},
		{"never, no default", "never", -1, []string{"held 1"}, false, "version 1 is held out of the default"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newTaskEnv(t, nil)
			e.addExamples(t, numericIntents)
			acc := c.prevAcc
			if acc == -2 { // the accuracy the new version will have
				acc = trainedAccuracy(t)
			}
			if acc >= 0 {
				e.versions.preset(prev, acc)
			}
			body := `{}`
			if c.makeDefault != "" {
				body = `{"make_default": "` + c.makeDefault + `"}`
			}
			s := e.waitDone(t, e.train(t, body))
			if s.State != "trained" {
				t.Fatalf("%s: %s", s.State, s.Error)
			}
			if _, decisions := e.versions.state(); !slices.Equal(decisions, c.wantPins) {
				t.Errorf("decisions %v, want %v", decisions, c.wantPins)
			}
			held, _ := modelrepo.IsHeld(filepath.Join(e.models, "1"))
			if held == c.wantDefault {
				t.Errorf("version 1 held=%v on disk, want %v", held, !c.wantDefault)
			}
			if s.Default == nil || *s.Default != c.wantDefault || !strings.Contains(s.DefaultReason, c.reason) {
				t.Errorf("default %v %q, want %v with %q", s.Default, s.DefaultReason, c.wantDefault, c.reason)
			}
		})
	}
}

func TestPublishFailuresFailTheTask(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	e.versions.reload = func(context.Context) error { return errors.New("no space left on device") }
	s := e.waitDone(t, e.train(t, `{"make_default": "always"}`))
	if s.State != "failed" || !strings.Contains(s.Error, "no space left on device") || s.Version != 0 {
		t.Errorf("publish failure: %s %q version %d", s.State, s.Error, s.Version)
	}
	if vs, _ := modelrepo.Versions(e.models); len(vs) != 0 {
		t.Errorf("versions %v after a failed publish", vs)
	}
}

// trainedAccuracy is the validation accuracy a default task reaches on
// numericIntents (training is deterministic).
func trainedAccuracy(t *testing.T) float64 {
	t.Helper()
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	s := e.waitDone(t, e.train(t, `{}`))
	if s.Metrics == nil {
		t.Fatalf("%s: %s", s.State, s.Error)
	}
	return s.Metrics.Accuracy
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// copyDir copies the files of src (not recursively) into a new folder dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	must(t, os.MkdirAll(dst, 0o755))
	entries, err := os.ReadDir(src)
	must(t, err)
	for _, en := range entries {
		if en.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, en.Name()))
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dst, en.Name()), b, 0o644))
	}
}

// options.refit publishes a model trained on every question, measured
// before on the held-out ones.
func TestTrainRefit(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	s := e.waitDone(t, e.train(t, `{"options": {"refit": true}}`))
	if s.State != "trained" || s.Metrics == nil || s.Metrics.RefitOn != 24 || s.Metrics.NValid == 0 {
		t.Fatalf("%s %q metrics %+v", s.State, s.Error, s.Metrics)
	}
	m, err := modelrepo.LoadPath(filepath.Join(e.models, "1"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta().NTrain != 24 {
		t.Errorf("the published model was trained on %d questions, want 24", m.Meta().NTrain)
	}
}

// "search" tunes on the validation split before the final fit; the table
// is kept in the version folder.
func TestTrainSearch(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	s := e.waitDone(t, e.train(t, `{"search": {"budget": 4, "space": {"c": [0.1, 10], "solvers": ["l2"], "class_weights": ["none"], "min_df": [1], "word_ngrams": [1, 2], "char_ranges": [[2, 4]]}}}`))
	if s.State != "trained" || s.Search == nil || s.Search.Configurations != 4 || s.Search.Best.C == 0 {
		t.Fatalf("%s %q search %+v", s.State, s.Error, s.Search)
	}
	if _, err := os.Stat(filepath.Join(e.models, "1", "tune.csv")); err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		`{"search": {"metric": "f2"}}`:           "search: metric",
		`{"search": {"budget": 100000}}`:         "at most 200",
		`{"search": {"space": {"c": [-1]}}}`:     "search: C -1",
		`{"search": {"space": {"x": [1]}}}`:      "unknown field",
		`{"search": {"search": "bayesian"}}`:     "use grid or random",
		`{"search": {"space": {"solvers": []}}}`: "at least one value",
	} {
		w := e.do(t, http.MethodPost, "/train", body, nil)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s, want 400 with %q", body, w.Code, w.Body, want)
		}
	}
}

// "model" trains into a named model.
func TestTrainNamedModel(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	s := e.waitDone(t, e.train(t, `{"model": "support"}`))
	if s.State != "trained" || s.Version != 1 {
		t.Fatalf("%s %q version %d", s.State, s.Error, s.Version)
	}
	if _, err := os.Stat(filepath.Join(e.models, "named", "support", "1", modelrepo.ModelFile)); err != nil {
		t.Fatal(err)
	}
	if vs, _ := modelrepo.Versions(e.models); len(vs) != 0 {
		t.Errorf("the default model got versions %v", vs)
	}
	if w := e.do(t, "POST", "/train", `{"model": "Not A Name"}`, nil); w.Code != 400 {
		t.Errorf("a bad model name: %d %s", w.Code, w.Body)
	}
}

// A task over the server's bound fails with a clear reason, reading no
// more of the data than the bound.
func TestTrainOverTheBound(t *testing.T) {
	e := newTaskEnv(t, nil)
	e.addExamples(t, numericIntents)
	e.svc.Close()
	e.maxExamples = 10
	e.start(t, nil)
	s := e.waitDone(t, e.train(t, `{}`))
	if s.State != "failed" || !strings.Contains(s.Error, "more than 10 questions") || !strings.Contains(s.Error, "--max-train-examples") {
		t.Fatalf("%s %q", s.State, s.Error)
	}
}
