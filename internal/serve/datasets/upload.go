package datasets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"intent/internal/atomicfile"
	"intent/internal/errcode"
	"intent/model/dataset"
)

// Parts of an upload: a single file, or the files of the Posos layout by
// their names.
const PartFile = "file"

// pososParts are the Posos files an upload may hold.
var pososParts = []string{dataset.PososInput, dataset.PososOutput, dataset.PososTest}

// IsPart reports whether name is a part an upload takes: "file" or a Posos
// file name.
func IsPart(name string) bool { return name == PartFile || isPosos(name) }

func isPosos(name string) bool {
	for _, p := range pososParts {
		if name == p {
			return true
		}
	}
	return false
}

// Upload is a dataset being received: a hidden folder of the store that
// gets the files, then becomes the dataset at Commit. Close removes it
// unless it was committed.
type Upload struct {
	s     *Store
	dir   string
	parts map[string]string // part -> name as uploaded
	order []string          // parts in arrival order
	bytes int64
	done  bool
}

// NewUpload starts an upload.
func (s *Store) NewUpload() (*Upload, error) {
	if err := os.MkdirAll(s.root, 0o755); err != nil {
		return nil, fmt.Errorf("datasets: create the datasets folder: %w", err)
	}
	dir, err := os.MkdirTemp(s.root, uploadPrefix)
	if err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	return &Upload{s: s, dir: dir, parts: map[string]string{}}, nil
}

// Create creates the file of part (PartFile or a Posos file name), which
// was uploaded as name. A part comes once.
func (u *Upload) Create(part, name string) (*os.File, error) {
	if !IsPart(part) {
		return nil, errcode.New(errcode.Invalid, "unknown part %q: send \"file\" (a CSV, TSV, JSONL or JSON file) or the Posos files %s", errcode.Truncate(part, 50), strings.Join(pososParts, ", "))
	}
	if _, dup := u.parts[part]; dup {
		return nil, errcode.New(errcode.Invalid, "part %q given twice", part)
	}
	f, err := os.OpenFile(filepath.Join(u.dir, part), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == "" {
		name = part
	}
	u.parts[part] = name
	u.order = append(u.order, part)
	return f, nil
}

// Received adds n bytes to the upload's size.
func (u *Upload) Received(n int64) { u.bytes += n }

// Close removes the upload's folder unless it was committed.
func (u *Upload) Close() error {
	if u.done {
		return nil
	}
	u.done = true
	return os.RemoveAll(u.dir)
}

// Spec is what the uploader says of its upload.
type Spec struct {
	Name   string // the caller's name for it ("" : the file's)
	Format string // csv, tsv, jsonl, json or posos; "" guesses from the file name
	// Columns to read (empty: detected).
	TextCol, LabelCol, IDCol string
}

// maxNameLen and maxColumnLen bound a dataset's name and column names.
const (
	maxNameLen   = 200
	maxColumnLen = 100
)

// CheckColumn refuses a column name a reader could not have: empty,
// over 100 characters or with control characters.
func CheckColumn(field, v string) error {
	if v == "" {
		return nil
	}
	if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > maxColumnLen || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return errcode.New(errcode.Invalid, "%s must be a column name of 1 to %d printable characters, got %q", field, maxColumnLen, errcode.Truncate(v, 40))
	}
	return nil
}

