package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"intent/store"
)

func claimNextTakesTheOldestForOwner(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	first, _ := s.CreateTask(ctx, []byte(`{"n":1}`))
	second, _ := s.CreateTask(ctx, []byte(`{"n":2}`))
	before := time.Now().Add(-time.Second)

	if _, err := s.ClaimNext(ctx, ""); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim with no owner: %v, want a refusal", err)
	}
	got, err := s.ClaimNext(ctx, "server-a")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != first.ID || got.State != store.Preprocessing || got.Owner != "server-a" ||
		string(got.Request) != `{"n":1}` || !got.CreatedAt.Equal(first.CreatedAt) ||
		got.StartedAt.Before(before) || got.StartedAt.After(time.Now()) || !got.FinishedAt.IsZero() {
		t.Errorf("claimed %+v, want %s in preprocessing for server-a, started now", got, first.ID)
	}
	// What ClaimNext returned is what is stored.
	stored, err := s.Task(ctx, got.ID)
	if err != nil || stored.State != got.State || stored.Owner != got.Owner || !stored.StartedAt.Equal(got.StartedAt) {
		t.Errorf("stored %+v, %v; ClaimNext returned %+v", stored, err, got)
	}
	if got, err := s.ClaimNext(ctx, "server-b"); err != nil || got.ID != second.ID || got.Owner != "server-b" {
		t.Errorf("second claim: %+v, %v; want %s for server-b", got, err, second.ID)
	}
	if _, err := s.ClaimNext(ctx, "server-a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim from an empty queue: %v, want ErrNotFound", err)
	}
	if tk, _ := s.Task(ctx, first.ID); tk.Owner != "server-a" {
		t.Errorf("a later claim changed the owner of %s to %q", first.ID, tk.Owner)
	}
}

