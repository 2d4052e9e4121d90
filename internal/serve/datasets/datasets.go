// Package datasets keeps the datasets uploaded over HTTP (POST /datasets):
// each is a folder of the data folder, <data>/datasets/<id>/, holding the
// file as received (or the Posos files) and meta.json, written in a hidden
// folder, synced and renamed into place, so a crash leaves either the
// whole dataset or nothing. A dataset never changes once stored: its rows
// keep their index (their order in the file, from 0) for as long as it
// exists.
package datasets

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"intent/internal/atomicfile"
	"intent/internal/errcode"
	"intent/model/dataset"
)

// Dir is the folder of the data folder that holds the uploaded datasets.
const Dir = "datasets"

// Files of a dataset folder.
const (
	MetaFile = "meta.json"
	// PososDir is the folder holding a Posos upload's files; a single file
	// is stored as data.<format>.
	PososDir = "posos"
)

// Formats are the formats a dataset may have, and the extension its file
// is stored with (the readers choose by extension).
var Formats = map[string]string{"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "json": ".json", "posos": ""}

// FormatOf guesses the format of a file from its name, "" when unknown.
func FormatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".tsv", ".tab":
		return "tsv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".json":
		return "json"
	}
	return ""
}

// Meta describes a stored dataset; it is meta.json.
type Meta struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"` // the caller's name for it, or the file's
	// Format is csv, tsv, jsonl, json or posos.
	Format string `json:"format"`
	// Files are the names of the files received, in order.
	Files []string `json:"files"`
	Bytes int64    `json:"bytes"`
	// Columns given at upload (empty: detected), used whenever it is read.
	TextCol  string `json:"text_col,omitempty"`
	LabelCol string `json:"label_col,omitempty"`
	IDCol    string `json:"id_col,omitempty"`
	// Path is where the data is, relative to the data folder: what POST
	// /train's "data" takes.
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"created_at"`
	Counts
}

// Counts are a dataset's rows: Rows are indexed 0 to Rows-1, in file
// order; each is labeled (a text and an intent), unlabeled (a text only)
// or rejected (it cannot be used: empty text, duplicate id...).
type Counts struct {
	Rows      int `json:"rows"`
	Labeled   int `json:"labeled"`
	Unlabeled int `json:"unlabeled"`
	Rejected  int `json:"rejected"`
	Intents   int `json:"intents"`
}

// Options are the reader's options for the dataset's columns.
func (m Meta) Options() dataset.Options {
	return dataset.Options{TextCol: m.TextCol, LabelCol: m.LabelCol, IDCol: m.IDCol}
}

// idPattern is what a dataset id looks like: "ds_" and 12 hex digits.
var idPattern = regexp.MustCompile(`^ds_[0-9a-f]{12}$`)

// IsID reports whether s has the form of a dataset id.
func IsID(s string) bool { return idPattern.MatchString(s) }

func newID() string {
	var b [6]byte
	rand.Read(b[:])
	return "ds_" + hex.EncodeToString(b[:])
}

// Store is the uploaded datasets of a data folder. It is safe for
// concurrent use; several processes may share the folder (ids are random,
// every write is a rename).
type Store struct {
	dataDir string
	root    string

	mu    sync.Mutex
	cache []*Data // the most recently read datasets, newest last
}

// cacheSize is how many datasets' rows stay in memory.
const cacheSize = 4

// Open returns the store of the data folder dataDir (nothing is created
// until the first upload) and removes what interrupted uploads and
// deletions left behind.
func Open(dataDir string) *Store {
	s := &Store{dataDir: dataDir, root: filepath.Join(dataDir, Dir)}
	s.sweep(time.Hour)
	return s
}

// DataDir is the data folder.
func (s *Store) DataDir() string { return s.dataDir }

// Hidden folders of the root: uploads being received and datasets being
// deleted.
const (
	uploadPrefix  = ".upload-"
	deletedPrefix = ".deleted-"
)

// sweep removes the hidden folders older than age (an upload takes at most
// --upload-timeout; another process may be receiving one now).
func (s *Store) sweep(age time.Duration) {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, uploadPrefix) && !strings.HasPrefix(n, deletedPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > age {
			os.RemoveAll(filepath.Join(s.root, n))
		}
	}
}

// notFound is the error for an unknown id.
func notFound(id string) error {
	return errcode.New(errcode.NotFound, "no dataset %q (GET /datasets lists them)", errcode.Truncate(id, 60))
}

// List returns the datasets uploaded to the data folder dataDir, oldest
// first, without a Store (nothing is swept or cached).
func List(dataDir string) ([]Meta, error) {
	return (&Store{dataDir: dataDir, root: filepath.Join(dataDir, Dir)}).List()
}

// List returns the stored datasets, oldest first.
func (s *Store) List() ([]Meta, error) {
	entries, err := os.ReadDir(s.root)
	if errors.Is(err, fs.ErrNotExist) {
		return []Meta{}, nil
	}
	if err != nil {
		return nil, &errcode.Error{Code: errcode.Internal, Msg: "the uploaded datasets cannot be listed", Err: err}
	}
	out := []Meta{}
	for _, e := range entries {
		if !e.IsDir() || !IsID(e.Name()) {
			continue
		}
		m, err := s.readMeta(e.Name())
		if err != nil {
			continue // deleted meanwhile, or not a dataset
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Meta) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// Meta returns the description of dataset id.
func (s *Store) Meta(id string) (Meta, error) {
	if !IsID(id) {
		return Meta{}, notFound(id)
	}
	m, err := s.readMeta(id)
	if errors.Is(err, fs.ErrNotExist) {
		return Meta{}, notFound(id)
	}
	return m, err
}

func (s *Store) readMeta(id string) (Meta, error) {
	b, err := os.ReadFile(filepath.Join(s.root, id, MetaFile))
	if err != nil {
		return Meta{}, err
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return Meta{}, fmt.Errorf("dataset %s: %s: %w", id, MetaFile, err)
	}
	return m, nil
}

// path is the absolute location of the data of m.
func (s *Store) path(m Meta) string { return filepath.Join(s.dataDir, filepath.FromSlash(m.Path)) }

// Delete removes dataset id: it disappears at once (a rename), its files
// go after. A request already reading it finishes with the rows in memory.
func (s *Store) Delete(id string) error {
	if !IsID(id) {
		return notFound(id)
	}
	tmp := filepath.Join(s.root, deletedPrefix+id+"-"+newID()[3:])
	if err := os.Rename(filepath.Join(s.root, id), tmp); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return notFound(id)
		}
		return err
	}
	s.mu.Lock()
	s.cache = slices.DeleteFunc(s.cache, func(d *Data) bool { return d.Meta.ID == id })
	s.mu.Unlock()
	if err := atomicfile.SyncDir(s.root); err != nil {
		return err
	}
	return os.RemoveAll(tmp)
}
