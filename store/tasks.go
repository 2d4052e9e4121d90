package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// State is where a training task stands.
type State string

// The states of a task: Queued, then Preprocessing, Training, and finally
// Trained or Failed.
const (
	Queued        State = "queued"
	Preprocessing State = "preprocessing"
	Training      State = "training"
	Trained       State = "trained"
	Failed        State = "failed"
)

// Finished reports whether s is a final state.
func (s State) Finished() bool { return s == Trained || s == Failed }

// ReasonRestarted is the error of the tasks MarkInterrupted fails.
const ReasonRestarted = "interrupted: the server restarted"

// Task is one training task. The JSON columns are kept as raw JSON: their
// shape belongs to the caller.
type Task struct {
	ID         string
	State      State
	Stage      string  // what is running now, e.g. "fit"
	Progress   float64 // 0..1, over the whole task
	Request    json.RawMessage
	DataReport json.RawMessage // nil until preprocessing produced it
	Result     json.RawMessage // nil until the task ends
	Timings    json.RawMessage // nil until a stage finished
	Error      string          // why it failed
	CreatedAt  time.Time
	StartedAt  time.Time // zero while queued
	FinishedAt time.Time // zero until trained or failed
}

// NewTaskID returns 16 random hex digits.
func NewTaskID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: task id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// CreateTask stores a new queued task with a fresh id and returns it.
func (s *Store) CreateTask(ctx context.Context, request json.RawMessage) (Task, error) {
	if len(request) == 0 {
		request = json.RawMessage("{}")
	}
	id, err := NewTaskID()
	if err != nil {
		return Task{}, err
	}
	t := Task{ID: id, State: Queued, Request: request, CreatedAt: now()}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO tasks (id, state, request, created_at) VALUES (?, ?, ?, ?)`,
		t.ID, string(t.State), string(t.Request), formatTime(t.CreatedAt)); err != nil {
		return Task{}, fmt.Errorf("store: create task: %w", err)
	}
	return t, nil
}

const taskColumns = `id, state, stage, progress, request, data_report, result, timings, error, created_at, started_at, finished_at`

// Task returns the task id; ErrNotFound when there is none.
func (s *Store) Task(ctx context.Context, id string) (Task, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = ?`, id)
	if err != nil {
		return Task{}, fmt.Errorf("store: task %s: %w", id, err)
	}
	ts, err := scanTasks(rows)
	if err != nil {
		return Task{}, err
	}
	if len(ts) == 0 {
		return Task{}, fmt.Errorf("task %s: %w", id, ErrNotFound)
	}
	return ts[0], nil
}

// Tasks returns at most limit tasks, newest first, only those in state when
// it is not empty.
func (s *Store) Tasks(ctx context.Context, state State, limit int) ([]Task, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE (?1 = '' OR state = ?1) ORDER BY seq DESC LIMIT ?2`, string(state), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list tasks: %w", err)
	}
	return scanTasks(rows)
}

// NextQueued returns the oldest queued task; ErrNotFound when none waits.
func (s *Store) NextQueued(ctx context.Context) (Task, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE state = 'queued' ORDER BY seq LIMIT 1`)
	if err != nil {
		return Task{}, fmt.Errorf("store: next task: %w", err)
	}
	ts, err := scanTasks(rows)
	if err != nil {
		return Task{}, err
	}
	if len(ts) == 0 {
		return Task{}, fmt.Errorf("no queued task: %w", ErrNotFound)
	}
	return ts[0], nil
}

// CountQueued returns how many tasks wait.
func (s *Store) CountQueued(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM tasks WHERE state = 'queued'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count tasks: %w", err)
	}
	return n, nil
}

// UpdateTask writes every field of t but its id, request and creation time.
// ErrNotFound when the task does not exist.
func (s *Store) UpdateTask(ctx context.Context, t Task) error {
	res, err := s.w.ExecContext(ctx, `UPDATE tasks SET state = ?, stage = ?, progress = ?, data_report = ?, result = ?,
		timings = ?, error = ?, started_at = ?, finished_at = ? WHERE id = ?`,
		string(t.State), t.Stage, clamp01(t.Progress), nullJSON(t.DataReport), nullJSON(t.Result),
		nullJSON(t.Timings), t.Error, nullTime(t.StartedAt), nullTime(t.FinishedAt), t.ID)
	return affected(res, err, "update task "+t.ID)
}

// SetProgress records the stage and the progress of a running task.
func (s *Store) SetProgress(ctx context.Context, id, stage string, progress float64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE tasks SET stage = ?, progress = ? WHERE id = ?`, stage, clamp01(progress), id)
	return affected(res, err, "task "+id+" progress")
}

// MarkInterrupted fails every task left queued, preprocessing or training,
// with reason as its error, and returns how many there were. A server calls
// it at start, before its worker runs: those tasks belong to a process that
// is gone.
func (s *Store) MarkInterrupted(ctx context.Context, reason string) (int, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE tasks SET state = 'failed', error = ?, finished_at = ?
		WHERE state IN ('queued', 'preprocessing', 'training')`, reason, formatTime(now()))
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted tasks: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted tasks: %w", err)
	}
	return int(n), nil
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
		return fmt.Errorf("%s: %w", what, ErrNotFound)
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

func scanTasks(rows *sql.Rows) ([]Task, error) {
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var state, request string
		var report, result, timings, created, started, finished sql.NullString
		if err := rows.Scan(&t.ID, &state, &t.Stage, &t.Progress, &request, &report, &result, &timings,
			&t.Error, &created, &started, &finished); err != nil {
			return nil, fmt.Errorf("store: read tasks: %w", err)
		}
		t.State = State(state)
		t.Request = json.RawMessage(request)
		t.DataReport = rawJSON(report)
		t.Result = rawJSON(result)
		t.Timings = rawJSON(timings)
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
