package store

import "errors"

// ErrNotFound is returned, wrapped with what was looked for, when an
// example or a task does not exist or no task is queued.
var ErrNotFound = errors.New("store: not found")
