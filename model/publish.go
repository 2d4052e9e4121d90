package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// PublishVersion stores files (name -> content, for example ModelFile with
// bytes a client uploaded) as the next version folder under root and returns
// its number and path. It publishes the way WriteVersion does: everything is
// written into a hidden temporary folder, synced, then renamed into place,
// so a reader sees either no folder or a complete one, and concurrent
// writers (WriteVersion among them) each get their own number.
//
// PublishVersion does not check the content: callers decode the model first
// (Decode) when the bytes come from outside. files must hold ModelFile, and
// names must be plain file names.
func PublishVersion(root string, files map[string][]byte) (int, string, error) {
	if _, ok := files[ModelFile]; !ok {
		return 0, "", fmt.Errorf("model: publish: no %s", ModelFile)
	}
	for name := range files {
		if name == "" || name != filepath.Base(name) || name == "." || name == ".." || name[0] == '.' {
			return 0, "", fmt.Errorf("model: publish: bad file name %q", name)
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return 0, "", fmt.Errorf("model: create %s: %w", root, err)
	}
	tmp, err := os.MkdirTemp(root, ".tmp-")
	if err != nil {
		return 0, "", fmt.Errorf("model: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return 0, "", fmt.Errorf("model: %w", err)
	}
	for name, b := range files {
		if err := WriteFileAtomic(filepath.Join(tmp, name), b, 0o644); err != nil {
			return 0, "", err
		}
	}
	if err := syncDir(tmp); err != nil {
		return 0, "", err
	}
	n, dst, err := publishDir(root, tmp)
	if err != nil {
		return 0, "", err
	}
	done = true
	return n, dst, nil
}

// HighestFile, in a models root, records the highest version number ever
// published there. Numbers are never reused, even after the newest version
// is deleted: a client that asked for version 7 must never get a different
// model under that number later.
const HighestFile = ".highest"

// publishDir renames the complete folder tmp to the next free version
// number under root: above every existing version and above the recorded
// high-water mark.
func publishDir(root, tmp string) (int, string, error) {
	versions, err := Versions(root)
	if err != nil {
		return 0, "", err
	}
	n := readHighest(root) + 1
	if len(versions) > 0 {
		n = max(n, versions[len(versions)-1]+1)
	}
	for ; ; n++ {
		dst := filepath.Join(root, strconv.Itoa(n))
		err := os.Rename(tmp, dst)
		if err == nil {
			// Concurrent publishers may race here; each keeps the larger
			// value it sees, so the mark only lags, never goes back, in
			// the sequential case that matters (publish, delete, publish).
			if h := readHighest(root); n > h {
				if err := WriteFileAtomic(filepath.Join(root, HighestFile), []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
					return n, dst, err
				}
			}
			if err := syncDir(root); err != nil {
				return n, dst, err
			}
			return n, dst, nil
		}
		// Another writer took n first: try the next number.
		if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
			continue
		}
		return 0, "", fmt.Errorf("model: publish version %d: %w", n, err)
	}
}

// readHighest returns the recorded high-water mark, 0 when there is none or
// it is unreadable (the folder names still prevent collisions then).
func readHighest(root string) int {
	b, err := os.ReadFile(filepath.Join(root, HighestFile))
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 {
		return 0
	}
	return n
}
