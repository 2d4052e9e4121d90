package store

import (
	"errors"

	"intent/internal/errcode"
)

// ErrNotFound is in the chain of every error that says an example or a
// task does not exist, or that no task is queued: test with errors.Is.
var ErrNotFound = errors.New("store: not found")

// NotFound is how backends report a missing thing: an error of code
// errcode.NotFound, whose client-facing message names what was looked for
// (format and args), wrapping ErrNotFound. Its text is "<what>: store: not
// found".
func NotFound(format string, args ...any) error {
	return errcode.Wrap(errcode.NotFound, ErrNotFound, format, args...)
}
