package postgres

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"intent/store"
	"intent/store/postgres/pgtest"
	"intent/store/sqlite"
)

// TestTextFilterFoldsASCIIOnly: the text filter ignores the case of ASCII
// letters only, as SQLite's lower() does, although PostgreSQL's lower()
// would fold É to é in a UTF-8 database. Both backends are asked the same
// questions and must answer alike.
func TestTextFilterFoldsASCIIOnly(t *testing.T) {
	lite, err := sqlite.Open(filepath.Join(t.TempDir(), "intent.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := open(t, pgtest.Fresh(t))
	ctx := context.Background()
	for _, db := range []store.Store{lite, pg} {
		if _, err := db.AddExamples(ctx, []store.Example{{Text: "École fermée", Intent: "1"}, {Text: "ÉCOLE", Intent: "1"}, {Text: "école", Intent: "1"}}); err != nil {
			t.Fatal(err)
		}
	}
	for text, want := range map[string]int{"éCOLE": 1, "ÉCOLE": 2, "École": 2, "FERMÉE": 0, "FERMée": 1, "%": 0} {
		for _, db := range []store.Store{lite, pg} {
			p, err := db.ListExamples(ctx, store.ExampleFilter{Text: text, Limit: 10})
			if err != nil || p.Total != want {
				t.Errorf("%T: text %q: %d examples, %v; want %d", db, text, p.Total, err, want)
			}
		}
	}
}

// migrateTo brings a fresh schema to version v only, as an older program
// left it, and returns a pool on it (closed when t ends).
func migrateTo(t *testing.T, url string, v int) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := migrate(ctx, pool, migrations[:v]); err != nil {
		t.Fatal(err)
	}
	return pool
}

// TestVersion1SchemaIsUpgraded opens a schema left by the first version of
// this backend (before the unlabeled pool) and checks that it is upgraded
// in place, keeping its rows.
func TestVersion1SchemaIsUpgraded(t *testing.T) {
	url := pgtest.Fresh(t)
	ctx := context.Background()
	old := migrateTo(t, url, 1)
	if _, err := old.Exec(ctx, `INSERT INTO examples (text, intent, source, created_at) VALUES ('sushis enceinte ?', '26', 'api', now())`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := open(t, url)
	if v, err := db.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("schema version %d, %v; want %d", v, err, len(migrations))
	}
	all, err := db.AllExamples(ctx)
	if err != nil || len(all) != 1 || all[0].Text != "sushis enceinte ?" {
		t.Errorf("examples after the upgrade: %+v, %v", all, err)
	}
	if n, err := db.AddUnlabeled(ctx, []string{"q"}, ""); err != nil || n != 1 {
		t.Errorf("the pool after the upgrade: %d, %v", n, err)
	}
}

// TestPoolMovesIntoExamples upgrades a version-3 schema, whose pool was a
// table of its own: its questions become unlabeled examples, with ids
// after every id the examples had (deleted ones included), and keep their
// text, source and date.
func TestPoolMovesIntoExamples(t *testing.T) {
	url := pgtest.Fresh(t)
	ctx := context.Background()
	old := migrateTo(t, url, 3)
	for _, q := range []string{
		`INSERT INTO examples (text, intent, source, created_at) VALUES ('a', '1', 'api', now()), ('b', '2', 'api', now()), ('c', '3', 'api', now())`,
		`DELETE FROM examples WHERE text = 'c'`,
		`INSERT INTO unlabeled (text, source, created_at) VALUES ('eliquis halal ?', 'sample', '2024-01-02T03:04:05Z'), ('q2', '', now())`,
	} {
		if _, err := old.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db := open(t, url)
	all, err := db.AllExamples(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("labeled examples after the upgrade: %+v, %v", all, err)
	}
	pool, err := db.Unlabeled(ctx)
	if err != nil || len(pool) != 2 || pool[0].Text != "eliquis halal ?" || pool[0].Source != "sample" || pool[1].Text != "q2" {
		t.Fatalf("pool after the upgrade: %+v, %v", pool, err)
	}
	if pool[0].ID <= all[1].ID+1 || !pool[0].CreatedAt.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("pooled question %+v: want an id past the deleted example %d, and its date", pool[0], all[1].ID+1)
	}
	if n, err := db.AddUnlabeled(ctx, []string{"q2", "q3"}, ""); err != nil || n != 1 {
		t.Errorf("a moved question still waits once: %d, %v", n, err)
	}
}
