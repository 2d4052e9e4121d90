package modelrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Upload is a hidden folder of the root (".upload-*") that receives the
// files of an upload before they are checked and published. It is locked
// while it lives, so that a Sweep (in this process or another) never
// removes it; Close removes it.
type Upload struct {
	dir  string
	lock *os.File
}

// NewUpload creates an upload folder in the root (creating the root if
// needed).
func (r *Repo) NewUpload() (*Upload, error) {
	if err := os.MkdirAll(r.root, 0o755); err != nil {
		return nil, fmt.Errorf("modelrepo: create the models folder: %w", err)
	}
	dir, err := os.MkdirTemp(r.root, uploadPrefix)
	if err != nil {
		return nil, fmt.Errorf("modelrepo: %w", err)
	}
	f, err := os.Open(dir)
	if err == nil {
		err = flock(f, syscall.LOCK_EX|syscall.LOCK_NB)
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("modelrepo: lock the upload folder: %w", err)
	}
	return &Upload{dir: dir, lock: f}, nil
}

// Path is where the upload's file name is stored.
func (u *Upload) Path(name string) string { return filepath.Join(u.dir, name) }

// Create creates the upload's file name (a plain name, no folders).
func (u *Upload) Create(name string) (*os.File, error) {
	if name == "" || name != filepath.Base(name) || name[0] == '.' {
		return nil, fmt.Errorf("modelrepo: bad upload file name %q", name)
	}
	return os.OpenFile(u.Path(name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}

// Close removes the upload folder and what is left in it, then releases
// its lock. It may be called more than once.
func (u *Upload) Close() error {
	if u.lock == nil {
		return nil
	}
	err := os.RemoveAll(u.dir)
	err = errors.Join(err, u.lock.Close())
	u.lock = nil
	return err
}
