package errcode

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies what went wrong.
type Code int

const (
	Internal     Code = iota // a bug or an unexpected failure
	Invalid                  // the input is malformed
	TooLarge                 // a query, body or list over its limit
	NotFound                 // no such thing
	Method                   // the route exists, not for this method
	Unavailable              // not ready yet (no model loaded)
	Conflict                 // the request contradicts the current state
	Unauthorized             // a token is needed
	Forbidden                // the operation is disabled
	Unsupported              // a body of a media type that is not taken
)

// Error is an error with a code. Msg is safe to show to a client: it names
// what the user gave, never server paths or internals; Err, when set, is
// for the logs only.
type Error struct {
	Code Code
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New builds an Error of code c with a client-facing message.
func New(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// Wrap is New keeping err as the logged cause.
func Wrap(c Code, err error, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Of returns the first *Error in err's chain, or nil.
func Of(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// Is reports whether err carries code c.
func Is(err error, c Code) bool {
	e := Of(err)
	return e != nil && e.Code == c
}

// Truncate shortens what a user gave to n bytes (on a rune boundary) for a
// message, marking the cut with "...".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
