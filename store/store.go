package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned (wrapped) when an example or a task does not exist.
var ErrNotFound = errors.New("store: not found")

// busyTimeout is how long a connection waits for another process's write
// lock before failing with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// maxReaders bounds the read-only connection pool.
const maxReaders = 4

// Store is an open database. It is safe for concurrent use.
type Store struct {
	path string
	w    *sql.DB // the one writer connection
	r    *sql.DB // read-only connections
}

// Open opens (creating it if needed) the database at path, switches it to
// WAL mode and migrates its schema to the current version.
func Open(path string) (*Store, error) {
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
	s := &Store{path: path, w: w}
	if err := s.init(); err != nil {
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
	s.r = r
	return s, nil
}

func dsn(path string, pragmas []string, extra string) string {
	q := make([]string, len(pragmas))
	for i, p := range pragmas {
		q[i] = "_pragma=" + url.QueryEscape(p)
	}
	return path + "?" + strings.Join(q, "&") + extra
}

// init checks the journal mode and migrates the schema.
func (s *Store) init() error {
	ctx, cancel := context.WithTimeout(context.Background(), busyTimeout+5*time.Second)
	defer cancel()
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store: open %s: journal mode is %q, not WAL (is the file on a network file system?)", s.path, mode)
	}
	return migrate(ctx, s.w, migrations)
}

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// Close closes both connection pools. The WAL is checkpointed by SQLite
// when the last connection closes.
func (s *Store) Close() error {
	var errR error
	if s.r != nil {
		errR = s.r.Close()
	}
	return errors.Join(errR, s.w.Close())
}

// timeLayout is how times are stored: fixed width, UTC, ordered as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func parseTime(s sql.NullString) (time.Time, error) {
	if !s.Valid || s.String == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(timeLayout, s.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: bad time %q in the database: %w", s.String, err)
	}
	return t, nil
}

// now is the clock, rounded as stored so that what a write returns equals
// what a later read gives.
func now() time.Time { return time.Now().UTC().Round(0) }
