//go:build unix

package svm

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time used by the process so far: on a shared machine
// it measures the work of a fit better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
