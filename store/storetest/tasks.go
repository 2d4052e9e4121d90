package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"testing"

	"intent/internal/errcode"
	"intent/store"
)

func taskLifecycle(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	req := json.RawMessage(`{"data":"sample","use_examples":true}`)
	created, err := s.CreateTask(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(created.ID) {
		t.Errorf("task id %q is not 16 hex digits", created.ID)
	}
	got, err := s.Task(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != store.Queued || string(got.Request) != string(req) || !got.CreatedAt.Equal(created.CreatedAt) ||
		!got.StartedAt.IsZero() || !got.FinishedAt.IsZero() || got.DataReport != nil || got.Result != nil || got.Owner != "" {
		t.Errorf("new task: %+v", got)
	}

	got.State, got.StartedAt = store.Preprocessing, clock()
	got.DataReport = json.RawMessage(`{"usable":true}`)
	got.Owner = "not written by UpdateTask"
	if err := s.UpdateTask(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProgress(ctx, got.ID, "fit", 0.5); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProgress(ctx, got.ID, "fit", 7); err != nil { // clamped
		t.Fatal(err)
	}
	mid, _ := s.Task(ctx, got.ID)
	if mid.Stage != "fit" || mid.Progress != 1 || !mid.StartedAt.Equal(got.StartedAt) || string(mid.DataReport) != `{"usable":true}` {
		t.Errorf("running task: %+v", mid)
	}
	if mid.Owner != "" {
		t.Errorf("UpdateTask wrote the owner %q: only ClaimNext may", mid.Owner)
	}

	mid.State, mid.FinishedAt, mid.Progress = store.Trained, clock(), 1
	mid.Result = json.RawMessage(`{"version":3}`)
	mid.Timings = json.RawMessage(`{"training":1.5}`)
	if err := s.UpdateTask(ctx, mid); err != nil {
		t.Fatal(err)
	}
	end, _ := s.Task(ctx, got.ID)
	if end.State != store.Trained || !end.State.Finished() || string(end.Result) != `{"version":3}` ||
		string(end.Timings) != `{"training":1.5}` || !end.FinishedAt.Equal(mid.FinishedAt) {
		t.Errorf("finished task: %+v", end)
	}
}

func taskStateIsChecked(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	tk, _ := s.CreateTask(ctx, nil)
	tk.State = "dancing"
	if err := s.UpdateTask(ctx, tk); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown state: %v", err)
	}
}

func tasksQueueOrderAndList(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	var ids []string
	for range 3 {
		tk, err := s.CreateTask(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	if n, _ := s.CountQueued(ctx); n != 3 {
		t.Errorf("%d queued, want 3", n)
	}
	next, err := s.ClaimNext(ctx, "server-a")
	if err != nil || next.ID != ids[0] {
		t.Fatalf("claimed %v, %v; want %s", next.ID, err, ids[0])
	}
	next.State = store.Training
	if err := s.UpdateTask(ctx, next); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountQueued(ctx); n != 2 {
		t.Errorf("%d queued, want 2", n)
	}
	if next, _ := s.ClaimNext(ctx, "server-a"); next.ID != ids[1] {
		t.Errorf("claimed %s, want %s", next.ID, ids[1])
	}
	list, err := s.Tasks(ctx, "", 10)
	if err != nil || len(list) != 3 || list[0].ID != ids[2] || list[2].ID != ids[0] {
		t.Errorf("list newest first: %v, %v", list, err)
	}
	for st, want := range map[store.State]string{store.Training: ids[0], store.Preprocessing: ids[1], store.Queued: ids[2]} {
		if list, _ = s.Tasks(ctx, st, 10); len(list) != 1 || list[0].ID != want {
			t.Errorf("list %s: %v, want only %s", st, list, want)
		}
	}
	if list, _ = s.Tasks(ctx, "", 2); len(list) != 2 {
		t.Errorf("limit 2 gave %d", len(list))
	}
}

func errNotFoundIsWrapped(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	for name, err := range map[string]error{
		"delete example": s.DeleteExample(ctx, 42),
		"task":           func() error { _, err := s.Task(ctx, "0123456789abcdef"); return err }(),
		"update task":    s.UpdateTask(ctx, store.Task{ID: "nope", State: store.Failed}),
		"progress":       s.SetProgress(ctx, "nope", "fit", 0.5),
		"claim next":     func() error { _, err := s.ClaimNext(ctx, "server-a"); return err }(),
	} {
		if !errors.Is(err, store.ErrNotFound) || !errcode.Is(err, errcode.NotFound) {
			t.Errorf("%s: %v, want ErrNotFound with code NotFound", name, err)
		}
	}
}

func taskCallback(t *testing.T, open Opener) {
	s, other := open(t), open(t)
	ctx := context.Background()
	task, err := s.CreateTask(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Task(ctx, task.ID); got.Callback != nil {
		t.Errorf("a new task's callback: %s, want nil", got.Callback)
	}
	state := json.RawMessage(`{"url":"http://127.0.0.1:9/cb","deliveries":[{"event":"TRAINING_START","attempt":1,"status":500}]}`)
	if err := s.SetCallback(ctx, task.ID, state); err != nil {
		t.Fatal(err)
	}
	// UpdateTask, from the run, leaves it alone.
	claimed, err := other.ClaimNext(ctx, "server-a")
	if err != nil {
		t.Fatal(err)
	}
	claimed.State, claimed.Stage = store.Training, "fit"
	if err := other.UpdateTask(ctx, claimed); err != nil {
		t.Fatal(err)
	}
	got, err := other.Task(ctx, task.ID)
	if err != nil || string(got.Callback) != string(state) || got.State != store.Training {
		t.Errorf("after UpdateTask: callback %s, state %s, %v", got.Callback, got.State, err)
	}
	if list, err := other.Tasks(ctx, "", 10); err != nil || len(list) != 1 || string(list[0].Callback) != string(state) {
		t.Errorf("Tasks: %+v, %v", list, err)
	}
	if err := s.SetCallback(ctx, "0000000000000000", state); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SetCallback of a missing task: %v, want ErrNotFound", err)
	}
}
