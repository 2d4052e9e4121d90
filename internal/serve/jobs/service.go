package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	Versions Versions // the default model
	// Models returns the named model a request asks to train ("model"),
	// creating it when new; nil refuses named models.
	Models func(ctx context.Context, name string) (Versions, error)
	// Lease is how long a running task may go without a heartbeat before
	// any server fails it (its server died); the runner beats every third
	// of it. 0 means DefaultLease.
	Lease time.Duration
	// Poll is how often the worker looks for tasks queued through another
	// server sharing the store. 0 means DefaultPoll.
	Poll time.Duration
	// MaxExamples bounds the questions one task may train on (its memory
	// with it); 0 means no bound.
	MaxExamples int
	// CallbackHosts are the hosts a training request's callback may call
	// (callback.go); empty refuses callbacks. CallbackBackoff is the wait
	// before an event's second try (doubling after); 0 means
	// DefaultCallbackBackoff.
	CallbackHosts   CallbackHosts
	CallbackBackoff time.Duration
}

// Defaults of Config.
const (
	DefaultLease = 30 * time.Second
	DefaultPoll  = 2 * time.Second
)

// MaxQueued is how many tasks may wait: Submit refuses more.
const MaxQueued = 16

// Reasons a task is interrupted.
const (
	reasonShutdown = "interrupted: server shutting down"
	reasonStale    = "interrupted: the server running it stopped (no heartbeat within the lease); POST /train again to retry"
)

// Service runs training tasks one at a time, oldest first, in one worker
// goroutine; several servers may share one store.
//
// Tasks wait in state queued in the store; a worker claims the oldest
// atomically (two servers on one database never run a task twice), woken
// by a submission or every Poll. While it runs a task it beats a
// heartbeat every Lease/3; every server fails the running tasks whose
// heartbeat is older than Lease ("interrupted: the server running it
// stopped"), so a server that crashed or was killed loses only its running
// task, which is marked failed, never silently dropped: queued tasks stay
// queued for whichever server claims them next. A task is not re-run, since
// its client may have moved on and its data may have changed. When the
// service stops (its context ends or Close is called) the running task is
// cancelled and marked failed ("interrupted: server shutting down").
type Service struct {
	cfg   Config
	db    store.Store
	log   *slog.Logger
	owner string        // this server's id in the tasks it claims
	wake  chan struct{} // a task was queued

	cancel    context.CancelFunc
	done      chan struct{} // closed when the worker has returned
	closeOnce sync.Once

	// Callback deliveries (callback.go): their client, their context
	// (which outlives the worker's by callbackGrace at Close) and their
	// goroutines.
	callbacks *http.Client
	sendCtx   context.Context
	stopSend  context.CancelFunc
	senders   sync.WaitGroup
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
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.CallbackBackoff <= 0 {
		cfg.CallbackBackoff = DefaultCallbackBackoff
	}
	wctx, cancel := context.WithCancel(ctx)
	t := &Service{
		cfg: cfg, db: cfg.Store, log: log, owner: store.ProcessOwner(),
		wake:   make(chan struct{}, 1),
		cancel: cancel,
		done:   make(chan struct{}),

		callbacks: newCallbackClient(),
	}
	t.sendCtx, t.stopSend = context.WithCancel(context.WithoutCancel(ctx))
	// Tasks a dead server left running are failed now if their lease is
	// over, else by the reaper as soon as it is.
	t.reap(ctx)
	go t.reaper(wctx)
	go t.work(wctx)
	return t, nil
}

// Close stops the worker (failing the task it runs) and waits for it,
// then gives the callback deliveries under way callbackGrace to finish
// (the failed task's FAILED event among them) before cancelling them.
// Call it after the HTTP server has stopped, before closing the store.
func (t *Service) Close() {
	t.closeOnce.Do(func() {
		t.cancel()
		<-t.done
		sent := make(chan struct{})
		go func() { t.senders.Wait(); close(sent) }()
		select {
		case <-sent:
		case <-time.After(callbackGrace):
			t.stopSend()
			<-sent
		}
		t.stopSend()
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
	poll := time.NewTicker(t.cfg.Poll)
	defer poll.Stop()
	for {
		for ctx.Err() == nil {
			task, err := t.db.ClaimNext(ctx, t.owner)
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
		case <-poll.C:
		}
	}
}

// reaper fails stale tasks every third of the lease until ctx ends.
func (t *Service) reaper(ctx context.Context) {
	tick := time.NewTicker(t.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.reap(ctx)
		}
	}
}

// reap fails the running tasks whose heartbeat is older than the lease.
func (t *Service) reap(ctx context.Context) {
	n, err := t.db.FailStale(ctx, time.Now().Add(-t.cfg.Lease), reasonStale)
	if err != nil {
		if ctx.Err() == nil {
			t.log.Warn("stale tasks not checked", slog.String("error", err.Error()))
		}
		return
	}
	if n > 0 {
		t.log.Warn("training tasks whose server stopped were marked failed", slog.Int("tasks", n), slog.Duration("lease", t.cfg.Lease))
	}
}

// heartbeat beats for task id every third of the lease until ctx ends; it
// cancels the run (lost) when the store says the task is no longer this
// server's (another server found it stale).
func (t *Service) heartbeat(ctx context.Context, id string, lost context.CancelFunc) {
	tick := time.NewTicker(t.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			err := t.db.Heartbeat(ctx, id, t.owner)
			switch {
			case errors.Is(err, store.ErrNotFound):
				t.log.Error("a running task was taken from this server (no heartbeat within the lease): stopping it", slog.String("task", id))
				lost()
				return
			case err != nil && ctx.Err() == nil:
				t.log.Warn("task heartbeat not saved", slog.String("task", id), slog.String("error", err.Error()))
			}
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
