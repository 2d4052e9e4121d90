package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"intent/model"
	"intent/modelrepo"
	"intent/store"
	"intent/store/sqlite"
)

// versionControl is what training tasks need from the model registry.
type versionControl interface {
	DefaultVersion() (n int, accuracy float64, ok bool) // current default version and its validation accuracy
	// Publish stores a new version, held or pinned as p says, and loads it.
	Publish(ctx context.Context, p modelrepo.Publish, m *model.Model) (int, error)
}

// taskConfig is what the examples and the training tasks are built from.
type taskConfig struct {
	DB        string // SQLite file path
	DataDir   string // POST /train paths are confined to this folder
	ModelsDir string // where new versions are written (modelrepo.WriteVersion)
	Log       *slog.Logger
	Versions  versionControl
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
	maxQueuedTasks   = 16 // POST /train answers 503 when this many wait
	defaultTaskList  = 50 // GET /tasks without limit
	maxTaskList      = 500
)

// Reasons a task is interrupted.
const (
	reasonShutdown = "interrupted: server shutting down"
	reasonRestart  = store.ReasonRestarted
)

// taskService owns the examples and the training tasks: their SQLite
// database, their HTTP handlers, and the one worker goroutine that runs
// tasks one at a time, oldest first.
//
// Tasks wait in state queued in the database; the worker takes the oldest.
// A task that a previous process left queued, preprocessing or training is
// marked failed ("interrupted: the server restarted") when the service
// starts: it is not re-queued, since its client may have moved on and its
// data may have changed; POST /train again to retry. When the service stops
// (its context ends or Close is called) the running task is cancelled and
// marked failed ("interrupted: server shutting down"); queued tasks stay
// queued until the next start marks them failed.
type taskService struct {
	cfg  taskConfig
	db   store.Store
	log  *slog.Logger
	wake chan struct{} // a task was queued

	cancel    context.CancelFunc
	done      chan struct{} // closed when the worker has returned
	closeOnce sync.Once
	closeErr  error
}

// newTaskService opens and migrates the database, marks the tasks a
// previous process left unfinished as failed, and starts the worker, which
// stops when ctx ends or Close is called.
func newTaskService(ctx context.Context, cfg taskConfig) (*taskService, error) {
	if cfg.Versions == nil {
		return nil, errors.New("tasks: no version control")
	}
	if cfg.ModelsDir == "" {
		return nil, errors.New("tasks: no models folder")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db, err := sqlite.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	n, err := db.MarkInterrupted(ctx, "", reasonRestart)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Warn("training tasks interrupted by a restart marked failed", slog.Int("tasks", n))
	}
	wctx, cancel := context.WithCancel(ctx)
	t := &taskService{
		cfg: cfg, db: db, log: log,
		wake:   make(chan struct{}, 1),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go t.work(wctx)
	return t, nil
}

// Close stops the worker (failing the task it runs), waits for it, and
// closes the database. Call it after the HTTP server has stopped.
func (t *taskService) Close() error {
	t.closeOnce.Do(func() {
		t.cancel()
		<-t.done
		t.closeErr = t.db.Close()
	})
	return t.closeErr
}

// routes registers the examples and training endpoints. auth guards the
// ones that change something.
func (t *taskService) routes(handle func(path string, h http.Handler, methods ...string), auth func(http.Handler) http.Handler) {
	handle("/examples", auth(t.handleAddExamples()), http.MethodPost)
	handle("/examples", t.handleListExamples(), http.MethodGet)
	handle("/examples/{id}", auth(t.handleDeleteExample()), http.MethodDelete)
	handle("/train", auth(t.handleTrain()), http.MethodPost)
	handle("/status/{task_id}", t.handleStatus(), http.MethodGet)
	handle("/tasks", t.handleTasks(), http.MethodGet)
}

// notify wakes the worker; it never blocks.
func (t *taskService) notify() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// work runs queued tasks one at a time, oldest first, until ctx ends.
func (t *taskService) work(ctx context.Context) {
	defer close(t.done)
	for {
		for ctx.Err() == nil {
			task, err := t.db.ClaimNext(ctx, store.ProcessOwner())
			if errors.Is(err, store.ErrNotFound) {
				break
			}
			if err != nil {
				if ctx.Err() == nil {
					t.log.Error("cannot read the task queue", slog.String("error", err.Error()))
					sleep(ctx, 5*time.Second)
				}
				break
			}
			t.run(ctx, task)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.wake:
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
	case <-tm.C:
	}
}

// errUnknownTask is the 404 of /status.
func errUnknownTask(id string) error {
	return errorf(kindNotFound, "unknown task %q", truncate(id, 40))
}

// storeError turns a store error into an API error: ErrNotFound is 404
// with msg, anything else internal.
func storeError(err error, msg string) error {
	if errors.Is(err, store.ErrNotFound) {
		return errorf(kindNotFound, "%s", msg)
	}
	return &apiError{Code: kindInternal, Msg: "internal error", Err: fmt.Errorf("%s: %w", msg, err)}
}
