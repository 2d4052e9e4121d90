package sqlite

import (
	"context"
	"fmt"
	"time"

	"intent/store"
)

// ClaimNext implements store.Store with one UPDATE ... RETURNING statement:
// SQLite takes the write lock before the statement reads anything (a
// statement that writes begins a write transaction, waiting up to
// busyTimeout for other processes), so the subquery and the update see the
// same state and no other connection, in this process or another, can
// claim the same row in between. The state = 'queued' guard repeats the
// subquery's condition so that the statement stays correct on its own.
func (db *DB) ClaimNext(ctx context.Context, owner string) (store.Task, error) {
	if owner == "" {
		return store.Task{}, fmt.Errorf("store: claim a task: empty owner id (pass the server's id, e.g. store.ProcessOwner())")
	}
	rows, err := db.w.QueryContext(ctx, `UPDATE tasks SET state = 'preprocessing', stage = '', progress = 0, owner = ?1, started_at = ?2, heartbeat_at = ?2
		WHERE seq = (SELECT seq FROM tasks WHERE state = 'queued' ORDER BY seq LIMIT 1) AND state = 'queued'
		RETURNING `+taskColumns, owner, formatTime(now()))
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
	q := `UPDATE tasks SET state = 'failed', error = ?, finished_at = ?
		WHERE state IN ('queued', 'preprocessing', 'training')`
	args := []any{reason, formatTime(now())}
	if owner != "" {
		// '' is a task claimed by a program that predates owners: no live
		// server answers for it.
		q = `UPDATE tasks SET state = 'failed', error = ?, finished_at = ?
		WHERE state IN ('preprocessing', 'training') AND owner IN (?, '')`
		args = append(args, owner)
	}
	res, err := db.w.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted tasks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted tasks: %w", err)
	}
	return int(n), nil
}

// Heartbeat implements store.Store.
func (db *DB) Heartbeat(ctx context.Context, id, owner string) error {
	res, err := db.w.ExecContext(ctx, `UPDATE tasks SET heartbeat_at = ? WHERE id = ? AND owner = ? AND state IN ('preprocessing', 'training')`,
		formatTime(now()), id, owner)
	if err != nil {
		return fmt.Errorf("store: heartbeat of task %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: heartbeat of task %s: %w", id, err)
	} else if n == 0 {
		return store.NotFound("no running task %s of %s", id, owner)
	}
	return nil
}

// FailStale implements store.Store. A task claimed before heartbeats
// existed has none: its start stands for it.
func (db *DB) FailStale(ctx context.Context, before time.Time, reason string) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE tasks SET state = 'failed', error = ?, finished_at = ?
		WHERE state IN ('preprocessing', 'training') AND COALESCE(heartbeat_at, started_at, created_at) < ?`,
		reason, formatTime(now()), formatTime(before))
	if err != nil {
		return 0, fmt.Errorf("store: fail stale tasks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: fail stale tasks: %w", err)
	}
	return int(n), nil
}
