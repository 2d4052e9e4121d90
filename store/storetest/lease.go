package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"intent/store"
)

// heartbeatsAndStaleTasks: a claim is a heartbeat; Heartbeat refreshes only
// the owner's running task; FailStale fails the running tasks whose last
// heartbeat is older than its bound, on any handle, and never queued ones.
func heartbeatsAndStaleTasks(t *testing.T, open Opener) {
	ctx := context.Background()
	a, b := open(t), open(t)
	for range 3 {
		if _, err := a.CreateTask(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	fresh, err := a.ClaimNext(ctx, "server-a")
	if err != nil {
		t.Fatal(err)
	}
	old, err := b.ClaimNext(ctx, "server-b")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Heartbeat(ctx, fresh.ID, "server-b"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a heartbeat by another owner = %v, want ErrNotFound", err)
	}
	time.Sleep(20 * time.Millisecond)
	cut := time.Now()
	time.Sleep(20 * time.Millisecond)
	if err := a.Heartbeat(ctx, fresh.ID, "server-a"); err != nil {
		t.Fatal(err)
	}
	// server-b's task last beat before cut: stale. The third task is
	// queued: never stale.
	n, err := a.FailStale(ctx, cut, "interrupted: its server stopped answering")
	if err != nil || n != 1 {
		t.Fatalf("FailStale = %d, %v; want 1", n, err)
	}
	got, _ := b.Task(ctx, old.ID)
	if got.State != store.Failed || got.Error != "interrupted: its server stopped answering" || got.FinishedAt.IsZero() {
		t.Fatalf("the stale task: %s %q", got.State, got.Error)
	}
	if got, _ := b.Task(ctx, fresh.ID); got.State != store.Preprocessing {
		t.Fatalf("the fresh task became %s", got.State)
	}
	if q, _ := a.CountQueued(ctx); q != 1 {
		t.Fatalf("%d queued after FailStale, want 1", q)
	}
	if err := b.Heartbeat(ctx, old.ID, "server-b"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a heartbeat of a failed task = %v, want ErrNotFound", err)
	}
	if n, err := a.FailStale(ctx, cut, "x"); err != nil || n != 0 {
		t.Fatalf("FailStale again = %d, %v", n, err)
	}
}
