package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"intent/store"
)

func TestMigrationIsIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	ctx := context.Background()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := s.AddExamples(ctx, []store.Example{{Text: "hello", Intent: "greet"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range 2 {
		s, err = Open(path)
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != len(migrations) {
			t.Errorf("schema version %d, want %d", v, len(migrations))
		}
		var rows int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_version`).Scan(&rows); err != nil || rows != 1 {
			t.Errorf("schema_version has %d rows (%v), want 1", rows, err)
		}
		all, err := s.AllExamples(ctx)
		if err != nil || len(all) != 1 || all[0].ID != ids[0] {
			t.Errorf("after reopening: %+v, %v", all, err)
		}
		s.Close()
	}
}

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(path)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("a database with schema version 99 was opened")
	}
}

func TestMigrationFailureRollsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	steps := append(append([]string{}, migrations...), `CREATE TABLE extra (x INTEGER)`, `THIS IS NOT SQL`)
	if err := migrate(context.Background(), s.w, steps); err == nil {
		t.Fatal("a broken migration succeeded")
	}
	v, _ := s.SchemaVersion(context.Background())
	if v != len(migrations) {
		t.Errorf("schema version %d after a failed migration, want %d", v, len(migrations))
	}
	var n int
	s.r.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'extra'`).Scan(&n)
	if n != 0 {
		t.Error("the first step of a failed migration was kept")
	}
}

// TestVersion1DatabaseIsUpgraded opens a file written by the schema before
// owners (version 1) and checks that it is upgraded in place: its rows are
// kept, its tasks read with no owner, and the new operations work on them.
func TestVersion1DatabaseIsUpgraded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	ctx := context.Background()
	old, err := sql.Open("sqlite", dsn(path, []string{"journal_mode(WAL)"}, "&_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, old, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	// Rows as the version-1 program wrote them: an example, a task it was
	// training when it stopped, and a queued one.
	at := formatTime(now())
	for _, q := range []string{
		`INSERT INTO examples (text, intent, source, created_at) VALUES ('sushis enceinte ?', '26', 'api', '` + at + `')`,
		`INSERT INTO tasks (id, state, stage, request, created_at, started_at) VALUES ('00000000000000aa', 'training', 'fit', '{}', '` + at + `', '` + at + `')`,
		`INSERT INTO tasks (id, state, request, created_at) VALUES ('00000000000000bb', 'queued', '{"data":"x"}', '` + at + `')`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatalf("open a version-1 database: %v", err)
	}
	defer db.Close()
	if v, err := db.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("schema version %d, %v; want %d", v, err, len(migrations))
	}
	all, err := db.AllExamples(ctx)
	if err != nil || len(all) != 1 || all[0].Text != "sushis enceinte ?" || all[0].Intent != "26" {
		t.Errorf("examples after the upgrade: %+v, %v", all, err)
	}
	running, err := db.Task(ctx, "00000000000000aa")
	if err != nil || running.State != store.Training || running.Stage != "fit" || running.Owner != "" {
		t.Errorf("running task after the upgrade: %+v, %v", running, err)
	}
	claimed, err := db.ClaimNext(ctx, "server-a")
	if err != nil || claimed.ID != "00000000000000bb" || claimed.Owner != "server-a" || string(claimed.Request) != `{"data":"x"}` {
		t.Errorf("claim after the upgrade: %+v, %v", claimed, err)
	}
	// The task the old program left has no owner: a server marking its own
	// interrupted tasks fails it too, and leaves the one it just claimed
	// under another id alone.
	if n, err := db.MarkInterrupted(ctx, "server-b", store.ReasonRestarted); err != nil || n != 1 {
		t.Errorf("MarkInterrupted(server-b) = %d, %v; want 1", n, err)
	}
	if tk, _ := db.Task(ctx, running.ID); tk.State != store.Failed {
		t.Errorf("ownerless running task: %s, want failed", tk.State)
	}
}

// TestPoolMovesIntoExamples upgrades a version-4 file, whose pool was a
// table of its own: the examples table is rebuilt, its ids and its
// AUTOINCREMENT counter kept (a deleted id stays unused), and the pool's
// questions become unlabeled examples after them, keeping their text,
// source and date.
func TestPoolMovesIntoExamples(t *testing.T) {
	path := filepath.Join(t.TempDir(), "intent.db")
	ctx := context.Background()
	old, err := sql.Open("sqlite", dsn(path, []string{"journal_mode(WAL)"}, "&_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, old, migrations[:4]); err != nil {
		t.Fatal(err)
	}
	at := formatTime(now())
	for _, q := range []string{
		`INSERT INTO examples (text, intent, source, created_at) VALUES ('a', '1', 'api', '` + at + `'), ('b', '2', 'api', '` + at + `'), ('c', '3', 'api', '` + at + `')`,
		`DELETE FROM examples WHERE text = 'c'`,
		`INSERT INTO unlabeled (text, source, created_at) VALUES ('eliquis halal ?', 'sample', '2024-01-02T03:04:05.000000000Z'), ('q2', '', '` + at + `')`,
	} {
		if _, err := old.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, err := db.AllExamples(ctx)
	if err != nil || len(all) != 2 || all[0].ID != 1 || all[1].ID != 2 {
		t.Fatalf("labeled examples after the upgrade: %+v, %v", all, err)
	}
	pool, err := db.Unlabeled(ctx)
	if err != nil || len(pool) != 2 || pool[0].Text != "eliquis halal ?" || pool[0].Source != "sample" || pool[1].Text != "q2" {
		t.Fatalf("pool after the upgrade: %+v, %v", pool, err)
	}
	if pool[0].ID != 4 || pool[1].ID != 5 || pool[0].CreatedAt.Format(time.RFC3339) != "2024-01-02T03:04:05Z" {
		t.Errorf("pooled questions %+v: want ids 4 and 5 (3 was deleted) and the first one's date", pool)
	}
	ids, err := db.AddExamples(ctx, []store.Example{{Text: "d", Intent: "1"}})
	if err != nil || ids[0] != 6 {
		t.Errorf("next id %v, %v; want 6", ids, err)
	}
	if n, err := db.AddUnlabeled(ctx, []string{"q2", "q3"}, ""); err != nil || n != 1 {
		t.Errorf("a moved question still waits once: %d, %v", n, err)
	}
	var indexes int
	db.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ('examples_intent', 'examples_source', 'examples_waiting_text')`).Scan(&indexes)
	if indexes != 3 {
		t.Errorf("%d of the 3 indexes after the rebuild", indexes)
	}
}