// claimNextIsExclusiveAcrossHandles has two handles on one database (two
// servers) and several goroutines on each claim until the queue is empty:
// every task must be claimed exactly once, by the owner recorded in it.
// A claim made of a read then a write (find the oldest queued task, then
// update it) fails this: two claimers read the same task before either
// writes.
func claimNextIsExclusiveAcrossHandles(t *testing.T, open Opener) {
	const handles, workers, tasks = 2, 8, 120
	ctx := context.Background()
	dbs := make([]store.Store, handles)
	for i := range dbs {
		dbs[i] = open(t)
	}
	queued := map[string]bool{}
	for i := range tasks {
		tk, err := dbs[i%handles].CreateTask(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		queued[tk.ID] = true
	}

	var (
		mu     sync.Mutex
		claims = map[string][]string{} // task id -> the owners that claimed it
		errs   []error
		start  = make(chan struct{})
		wg     sync.WaitGroup
	)
	for h, db := range dbs {
		for w := range workers {
			owner := fmt.Sprintf("server-%d/worker-%d", h, w)
			wg.Go(func() {
				<-start
				for {
					tk, err := db.ClaimNext(ctx, owner)
					if errors.Is(err, store.ErrNotFound) {
						return
					}
					mu.Lock()
					if err != nil {
						errs = append(errs, fmt.Errorf("%s: %w", owner, err))
						mu.Unlock()
						return
					}
					claims[tk.ID] = append(claims[tk.ID], owner)
					mu.Unlock()
					if tk.Owner != owner || tk.State != store.Preprocessing {
						mu.Lock()
						errs = append(errs, fmt.Errorf("%s got task %s with owner %q, state %s", owner, tk.ID, tk.Owner, tk.State))
						mu.Unlock()
					}
				}
			})
		}
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	twice := 0
	for id, owners := range claims {
		if !queued[id] {
			t.Errorf("claimed unknown task %s", id)
		}
		if len(owners) != 1 {
			twice++
			if twice <= 5 {
				t.Errorf("task %s claimed %d times, by %v", id, len(owners), owners)
			}
		}
	}
	if twice > 0 {
		t.Errorf("%d of %d tasks claimed more than once", twice, tasks)
	}
	if len(claims) != tasks {
		t.Errorf("%d tasks claimed, want all %d", len(claims), tasks)
	}
	if n, err := dbs[1].CountQueued(ctx); err != nil || n != 0 {
		t.Errorf("%d tasks still queued (%v)", n, err)
	}
	for id, owners := range claims {
		if tk, err := dbs[0].Task(ctx, id); err != nil || tk.Owner != owners[len(owners)-1] {
			t.Errorf("task %s records owner %q (%v); claimed by %v", id, tk.Owner, err, owners)
		}
	}
}

// started creates a task in each state past queued on s, the running ones
// claimed by owner when owner is set, and returns their ids by state. The
// queue must be empty, so that the claim takes the task just created.
func started(t *testing.T, s store.Store, owner string) map[store.State]string {
	t.Helper()
	ctx := context.Background()
	ids := map[store.State]string{}
	for _, st := range []store.State{store.Preprocessing, store.Training, store.Trained, store.Failed} {
		tk, err := s.CreateTask(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			claimed, err := s.ClaimNext(ctx, owner)
			if err != nil || claimed.ID != tk.ID {
				t.Fatalf("claimed %s, %v; want the task just created, %s", claimed.ID, err, tk.ID)
			}
			tk = claimed
		}
		tk.State, tk.Error = st, "before"
		if err := s.UpdateTask(ctx, tk); err != nil {
			t.Fatal(err)
		}
		ids[st] = tk.ID
	}
	return ids
}

// queue creates a queued task on s and returns it as a set.
func queue(t *testing.T, s store.Store) map[store.State]string {
	t.Helper()
	tk, err := s.CreateTask(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return map[store.State]string{store.Queued: tk.ID}
}

// checkStates checks that the tasks of set named in failed were failed by
// MarkInterrupted and that the others kept their state and error.
func checkStates(t *testing.T, s store.Store, set map[store.State]string, whose string, failed ...store.State) {
	t.Helper()
	for st, id := range set {
		tk, err := s.Task(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		want, reason := st, "before"
		if st == store.Queued {
			reason = ""
		}
		if slices.Contains(failed, st) {
			want, reason = store.Failed, store.ReasonRestarted
			if tk.FinishedAt.IsZero() {
				t.Errorf("%s %s task failed with no finish time", whose, st)
			}
		}
		if tk.State != want || tk.Error != reason {
			t.Errorf("%s %s task: %s %q, want %s %q", whose, st, tk.State, tk.Error, want, reason)
		}
	}
}

// markInterruptedEveryUnfinished is a server alone on its database: at
// start it fails whatever its previous run left unfinished, queued included,
// whoever claimed it.
func markInterruptedEveryUnfinished(t *testing.T, open Opener) {
	ctx := context.Background()
	prev := open(t)
	ownerless := started(t, prev, "")
	claimed := started(t, prev, "server-a")
	queued := queue(t, prev)
	prev.Close()

	// The next process.
	s := open(t)
	n, err := s.MarkInterrupted(ctx, "", store.ReasonRestarted)
	if err != nil || n != 5 {
		t.Fatalf("MarkInterrupted = %d, %v; want 5", n, err)
	}
	checkStates(t, s, ownerless, "ownerless", store.Preprocessing, store.Training)
	checkStates(t, s, claimed, "server-a's", store.Preprocessing, store.Training)
	checkStates(t, s, queued, "the", store.Queued)
	if n, _ := s.MarkInterrupted(ctx, "", store.ReasonRestarted); n != 0 {
		t.Errorf("second MarkInterrupted failed %d tasks", n)
	}
}

// markInterruptedByOwner is server A restarting while server B runs: A
// fails its own running tasks and those nobody claimed, and leaves the
// queue and B's tasks alone.
func markInterruptedByOwner(t *testing.T, open Opener) {
	ctx := context.Background()
	a, b := open(t), open(t)
	mine := started(t, a, "server-a")
	theirs := started(t, b, "server-b")
	ownerless := started(t, a, "")
	queued := queue(t, b)

	n, err := a.MarkInterrupted(ctx, "server-a", store.ReasonRestarted)
	if err != nil || n != 4 {
		t.Fatalf("MarkInterrupted(server-a) = %d, %v; want 4 (2 of its own, 2 with no owner)", n, err)
	}
	checkStates(t, b, mine, "server-a's", store.Preprocessing, store.Training)
	checkStates(t, b, ownerless, "ownerless", store.Preprocessing, store.Training)
	checkStates(t, b, theirs, "server-b's")
	checkStates(t, b, queued, "the")
}
