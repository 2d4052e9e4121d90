package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
)

// ProcessOwner returns an owner id for ClaimNext naming this process:
// "host:pid:random". The random part keeps it unique when host names or
// pids repeat (containers are all pid 1), so it never names a previous
// incarnation: a server that wants MarkInterrupted to find the tasks of its
// last run passes a stable, configured id instead.
func ProcessOwner() string { return processOwner() }

var processOwner = sync.OnceValue(func() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	var b [4]byte
	rand.Read(b[:]) // never returns an error: it crashes the program instead
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b[:]))
})
