package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/serve/jobs"
	"intent/store/sqlite"
)

// The plugin workflow: a dry run (POST /check), then POST /train with a
// callback, whose events a local receiver gets (jobs/callback.go).

// receiver is a callback receiver on 127.0.0.1: it records every event it
// gets and answers with the statuses of answers in turn (200 once they run
// out).
type receiver struct {
	srv *httptest.Server

	mu      sync.Mutex
	answers []int
	got     []map[string]any
	raw     []string
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	rc := &receiver{answers: answers}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &ev) != nil {
			t.Errorf("callback: %s %s %q", r.Method, r.Header.Get("Content-Type"), b)
		}
		rc.mu.Lock()
		rc.got, rc.raw = append(rc.got, ev), append(rc.raw, string(b))
		status := http.StatusOK
		if len(rc.answers) > 0 {
			status, rc.answers = rc.answers[0], rc.answers[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// host is the receiver's host:port, for the allow-list.
func (rc *receiver) host() string { return strings.TrimPrefix(rc.srv.URL, "http://") }

func (rc *receiver) events() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.got...)
}

// names lists the events received, in order.
func (rc *receiver) names() string {
	var out []string
	for _, ev := range rc.events() {
		out = append(out, fmt.Sprint(ev["event"]))
	}
	return strings.Join(out, " ")
}

// newPluginEnv is a task service allowing callbacks to hosts, with the
// training and the curating routes (POST /check) mounted.
func newPluginEnv(t *testing.T, hosts ...string) *taskEnv {
	t.Helper()
	e := newTaskEnv(t, nil)
	if len(hosts) > 0 {
		h, err := jobs.ParseCallbackHosts(strings.Join(hosts, ","))
		must(t, err)
		e.callbackHosts = h
		e.cancel() // the service newTaskEnv started, without the allow-list
		e.svc.Close()
		e.start(t, nil)
	}
	r := mux.NewRouter()
	api := newTasksAPI(e.svc, quiet)
	h := func(path string, h http.Handler, methods ...string) { r.Handle(path, h).Methods(methods...) }
	pass := func(h http.Handler) http.Handler { return h }
	api.routes(h, pass)
	api.curateRoutes(h, pass, nil)
	e.h = r
	return e
}

// callbackOf reads a task's callback state from GET /status.
func callbackOf(t *testing.T, s taskJSON) jobs.CallbackState {
	t.Helper()
	var c jobs.CallbackState
	if len(s.Callback) > 0 {
		must(t, json.Unmarshal(s.Callback, &c))
	}
	return c
}

// waitDeliveries polls the task until its callback shows n deliveries.
func waitDeliveries(t *testing.T, e *taskEnv, id string, n int) jobs.CallbackState {
	t.Helper()
	s := e.wait(t, id, fmt.Sprintf("%d callback deliveries", n), func(s taskJSON) bool {
		return finished(s) && len(callbackOf(t, s).Deliveries) >= n
	})
	return callbackOf(t, s)
}

// finished reports whether a task ended.
func finished(s taskJSON) bool { return s.State == "trained" || s.State == "failed" }

