package store

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
)

func TestTaskLifecycle(t *testing.T) {
	s := openTemp(t)
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
	if got.State != Queued || string(got.Request) != string(req) || !got.CreatedAt.Equal(created.CreatedAt) ||
		!got.StartedAt.IsZero() || !got.FinishedAt.IsZero() || got.DataReport != nil || got.Result != nil {
		t.Errorf("new task: %+v", got)
	}

	got.State, got.StartedAt = Preprocessing, now()
	got.DataReport = json.RawMessage(`{"usable":true}`)
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

	mid.State, mid.FinishedAt, mid.Progress = Trained, now(), 1
	mid.Result = json.RawMessage(`{"version":3}`)
	mid.Timings = json.RawMessage(`{"training":1.5}`)
	if err := s.UpdateTask(ctx, mid); err != nil {
		t.Fatal(err)
	}
	end, _ := s.Task(ctx, got.ID)
	if end.State != Trained || !end.State.Finished() || string(end.Result) != `{"version":3}` ||
		string(end.Timings) != `{"training":1.5}` || end.FinishedAt.IsZero() {
		t.Errorf("finished task: %+v", end)
	}
}

func TestTaskStateIsChecked(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	tk, _ := s.CreateTask(ctx, nil)
	tk.State = "dancing"
	if err := s.UpdateTask(ctx, tk); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("unknown state: %v", err)
	}
}

func TestTasksQueueOrderAndList(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	var ids []string
	for range 3 {
		tk, err := s.CreateTask(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	next, err := s.NextQueued(ctx)
	if err != nil || next.ID != ids[0] {
		t.Fatalf("next = %v, %v; want %s", next.ID, err, ids[0])
	}
	next.State = Training
	s.UpdateTask(ctx, next)
	if next, _ := s.NextQueued(ctx); next.ID != ids[1] {
		t.Errorf("next = %s, want %s", next.ID, ids[1])
	}
	if n, _ := s.CountQueued(ctx); n != 2 {
		t.Errorf("%d queued, want 2", n)
	}
	list, err := s.Tasks(ctx, "", 10)
	if err != nil || len(list) != 3 || list[0].ID != ids[2] || list[2].ID != ids[0] {
		t.Errorf("list newest first: %v, %v", list, err)
	}
	list, _ = s.Tasks(ctx, Training, 10)
	if len(list) != 1 || list[0].ID != ids[0] {
		t.Errorf("list training: %v", list)
	}
	if list, _ = s.Tasks(ctx, "", 2); len(list) != 2 {
		t.Errorf("limit 2 gave %d", len(list))
	}
}

func TestMarkInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	states := []State{Queued, Preprocessing, Training, Trained, Failed}
	ids := map[State]string{}
	for _, st := range states {
		tk, _ := s.CreateTask(ctx, nil)
		tk.State = st
		tk.Error = "before"
		if err := s.UpdateTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids[st] = tk.ID
	}
	s.Close()

	// The next process.
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.MarkInterrupted(ctx, ReasonRestarted)
	if err != nil || n != 3 {
		t.Fatalf("MarkInterrupted = %d, %v; want 3", n, err)
	}
	for _, st := range states {
		tk, _ := s.Task(ctx, ids[st])
		switch st {
		case Queued, Preprocessing, Training:
			if tk.State != Failed || tk.Error != ReasonRestarted || tk.FinishedAt.IsZero() {
				t.Errorf("%s task after restart: %+v", st, tk)
			}
		default:
			if tk.State != st || tk.Error != "before" {
				t.Errorf("%s task changed: %+v", st, tk)
			}
		}
	}
	if n, _ := s.MarkInterrupted(ctx, ReasonRestarted); n != 0 {
		t.Errorf("second MarkInterrupted failed %d tasks", n)
	}
}
