package modelrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"intent/internal/atomicfile"
	"intent/internal/errcode"
)

// Delete removes version n: its folder is renamed to a hidden name (so no
// reader ever sees half a version), then removed. The pinned default
// cannot be deleted (a conflict). A crash in between leaves a hidden
// folder that Sweep removes.
func (r *Repo) Delete(n int) error {
	unlock, err := r.lock()
	if err != nil {
		return err
	}
	defer unlock()
	dir := r.Dir(n)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return errcode.New(errcode.NotFound, "unknown model version %d", n)
	}
	if labels, _ := r.Labels(); len(labelsOf(labels, n)) > 0 {
		return errcode.New(errcode.Conflict, "model version %d is labeled %v: move or remove the labels first", n, labelsOf(labels, n))
	}
	if pinned, _ := r.Pinned(); pinned == n {
		return errcode.New(errcode.Conflict, "model version %d is the pinned default: pin another version (PUT /models/default) or unpin (DELETE /models/default) before deleting it", n)
	}
	trash := filepath.Join(r.root, fmt.Sprintf("%s%d-%d", deletedPrefix, n, time.Now().UnixNano()))
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("modelrepo: delete version %d: %w", n, err)
	}
	if err := atomicfile.SyncDir(r.root); err != nil {
		return fmt.Errorf("modelrepo: delete version %d: %w", n, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("modelrepo: version %d is deleted but its files are not all removed (the next start removes them): %w", n, err)
	}
	return nil
}

// Reset removes every version, the pin and the labels: the model starts
// over, its numbers still never reused (the high-water mark stays). Each
// version goes the way Delete takes; a crash midway leaves a model with
// fewer versions and hidden folders that Sweep removes.
func (r *Repo) Reset() (int, error) {
	unlock, err := r.lock()
	if err != nil {
		return 0, err
	}
	defer unlock()
	for _, f := range []string{PinFile, LabelsFile} {
		if err := os.Remove(filepath.Join(r.root, f)); err != nil && !isNotExist(err) {
			return 0, fmt.Errorf("modelrepo: reset: %w", err)
		}
	}
	vs, err := r.Versions()
	if err != nil {
		return 0, err
	}
	for i, n := range vs {
		trash := filepath.Join(r.root, fmt.Sprintf("%s%d-%d", deletedPrefix, n, time.Now().UnixNano()))
		if err := os.Rename(r.Dir(n), trash); err != nil {
			return i, fmt.Errorf("modelrepo: reset: version %d: %w", n, err)
		}
		os.RemoveAll(trash)
	}
	return len(vs), atomicfile.SyncDir(r.root)
}
