// Package postgres is the shared backend of store: examples, tasks and the
// pool of unlabeled questions (it is a store.Curator) in a PostgreSQL
// database, through github.com/jackc/pgx/v5 and its pool, for several api
// replicas that share one database.
//
// Open takes a URL, postgres://user:password@host:5432/db?sslmode=disable
// (any parameter pgx understands; search_path=name puts the tables in that
// schema). The password never appears in an error: see Redact.
//
// The schema is created and upgraded by Open: numbered migrations, applied
// in order inside one transaction that first takes a transaction-level
// advisory lock (pg_advisory_xact_lock, keyed by the schema), and recorded
// in the schema_version table. Servers starting at once queue on the lock:
// the first migrates, the others then find the schema current. Because
// PostgreSQL's DDL is transactional, a failed migration leaves nothing
// behind. A schema newer than the program is refused rather than misread.
//
// ClaimNext is one UPDATE ... RETURNING whose subquery selects the oldest
// queued task FOR UPDATE SKIP LOCKED: a task being claimed by another
// server is skipped rather than waited for, and the row lock makes every
// task go to exactly one claimer. Example ids come from an identity column
// (a sequence): increasing, never reused, though a rolled-back insert
// leaves a gap. Times are timestamptz, kept to the microsecond (what a
// write returns is truncated to the microsecond, so it equals what is read
// back); JSON columns are of type json, which keeps the text as written.
//
// Every commit is durable as the server is configured (synchronous_commit
// on, the default, makes a returned write survive a crash of the database
// server).
package postgres
