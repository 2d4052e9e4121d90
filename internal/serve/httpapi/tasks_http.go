package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"intent/model"
	"intent/model/svm"
	"intent/store"
)

// trainRequest is the body of POST /train as sent; absent fields take
// their defaults in plan.
type trainRequest struct {
	Data        string           `json:"data"`
	UseExamples *bool            `json:"use_examples"`
	Options     trainRequestOpts `json:"options"`
	MakeDefault string           `json:"make_default"`
}

type trainRequestOpts struct {
	Valid       *float64 `json:"valid"`
	Seed        *int64   `json:"seed"`
	C           *float64 `json:"c"`
	Solver      string   `json:"solver"`
	MinDF       *int     `json:"min_df"`
	ClassWeight string   `json:"class_weight"`
}

// trainPlan is a validated training request with every default filled in.
// It is what a task stores as its request and what GET /status shows.
type trainPlan struct {
	Data        string        `json:"data,omitempty"`
	UseExamples bool          `json:"use_examples"`
	Options     trainPlanOpts `json:"options"`
	MakeDefault string        `json:"make_default"`
}

type trainPlanOpts struct {
	Valid       float64 `json:"valid"`
	Seed        int64   `json:"seed"`
	C           float64 `json:"c"`
	Solver      string  `json:"solver"`
	MinDF       int     `json:"min_df"`
	ClassWeight string  `json:"class_weight"`
}

// The values of make_default.
const (
	makeDefaultIfBetter = "if_better" // the default: pin the new version only if its accuracy beats the default's
	makeDefaultAlways   = "always"
	makeDefaultNever    = "never"
)

const trainShape = `{"data": "path/under/data-folder", "use_examples": true, "options": {"valid": 0.2, "seed": 42, "c": 1, "solver": "l2", "min_df": 2, "class_weight": "none"}, "make_default": "if_better"}`

// plan validates req and fills in the defaults. dataDir confines data.
func (req trainRequest) plan(dataDir string) (trainPlan, error) {
	def := model.DefaultConfig()
	p := trainPlan{
		Data:        req.Data,
		UseExamples: req.Data == "",
		MakeDefault: makeDefaultIfBetter,
		Options: trainPlanOpts{
			Valid: 0.2, Seed: def.Seed, C: def.SVM.C, Solver: def.SVM.Solver.String(),
			MinDF: def.Features.MinDF, ClassWeight: "none",
		},
	}
	if req.UseExamples != nil {
		p.UseExamples = *req.UseExamples
	}
	if p.Data == "" && !p.UseExamples {
		return p, errorf(kindInvalid, `nothing to train on: give "data" (a path under the data folder), "use_examples": true, or both`)
	}
	if p.Data != "" {
		if _, err := confine(dataDir, p.Data); err != nil {
			return p, err
		}
	}
	o := req.Options
	if o.Valid != nil {
		if !(*o.Valid > 0 && *o.Valid < 1) {
			return p, errorf(kindInvalid, `options.valid must be between 0 and 1 (exclusive), got %v`, *o.Valid)
		}
		p.Options.Valid = *o.Valid
	}
	if o.Seed != nil {
		p.Options.Seed = *o.Seed
	}
	if o.C != nil {
		if !(*o.C > 0 && *o.C <= 1e6) {
			return p, errorf(kindInvalid, `options.c must be > 0 and at most 1e6, got %v`, *o.C)
		}
		p.Options.C = *o.C
	}
	if o.Solver != "" {
		s, err := svm.ParseSolver(o.Solver)
		if err != nil {
			return p, errorf(kindInvalid, `options.solver %q: use l2 (L2-loss one-vs-rest), l1 or cs (Crammer-Singer)`, truncate(o.Solver, 20))
		}
		p.Options.Solver = s.String()
	}
	if o.MinDF != nil {
		if *o.MinDF < 1 || *o.MinDF > 1000 {
			return p, errorf(kindInvalid, `options.min_df must be between 1 and 1000, got %d`, *o.MinDF)
		}
		p.Options.MinDF = *o.MinDF
	}
	switch o.ClassWeight {
	case "":
	case "none", "balanced":
		p.Options.ClassWeight = o.ClassWeight
	default:
		return p, errorf(kindInvalid, `options.class_weight %q: use none or balanced`, truncate(o.ClassWeight, 20))
	}
	switch req.MakeDefault {
	case "":
	case makeDefaultIfBetter, makeDefaultAlways, makeDefaultNever:
		p.MakeDefault = req.MakeDefault
	default:
		return p, errorf(kindInvalid, `make_default %q: use if_better, always or never`, truncate(req.MakeDefault, 20))
	}
	return p, nil
}

