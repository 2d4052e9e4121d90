package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"intent/store"
)

// openTimeout bounds Open: connecting and migrating, including the wait for
// another server's migration.
const openTimeout = 30 * time.Second

// connectTimeout is how long one connection attempt may take when the URL
// does not say (connect_timeout).
const connectTimeout = 10 * time.Second

// DB is an open database: a pool of connections. It is safe for concurrent
// use.
type DB struct {
	url  string // redacted
	pool *pgxpool.Pool

	closeOnce sync.Once
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (postgres:// or postgresql://) and
// migrates its schema to the current version. The tables go into the first
// schema of the search path (public unless the URL says search_path=...),
// which must exist.
func Open(ctx context.Context, url string) (*DB, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	shown := Redact(url)
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", shown, scrub(err, url))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", shown, scrub(err, url))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open %s: %w", shown, scrub(err, url))
	}
	if err := migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open %s: migrate: %w", shown, scrub(err, url))
	}
	return &DB{url: shown, pool: pool}, nil
}

// URL returns the database's URL with its password hidden.
func (db *DB) URL() string { return db.url }

// Close closes the pool, waiting for the connections in use to be
// returned. Calling it again does nothing.
func (db *DB) Close() error {
	db.closeOnce.Do(db.pool.Close)
	return nil
}

// now is the clock as stored: UTC, truncated to the microsecond (which is
// what pgx sends), so that what a write returns equals what a read gives.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// readTime reads a nullable timestamptz as UTC, NULL as the zero time.
func readTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
