package store

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestProcessOwnerIsStableAndNamesTheProcess(t *testing.T) {
	a, b := ProcessOwner(), ProcessOwner()
	if a != b {
		t.Errorf("ProcessOwner changed within one process: %q, then %q", a, b)
	}
	parts := strings.Split(a, ":")
	if len(parts) < 3 || parts[0] == "" || parts[len(parts)-2] != strconv.Itoa(os.Getpid()) || len(parts[len(parts)-1]) != 8 {
		t.Errorf("ProcessOwner() = %q, want host:%d:<8 hex digits>", a, os.Getpid())
	}
}
