package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"intent/store"
)

// busyTimeout is how long a connection waits for another process's write
// lock before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// maxReaders bounds the read-only connection pool.
const maxReaders = 4

// DB is an open database. It is safe for concurrent use.
type DB struct {
	path string
	w    *sql.DB // the one writer connection
	r    *sql.DB // read-only connections

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*DB)(nil)

// Open opens (creating it if needed) the database at path, switches it to
// WAL mode and migrates its schema to the current version.
func Open(path string) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: %q: give the path of a database file", path)
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: %q: the path may not contain '?' or '#'", path)
	}
	common := []string{
		fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
		"foreign_keys(1)",
		"synchronous(FULL)",
	}
	w, err := sql.Open("sqlite", dsn(path, append([]string{"journal_mode(WAL)"}, common...), "&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	db := &DB{path: path, w: w}
	if err := db.init(); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, append(common, "query_only(1)"), ""))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(maxReaders)
	r.SetMaxIdleConns(maxReaders)
	db.r = r
	return db, nil
}

func dsn(path string, pragmas []string, extra string) string {
	q := make([]string, len(pragmas))
	for i, p := range pragmas {
		q[i] = "_pragma=" + url.QueryEscape(p)
	}
	return path + "?" + strings.Join(q, "&") + extra
}

// init checks the journal mode and migrates the schema.
func (db *DB) init() error {
	ctx, cancel := context.WithTimeout(context.Background(), busyTimeout+5*time.Second)
	defer cancel()
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: open %s: %w", db.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store: open %s: journal mode is %q, not WAL (is the file on a network file system?)", db.path, mode)
	}
	if err := migrate(ctx, db.w, migrations); err != nil {
		return fmt.Errorf("%w (database %s)", err, db.path)
	}
	return nil
}

// Path returns the database file.
func (db *DB) Path() string { return db.path }

// Close closes both connection pools. The WAL is checkpointed by SQLite
// when the last connection closes.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		var errR error
		if db.r != nil {
			errR = db.r.Close()
		}
		db.closeErr = errors.Join(errR, db.w.Close())
	})
	return db.closeErr
}
