// Package store keeps the server's durable state in one SQLite file: the
// labeled examples added over HTTP and the training tasks.
//
// The database is opened through the pure-Go driver modernc.org/sqlite in
// WAL mode with synchronous=FULL: once AddExamples (or any other write)
// returns, the rows are in the write-ahead log and fsynced, so they survive
// the process being killed and the machine losing power. Writes go through
// one connection (SQLite has one writer at a time anyway, and one
// connection makes "database is locked" impossible inside the process);
// reads use a separate pool of read-only connections, which WAL lets run
// while a write is in progress.
//
// The schema is created and upgraded by Open: numbered migrations, applied
// in order inside one IMMEDIATE transaction and recorded in the
// schema_version table, so opening the same file twice, or from two
// processes at once, applies each migration exactly once. A database whose
// schema is newer than the program is refused rather than misread.
//
// Examples get increasing integer ids that are never reused, even after a
// delete (AUTOINCREMENT), so "after id" pagination is stable. Tasks get
// random 16-hex-digit ids and move through the states queued,
// preprocessing, training, then trained or failed; MarkInterrupted, called
// at start, fails every task a previous process left unfinished.
//
// Times are stored as fixed-width UTC text (2006-01-02T15:04:05.000000000Z),
// readable in the sqlite3 shell and ordered as text. The path must name a
// file: ":memory:" is not supported (the two connection pools would see two
// different databases).
package store
