package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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
	if _, err := db.w.ExecContext(ctx, `INSERT INTO tasks (id, state, request, created_at) VALUES (?, ?, ?, ?)`,
		t.ID, string(t.State), string(t.Request), formatTime(t.CreatedAt)); err != nil {
		return store.Task{}, fmt.Errorf("store: create task: %w", err)
	}
	return t, nil
}

const taskColumns = `id, state, stage, progress, request, data_report, result, timings, error, owner, created_at, started_at, finished_at, callback`

// Task implements store.Store.
func (db *DB) Task(ctx context.Context, id string) (store.Task, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, id)
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

// Tasks implements store.Store. A negative limit means no limit (SQLite's
// LIMIT -1).
func (db *DB) Tasks(ctx context.Context, state store.State, limit int) ([]store.Task, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE (?1 = '' OR state = ?1) ORDER BY seq DESC LIMIT ?2`, string(state), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", err)
	}
	return scanTasks(rows)
}

// CountQueued implements store.Store.
func (db *DB) CountQueued(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE state = 'queued'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count tasks: %w", err)
	}
	return n, nil
}

// UpdateTask implements store.Store. The state is checked by the table's
// CHECK constraint.
func (db *DB) UpdateTask(ctx context.Context, t store.Task) error {
	res, err := db.w.ExecContext(ctx, `UPDATE tasks SET state = ?, stage = ?, progress = ?, data_report = ?, result = ?,
		timings = ?, error = ?, started_at = ?, finished_at = ? WHERE id = ?`,
		string(t.State), t.Stage, clamp01(t.Progress), nullJSON(t.DataReport), nullJSON(t.Result),
		nullJSON(t.Timings), t.Error, nullTime(t.StartedAt), nullTime(t.FinishedAt), t.ID)
	return affected(res, err, "update task "+t.ID)
}

// SetProgress implements store.Store.
func (db *DB) SetProgress(ctx context.Context, id, stage string, progress float64) error {
	res, err := db.w.ExecContext(ctx, `UPDATE tasks SET stage = ?, progress = ? WHERE id = ?`, stage, clamp01(progress), id)
	return affected(res, err, "task "+id+" progress")
}

// SetCallback implements store.Store.
func (db *DB) SetCallback(ctx context.Context, id string, state json.RawMessage) error {
	res, err := db.w.ExecContext(ctx, `UPDATE tasks SET callback = ? WHERE id = ?`, nullJSON(state), id)
	return affected(res, err, "task "+id+" callback")
}

func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
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

func nullJSON(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func scanTasks(rows *sql.Rows) ([]store.Task, error) {
	defer rows.Close()
	var out []store.Task
	for rows.Next() {
		var t store.Task
		var state, request string
		var report, result, timings, created, started, finished, callback sql.NullString
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
		var errs [3]error
		t.CreatedAt, errs[0] = parseTime(created)
		t.StartedAt, errs[1] = parseTime(started)
		t.FinishedAt, errs[2] = parseTime(finished)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read tasks: %w", err)
	}
	return out, nil
}

func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.RawMessage(s.String)
}
