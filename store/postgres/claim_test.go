package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"intent/store"
	"intent/store/postgres/pgtest"
)

// TestClaimSkipsALockedTask holds a row lock on the oldest queued task, as
// a claim in progress on another server does, and checks that ClaimNext
// takes the next task at once instead of waiting (SKIP LOCKED), then takes
// the first one once the lock is gone.
func TestClaimSkipsALockedTask(t *testing.T) {
	url := pgtest.Fresh(t)
	db := open(t, url)
	ctx := context.Background()
	first, _ := db.CreateTask(ctx, nil)
	second, _ := db.CreateTask(ctx, nil)

	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM tasks WHERE id = $1 FOR UPDATE`, first.ID); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := time.Now()
	got, err := db.ClaimNext(cctx, "server-a")
	if err != nil || got.ID != second.ID {
		t.Fatalf("claim while the oldest is locked: %s, %v; want %s", got.ID, err, second.ID)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the claim waited %v behind the lock", d)
	}
	if _, err := db.ClaimNext(cctx, "server-a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim with only a locked task queued: %v, want ErrNotFound", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ClaimNext(ctx, "server-b"); err != nil || got.ID != first.ID || got.Owner != "server-b" {
		t.Errorf("claim after the lock: %+v, %v; want %s for server-b", got, err, first.ID)
	}
}

// TestClaimWhileTasksArrive has three handles (three servers, each with its
// own pool) claim while a fourth keeps creating tasks, then drains the
// queue: every task is claimed exactly once.
func TestClaimWhileTasksArrive(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of concurrent claims")
	}
	url := pgtest.Fresh(t)
	ctx := context.Background()
	producer := open(t, url)
	const servers, workers, tasks = 3, 4, 300
	var (
		mu      sync.Mutex
		claimed = map[string]string{}
		errs    []error
		wg      sync.WaitGroup
		done    = make(chan struct{})
	)
	for s := range servers {
		db := open(t, url)
		for w := range workers {
			owner := fmt.Sprintf("server-%d/%d", s, w)
			wg.Go(func() {
				for {
					// Once creation is over, an empty claim ends the
					// worker (what is left is drained below).
					last := false
					select {
					case <-done:
						last = true
					default:
					}
					tk, err := db.ClaimNext(ctx, owner)
					if errors.Is(err, store.ErrNotFound) {
						if last {
							return
						}
						time.Sleep(time.Millisecond)
						continue
					}
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					} else if prev, ok := claimed[tk.ID]; ok {
						errs = append(errs, fmt.Errorf("task %s claimed by %s and %s", tk.ID, prev, owner))
					} else {
						claimed[tk.ID] = owner
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			})
		}
	}
	for range tasks {
		if _, err := producer.CreateTask(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// A worker may have ended while another held the last tasks' locks:
	// whatever is left must still be claimable, once.
	for {
		tk, err := producer.ClaimNext(ctx, "drain")
		if errors.Is(err, store.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := claimed[tk.ID]; ok {
			t.Fatalf("task %s claimed by %s and drain", tk.ID, prev)
		}
		claimed[tk.ID] = "drain"
	}
	if len(claimed) != tasks {
		t.Errorf("%d tasks claimed, want %d", len(claimed), tasks)
	}
	all, err := producer.Tasks(ctx, "", -1)
	if err != nil || len(all) != tasks {
		t.Fatalf("Tasks(-1): %d tasks, %v; want %d", len(all), err, tasks)
	}
	for _, tk := range all {
		if tk.State != store.Preprocessing || tk.Owner != claimed[tk.ID] {
			t.Errorf("task %s: %s, owner %q; claimed by %q", tk.ID, tk.State, tk.Owner, claimed[tk.ID])
		}
	}
}
