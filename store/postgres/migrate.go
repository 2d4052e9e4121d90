package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema's history: migrations[i] brings the schema from
// version i to version i+1. Never edit one that has shipped; append. The
// tables are those of store/sqlite's current schema, in PostgreSQL's types.
var migrations = []string{
	// 1: examples and tasks.
	`
CREATE TABLE examples (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- a sequence: never reused, even after a delete
	text       text NOT NULL CHECK (text <> ''),
	intent     text NOT NULL CHECK (intent <> ''),
	source     text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL
);
CREATE INDEX examples_intent ON examples (intent, id);

CREATE TABLE tasks (
	seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- creation order
	id          text NOT NULL UNIQUE,                              -- 16 random hex digits
	state       text NOT NULL CHECK (state IN ('queued', 'preprocessing', 'training', 'trained', 'failed')),
	stage       text NOT NULL DEFAULT '',
	progress    double precision NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
	request     json NOT NULL DEFAULT '{}',
	data_report json,
	result      json,
	error       text NOT NULL DEFAULT '',
	timings     json,
	owner       text NOT NULL DEFAULT '',                          -- the server that claimed it (ClaimNext)
	created_at  timestamptz NOT NULL,
	started_at  timestamptz,
	finished_at timestamptz
);
CREATE INDEX tasks_state ON tasks (state, seq);
`,
	// 2: the pool of unlabeled questions the labeling queue ranks (the
	// store.Curator part); a text waits once.
	`
CREATE TABLE unlabeled (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	text       text NOT NULL UNIQUE CHECK (text <> ''),
	source     text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL
);
`,
	// 3: the last sign of life of the server running a task (Heartbeat);
	// a running task whose heartbeat is old is failed by FailStale.
	`
ALTER TABLE tasks ADD COLUMN heartbeat_at timestamptz;
`,
	// 4: one table of questions. Examples may have no intent (they wait
	// for a label: the pool the labeling queue ranks, which moves in from
	// the unlabeled table, its questions getting ids from the examples'
	// sequence) and a caller's key, unique. A text waits once among the
	// waiting questions without key, as it did in the unlabeled table.
	`
ALTER TABLE examples ALTER COLUMN intent DROP NOT NULL;
ALTER TABLE examples ADD COLUMN key text CONSTRAINT examples_key UNIQUE CHECK (key <> '');
INSERT INTO examples (text, intent, source, created_at)
	SELECT text, NULL, source, created_at FROM unlabeled ORDER BY id;
DROP TABLE unlabeled;
CREATE INDEX examples_source ON examples (source, id);
CREATE UNIQUE INDEX examples_waiting_text ON examples (text) WHERE intent IS NULL AND key IS NULL;
`,
	// 5: the state of a task's callback deliveries (SetCallback).
	`
ALTER TABLE tasks ADD COLUMN callback json;
`,
}

// migrateLock is the advisory lock's key: this package's migrations in the
// schema the tables go into, so that deployments in different schemas of
// one database do not wait for each other (a hash collision only makes
// them wait).
const migrateLock = `SELECT pg_advisory_xact_lock(hashtextextended('intent/store/postgres migrate ' || current_schema(), 0))`

// migrate brings the schema to len(steps) inside one transaction, after
// taking the advisory lock: concurrent openers wait for the lock, then see
// the migrated schema. The lock is released by the commit or rollback.
// Its errors say what failed, for Open to prefix.
func migrate(ctx context.Context, pool *pgxpool.Pool, steps []string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var schema *string
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		if schema == nil {
			return errors.New("no schema of the search_path exists (create it, or fix the URL's search_path)")
		}
		if _, err := tx.Exec(ctx, migrateLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return err
		}
		var cur int
		switch err := tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&cur); {
		case err == nil:
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES (0)`); err != nil {
				return err
			}
		default:
			return err
		}
		if cur > len(steps) {
			return fmt.Errorf("the database schema is version %d, newer than this program's %d: use a newer program", cur, len(steps))
		}
		for v := cur; v < len(steps); v++ {
			if _, err := tx.Exec(ctx, steps[v]); err != nil {
				return fmt.Errorf("migration %d: %w", v+1, err)
			}
		}
		if cur == len(steps) {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE schema_version SET version = $1`, len(steps)); err != nil {
			return err
		}
		return nil
	})
}

// SchemaVersion returns the schema version recorded in the database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return v, nil
}