func TestPluginFlow(t *testing.T) {
	rc := newReceiver(t, http.StatusInternalServerError) // the first delivery fails, the retry succeeds
	e := newPluginEnv(t, rc.host())
	name := writeColumnsFile(t, e.dataDir)
	ids := `"ids": {"project_id": "proj-7", "plugin_id": 42}`

	// Is it applicable? The dry run takes the same fields as the training.
	var rep jobs.DataReport
	w := e.do(t, "POST", "/check", `{"dataset": "`+name+`", "text_col": "body", "label_col": "tag", "callback": {"url": "`+rc.srv.URL+`/hook", `+ids+`}}`, &rep)
	if w.Code != 200 || !rep.Usable || rep.Intents != 3 {
		t.Fatalf("dry run: %d %s", w.Code, w.Body)
	}
	if got := rc.names(); got != "" {
		t.Errorf("the dry run sent events: %s", got)
	}

	id := e.train(t, `{"dataset": "`+name+`", "text_col": "body", "label_col": "tag", "callback": {"url": "`+rc.srv.URL+`/hook", `+ids+`}}`)
	cb := waitDeliveries(t, e, id, 3)
	if got := rc.names(); got != "TRAINING_START TRAINING_START MODEL_NAME" {
		t.Fatalf("events %q, want TRAINING_START (500), TRAINING_START again, MODEL_NAME", got)
	}
	for i, ev := range rc.events() {
		if ev["project_id"] != "proj-7" || ev["plugin_id"] != float64(42) || ev["task_id"] != id || ev["time"] == nil {
			t.Errorf("event %d does not echo the ids and the task: %v", i, ev)
		}
	}
	last := rc.events()[2]
	if last["model"] != "default" || last["version"] != float64(1) {
		t.Errorf("MODEL_NAME: %v", last)
	}
	if !strings.HasPrefix(rc.raw[0], `{"event":"TRAINING_START","plugin_id":42,"project_id":"proj-7","task_id":"`+id+`","time":"`) {
		t.Errorf("the event's JSON: %s", rc.raw[0])
	}

	// Every attempt is recorded in the task, as GET /status shows it.
	if cb.URL != rc.srv.URL+"/hook" || len(cb.Deliveries) != 3 {
		t.Fatalf("callback state %+v", cb)
	}
	for i, want := range []struct {
		event, outcome  string
		attempt, status int
	}{{"TRAINING_START", "retrying", 1, 500}, {"TRAINING_START", "delivered", 2, 200}, {"MODEL_NAME", "delivered", 1, 200}} {
		d := cb.Deliveries[i]
		if d.Event != want.event || d.Outcome != want.outcome || d.Attempt != want.attempt || d.Status != want.status || d.At.IsZero() {
			t.Errorf("delivery %d: %+v, want %+v", i, d, want)
		}
	}
	s := e.status(t, id)
	var plan jobs.Plan
	must(t, json.Unmarshal(s.Request, &plan))
	if plan.Callback == nil || plan.Callback.URL != rc.srv.URL+"/hook" || string(plan.Callback.IDs["plugin_id"]) != "42" {
		t.Errorf("the task's request: %s", s.Request)
	}
	// A task without a callback shows none.
	e.addExamples(t, numericIntents)
	if s := e.waitDone(t, e.train(t, `{}`)); s.Callback != nil {
		t.Errorf("callback of a task without one: %s", s.Callback)
	}
}

func TestPluginFailedEvent(t *testing.T) {
	rc := newReceiver(t)
	e := newPluginEnv(t, rc.host())
	e.addExamples(t, map[string][]string{"only": {"a question", "another question"}})
	id := e.train(t, `{"callback": {"url": "`+rc.srv.URL+`", "ids": {"project_id": "p"}}}`)
	cb := waitDeliveries(t, e, id, 1)
	// Unusable data fails before training: FAILED alone, with the reason.
	if got := rc.names(); got != "FAILED" {
		t.Fatalf("events %q, want FAILED", got)
	}
	ev := rc.events()[0]
	if reason, _ := ev["reason"].(string); !strings.Contains(reason, "not usable") || ev["project_id"] != "p" || ev["task_id"] != id {
		t.Errorf("FAILED event: %v", ev)
	}
	if len(cb.Deliveries) != 1 || cb.Deliveries[0].Outcome != "delivered" {
		t.Errorf("deliveries %+v", cb.Deliveries)
	}
}

