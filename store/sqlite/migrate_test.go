package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"

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
