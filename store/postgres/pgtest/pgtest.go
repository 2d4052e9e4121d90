// Package pgtest finds a PostgreSQL server for tests and gives each test a
// fresh schema on it, so that tests, and test binaries of several packages
// running at once, never see each other's tables.
//
// The server is the URL in $INTENT_TEST_POSTGRES (a role that may create
// schemas in its database). Without it, the local defaults are tried: the
// role and database .ci/run creates (intent_test on 127.0.0.1:5432), then
// the postgres role over the unix socket in /var/run/postgresql. When the
// variable is set and its server does not answer the test fails; when it
// is not set and no default answers, the test is skipped, saying so.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable holding the test server's URL.
const Env = "INTENT_TEST_POSTGRES"

// Defaults are tried, in order, when Env is not set.
var Defaults = []string{
	"postgres://intent_test:intent-ci@127.0.0.1:5432/intent_test?sslmode=disable",
	"postgres://postgres@/postgres?host=/var/run/postgresql",
}

// schemaPrefix starts the name of every schema Fresh creates; the creation
// time follows, so that schemas left by killed test processes can be
// dropped later.
const schemaPrefix = "intent_test_"

// staleAfter is the age past which a test schema is taken for a leftover.
const staleAfter = 2 * time.Hour

var server = sync.OnceValues(func() (string, error) {
	if u := os.Getenv(Env); u != "" {
		if err := ping(u); err != nil {
			return "", fmt.Errorf("$%s: %w", Env, err)
		}
		sweep(u)
		return u, nil
	}
	var errs []string
	for _, u := range Defaults {
		if err := ping(u); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		sweep(u)
		return u, nil
	}
	return "", errSkip{strings.Join(errs, "; ")}
})

type errSkip struct{ why string }

func (e errSkip) Error() string { return e.why }

// Server returns the URL of the test server, skipping the test when none
// was configured and no default answers, failing it when the configured
// one does not answer.
func Server(t testing.TB) string {
	t.Helper()
	u, err := server()
	if s, ok := err.(errSkip); ok {
		t.Skipf("no PostgreSQL server: set %s=postgres://user:password@host:5432/db (a role that may create schemas), or run .ci/run, which installs one and sets it (tried %s)", Env, s.why)
	}
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Fresh creates an empty schema on the test server and returns the
// server's URL with search_path set to it: what Open needs for a new,
// empty database. The schema is dropped when t ends.
func Fresh(t testing.TB) string {
	t.Helper()
	base := Server(t)
	var b [4]byte
	rand.Read(b[:])
	schema := fmt.Sprintf("%s%d_%s", schemaPrefix, time.Now().Unix(), hex.EncodeToString(b[:]))
	if err := exec(base, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create a test schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec(base, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop the test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func ping(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

func connect(ctx context.Context, u string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return nil, err
	}
	cfg.ConnectTimeout = 3 * time.Second
	return pgx.ConnectConfig(ctx, cfg)
}

func exec(u, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// sweep drops the test schemas older than staleAfter: those of test
// processes killed before their cleanup ran. Errors are ignored (another
// process may be dropping the same schema).
func sweep(u string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, u)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, schemaPrefix)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		ts, _, _ := strings.Cut(strings.TrimPrefix(n, schemaPrefix), "_")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < staleAfter {
			continue
		}
		conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{n}.Sanitize()+` CASCADE`)
	}
}