func TestCallbackGivesUp(t *testing.T) {
	always := newReceiver(t, 500, 503, 500, 502, 500, 500, 500, 500, 500, 500)
	refuses := newReceiver(t, http.StatusNotFound)
	elsewhere := newReceiver(t)
	redirects := httptest.NewServer(http.RedirectHandler(elsewhere.srv.URL, http.StatusFound))
	t.Cleanup(redirects.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // nothing listens there now
	e := newPluginEnv(t, always.host(), refuses.host(), strings.TrimPrefix(redirects.URL, "http://"), strings.TrimPrefix(closedURL, "http://"))
	e.addExamples(t, map[string][]string{"only": {"a question", "another question"}})

	// 5xx: tried CallbackTries times, the last attempt "failed".
	cb := waitDeliveries(t, e, e.train(t, `{"callback": {"url": "`+always.srv.URL+`"}}`), jobs.CallbackTries)
	if n := len(always.events()); n != jobs.CallbackTries {
		t.Errorf("%d attempts on 5xx, want %d", n, jobs.CallbackTries)
	}
	if last := cb.Deliveries[len(cb.Deliveries)-1]; last.Outcome != "failed" || last.Attempt != jobs.CallbackTries || last.Status != 500 {
		t.Errorf("last delivery %+v", last)
	}
	// Backoff: each wait is twice the one before (5, 10, 20, 40 ms).
	if d := cb.Deliveries; d[4].At.Sub(d[0].At) < 75*time.Millisecond {
		t.Errorf("5 tries within %v: no backoff", d[4].At.Sub(d[0].At))
	}

	// A 4xx is not retried.
	cb = waitDeliveries(t, e, e.train(t, `{"callback": {"url": "`+refuses.srv.URL+`"}}`), 1)
	time.Sleep(50 * time.Millisecond)
	if n := len(refuses.events()); n != 1 || cb.Deliveries[0].Outcome != "failed" || cb.Deliveries[0].Status != 404 {
		t.Errorf("404: %d attempts, %+v", n, cb.Deliveries)
	}

	// A redirect is not followed (the target is not on the list, and would
	// not be called even if it were).
	cb = waitDeliveries(t, e, e.train(t, `{"callback": {"url": "`+redirects.URL+`"}}`), 1)
	if d := cb.Deliveries[0]; d.Status != http.StatusFound || d.Outcome != "failed" || !strings.Contains(d.Error, "not followed") || len(elsewhere.events()) != 0 {
		t.Errorf("redirect: %+v, %d events elsewhere", d, len(elsewhere.events()))
	}

	// Nobody listening: retried, the error recorded.
	cb = waitDeliveries(t, e, e.train(t, `{"callback": {"url": "`+closedURL+`"}}`), jobs.CallbackTries)
	if d := cb.Deliveries[0]; d.Status != 0 || d.Error == "" || d.Outcome != "retrying" {
		t.Errorf("connection refused: %+v", d)
	}
}

func TestCallbackRefused(t *testing.T) {
	rc := newReceiver(t)
	// A server started without --callback-hosts calls no one.
	none := newPluginEnv(t)
	body := `{"use_examples": true, "callback": {"url": "` + rc.srv.URL + `"}}`
	for _, path := range []string{"/train", "/check"} {
		wantError(t, none.do(t, "POST", path, body, nil), 400, "this server calls no callback URL: its operator allows receivers with --callback-hosts (or CALLBACK_HOSTS)")
	}

	e := newPluginEnv(t, rc.host())
	u, _ := url.Parse(rc.srv.URL)
	otherPort := "http://127.0.0.1:1/"
	if u.Port() == "1" {
		otherPort = "http://127.0.0.1:2/"
	}
	for _, c := range []struct {
		name, callback, msg string
	}{
		{"host not on the list", `{"url": "http://evil.example.com/hook"}`, `callback: host "evil.example.com" is not on this server's allow-list (--callback-hosts)`},
		{"another port", `{"url": "` + otherPort + `"}`, "is not on this server's allow-list"},
		{"localhost is another host", `{"url": "http://localhost:` + u.Port() + `/"}`, "is not on this server's allow-list"},
		{"no url", `{"ids": {"project_id": "p"}}`, `callback: missing "url"`},
		{"not http", `{"url": "file:///etc/passwd"}`, "must be http:// or https://"},
		{"credentials", `{"url": "http://u:p@` + rc.host() + `/"}`, "user or password"},
		{"reserved id", `{"url": "` + rc.srv.URL + `", "ids": {"task_id": "x"}}`, `"task_id" is a field of the events`},
		{"unknown field", `{"url": "` + rc.srv.URL + `", "headers": {}}`, `unknown field "headers"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.do(t, "POST", "/train", `{"use_examples": true, "callback": `+c.callback+`}`, nil), 400, c.msg)
		})
	}
	if got := rc.names(); got != "" {
		t.Errorf("refused requests sent events: %s", got)
	}
	var tasks tasksJSON
	e.do(t, "GET", "/tasks", "", &tasks)
	if len(tasks.Tasks) != 0 {
		t.Errorf("refused requests queued %d tasks", len(tasks.Tasks))
	}
}

// TestCallbackAtShutdown: a task cut short by a shutdown still reports
// FAILED, delivered within Close's grace, and recorded.
func TestCallbackAtShutdown(t *testing.T) {
	rc := newReceiver(t)
	e := newPluginEnv(t, rc.host())
	e.addExamples(t, numericIntents)
	e.versions.reload = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	id := e.train(t, `{"callback": {"url": "`+rc.srv.URL+`", "ids": {"project_id": "p"}}}`)
	e.wait(t, id, "in its write step", func(s taskJSON) bool { return s.Stage == "write" })
	e.cancel()
	start := time.Now()
	e.svc.Close()
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
	if got := rc.names(); got != "TRAINING_START FAILED" {
		t.Fatalf("events %q, want TRAINING_START FAILED", got)
	}
	if reason := rc.events()[1]["reason"]; reason != "interrupted: server shutting down" {
		t.Errorf("reason %v", reason)
	}
	db, err := sqlite.Open(e.db)
	must(t, err)
	defer db.Close()
	task, err := db.Task(context.Background(), id)
	must(t, err)
	var cb jobs.CallbackState
	must(t, json.Unmarshal(task.Callback, &cb))
	if len(cb.Deliveries) != 2 || cb.Deliveries[1].Event != "FAILED" || cb.Deliveries[1].Outcome != "delivered" {
		t.Errorf("recorded: %s", task.Callback)
	}
}
