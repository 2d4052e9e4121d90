package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
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

// publishDir renames the complete folder tmp to the next free version
// number under root.
func publishDir(root, tmp string) (int, string, error) {
	versions, err := Versions(root)
	if err != nil {
		return 0, "", err
	}
	n := 1
	if len(versions) > 0 {
		n = versions[len(versions)-1] + 1
	}
	for ; ; n++ {
		dst := filepath.Join(root, strconv.Itoa(n))
		err := os.Rename(tmp, dst)
		if err == nil {
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