// Commit checks the upload as a dataset (it must parse, and at least one
// row must be usable) and stores it under a new id: the files and
// meta.json are synced, then the folder is renamed into place. Invalid
// data is an errcode.Invalid error saying why, with the names the files
// were uploaded with.
func (u *Upload) Commit(sp Spec) (*Data, error) {
	if u.done {
		return nil, errors.New("datasets: upload already closed")
	}
	if len(u.order) == 0 {
		return nil, errcode.New(errcode.Invalid, "empty upload: send the dataset as the body, or as the multipart field \"file\" (or the Posos files %s)", strings.Join(pososParts, ", "))
	}
	for _, c := range []struct{ field, v string }{{"text_col", sp.TextCol}, {"label_col", sp.LabelCol}, {"id_col", sp.IDCol}} {
		if err := CheckColumn(c.field, c.v); err != nil {
			return nil, err
		}
	}
	sp.Name = strings.TrimSpace(sp.Name)
	if utf8.RuneCountInString(sp.Name) > maxNameLen || strings.IndexFunc(sp.Name, unicode.IsControl) >= 0 {
		return nil, errcode.New(errcode.Invalid, "name must be at most %d printable characters", maxNameLen)
	}
	id := newID()
	m := Meta{ID: id, Name: sp.Name, Bytes: u.bytes, TextCol: strings.TrimSpace(sp.TextCol), LabelCol: strings.TrimSpace(sp.LabelCol),
		IDCol: strings.TrimSpace(sp.IDCol), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	for _, p := range u.order {
		m.Files = append(m.Files, u.parts[p])
	}
	// The layout: data.<ext>, or posos/ with the Posos files.
	var data string // the data's path in the upload folder
	_, single := u.parts[PartFile]
	switch {
	case single && len(u.parts) > 1:
		return nil, errcode.New(errcode.Invalid, "send either \"file\" or the Posos files, not both")
	case single:
		m.Format = sp.Format
		if m.Format == "" {
			if m.Format = FormatOf(u.parts[PartFile]); m.Format == "" {
				m.Format = FormatOf(sp.Name)
			}
		}
		if m.Format == "" {
			return nil, errcode.New(errcode.Invalid, "the format of %q is not known from its name: give format=csv, tsv, jsonl or json", errcode.Truncate(u.parts[PartFile], 100))
		}
		ext, ok := Formats[m.Format]
		if !ok || m.Format == "posos" {
			return nil, errcode.New(errcode.Invalid, "format %q: use csv, tsv, jsonl or json for a single file (posos for the files %s)", errcode.Truncate(m.Format, 20), strings.Join(pososParts, ", "))
		}
		data = filepath.Join(u.dir, "data"+ext)
		if err := os.Rename(filepath.Join(u.dir, PartFile), data); err != nil {
			return nil, err
		}
	default:
		if sp.Format != "" && sp.Format != "posos" {
			return nil, errcode.New(errcode.Invalid, "format %q: the files %s are the posos format", errcode.Truncate(sp.Format, 20), strings.Join(u.order, ", "))
		}
		m.Format = "posos"
		_, in := u.parts[dataset.PososInput]
		_, out := u.parts[dataset.PososOutput]
		_, test := u.parts[dataset.PososTest]
		switch {
		case test && (in || out):
			return nil, errcode.New(errcode.Invalid, "%s is a dataset of its own (questions to label): upload it apart from %s and %s", dataset.PososTest, dataset.PososInput, dataset.PososOutput)
		case out && !in:
			return nil, errcode.New(errcode.Invalid, "%s without %s: the labels need their questions", dataset.PososOutput, dataset.PososInput)
		}
		data = filepath.Join(u.dir, PososDir)
		if err := os.Mkdir(data, 0o755); err != nil {
			return nil, err
		}
		for _, p := range u.order {
			if err := os.Rename(filepath.Join(u.dir, p), filepath.Join(data, p)); err != nil {
				return nil, err
			}
		}
	}
	if m.Name == "" {
		m.Name = m.Files[0]
	}
	m.Path = filepath.ToSlash(filepath.Join(Dir, id, filepath.Base(data)))
	names := shownNames(data, m)
	d, err := read(data, m, names)
	if err != nil {
		var de *dataset.Error
		if errors.As(err, &de) {
			return nil, errcode.New(errcode.Invalid, "the dataset cannot be read: %s", readerError(err, names))
		}
		return nil, err
	}
	m = d.Meta
	// Durable before it appears: every file, its folders, meta.json.
	if err := syncTree(u.dir); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(u.dir, MetaFile), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(u.dir, filepath.Join(u.s.root, id)); err != nil {
		return nil, err
	}
	u.done = true
	if err := atomicfile.SyncDir(u.s.root); err != nil {
		return nil, err
	}
	u.s.remember(d)
	return d, nil
}

// syncTree fsyncs every file and folder under dir, dir last.
func syncTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if p != dir {
				return atomicfile.SyncDir(p)
			}
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}
