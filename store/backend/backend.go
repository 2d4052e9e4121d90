// Package backend opens the store a server is configured with, choosing the
// backend by the name it is given (the api's --db or DB_PATH): a
// postgres:// or postgresql:// URL is a PostgreSQL database (store/postgres,
// for several servers sharing it), anything else the path of a SQLite file
// (store/sqlite, the embedded default). It is the one place that knows the
// backends, so that store itself imports none of them.
package backend

import (
	"context"
	"fmt"
	"strings"

	"intent/store"
	"intent/store/postgres"
	"intent/store/sqlite"
)

// Kinds of backend, as Kind names them.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Kind returns the backend db selects: Postgres for a postgres:// or
// postgresql:// URL (the scheme in any case), SQLite otherwise.
func Kind(db string) string {
	scheme, _, ok := strings.Cut(db, "://")
	if ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql")) {
		return Postgres
	}
	return SQLite
}

// urlScheme returns the scheme of db when db starts like a URL (letters,
// digits, +, - or . then ://).
func urlScheme(db string) (string, bool) {
	scheme, _, ok := strings.Cut(db, "://")
	if !ok || scheme == "" {
		return "", false
	}
	for _, r := range scheme {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '+' || r == '-' || r == '.') {
			return "", false
		}
	}
	return scheme, true
}

// Redact returns db fit for logs: a PostgreSQL URL with its password
// hidden, a file path as it is.
func Redact(db string) string {
	if Kind(db) == Postgres {
		return postgres.Redact(db)
	}
	return db
}

// Open opens the store db names, creating or migrating its schema. Its
// errors never show a password. A URL of another scheme (mysql://,
// sqlite://, a misspelt postgres) is refused rather than taken for a file
// name.
func Open(ctx context.Context, db string) (store.Store, error) {
	if scheme, ok := urlScheme(db); ok && Kind(db) != Postgres {
		return nil, fmt.Errorf("store: %s:// URLs are not supported: give a postgres:// URL or the path of a SQLite file", scheme)
	}
	if Kind(db) == Postgres {
		s, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := sqlite.Open(db)
	if err != nil {
		return nil, err
	}
	return s, nil
}
