package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func openTemp(tb testing.TB) *DB {
	tb.Helper()
	s, err := Open(filepath.Join(tb.TempDir(), "intent.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestOpenRejectsNonFilePaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "a?b.db"} {
		if s, err := Open(p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	for _, c := range []struct {
		db           string
		pragma, want string
	}{
		{"w", "journal_mode", "wal"},
		{"w", "synchronous", "2"}, // FULL
		{"w", "foreign_keys", "1"},
		{"w", "busy_timeout", "10000"},
		{"r", "synchronous", "2"},
		{"r", "query_only", "1"},
	} {
		db := s.w
		if c.db == "r" {
			db = s.r
		}
		var got string
		if err := db.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", c.db, c.pragma, got, c.want)
		}
	}
	if _, err := s.r.ExecContext(ctx, `DELETE FROM examples`); err == nil {
		t.Error("the read pool accepted a write")
	}
}
