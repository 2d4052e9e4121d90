package modelrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"intent/internal/atomicfile"
	"intent/internal/errcode"
)

// maxPins bounds the fallbacks kept in the pin file.
const maxPins = 8

// Pins reads the pin file: the pinned versions, first choice first (empty
// when nothing is pinned). A pin file that cannot be parsed is an error.
func (r *Repo) Pins() ([]int, error) { return r.pins() }

func (r *Repo) pins() ([]int, error) {
	b, err := os.ReadFile(filepath.Join(r.root, PinFile))
	if err != nil {
		if isNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("cannot read the pin file: %w", err)
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		n, ok := versionName(f)
		if !ok {
			return nil, fmt.Errorf("the pin file %s holds %q, not a version number", PinFile, errcode.Truncate(f, 20))
		}
		out = append(out, n)
	}
	return out, nil
}

// Pinned returns the pinned default: the first version of the pin file
// whose folder exists, or 0.
func (r *Repo) Pinned() (int, error) {
	pins, err := r.pins()
	for _, n := range pins {
		if st, serr := os.Stat(r.Dir(n)); serr == nil && st.IsDir() {
			return n, err
		}
	}
	return 0, err
}

func (r *Repo) writePins(stepName string, pins []int) error {
	var b strings.Builder
	seen := map[int]bool{}
	for _, n := range pins {
		if seen[n] || len(seen) == maxPins {
			continue
		}
		seen[n] = true
		b.WriteString(strconv.Itoa(n))
		b.WriteByte('\n')
	}
	return writeFile(stepName, filepath.Join(r.root, PinFile), []byte(b.String()))
}

// Pin makes version n the default until Unpin, across restarts. It fails
// with a not-found error when n does not exist.
func (r *Repo) Pin(n int) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if st, err := os.Stat(r.Dir(n)); err != nil || !st.IsDir() {
		return errcode.New(errcode.NotFound, "unknown model version %d", n)
	}
	if err := r.writePins("pin", []int{n}); err != nil {
		return fmt.Errorf("modelrepo: pin version %d: %w", n, err)
	}
	return nil
}

// SetPins writes the pin list as it is (used to put a previous pin back).
func (r *Repo) SetPins(pins []int) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if len(pins) == 0 {
		return r.unpin()
	}
	return r.writePins("pin", pins)
}

// Unpin removes the pin: the newest version that is not held is the
// default.
func (r *Repo) Unpin() error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return r.unpin()
}

func (r *Repo) unpin() error {
	if err := os.Remove(filepath.Join(r.root, PinFile)); err != nil && !isNotExist(err) {
		return fmt.Errorf("modelrepo: unpin: %w", err)
	}
	return atomicfile.SyncDir(r.root)
}
