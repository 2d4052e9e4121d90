package modelrepo

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// staleAfter is how old an unlocked temporary file must be before Sweep
// removes it: atomic file writes take milliseconds and do not lock.
const staleAfter = time.Minute

// Sweep removes what interrupted writes left in the root: version folders
// being written by a process that died (their writer's lock is gone),
// folders of interrupted deletions, and stale temporary files. It returns
// the names it removed. A missing root is not an error.
func (r *Repo) Sweep() ([]string, error) {
	entries, err := os.ReadDir(r.root)
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	unlock, err := r.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	var removed []string
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(r.root, name)
		var leftover bool
		switch {
		case e.IsDir() && strings.HasPrefix(name, deletedPrefix):
			leftover = true
		case strings.HasPrefix(name, tmpPrefix) || strings.HasPrefix(name, uploadPrefix):
			leftover = unlocked(path)
		case strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-"):
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
				leftover = true
			}
		}
		if leftover && os.RemoveAll(path) == nil {
			removed = append(removed, name)
		}
	}
	return removed, nil
}

// unlocked reports whether no live process holds the writer's lock on
// path (a folder being published or an upload being received).
func unlocked(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false
	}
	return true
}
