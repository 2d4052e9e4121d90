package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/errcode"
	"intent/internal/serve/jobs"
	"intent/store"
)

// queuedJSON is the answer of POST /train.
type queuedJSON struct {
	TaskID string `json:"task_id"`
	State  string `json:"state"`
	Status string `json:"status"` // where to poll
}

// tasksAPI serves the examples and the training tasks: the job runner,
// the store it runs on, and the routes over both.
type tasksAPI struct {
	jobs *jobs.Service
	db   store.Store
	log  *slog.Logger
	// intent is the GET /intent handler, which answers the predictions of
	// stored examples; the router sets it.
	intent http.Handler
}

func newTasksAPI(svc *jobs.Service, log *slog.Logger) *tasksAPI {
	return &tasksAPI{jobs: svc, db: svc.Store(), log: log}
}

// Limits of the examples and training endpoints.
const (
	maxExamplesBody  = 1 << 20 // bytes in a POST /examples body
	maxExamplesBatch = 1000    // examples in one POST /examples
	maxExampleText   = 10000   // characters (code points) in one example
	maxIntentLen     = 200     // characters in an intent
	maxSourceLen     = 200     // characters in an example's source
	defaultPageSize  = 100     // GET /examples without limit
	maxPageSize      = 1000    // GET /examples?limit=
	maxTrainBody     = 64 << 10
	defaultTaskList  = 50 // GET /tasks without limit
	maxTaskList      = 500
)

// routes registers the examples and training endpoints. auth guards the
// ones that change something.
func (t *tasksAPI) routes(handle func(path string, h http.Handler, methods ...string), auth func(http.Handler) http.Handler) {
	handle("/examples", auth(t.handleAddExamples()), http.MethodPost)
	handle("/examples", t.handleListExamples(), http.MethodGet)
	handle("/examples", auth(t.handleDeleteExamples()), http.MethodDelete)
	// One example, by id or by the caller's key (examples.go).
	for _, path := range []string{"/examples/by-key/{key}", "/examples/{id}"} {
		handle(path, t.handleGetExample(), http.MethodGet)
		handle(path, auth(t.handleDeleteExample()), http.MethodDelete)
	}
	handle("/train", auth(t.handleTrain()), http.MethodPost)
	handle("/status/{task_id}", t.handleStatus(), http.MethodGet)
	handle("/tasks", t.handleTasks(), http.MethodGet)
}

// handleTrain answers POST /train: 202 with the task id once the task is
// queued, and a Location header pointing at its status.
func (t *tasksAPI) handleTrain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := t.readPlan(w, r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		task, err := t.jobs.Submit(r.Context(), p)
		if err != nil {
			if errcode.Is(err, errcode.Unavailable) {
				w.Header().Set("Retry-After", "60")
			}
			writeError(w, r, t.log, err)
			return
		}
		loc := "/status/" + task.ID
		w.Header().Set("Location", loc)
		writeJSON(w, http.StatusAccepted, queuedJSON{TaskID: task.ID, State: string(task.State), Status: loc})
	})
}

// taskJSON is a task as GET /status/{task_id} and GET /tasks show it.
type taskJSON struct {
	TaskID     string          `json:"task_id"`
	State      string          `json:"state"`
	Stage      string          `json:"stage"`
	Progress   float64         `json:"progress"`
	CreatedAt  time.Time       `json:"created_at"`
	StartedAt  *time.Time      `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Request    json.RawMessage `json:"request"`
	Timings    json.RawMessage `json:"timings"`
	DataReport json.RawMessage `json:"data_report"`
	Error      string          `json:"error,omitempty"`
	jobs.Result
	// Callback, for a task with one, is where its events go and every
	// delivery attempt (jobs.CallbackState).
	Callback json.RawMessage `json:"callback,omitempty"`
}

func newTaskJSON(task store.Task) taskJSON {
	j := taskJSON{
		TaskID: task.ID, State: string(task.State), Stage: task.Stage, Progress: task.Progress,
		CreatedAt: task.CreatedAt, Request: task.Request, Timings: task.Timings,
		DataReport: task.DataReport, Error: task.Error, Callback: task.Callback,
	}
	if !task.StartedAt.IsZero() {
		j.StartedAt = &task.StartedAt
	}
	if !task.FinishedAt.IsZero() {
		j.FinishedAt = &task.FinishedAt
	}
	if len(task.Result) > 0 {
		// Written by this program; a row that does not decode shows without
		// its result rather than failing the request.
		_ = json.Unmarshal(task.Result, &j.Result)
	}
	return j
}

// taskIDPattern is the shape of the ids CreateTask makes.
var taskIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// handleStatus answers GET /status/{task_id}.
func (t *tasksAPI) handleStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := mux.Vars(r)["task_id"]
		if !taskIDPattern.MatchString(id) {
			writeError(w, r, t.log, errUnknownTask(id))
			return
		}
		task, err := t.db.Task(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			writeError(w, r, t.log, errUnknownTask(id))
			return
		}
		if err != nil {
			writeError(w, r, t.log, storeError(err, "read task "+id))
			return
		}
		writeJSON(w, http.StatusOK, newTaskJSON(task))
	})
}

// tasksJSON is the answer of GET /tasks.
type tasksJSON struct {
	Tasks []taskJSON `json:"tasks"`
}

// handleTasks answers GET /tasks[?state=queued][&limit=N]: the newest
// tasks first.
func (t *tasksAPI) handleTasks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := parseQuery(r)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		state := store.State(q.Get("state"))
		switch state {
		case "", store.Queued, store.Preprocessing, store.Training, store.Trained, store.Failed:
		default:
			writeError(w, r, t.log, errorf(kindInvalid, "state %q: use queued, preprocessing, training, trained or failed", truncate(string(state), 20)))
			return
		}
		limit, err := intParam(q.Get("limit"), "limit", defaultTaskList, 1, maxTaskList)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		tasks, err := t.db.Tasks(r.Context(), state, limit)
		if err != nil {
			writeError(w, r, t.log, storeError(err, "list tasks"))
			return
		}
		out := tasksJSON{Tasks: make([]taskJSON, len(tasks))}
		for i, task := range tasks {
			out.Tasks[i] = newTaskJSON(task)
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// intParam parses an optional integer query parameter in [lo, hi].
func intParam(s, name string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errorf(kindInvalid, "%s must be an integer between %d and %d, got %q", name, lo, hi, truncate(s, 20))
	}
	return n, nil
}

// readBody is readJSON (body.go), the API's one strict JSON reader.
func readBody(w http.ResponseWriter, r *http.Request, max int64, dst any, shape string, emptyOK bool) error {
	return readJSON(w, r, max, dst, shape, emptyOK)
}

// readRawBody is readRaw (body.go): a body of at most max bytes that must
// be UTF-8.
func readRawBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	return readRaw(w, r, max)
}

// errUnknownTask is the 404 of /status.
func errUnknownTask(id string) error {
	return errorf(kindNotFound, "unknown task %q", truncate(id, 40))
}

// storeError turns a store error into an API error: ErrNotFound is 404
// with msg, ErrConflict 409 with the store's message (what conflicts),
// anything else internal.
func storeError(err error, msg string) error {
	if errors.Is(err, store.ErrNotFound) {
		return errorf(kindNotFound, "%s", msg)
	}
	if ce := errcode.Of(err); ce != nil && ce.Code == errcode.Conflict && errors.Is(err, store.ErrConflict) {
		return errorf(kindConflict, "%s", ce.Msg)
	}
	return &apiError{Code: kindInternal, Msg: "internal error", Err: fmt.Errorf("%s: %w", msg, err)}
}
