package postgres

import (
	"context"
	"testing"

	"intent/store"
	"intent/store/postgres/pgtest"
	"intent/store/storetest"
)

// open opens a handle on url, closed when t ends.
func open(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestConformance runs the behaviour every store backend must have,
// against a real PostgreSQL server (see pgtest for how it is found). Each
// test gets a new schema; every handle the suite opens on it is a separate
// Open, with its own pool, as a separate server would have.
func TestConformance(t *testing.T) {
	pgtest.Server(t) // skip once, here, when there is no server
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		url := pgtest.Fresh(t)
		return func(t *testing.T) store.Store { return open(t, url) }
	})
}
