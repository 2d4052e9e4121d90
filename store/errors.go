package store

import (
	"errors"

	"intent/internal/errcode"
)

// ErrNotFound is in the chain of every error that says an example or a
// task does not exist, or that no task is queued: test with errors.Is.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is in the chain of every error that says a write
// contradicts what is stored (an example key already taken): test with
// errors.Is.
var ErrConflict = errors.New("store: conflict")

// NotFound is how backends report a missing thing: an error of code
// errcode.NotFound, whose client-facing message names what was looked for
// (format and args), wrapping ErrNotFound. Its text is "<what>: store: not
// found".
func NotFound(format string, args ...any) error {
	return errcode.Wrap(errcode.NotFound, ErrNotFound, format, args...)
}

// Conflict is how backends report a conflicting write: an error of code
// errcode.Conflict whose client-facing message says what conflicts,
// wrapping ErrConflict.
func Conflict(format string, args ...any) error {
	return errcode.Wrap(errcode.Conflict, ErrConflict, format, args...)
}
