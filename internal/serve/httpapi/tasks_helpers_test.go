package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"intent/modelrepo"
	"intent/store"
)

// fakeVersions stands for the registry: Reload reads the accuracies of the
// version folders under dir from their report.json; the default is the
// pinned version, else the newest known one. preset versions (known
// without a folder) stand for versions trained before the test.
type fakeVersions struct {
	dir string

	mu      sync.Mutex
	accs    map[int]float64
	pinned  int
	pins    []int
	reloads int
	// reload, when set, runs at the start of Reload (to block it).
	reload func(ctx context.Context) error
	pinErr error // Pin fails with it when set
}

func newFakeVersions(dir string) *fakeVersions {
	return &fakeVersions{dir: dir, accs: map[int]float64{}}
}

// preset adds a version known without a folder, as if loaded earlier.
func (f *fakeVersions) preset(n int, acc float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.accs[n] = acc
}

func (f *fakeVersions) Reload(ctx context.Context) error {
	f.mu.Lock()
	hook := f.reload
	f.reloads++
	f.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return err
		}
	}
	ns, err := modelrepo.Versions(f.dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range ns {
		b, err := os.ReadFile(filepath.Join(f.dir, strconv.Itoa(n), modelrepo.ReportFile))
		if err != nil {
			continue // a failed version
		}
		var rep struct {
			Accuracy float64 `json:"accuracy"`
		}
		if json.Unmarshal(b, &rep) == nil {
			f.accs[n] = rep.Accuracy
		}
	}
	return nil
}

func (f *fakeVersions) DefaultVersion() (int, float64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pinned > 0 {
		return f.pinned, f.accs[f.pinned], true
	}
	if len(f.accs) == 0 {
		return 0, 0, false
	}
	n := slices.Max(mapKeys(f.accs))
	return n, f.accs[n], true
}

func (f *fakeVersions) Pin(n int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pinErr != nil {
		return f.pinErr
	}
	if _, ok := f.accs[n]; !ok {
		return fmt.Errorf("version %d is not loaded", n)
	}
	f.pinned = n
	f.pins = append(f.pins, n)
	return nil
}

func (f *fakeVersions) state() (reloads int, pins []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reloads, slices.Clone(f.pins)
}

func mapKeys(m map[int]float64) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// taskEnv is a task service under test, its folders and its routes.
type taskEnv struct {
	svc      *taskService
	h        http.Handler
	versions *fakeVersions
	db       string
	dataDir  string
	models   string
	cancel   context.CancelFunc
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
	e.versions = newFakeVersions(e.models)
	e.start(tb, auth)
	return e
}

// start (re)starts the service on the environment's folders.
func (e *taskEnv) start(tb testing.TB, auth func(http.Handler) http.Handler) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := newTaskService(ctx, taskConfig{
		DB: e.db, DataDir: e.dataDir, ModelsDir: e.models,
		Log:      slog.New(slog.NewTextHandler(&syncBuffer{}, nil)),
		Versions: e.versions,
	})
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cancel(); svc.Close() })
	e.svc, e.cancel = svc, cancel
	e.h = taskRouter(svc, auth)
}

// taskRouter mounts the service's routes as routes.go would.
func taskRouter(svc *taskService, auth func(http.Handler) http.Handler) http.Handler {
	if auth == nil {
		auth = func(h http.Handler) http.Handler { return h }
	}
	r := mux.NewRouter()
	svc.routes(func(path string, h http.Handler, methods ...string) {
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
