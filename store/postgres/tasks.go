package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"intent/store"
)

// CreateTask implements store.Store.
func (db *DB) CreateTask(ctx context.Context, request json.RawMessage) (store.Task, error) {
	if len(request) == 0 {
		request = json.RawMessage("{}")
	}
	id, err := store.NewTaskID()
	if err != nil {
		return store.Task{}, err
	}
	t := store.Task{ID: id, State: store.Queued, Request: request, CreatedAt: now()}
	if _, err := db.pool.Exec(ctx, `INSERT INTO tasks (id, state, request, created_at) VALUES ($1, $2, $3, $4)`,
		t.ID, string(t.State), string(t.Request), t.CreatedAt); err != nil {
		return store.Task{}, fmt.Errorf("store: create task: %w", err)
	}
	return t, nil
}

// taskColumns are read by scanTasks. The JSON columns are read as text:
// exactly what was written.
const taskColumns = `id, state, stage, progress, request::text, data_report::text, result::text, timings::text,
	error, owner, created_at, started_at, finished_at, callback::text`

// Task implements store.Store.
func (db *DB) Task(ctx context.Context, id string) (store.Task, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, id)
	if err != nil {
		return store.Task{}, fmt.Errorf("store: task %s: %w", id, err)
	}
	ts, err := scanTasks(rows)
	if err != nil {
		return store.Task{}, err
	}
	if len(ts) == 0 {
		return store.Task{}, store.NotFound("task %s", id)
	}
	return ts[0], nil
}

// Tasks implements store.Store. A negative limit means no limit, as with
// SQLite (LIMIT NULL is LIMIT ALL).
func (db *DB) Tasks(ctx context.Context, state store.State, limit int) ([]store.Task, error) {
	var lim any = limit
	if limit < 0 {
		lim = nil
	}
	where, args := "TRUE", []any{lim}
	if state != "" {
		where, args = "state = $2", append(args, string(state))
	}
	rows, err := db.pool.Query(ctx, `SELECT `+taskColumns+` FROM tasks WHERE `+where+` ORDER BY seq DESC LIMIT $1::bigint`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", err)
	}
	return scanTasks(rows)
}

// CountQueued implements store.Store.
func (db *DB) CountQueued(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM tasks WHERE state = 'queued'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count tasks: %w", err)
	}
	return n, nil
}

// UpdateTask implements store.Store. The state is checked by the table's
// CHECK constraint.
func (db *DB) UpdateTask(ctx context.Context, t store.Task) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tasks SET state = $1, stage = $2, progress = $3, data_report = $4, result = $5,
		timings = $6, error = $7, started_at = $8, finished_at = $9 WHERE id = $10`,
		string(t.State), t.Stage, clamp01(t.Progress), nullJSON(t.DataReport), nullJSON(t.Result),
		nullJSON(t.Timings), t.Error, nullTime(t.StartedAt), nullTime(t.FinishedAt), t.ID)
	return affected(tag, err, "update task "+t.ID)
}

// SetProgress implements store.Store.
func (db *DB) SetProgress(ctx context.Context, id, stage string, progress float64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tasks SET stage = $1, progress = $2 WHERE id = $3`, stage, clamp01(progress), id)
	return affected(tag, err, "task "+id+" progress")
}

// SetCallback implements store.Store.
func (db *DB) SetCallback(ctx context.Context, id string, state json.RawMessage) error {
	tag, err := db.pool.Exec(ctx, `UPDATE tasks SET callback = $1 WHERE id = $2`, nullJSON(state), id)
	return affected(tag, err, "task "+id+" callback")
}

func affected(tag pgconn.CommandTag, err error, what string) error {
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return store.NotFound("%s", what)
	}
	return nil
}

func clamp01(x float64) float64 {
	switch {
	case x > 1:
		return 1
	case x >= 0:
		return x
	}
	return 0 // negative or NaN
}

// nullJSON is the text of a JSON column, NULL when empty.
func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func scanTasks(rows pgx.Rows) ([]store.Task, error) {
	defer rows.Close()
	var out []store.Task
	for rows.Next() {
		var t store.Task
		var state, request string
		var report, result, timings, callback *string
		var created time.Time
		var started, finished *time.Time
		if err := rows.Scan(&t.ID, &state, &t.Stage, &t.Progress, &request, &report, &result, &timings,
			&t.Error, &t.Owner, &created, &started, &finished, &callback); err != nil {
			return nil, fmt.Errorf("store: read tasks: %w", err)
		}
		t.State = store.State(state)
		t.Request = json.RawMessage(request)
		t.DataReport = rawJSON(report)
		t.Result = rawJSON(result)
		t.Timings = rawJSON(timings)
		t.Callback = rawJSON(callback)
		t.CreatedAt = created.UTC()
		t.StartedAt = readTime(started)
		t.FinishedAt = readTime(finished)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read tasks: %w", err)
	}
	return out, nil
}

func rawJSON(s *string) json.RawMessage {
	if s == nil || *s == "" {
		return nil
	}
	return json.RawMessage(*s)
}
