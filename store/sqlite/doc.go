// Package sqlite is the embedded backend of store: examples and tasks in
// one SQLite file, through the pure-Go driver modernc.org/sqlite (no cgo).
//
// The database is opened in WAL mode with synchronous=FULL: once a write
// returns, its rows are in the write-ahead log and fsynced, so they survive
// the process being killed and the machine losing power. Writes go through
// one connection (SQLite has one writer at a time anyway, and one
// connection makes "database is locked" impossible inside the process);
// reads use a separate pool of read-only connections, which WAL lets run
// while a write is in progress. Other processes may open the same file:
// they wait for the write lock up to busyTimeout, and ClaimNext is a single
// UPDATE ... RETURNING statement, so each queued task goes to one of them.
//
// The schema is created and upgraded by Open: numbered migrations, applied
// in order inside one IMMEDIATE transaction and recorded in the
// schema_version table, so opening the same file twice, or from two
// processes at once, applies each migration exactly once, and a file made
// by an older version is upgraded in place. A database whose schema is
// newer than the program is refused rather than misread.
//
// Times are stored as fixed-width UTC text (2006-01-02T15:04:05.000000000Z),
// readable in the sqlite3 shell and ordered as text. The path must name a
// file: ":memory:" is not supported (the two connection pools would see two
// different databases).
package sqlite
