package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"intent/store"
	"intent/store/postgres/pgtest"
)

func TestMigrationIsIdempotent(t *testing.T) {
	url := pgtest.Fresh(t)
	ctx := context.Background()
	s := open(t, url)
	ids, err := s.AddExamples(ctx, []store.Example{{Text: "hello", Intent: "greet"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range 2 {
		s := open(t, url)
		if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Errorf("schema version %d, %v; want %d", v, err, len(migrations))
		}
		var rows int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM schema_version`).Scan(&rows); err != nil || rows != 1 {
			t.Errorf("schema_version has %d rows (%v), want 1", rows, err)
		}
		all, err := s.AllExamples(ctx)
		if err != nil || len(all) != 1 || all[0].ID != ids[0] {
			t.Errorf("after reopening: %+v, %v", all, err)
		}
		s.Close()
	}
}

// TestOpenConcurrentlyMigratesOnce starts several servers at once on an
// empty schema. Without the advisory lock they would all try to create the
// tables and all but one would fail (CREATE TABLE is not idempotent, and
// even CREATE TABLE IF NOT EXISTS races on the catalog).
func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	url := pgtest.Fresh(t)
	const servers = 6
	var wg sync.WaitGroup
	errs := make([]error, servers)
	dbs := make([]*DB, servers)
	start := make(chan struct{})
	for i := range servers {
		wg.Go(func() {
			<-start
			dbs[i], errs[i] = Open(context.Background(), url)
		})
	}
	close(start)
	wg.Wait()
	for _, db := range dbs {
		if db != nil {
			defer db.Close()
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var rows, v int
	if err := dbs[0].pool.QueryRow(context.Background(), `SELECT count(*), max(version) FROM schema_version`).Scan(&rows, &v); err != nil || rows != 1 || v != len(migrations) {
		t.Errorf("schema_version: %d rows, version %d (%v); want 1 row, version %d", rows, v, err, len(migrations))
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	url := pgtest.Fresh(t)
	s := open(t, url)
	if _, err := s.pool.Exec(context.Background(), `UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(context.Background(), url)
	if err == nil {
		s2.Close()
		t.Fatal("a database with schema version 99 was opened")
	}
	if !strings.Contains(err.Error(), "newer than this program") {
		t.Errorf("error %q does not say why", err)
	}
}

// TestMigrationFailureRollsBack: PostgreSQL's DDL is transactional, so a
// migration that fails halfway leaves no table and no version behind.
func TestMigrationFailureRollsBack(t *testing.T) {
	url := pgtest.Fresh(t)
	s := open(t, url)
	ctx := context.Background()
	steps := append(append([]string{}, migrations...), `CREATE TABLE extra (x integer)`, `THIS IS NOT SQL`)
	if err := migrate(ctx, s.pool, steps); err == nil {
		t.Fatal("a broken migration succeeded")
	}
	if v, _ := s.SchemaVersion(ctx); v != len(migrations) {
		t.Errorf("schema version %d after a failed migration, want %d", v, len(migrations))
	}
	var n int
	s.pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'extra'`).Scan(&n)
	if n != 0 {
		t.Error("the first step of a failed migration was kept")
	}
}

// TestMissingSchemaIsAClearError: a URL whose search_path names no
// existing schema is refused, saying so, instead of failing on the first
// CREATE with "no schema has been selected".
func TestMissingSchemaIsAClearError(t *testing.T) {
	url := pgtest.Fresh(t)
	url = strings.Replace(url, "search_path=", "search_path=nope_", 1)
	s, err := Open(context.Background(), url)
	if err == nil {
		s.Close()
		t.Fatal("opened a database with no schema to put the tables in")
	}
	if !strings.Contains(err.Error(), "search_path") {
		t.Errorf("error %q does not name the search_path", err)
	}
}

// TestTablesStayInTheirSchema checks the isolation the tests rely on, and
// that replicas configured with different schemas of one database do not
// share data.
func TestTablesStayInTheirSchema(t *testing.T) {
	a, b := open(t, pgtest.Fresh(t)), open(t, pgtest.Fresh(t))
	ctx := context.Background()
	if _, err := a.AddExamples(ctx, []store.Example{{Text: "x", Intent: "y"}}); err != nil {
		t.Fatal(err)
	}
	if all, err := b.AllExamples(ctx); err != nil || len(all) != 0 {
		t.Errorf("the other schema sees %d examples (%v)", len(all), err)
	}
}