// config is the model configuration the plan asks for; workers bounds the
// training's parallelism.
func (p trainPlan) config(workers int) (model.Config, error) {
	cfg := model.DefaultConfig()
	solver, err := svm.ParseSolver(p.Options.Solver)
	if err != nil {
		return cfg, err
	}
	cfg.SVM.Solver = solver
	cfg.SVM.C = p.Options.C
	cfg.Features.MinDF = p.Options.MinDF
	cfg.BalancedWeights = p.Options.ClassWeight == "balanced"
	cfg.Seed = p.Options.Seed
	cfg.Workers = workers
	return cfg, cfg.Validate()
}

// queuedJSON is the answer of POST /train.
type queuedJSON struct {
	TaskID string `json:"task_id"`
	State  string `json:"state"`
	Status string `json:"status"` // where to poll
}

// handleTrain answers POST /train: 202 with the task id once the task is
// queued, and a Location header pointing at its status.
func (t *taskService) handleTrain() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req trainRequest
		if err := readBody(w, r, maxTrainBody, &req, trainShape, true); err != nil {
			writeError(w, r, t.log, err)
			return
		}
		p, err := req.plan(t.cfg.DataDir)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		n, err := t.db.CountQueued(r.Context())
		if err != nil {
			writeError(w, r, t.log, storeError(err, "count queued tasks"))
			return
		}
		if n >= maxQueuedTasks {
			w.Header().Set("Retry-After", "60")
			writeError(w, r, t.log, errorf(kindUnavailable, "%d training tasks are already queued: retry once some have finished (GET /tasks)", n))
			return
		}
		body, err := json.Marshal(p)
		if err != nil {
			writeError(w, r, t.log, err)
			return
		}
		task, err := t.db.CreateTask(r.Context(), body)
		if err != nil {
			writeError(w, r, t.log, storeError(err, "create task"))
			return
		}
		t.notify()
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
	taskResult
}

// taskResult is what a finished training leaves: the version it wrote, its
// metrics, and whether it became the default.
type taskResult struct {
	Version       int          `json:"version,omitempty"`
	Metrics       *taskMetrics `json:"metrics,omitempty"`
	Default       *bool        `json:"default,omitempty"`
	DefaultReason string       `json:"default_reason,omitempty"`
}

// taskMetrics are the versions.Headline numbers of a trained version on its
// validation split.
type taskMetrics struct {
	Accuracy     float64 `json:"accuracy"`
	MacroF1      float64 `json:"macro_f1"`
	MicroF1      float64 `json:"micro_f1"`
	WeightedF1   float64 `json:"weighted_f1"`
	ECEBefore    float64 `json:"ece_before"`
	ECEAfter     float64 `json:"ece_after"`
	NTrain       int     `json:"n_train"`
	NValid       int     `json:"n_valid"`
	NFeatures    int     `json:"n_features"`
	TrainSeconds float64 `json:"train_seconds"`
}

func newTaskJSON(task store.Task) taskJSON {
	j := taskJSON{
		TaskID: task.ID, State: string(task.State), Stage: task.Stage, Progress: task.Progress,
		CreatedAt: task.CreatedAt, Request: task.Request, Timings: task.Timings,
		DataReport: task.DataReport, Error: task.Error,
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
		_ = json.Unmarshal(task.Result, &j.taskResult)
	}
	return j
}

// taskIDPattern is the shape of the ids CreateTask makes.
var taskIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// handleStatus answers GET /status/{task_id}.
func (t *taskService) handleStatus() http.Handler {
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
func (t *taskService) handleTasks() http.Handler {
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
