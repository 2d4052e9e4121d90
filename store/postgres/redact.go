package postgres

import (
	"net/url"
	"regexp"
	"strings"
)

// hidden replaces a password in what Redact shows.
const hidden = "xxxxx"

// Redact returns a PostgreSQL URL fit for logs and errors: its password
// (in the user part, or a password or sslpassword parameter) replaced by
// xxxxx. A string that is not a URL is not shown at all.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(an unreadable database URL)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), hidden)
		}
	}
	q := u.Query()
	changed := false
	for k := range q {
		if k == "password" || k == "sslpassword" {
			q.Set(k, hidden)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// userinfoPassword finds the password of a URL that net/url cannot parse:
// from the colon after the user name to the last @ (a password may hold an
// unescaped @).
var userinfoPassword = regexp.MustCompile(`://[^:/@]*:(.*)@`)

// passwords returns every form in which a password of s might be printed.
func passwords(s string) []string {
	var pws []string
	add := func(p string) {
		if p == "" || p == hidden {
			return
		}
		pws = append(pws, p)
		if e := url.QueryEscape(p); e != p {
			pws = append(pws, e)
		}
		if e := url.PathEscape(p); e != p {
			pws = append(pws, e)
		}
	}
	if u, err := url.Parse(s); err == nil {
		if u.User != nil {
			p, _ := u.User.Password()
			add(p)
		}
		for _, k := range []string{"password", "sslpassword"} {
			for _, p := range u.Query()[k] {
				add(p)
			}
		}
	}
	for _, m := range userinfoPassword.FindAllStringSubmatch(s, -1) {
		add(m[1])
		if p, err := url.PathUnescape(m[1]); err == nil {
			add(p)
		}
	}
	return pws
}

// scrub returns err with every password of s hidden from its text (pgx
// redacts the URLs it prints, but only as best it can). errors.Is and As
// still see the original chain. It is applied to the driver's errors, not
// to messages holding a Redact-ed URL: a password that is also the user or
// database name would blank those out too.
func scrub(err error, s string) error {
	msg := err.Error()
	clean := msg
	for _, p := range passwords(s) {
		clean = strings.ReplaceAll(clean, p, hidden)
	}
	if clean == msg {
		return err
	}
	return &scrubbed{msg: clean, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
