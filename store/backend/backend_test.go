package backend

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"intent/store"
	"intent/store/postgres"
	"intent/store/postgres/pgtest"
	"intent/store/sqlite"
)

func TestKind(t *testing.T) {
	for db, want := range map[string]string{
		"postgres://u@db/intent":       Postgres,
		"postgresql://u:pw@db:5432/x":  Postgres,
		"POSTGRES://u@db/intent":       Postgres,
		"data/intent.db":               SQLite,
		"/var/lib/intent/intent.db":    SQLite,
		"postgres-data/intent.db":      SQLite,
		"./postgres:/intent.db":        SQLite,
		"mysql://u@db/intent":          SQLite, // a file path, refused or not by SQLite
		"":                             SQLite,
		"postgres:/no-double-slash.db": SQLite,
	} {
		if got := Kind(db); got != want {
			t.Errorf("Kind(%q) = %s, want %s", db, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("postgres://u:s3cret@db/intent"); got != "postgres://u:xxxxx@db/intent" {
		t.Errorf("Redact of a URL = %q", got)
	}
	if got := Redact("data/intent.db"); got != "data/intent.db" {
		t.Errorf("Redact of a path = %q", got)
	}
}

func TestOpenSQLiteByPath(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "intent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*sqlite.DB); !ok {
		t.Errorf("a path opened a %T, want *sqlite.DB", s)
	}
	roundTrip(t, s)
}

func TestOpenPostgresByURL(t *testing.T) {
	s, err := Open(context.Background(), pgtest.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, ok := s.(*postgres.DB); !ok {
		t.Errorf("a postgres:// URL opened a %T, want *postgres.DB", s)
	}
	roundTrip(t, s)
}

func TestOpenErrorHidesThePassword(t *testing.T) {
	_, err := Open(context.Background(), "postgresql://u:Sup3r-s3cret@127.0.0.1:1/intent?connect_timeout=2")
	if err == nil || strings.Contains(err.Error(), "Sup3r-s3cret") {
		t.Errorf("error %v: want a failure that hides the password", err)
	}
}

func TestOpenRefusesOtherURLs(t *testing.T) {
	for _, db := range []string{"mysql://u@db/intent", "sqlite:///tmp/x.db", "postgress://u@db/intent"} {
		s, err := Open(context.Background(), db)
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", db)
		} else if !strings.Contains(err.Error(), "not supported") {
			t.Errorf("Open(%q): %v", db, err)
		}
	}
}

func roundTrip(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	ids, err := s.AddExamples(ctx, []store.Example{{Text: "sushis enceinte ?", Intent: "26"}})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.AllExamples(ctx)
	if err != nil || len(all) != 1 || all[0].ID != ids[0] {
		t.Errorf("read back %+v, %v", all, err)
	}
}
