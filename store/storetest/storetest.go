// Package storetest is the behaviour every store.Store backend must have,
// as a test suite the backend's own tests run:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, newDB) }
//
// It covers examples, tasks and the atomic claiming of queued tasks by
// several handles on one database. What only one backend has (file
// durability for SQLite, say) is tested in that backend's package.
package storetest

import (
	"testing"
	"time"

	"intent/store"
)

// Opener opens a new handle on one database. Every handle it returns sees
// the same data, as separate servers (or a server and its next run) sharing
// the database would. The backend closes the handles when t ends; the suite
// may close one earlier, so a second Close must be harmless.
type Opener func(t *testing.T) store.Store

// Run runs the suite, one subtest per behaviour. newDB makes a new, empty
// database for one subtest and returns how to open handles on it.
func Run(t *testing.T, newDB func(t *testing.T) Opener) {
	for _, c := range []struct {
		name string
		test func(*testing.T, Opener)
	}{
		{"ExamplesRoundTrip", examplesRoundTrip},
		{"AddExamplesIsAllOrNothing", addExamplesIsAllOrNothing},
		{"ListExamplesPaginates", listExamplesPaginates},
		{"DeleteExampleAndIDsAreNotReused", deleteExampleAndIDsAreNotReused},
		{"RelabelExample", relabelExample},
		{"ListExamplesFiltersText", listExamplesFiltersText},
		{"UnlabeledPool", unlabeledPool},
		{"ExampleKeys", exampleKeys},
		{"UnlabeledExamples", unlabeledExamples},
		{"DeleteExamplesByFilter", deleteExamplesByFilter},
		{"ConcurrentWritesAndReads", concurrentWritesAndReads},
		{"TaskLifecycle", taskLifecycle},
		{"TaskCallback", taskCallback},
		{"TaskStateIsChecked", taskStateIsChecked},
		{"TasksQueueOrderAndList", tasksQueueOrderAndList},
		{"ErrNotFoundIsWrapped", errNotFoundIsWrapped},
		{"ClaimNextTakesTheOldestForOwner", claimNextTakesTheOldestForOwner},
		{"ClaimNextIsExclusiveAcrossHandles", claimNextIsExclusiveAcrossHandles},
		{"MarkInterruptedEveryUnfinished", markInterruptedEveryUnfinished},
		{"MarkInterruptedByOwner", markInterruptedByOwner},
		{"HeartbeatsAndStaleTasks", heartbeatsAndStaleTasks},
		{"CloseTwice", closeTwice},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, newDB(t)) })
	}
}

// clock is now as every backend can store it: the contract promises
// microsecond precision, so times the suite writes read back equal.
func clock() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func closeTwice(t *testing.T, open Opener) {
	s := open(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
