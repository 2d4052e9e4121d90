package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/serve/jobs"
	"intent/model"
	"intent/modelrepo"
	"intent/store"
	"intent/store/sqlite"
)

// fakeVersions stands for the registry: Publish stores the version in a
// real models folder and records the decision ("pin 1", "held 1"); the
// default is the last pinned or plain version, else the preset one.
// preset versions (known without a folder) stand for versions trained
// before the test.
type fakeVersions struct {
	repo *modelrepo.Repo

	mu        sync.Mutex
	accs      map[int]float64
	def       int
	decisions []string
	publishes int
	// reload, when set, runs at the start of Publish (to block or fail it).
	reload func(ctx context.Context) error
}

func newFakeVersions(dir string) *fakeVersions {
	return &fakeVersions{repo: modelrepo.New(dir), accs: map[int]float64{}}
}

// preset makes n, with accuracy acc, the default known before the test.
func (f *fakeVersions) preset(n int, acc float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accs[n], f.def = acc, n
}

func (f *fakeVersions) Publish(ctx context.Context, p modelrepo.Publish, m *model.Model) (int, error) {
	f.mu.Lock()
	hook := f.reload
	f.publishes++
	f.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return 0, err
		}
	}
	n, err := f.repo.Publish(p)
	if err != nil {
		return 0, err
	}
	var rep struct {
		Accuracy float64 `json:"accuracy"`
	}
	json.Unmarshal(p.Files[modelrepo.ReportFile], &rep)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accs[n] = rep.Accuracy
	switch {
	case p.Pin:
		f.def = n
		f.decisions = append(f.decisions, fmt.Sprintf("pin %d", n))
	case p.Held != "":
		f.decisions = append(f.decisions, fmt.Sprintf("held %d", n))
	default:
		f.def = n
		f.decisions = append(f.decisions, fmt.Sprintf("plain %d", n))
	}
	return n, nil
}

func (f *fakeVersions) DefaultVersion() (int, float64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.def == 0 {
		return 0, 0, false
	}
	return f.def, f.accs[f.def], true
}

func (f *fakeVersions) state() (publishes int, decisions []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.publishes, slices.Clone(f.decisions)
}

// taskEnv is a task service under test, its folders and its routes.
type taskEnv struct {
	svc *jobs.Service
	h   http.Handler
	// serveData is the data folder the service confines paths to:
	// dataDir, or "" for a server without one.
	serveData string
	// lease is the service's task lease (0: the default).
	lease time.Duration
	// maxExamples bounds what a task trains on (0: no bound).
	maxExamples int
	// callbackHosts is the service's callback allow-list (none: callbacks
	// are refused); deliveries are retried after 5 ms, 10 ms, ...
	callbackHosts jobs.CallbackHosts
	versions      *fakeVersions
	db            string
	dataDir       string
	models        string
	cancel        context.CancelFunc
}

// newTaskEnv starts a task service on fresh folders, its routes mounted on
// a mux.Router with auth (pass-through when nil). The service is closed at
// the end of the test.
func newTaskEnv(tb testing.TB, auth func(http.Handler) http.Handler) *taskEnv {
	tb.Helper()
	root := tb.TempDir()
	e := &taskEnv{
		db:      filepath.Join(root, "intent.db"),
		dataDir: filepath.Join(root, "data"),
		models:  filepath.Join(root, "models"),
	}
	if err := os.Mkdir(e.dataDir, 0o755); err != nil {
		tb.Fatal(err)
	}
	e.serveData = e.dataDir
	e.versions = newFakeVersions(e.models)
	e.start(tb, auth)
	return e
}

// start (re)starts the service on the environment's folders.
func (e *taskEnv) start(tb testing.TB, auth func(http.Handler) http.Handler) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := sqlite.Open(e.db)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	svc, err := jobs.New(ctx, jobs.Config{
		Store: db, DataDir: e.serveData, Lease: e.lease, Poll: 50 * time.Millisecond, MaxExamples: e.maxExamples,
		CallbackHosts: e.callbackHosts, CallbackBackoff: 5 * time.Millisecond,
		Models: func(ctx context.Context, name string) (jobs.Versions, error) {
			return newFakeVersions(filepath.Join(e.models, "named", name)), nil
		},
		Log:      slog.New(slog.NewTextHandler(&syncBuffer{}, nil)),
		Versions: e.versions,
	})
	if err != nil {
		cancel()
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cancel(); svc.Close(); db.Close() })
	e.svc, e.cancel = svc, cancel
	e.h = taskRouter(svc, auth)
}

// taskRouter mounts the service's routes as routes.go would.
func taskRouter(svc *jobs.Service, auth func(http.Handler) http.Handler) http.Handler {
	if auth == nil {
		auth = func(h http.Handler) http.Handler { return h }
	}
	r := mux.NewRouter()
	newTasksAPI(svc, quiet).routes(func(path string, h http.Handler, methods ...string) {
		r.Handle(path, h).Methods(methods...)
	}, auth)
	return r
}

// do sends one request and decodes a JSON answer into out (when not nil).
func (e *taskEnv) do(tb testing.TB, method, target, body string, out any) *httptest.ResponseRecorder {
	tb.Helper()
	w := serve(tb, e.h, method, target, body)
	if out != nil && w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			tb.Fatalf("%s %s: cannot decode %q: %v", method, target, w.Body.String(), err)
		}
	}
	return w
}

// train posts a training request and returns the task id; it fails the
// test unless the answer is 202.
func (e *taskEnv) train(tb testing.TB, body string) string {
	tb.Helper()
	var q queuedJSON
	w := e.do(tb, http.MethodPost, "/train", body, &q)
	if w.Code != http.StatusAccepted {
		tb.Fatalf("POST /train %s: %d %s", body, w.Code, w.Body.String())
	}
	if q.State != "queued" || w.Header().Get("Location") != "/status/"+q.TaskID || q.Status != "/status/"+q.TaskID {
		tb.Fatalf("POST /train: %+v, Location %q", q, w.Header().Get("Location"))
	}
	return q.TaskID
}

// status reads a task's status.
func (e *taskEnv) status(tb testing.TB, id string) taskJSON {
	tb.Helper()
	var s taskJSON
	if w := e.do(tb, http.MethodGet, "/status/"+id, "", &s); w.Code != http.StatusOK {
		tb.Fatalf("GET /status/%s: %d %s", id, w.Code, w.Body.String())
	}
	return s
}

// wait polls a task until cond holds, failing the test after a minute.
func (e *taskEnv) wait(tb testing.TB, id string, what string, cond func(taskJSON) bool) taskJSON {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		s := e.status(tb, id)
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatalf("task %s: still not %s after a minute: %+v", id, what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitDone polls a task until it is trained or failed.
func (e *taskEnv) waitDone(tb testing.TB, id string) taskJSON {
	tb.Helper()
	return e.wait(tb, id, "finished", func(s taskJSON) bool { return store.State(s.State).Finished() })
}

// addExamples stores the tiny training set of helpers_test.go through the
// API.
func (e *taskEnv) addExamples(tb testing.TB, intents map[string][]string) {
	tb.Helper()
	var list []map[string]any
	for _, ex := range examples(intents) {
		list = append(list, map[string]any{"text": ex.Text, "intent": ex.Label})
	}
	b, _ := json.Marshal(list)
	if w := e.do(tb, http.MethodPost, "/examples", string(b), nil); w.Code != http.StatusCreated {
		tb.Fatalf("POST /examples: %d %s", w.Code, w.Body.String())
	}
}
