package modelrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"intent/internal/atomicfile"
)

// Files of the models root.
const (
	// PinFile names the pinned default version. It holds one version
	// number per line: the first that exists is the default. Further lines
	// are fallbacks, written just before a version that takes the pin
	// appears, so that until it does the previous pin still holds.
	PinFile = "DEFAULT"
	// HighestFile records the highest version number ever used. Numbers
	// are never reused, even after the newest version is deleted or a
	// publish fails: a client that asked for version 7 must never get a
	// different model under that number later.
	HighestFile = ".highest"
)

// Prefixes of the hidden entries of the root.
const (
	tmpPrefix     = ".tmp-"     // a version being written
	deletedPrefix = ".deleted-" // a version being removed
	uploadPrefix  = ".upload-"  // an upload streamed to disk before it is checked
)

// Repo is a models folder. Its methods may be called from several
// goroutines and processes at once: changes take an exclusive advisory
// lock on the folder.
type Repo struct {
	root string
}

// New returns the repository rooted at root; it does no I/O.
func New(root string) *Repo { return &Repo{root: root} }

// Root is the folder.
func (r *Repo) Root() string { return r.root }

// Dir is the folder of version n.
func (r *Repo) Dir(n int) string { return filepath.Join(r.root, strconv.Itoa(n)) }

// Versions lists the version numbers, ascending.
func (r *Repo) Versions() ([]int, error) { return Versions(r.root) }

// lock takes the folder's exclusive lock (flock on the folder itself, so
// it is released when the process dies) and returns its release.
func (r *Repo) lock() (func(), error) {
	if err := os.MkdirAll(r.root, 0o755); err != nil {
		return nil, fmt.Errorf("modelrepo: create the models folder: %w", err)
	}
	f, err := os.Open(r.root)
	if err != nil {
		return nil, fmt.Errorf("modelrepo: open the models folder: %w", err)
	}
	if err := flock(f, syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("modelrepo: lock the models folder: %w", err)
	}
	return func() { f.Close() }, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// Highest returns the recorded high-water mark, 0 when there is none or it
// is unreadable (the folder names still prevent collisions then).
func (r *Repo) Highest() int {
	b, err := os.ReadFile(filepath.Join(r.root, HighestFile))
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// fault, when set (by tests), runs before each step of a change and fails
// the step with its error: it proves that a failure or a kill at any step
// leaves the folder consistent.
var fault func(step string) error

func step(name string) error {
	if fault != nil {
		return fault(name)
	}
	return nil
}

// writeFile is atomicfile.WriteFile behind the fault hook.
func writeFile(stepName, path string, data []byte) error {
	if err := step(stepName); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// isNotExist reports whether err says a file or folder does not exist.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// Default returns the version that is the default on disk: the pinned one
// when its folder exists, else the newest version that is not held; 0 when
// there is none. A server applies the same rule to the versions it has
// loaded.
func (r *Repo) Default() (int, error) {
	pinned, err := r.Pinned()
	if pinned > 0 {
		return pinned, err
	}
	vs, verr := r.Versions()
	if verr != nil {
		return 0, verr
	}
	for _, n := range slices.Backward(vs) {
		if held, _ := IsHeld(r.Dir(n)); !held {
			return n, err
		}
	}
	return 0, err
}
