package jobs

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"intent/internal/errcode"
	"intent/internal/serve/datasets"
	"intent/model/dataset"
)

// Dataset is one dataset of the data folder, as GET /datasets lists it
// and as POST /train's and POST /check's "dataset" names it.
type Dataset struct {
	Path string `json:"path"` // relative to the data folder: what "dataset" (or "data") takes
	// Format is "posos" for a Posos folder, else the file's format (csv,
	// tsv, jsonl, json).
	Format string `json:"format"`
	// Labeled: it can be trained on. Unlabeled: it holds questions to
	// label (a Posos folder's input_test.csv, any file).
	Labeled   bool `json:"labeled"`
	Unlabeled bool `json:"unlabeled"`
	// ID is set for a dataset uploaded with POST /datasets (kept under
	// datasets/<id>/): "dataset" takes it, and its columns (given at
	// upload) apply unless the request names others. Name and Rows
	// describe it (GET /datasets/{id} gives the rest).
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name,omitempty"`
	Rows *int            `json:"rows,omitempty"`
	cols dataset.Options // the upload's columns
}

// datasetFormats are the file extensions the dataset readers take.
var datasetFormats = map[string]string{".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}

// Datasets lists the datasets at the top of the data folder dir, by path:
// the Posos folders and the data files (CSV, TSV, JSONL, JSON), not the
// database, hidden files or symbolic links. No folder, no datasets.
func Datasets(dir string) ([]Dataset, error) {
	out := []Dataset{}
	if dir == "" {
		return out, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &errcode.Error{Code: errcode.Internal, Msg: "the server's data folder cannot be read", Err: err}
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || e.Type()&os.ModeSymlink != 0 {
			continue
		}
		if e.IsDir() {
			train := isFile(filepath.Join(dir, name, dataset.PososInput)) && isFile(filepath.Join(dir, name, dataset.PososOutput))
			test := isFile(filepath.Join(dir, name, "input_test.csv"))
			if train || test {
				out = append(out, Dataset{Path: name, Format: "posos", Labeled: train, Unlabeled: test || train})
			}
			continue
		}
		if f, ok := datasetFormats[strings.ToLower(filepath.Ext(name))]; ok {
			out = append(out, Dataset{Path: name, Format: f, Labeled: true, Unlabeled: true})
		}
	}
	slices.SortFunc(out, func(a, b Dataset) int { return strings.Compare(a.Path, b.Path) })
	// Then the uploaded ones, oldest first.
	up, err := datasets.List(dir)
	if err != nil {
		return nil, err
	}
	for _, m := range up {
		out = append(out, Dataset{Path: m.Path, Format: m.Format, Labeled: m.Labeled > 0, Unlabeled: true,
			ID: m.ID, Name: m.Name, Rows: &m.Rows, cols: m.Options()})
	}
	return out, nil
}

// isFile reports whether path is a regular file (or a link to one).
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
