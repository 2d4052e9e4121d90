package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"intent/internal/errcode"
	"intent/model"
	"intent/modelrepo"
	"intent/store"
)

// Versions is what training tasks need from the model registry.
type Versions interface {
	// DefaultVersion is the current default version and its validation
	// accuracy.
	DefaultVersion() (n int, accuracy float64, ok bool)
	// Publish stores a new version, held or pinned as p says, and loads it.
	Publish(ctx context.Context, p modelrepo.Publish, m *model.Model) (int, error)
}

// Config is what the job runner is built from.
type Config struct {
	Store    store.Store // the tasks and the stored examples; the caller opens and closes it
	DataDir  string      // request data paths are confined to this folder
	Log      *slog.Logger
	Versions Versions
}

// MaxQueued is how many tasks may wait: Submit refuses more.
const MaxQueued = 16

// Reasons a task is interrupted.
const (
	reasonShutdown = "interrupted: server shutting down"
	reasonRestart  = store.ReasonRestarted
)

// Service runs training tasks one at a time, oldest first, in one worker
// goroutine.
//
// Tasks wait in state queued in the store; the worker claims the oldest
// atomically (two servers on one database never run a task twice). A task
// that a previous process left queued, preprocessing or training is marked
// failed ("interrupted: the server restarted") when the service starts: it
// is not re-queued, since its client may have moved on and its data may
// have changed. When the service stops (its context ends or Close is
// called) the running task is cancelled and marked failed ("interrupted:
// server shutting down"); queued tasks stay queued until the next start
// marks them failed.
type Service struct {
	cfg  Config
	db   store.Store
	log  *slog.Logger
	wake chan struct{} // a task was queued

	cancel    context.CancelFunc
	done      chan struct{} // closed when the worker has returned
	closeOnce sync.Once
}

// New marks the tasks a previous process left unfinished as failed and
// starts the worker, which stops when ctx ends or Close is called.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Versions == nil {
		return nil, errors.New("jobs: no version registry")
	}
	if cfg.Store == nil {
		return nil, errors.New("jobs: no store")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	n, err := cfg.Store.MarkInterrupted(ctx, "", reasonRestart)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		log.Warn("training tasks interrupted by a restart marked failed", slog.Int("tasks", n))
	}
	wctx, cancel := context.WithCancel(ctx)
	t := &Service{
		cfg: cfg, db: cfg.Store, log: log,
		wake:   make(chan struct{}, 1),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go t.work(wctx)
	return t, nil
}

// Close stops the worker (failing the task it runs) and waits for it.
// Call it after the HTTP server has stopped, before closing the store.
func (t *Service) Close() {
	t.closeOnce.Do(func() {
		t.cancel()
		<-t.done
	})
}

// Store is the store the service runs on.
func (t *Service) Store() store.Store { return t.db }

// DataDir is the folder request data paths are confined to.
func (t *Service) DataDir() string { return t.cfg.DataDir }

// Submit queues a task for p and wakes the worker. It refuses, as an
// Unavailable error, when MaxQueued tasks already wait.
func (t *Service) Submit(ctx context.Context, p Plan) (store.Task, error) {
	n, err := t.db.CountQueued(ctx)
	if err != nil {
		return store.Task{}, fmt.Errorf("count queued tasks: %w", err)
	}
	if n >= MaxQueued {
		return store.Task{}, errcode.New(errcode.Unavailable, "%d training tasks are already queued: retry once some have finished (GET /tasks)", n)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return store.Task{}, err
	}
	task, err := t.db.CreateTask(ctx, body)
	if err != nil {
		return store.Task{}, fmt.Errorf("create task: %w", err)
	}
	t.notify()
	return task, nil
}

// notify wakes the worker; it never blocks.
func (t *Service) notify() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// work runs queued tasks one at a time, oldest first, until ctx ends.
func (t *Service) work(ctx context.Context) {
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
