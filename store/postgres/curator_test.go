package postgres

import (
	"context"
	"path/filepath"
	"testing"

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

// TestVersion1SchemaIsUpgraded opens a schema left by the first version of
// this backend (before the unlabeled pool) and checks that it is upgraded
// in place, keeping its rows.
func TestVersion1SchemaIsUpgraded(t *testing.T) {
	url := pgtest.Fresh(t)
	ctx := context.Background()
	db := open(t, url)
	// Back to version 1, as the first program left it.
	if _, err := db.pool.Exec(ctx, `DROP TABLE unlabeled; ALTER TABLE tasks DROP COLUMN heartbeat_at; UPDATE schema_version SET version = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddExamples(ctx, []store.Example{{Text: "sushis enceinte ?", Intent: "26"}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open(t, url)
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
