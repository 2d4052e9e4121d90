// Package store defines the server's durable state, independent of any
// database: the labeled examples added over HTTP, the training tasks, and
// the Store interface every backend implements. It holds no SQL.
//
// Backends live in subpackages: store/sqlite is the embedded default (one
// file, one machine); store/postgres is for several replicas sharing a
// database. store/backend chooses one from the server's --db value (this
// package imports neither). store/storetest is the behaviour they all must
// have, as a test suite each backend runs.
//
// Examples get increasing integer ids that are never reused, even after a
// delete, so "after id" pagination is stable. Tasks get random 16-hex-digit
// ids and move through the states queued, preprocessing, training, then
// trained or failed. A server takes a queued task with ClaimNext, which is
// atomic across every handle on the database, so a task shared by several
// servers runs once; the task records the claiming server's owner id.
// MarkInterrupted, called at start, fails the tasks a previous process left
// unfinished.
//
// A missing example or task is reported by NotFound: an error with the code
// errcode.NotFound (for the HTTP layer's table) that wraps ErrNotFound (for
// errors.Is).
package store
