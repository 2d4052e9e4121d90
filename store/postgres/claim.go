package postgres

import (
	"context"
	"fmt"
	"time"

	"intent/store"
)

// ClaimNext implements store.Store with one UPDATE ... RETURNING statement
// whose subquery picks the oldest queued task FOR UPDATE SKIP LOCKED. The
// subquery locks the row it returns until the statement's transaction
// ends; another claimer's subquery skips locked rows instead of waiting,
// so concurrent claims take different tasks and none blocks behind
// another. A row that another claimer updated and committed after this
// statement's snapshot is re-checked against state = 'queued' (READ
// COMMITTED re-evaluates the WHERE clause on the newest version) and
// skipped, so no task is claimed twice. The outer state = 'queued' guard
// repeats the condition so that the statement stays correct on its own.
//
// A claim can report ErrNotFound while tasks are still queued if every one
// of them is at that instant being claimed by another server: they are
// taken, just not by this caller.
func (db *DB) ClaimNext(ctx context.Context, owner string) (store.Task, error) {
	if owner == "" {
		return store.Task{}, fmt.Errorf("store: claim a task: empty owner id (pass the server's id, e.g. store.ProcessOwner())")
	}
	rows, err := db.pool.Query(ctx, `UPDATE tasks SET state = 'preprocessing', stage = '', progress = 0, owner = $1, started_at = $2, heartbeat_at = $2
		WHERE seq = (SELECT seq FROM tasks WHERE state = 'queued' ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED) AND state = 'queued'
		RETURNING `+taskColumns, owner, now())
	if err != nil {
		return store.Task{}, fmt.Errorf("store: claim a task for %s: %w", owner, err)
	}
	ts, err := scanTasks(rows)
	if err != nil {
		return store.Task{}, fmt.Errorf("claim a task for %s: %w", owner, err)
	}
	if len(ts) == 0 {
		return store.Task{}, store.NotFound("no queued task")
	}
	return ts[0], nil
}

// MarkInterrupted implements store.Store.
func (db *DB) MarkInterrupted(ctx context.Context, owner, reason string) (int, error) {
	q := `UPDATE tasks SET state = 'failed', error = $1, finished_at = $2
		WHERE state IN ('queued', 'preprocessing', 'training')`
	args := []any{reason, now()}
	if owner != "" {
		// '' is a task moved past queued without ClaimNext (by a program
		// that did not record owners): no live server answers for it.
		q = `UPDATE tasks SET state = 'failed', error = $1, finished_at = $2
		WHERE state IN ('preprocessing', 'training') AND owner IN ($3, '')`
		args = append(args, owner)
	}
	tag, err := db.pool.Exec(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted tasks: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Heartbeat implements store.Store.
func (db *DB) Heartbeat(ctx context.Context, id, owner string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tasks SET heartbeat_at = $1 WHERE id = $2 AND owner = $3 AND state IN ('preprocessing', 'training')`,
		now(), id, owner)
	if err != nil {
		return fmt.Errorf("store: heartbeat of task %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return store.NotFound("no running task %s of %s", id, owner)
	}
	return nil
}

// FailStale implements store.Store. A task claimed before heartbeats
// existed has none: its start stands for it.
func (db *DB) FailStale(ctx context.Context, before time.Time, reason string) (int, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE tasks SET state = 'failed', error = $1, finished_at = $2
		WHERE state IN ('preprocessing', 'training') AND COALESCE(heartbeat_at, started_at, created_at) < $3`,
		reason, now(), before)
	if err != nil {
		return 0, fmt.Errorf("store: fail stale tasks: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
