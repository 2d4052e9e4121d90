package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema's history: migrations[i] brings the schema from
// version i to version i+1. Never edit one that has shipped; append.
var migrations = []string{
	// 1: examples and tasks.
	`
CREATE TABLE examples (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, even after a delete
	text       TEXT NOT NULL CHECK (text <> ''),
	intent     TEXT NOT NULL CHECK (intent <> ''),
	source     TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX examples_intent ON examples (intent, id);

CREATE TABLE tasks (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT, -- creation order
	id          TEXT NOT NULL UNIQUE,              -- 16 random hex digits
	state       TEXT NOT NULL CHECK (state IN ('queued', 'preprocessing', 'training', 'trained', 'failed')),
	stage       TEXT NOT NULL DEFAULT '',
	progress    REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
	request     TEXT NOT NULL DEFAULT '{}',        -- JSON
	data_report TEXT,                              -- JSON
	result      TEXT,                              -- JSON
	error       TEXT NOT NULL DEFAULT '',
	timings     TEXT,                              -- JSON
	created_at  TEXT NOT NULL,
	started_at  TEXT,
	finished_at TEXT
);
CREATE INDEX tasks_state ON tasks (state, seq);
`,
	// 2: the server that claimed a task (ClaimNext); '' for tasks claimed
	// before, or not yet.
	`
ALTER TABLE tasks ADD COLUMN owner TEXT NOT NULL DEFAULT '';
`,
	// 3: the pool of unlabeled questions the labeling queue ranks; a text
	// waits once.
	`
CREATE TABLE unlabeled (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	text       TEXT NOT NULL UNIQUE CHECK (text <> ''),
	source     TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
`,
	// 4: the last sign of life of the server running a task (Heartbeat);
	// a running task whose heartbeat is old is failed by FailStale.
	`
ALTER TABLE tasks ADD COLUMN heartbeat_at TEXT;
`,
	// 5: one table of questions. Examples may have no intent (they wait
	// for a label: the pool the labeling queue ranks, which moves in from
	// the unlabeled table) and a caller's key, unique. SQLite cannot drop a
	// NOT NULL, so the table is rebuilt, keeping the ids and the
	// AUTOINCREMENT counter (ids stay never reused); the pool's questions
	// get ids after it. A text waits once among the waiting questions
	// without key, as it did in the unlabeled table.
	`
CREATE TABLE examples_new (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, even after a delete
	key        TEXT UNIQUE CHECK (key <> ''),     -- the caller's id; NULL for none
	text       TEXT NOT NULL CHECK (text <> ''),
	intent     TEXT CHECK (intent <> ''),         -- NULL: waiting for a label
	source     TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
INSERT INTO examples_new (id, text, intent, source, created_at)
	SELECT id, text, intent, source, created_at FROM examples ORDER BY id;
DELETE FROM sqlite_sequence WHERE name = 'examples_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'examples_new', seq FROM sqlite_sequence WHERE name = 'examples';
INSERT INTO examples_new (text, intent, source, created_at)
	SELECT text, NULL, source, created_at FROM unlabeled ORDER BY id;
DROP TABLE examples;
DROP TABLE unlabeled;
ALTER TABLE examples_new RENAME TO examples;
CREATE INDEX examples_intent ON examples (intent, id);
CREATE INDEX examples_source ON examples (source, id);
CREATE UNIQUE INDEX examples_waiting_text ON examples (text) WHERE intent IS NULL AND key IS NULL;
`,
	// 6: the state of a task's callback deliveries (SetCallback), JSON.
	`
ALTER TABLE tasks ADD COLUMN callback TEXT;
`,
}

// migrate brings the schema to len(steps) inside one transaction (begun
// IMMEDIATE by the writer's DSN, so a concurrent opener waits and then sees
// the migrated schema).
func migrate(ctx context.Context, db *sql.DB, steps []string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var cur int
	switch err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&cur); err {
	case nil:
	case sql.ErrNoRows:
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	default:
		return fmt.Errorf("store: migrate: %w", err)
	}
	if cur > len(steps) {
		return fmt.Errorf("store: the database schema is version %d, newer than this program's %d: use a newer program", cur, len(steps))
	}
	for v := cur; v < len(steps); v++ {
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			return fmt.Errorf("store: migration %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, len(steps)); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the schema version recorded in the database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.r.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return v, nil
}
