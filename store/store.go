package store

import (
	"context"
	"encoding/json"
	"time"
)

// Store is an open database of examples and tasks. Implementations are safe
// for concurrent use, and every write is durable when it returns nil.
// Several Store values may be open on the same database (several servers,
// or a server and its next incarnation); they see each other's writes.
//
// Times read back equal the times written or returned by a write (backends
// keep at least microsecond precision and round as they store).
type Store interface {
	// AddExamples stores examples in one transaction and returns their ids
	// in order. Either all are stored or none; an empty text is refused.
	// An example without an intent waits for a label (the pool of
	// Curator.Unlabeled). CreatedAt is set to now; ID is ignored.
	// AddExamples(nil) returns nil, nil.
	//
	// It fails with ErrConflict, naming the key, when a Key is already
	// taken (by a stored example or an earlier one of the batch); and
	// naming the text when an example without key and intent has the text
	// of one already waiting without key (a question waits once, as
	// Curator.AddUnlabeled keeps it).
	AddExamples(ctx context.Context, examples []Example) ([]int64, error)
	// ListExamples returns one page of examples in id order and the total
	// number matching the filter, both from one snapshot. f.Limit must be
	// positive.
	ListExamples(ctx context.Context, f ExampleFilter) (ExamplePage, error)
	// AllExamples returns every labeled example in id order, for training.
	AllExamples(ctx context.Context) ([]Example, error)
	// Example returns example id, labeled or not; ErrNotFound when there
	// is none.
	Example(ctx context.Context, id int64) (Example, error)
	// ExampleByKey returns the example whose Key is key; ErrNotFound when
	// there is none.
	ExampleByKey(ctx context.Context, key string) (Example, error)
	// DeleteExample removes one example; ErrNotFound when there is none.
	DeleteExample(ctx context.Context, id int64) error
	// DeleteExamples removes, in one statement, the examples f selects and
	// returns how many. An empty filter is refused.
	DeleteExamples(ctx context.Context, f DeleteFilter) (int, error)

	// CreateTask stores a new queued task with a fresh id (NewTaskID) and
	// returns it. An empty request is stored as {}.
	CreateTask(ctx context.Context, request json.RawMessage) (Task, error)
	// Task returns the task id; ErrNotFound when there is none.
	Task(ctx context.Context, id string) (Task, error)
	// Tasks returns at most limit tasks, newest first, only those in state
	// when it is not empty.
	Tasks(ctx context.Context, state State, limit int) ([]Task, error)
	// CountQueued returns how many tasks wait.
	CountQueued(ctx context.Context) (int, error)
	// ClaimNext atomically takes the oldest queued task for owner: it moves
	// it to Preprocessing with StartedAt now and Owner set, and returns it.
	// Of concurrent callers, on this handle or any other on the same
	// database, exactly one gets each task. ErrNotFound when none waits;
	// owner must not be empty.
	ClaimNext(ctx context.Context, owner string) (Task, error)
	// UpdateTask writes every field of t but its id, request, creation time,
	// owner (which only ClaimNext sets) and callback (SetCallback). ErrNotFound when the task does
	// not exist; an unknown state is refused.
	UpdateTask(ctx context.Context, t Task) error
	// SetProgress records the stage and the progress (clamped to 0..1, NaN
	// as 0) of a task. ErrNotFound when the task does not exist.
	SetProgress(ctx context.Context, id, stage string, progress float64) error
	// SetCallback records the state of task id's callback deliveries, JSON
	// whose shape belongs to the caller, read back as Task.Callback.
	// UpdateTask leaves it alone, so the two may be written concurrently.
	// ErrNotFound when the task does not exist.
	SetCallback(ctx context.Context, id string, state json.RawMessage) error
	// MarkInterrupted fails, with reason as their error and FinishedAt now,
	// the unfinished tasks no live server will finish, and returns how many.
	//
	// With owner empty that is every queued, preprocessing or training task:
	// what a server alone on its database does at start, since whatever it
	// left behind belongs to a process that is gone (queued tasks are not
	// kept: their client may have moved on).
	//
	// With owner set it is only the preprocessing and training tasks claimed
	// by owner, or by no one (left by a program that did not record owners):
	// what a server that shares the database does at start under the owner
	// id of its previous incarnation. Queued tasks and other servers' tasks
	// are left alone.
	MarkInterrupted(ctx context.Context, owner, reason string) (int, error)
	// Heartbeat records that owner still runs task id. ClaimNext counts as
	// the first heartbeat. ErrNotFound when the task is not preprocessing
	// or training under owner (it was failed meanwhile, or is another's).
	Heartbeat(ctx context.Context, id, owner string) error
	// FailStale fails, with reason as their error and FinishedAt now, the
	// preprocessing and training tasks whose last heartbeat is before
	// before: their server stopped answering (it crashed, was killed, or
	// lost the database). Queued tasks are left for any server to claim.
	// It returns how many it failed.
	FailStale(ctx context.Context, before time.Time, reason string) (int, error)

	// Close releases the handle. Calling it again does nothing.
	Close() error
}
