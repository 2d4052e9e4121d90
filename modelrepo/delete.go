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
