package postgres

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"intent/store/postgres/pgtest"
)

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:s3cret@db:5432/intent":               "postgres://u:xxxxx@db:5432/intent",
		"postgresql://u@db/intent":                         "postgresql://u@db/intent",
		"postgres://db/intent?password=s3cret&sslmode=off": "postgres://db/intent?password=xxxxx&sslmode=off",
		"postgres://u:p%40ss@db/intent?sslpassword=s3cret": "postgres://u:xxxxx@db/intent?sslpassword=xxxxx",
		"postgres://u:s3cret@db:port/intent":               "(an unreadable database URL)",
		"postgres://u:s3cret@[::1/intent":                  "(an unreadable database URL)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenErrorsHideThePassword opens URLs that fail in different places
// (parsing, connecting, authenticating) and checks that no error shows the
// password.
func TestOpenErrorsHideThePassword(t *testing.T) {
	const pw = "Sup3r-s3cret"
	urls := []string{
		"postgres://u:" + pw + "@db:notaport/intent",
		"postgres://u:" + pw + "@127.0.0.1:1/intent?connect_timeout=2",
		"postgres://u@127.0.0.1:1/intent?connect_timeout=2&password=" + pw,
		"postgres://u:" + pw + "@127.0.0.1:1/intent?connect_timeout=2&sslmode=bogus",
	}
	var db *DB
	var err error
	for _, u := range urls {
		db, err = Open(context.Background(), u)
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) succeeded", Redact(u))
			continue
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("Open(%s): the error shows the password: %v", Redact(u), err)
		}
		t.Logf("%v", err)
	}
	// A wrong password against the real server.
	real, err := url.Parse(pgtest.Server(t))
	if err != nil {
		t.Fatal(err)
	}
	real.User = url.UserPassword(real.User.Username(), pw)
	u := real.String()
	db, err = Open(context.Background(), u)
	if err == nil {
		db.Close()
		t.Skipf("the test server accepts any password")
	}
	if strings.Contains(err.Error(), pw) {
		t.Errorf("wrong password: the error shows it: %v", err)
	}
	t.Logf("wrong password: %v", err)
}

func TestScrub(t *testing.T) {
	for u, msg := range map[string]string{
		// Parsed by net/url: the password, escaped or not, and parameters.
		"postgres://u:p%40ss+w0rd@db/intent?sslpassword=k3y": "cannot parse `postgres://u:p%40ss+w0rd@db/intent`: p@ss+w0rd; k3y",
		// Not parsed (an unescaped @ and a space): found by the pattern.
		"postgres://u:p@ss w0rd@db/intent": "cannot parse `postgres://u:p@ss w0rd@db/intent`: bad",
	} {
		got := scrub(errors.New(msg), u).Error()
		if strings.Contains(got, "w0rd") || strings.Contains(got, "k3y") {
			t.Errorf("scrub left a password of %s: %s", Redact(u), got)
		}
		if !strings.Contains(got, "cannot parse `postgres://u:xxxxx@db/intent`") {
			t.Errorf("scrub changed more than the password: %s", got)
		}
	}
	plain := errors.New("no password here")
	if got := scrub(plain, "postgres://u:s3cret@db/intent"); got != plain {
		t.Errorf("scrub changed an error with no password: %v", got)
	}
}
