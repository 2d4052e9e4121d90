package jobs

import (
	"errors"
	"intent/internal/errcode"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// confine resolves rel, a path the client gave, inside the data folder dir
// and returns the resolved path (symbolic links resolved). It refuses, as
// kindInvalid errors:
//   - absolute paths and paths with a ".." element;
//   - paths that do not exist;
//   - paths that lead out of dir through a symbolic link, including, for a
//     folder, a link among its entries (a Posos folder's files are read
//     from it).
//
// The check is made when the task is queued and again when it runs; a link
// swapped between the check and the read is not caught (the data folder is
// the operator's, not the client's).
func Confine(dir, rel string) (string, error) {
	if dir == "" {
		return "", errcode.New(errcode.Invalid, `this server has no data folder, so "data" cannot be used: train on the stored examples ("use_examples": true), or start the server with a data folder`)
	}
	if strings.ContainsRune(rel, 0) {
		return "", errcode.New(errcode.Invalid, `"data" contains a NUL byte`)
	}
	if rel == "" {
		return "", errcode.New(errcode.Invalid, `"data" is empty`)
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, `\`) || filepath.VolumeName(rel) != "" {
		return "", errcode.New(errcode.Invalid, `"data" must be a path relative to the data folder, not an absolute path: got %q`, errcode.Truncate(rel, 200))
	}
	for _, el := range strings.FieldsFunc(rel, func(r rune) bool { return r == '/' || r == '\\' }) {
		if el == ".." {
			return "", errcode.New(errcode.Invalid, `"data" may not contain "..": give a path inside the data folder, got %q`, errcode.Truncate(rel, 200))
		}
	}
	base, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", &errcode.Error{Code: errcode.Internal, Msg: "the server's data folder is not available", Err: err}
	}
	if base, err = filepath.Abs(base); err != nil {
		return "", &errcode.Error{Code: errcode.Internal, Msg: "the server's data folder is not available", Err: err}
	}
	resolved, err := filepath.EvalSymlinks(filepath.Join(base, filepath.FromSlash(rel)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", errcode.New(errcode.Invalid, `"data" %q does not exist in the data folder`, errcode.Truncate(rel, 200))
		}
		return "", errcode.New(errcode.Invalid, `"data" %q cannot be read in the data folder`, errcode.Truncate(rel, 200))
	}
	if !within(base, resolved) {
		return "", errcode.New(errcode.Invalid, `"data" %q leads out of the data folder through a symbolic link`, errcode.Truncate(rel, 200))
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return "", errcode.New(errcode.Invalid, `"data" %q cannot be read in the data folder`, errcode.Truncate(rel, 200))
	}
	if st.IsDir() {
		entries, err := os.ReadDir(resolved)
		if err != nil {
			return "", errcode.New(errcode.Invalid, `"data" %q: the folder cannot be read`, errcode.Truncate(rel, 200))
		}
		for _, e := range entries {
			if e.Type()&fs.ModeSymlink == 0 {
				continue
			}
			target, err := filepath.EvalSymlinks(filepath.Join(resolved, e.Name()))
			if err == nil && !within(base, target) {
				return "", errcode.New(errcode.Invalid, `"data" %q holds %s, a symbolic link out of the data folder`, errcode.Truncate(rel, 200), errcode.Truncate(e.Name(), 100))
			}
		}
	}
	return resolved, nil
}

// within reports whether path is base or lies under it; both are clean
// absolute paths.
func within(base, path string) bool {
	r, err := filepath.Rel(base, path)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}
