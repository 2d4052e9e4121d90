package sqlite

import (
	"path/filepath"
	"testing"

	"intent/store"
	"intent/store/storetest"
)

// TestConformance runs the behaviour every store backend must have. Each
// test gets a new file; every handle the suite opens on it is a separate
// Open, with its own connections, as a separate server would have.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "intent.db")
		return func(t *testing.T) store.Store {
			t.Helper()
			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
	})
}
