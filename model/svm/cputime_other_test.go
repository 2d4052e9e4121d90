//go:build !unix

package svm

import "time"

func cpuTime() time.Duration { return 0 }
