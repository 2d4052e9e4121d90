package modelrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"intent/internal/atomicfile"
	"intent/internal/errcode"
)

// Publish says what to store as a new version.
type Publish struct {
	// Files maps file names to contents; it must hold ModelFile. Callers
	// decode the model first when the bytes come from outside.
	Files map[string][]byte
	// Paths maps file names to files already on disk in the same file
	// system (an Upload's): they are moved into the version, not read.
	// A name must not be in both Files and Paths.
	Paths map[string]string
	// Held, when not empty, keeps the version out of the default unless it
	// is pinned; it is the reason, stored in HeldFile.
	Held string
	// Pin makes the version the pinned default the instant it appears.
	Pin bool
}

// Publish stores p as the next version and returns its number. The steps,
// each durable before the next:
//
//  1. the files (and HeldFile) are written into a hidden folder, locked so
//     that a sweep never removes it while it is written, and synced;
//  2. the number is reserved in HighestFile;
//  3. with Pin, the number is put at the head of the pin file, the previous
//     pins kept as fallbacks (until the folder appears, they hold);
//  4. the folder is renamed to its number: the version appears.
//
// A failure at any step removes the hidden folder: no version appears, and
// a reserved number is never used again.
func (r *Repo) Publish(p Publish) (int, error) {
	_, inFiles := p.Files[ModelFile]
	_, inPaths := p.Paths[ModelFile]
	if !inFiles && !inPaths {
		return 0, errcode.New(errcode.Invalid, "no %s to publish", ModelFile)
	}
	names := make([]string, 0, len(p.Files)+len(p.Paths))
	for name := range p.Files {
		names = append(names, name)
	}
	for name := range p.Paths {
		if _, dup := p.Files[name]; dup {
			return 0, errcode.New(errcode.Invalid, "file %q given twice in a version", name)
		}
		names = append(names, name)
	}
	for _, name := range names {
		if name == "" || name != filepath.Base(name) || name == "." || name == ".." || name[0] == '.' || name == HeldFile {
			return 0, errcode.New(errcode.Invalid, "bad file name %q in a version", name)
		}
	}
	if err := os.MkdirAll(r.root, 0o755); err != nil {
		return 0, fmt.Errorf("modelrepo: create the models folder: %w", err)
	}
	tmp, err := os.MkdirTemp(r.root, tmpPrefix)
	if err != nil {
		return 0, fmt.Errorf("modelrepo: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	// The writer holds a lock on its folder until it returns: a sweep in
	// another process then knows the folder is not a leftover.
	d, err := os.Open(tmp)
	if err != nil {
		return 0, fmt.Errorf("modelrepo: %w", err)
	}
	defer d.Close()
	if err := flock(d, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return 0, fmt.Errorf("modelrepo: lock the folder being written: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return 0, fmt.Errorf("modelrepo: %w", err)
	}
	for name, b := range p.Files {
		if err := writeFile("files", filepath.Join(tmp, name), b); err != nil {
			return 0, fmt.Errorf("modelrepo: %w", err)
		}
	}
	for name, src := range p.Paths {
		if err := moveFile("files", src, filepath.Join(tmp, name)); err != nil {
			return 0, fmt.Errorf("modelrepo: %w", err)
		}
	}
	if p.Held != "" {
		if err := writeFile("held", filepath.Join(tmp, HeldFile), []byte(p.Held+"\n")); err != nil {
			return 0, fmt.Errorf("modelrepo: %w", err)
		}
	}
	if err := atomicfile.SyncDir(tmp); err != nil {
		return 0, fmt.Errorf("modelrepo: %w", err)
	}

	unlock, err := r.lock()
	if err != nil {
		return 0, err
	}
	defer unlock()
	versions, err := r.Versions()
	if err != nil {
		return 0, err
	}
	n := r.Highest() + 1
	if len(versions) > 0 {
		n = max(n, versions[len(versions)-1]+1)
	}
	if err := writeFile("highest", filepath.Join(r.root, HighestFile), []byte(strconv.Itoa(n)+"\n")); err != nil {
		return 0, fmt.Errorf("modelrepo: reserve version %d: %w", n, err)
	}
	if p.Pin {
		pins, _ := r.pins()
		if err := r.writePins("pin", append([]int{n}, pins...)); err != nil {
			return 0, fmt.Errorf("modelrepo: pin version %d: %w", n, err)
		}
	}
	if err := step("rename"); err != nil {
		return 0, fmt.Errorf("modelrepo: publish version %d: %w", n, err)
	}
	dst := r.Dir(n)
	if err := os.Rename(tmp, dst); err != nil {
		if errors.Is(err, os.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
			err = fmt.Errorf("folder %d exists although %s said %d was never used", n, HighestFile, n-1)
		}
		return 0, fmt.Errorf("modelrepo: publish version %d: %w", n, err)
	}
	err = step("sync")
	if err == nil {
		err = atomicfile.SyncDir(r.root)
	}
	if err != nil {
		// The rename may not survive a crash: take the version back rather
		// than acknowledge it.
		if os.Rename(dst, tmp) == nil {
			return 0, fmt.Errorf("modelrepo: publish version %d: %w", n, err)
		}
		done = true // it is visible: do not remove it under a reader
		return n, fmt.Errorf("modelrepo: version %d was published but may not be durable: %w", n, err)
	}
	done = true
	return n, nil
}

// moveFile renames src to dst (same file system) and makes its contents
// durable, behind the fault hook.
func moveFile(stepName, src, dst string) error {
	if err := step(stepName); err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return err
	}
	if err := os.Chmod(src, 0o644); err != nil {
		return err
	}
	return os.Rename(src, dst)
}
