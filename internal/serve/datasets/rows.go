package datasets

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"intent/model/dataset"
	"intent/model/pipeline"
)

// Row is one record of a dataset, at its index.
type Row struct {
	ID    string // the id column, or the 1-based data row number when the file has none
	Text  string
	Label string // "" for a row without an intent
	Line  int    // 1-based line of the file where the record starts
	// Rejected is why the row cannot be used (a dataset.Reason*), "" when
	// it can.
	Rejected string
}

// Data is a dataset read into memory: its rows in file order (the index
// of a row is its position) and its data report. It never changes.
type Data struct {
	Meta Meta
	Rows []Row
	// Report is dataset.Check's verdict on the labeled rows, as a training
	// on the whole dataset would start with.
	Report dataset.Report
	// Numeric is true when every intent is an integer: answers then give
	// intents as JSON numbers, as /intent does.
	Numeric bool
}

// Example returns row i as a training or test example (Source names the
// dataset).
func (d *Data) Example(i int) dataset.Example {
	r := d.Rows[i]
	return dataset.Example{ID: r.ID, Text: r.Text, Label: r.Label, Source: d.Meta.ID, Line: r.Line}
}

// Labeled returns the indices of the labeled rows.
func (d *Data) Labeled() []int {
	var out []int
	for i, r := range d.Rows {
		if r.Rejected == "" && r.Label != "" {
			out = append(out, i)
		}
	}
	return out
}

// Load returns dataset id read into memory (the last few stay cached; a
// dataset deleted by another process is noticed).
func (s *Store) Load(id string) (*Data, error) {
	if !IsID(id) {
		return nil, notFound(id)
	}
	s.mu.Lock()
	for i, d := range s.cache {
		if d.Meta.ID == id {
			s.cache = slices.Delete(s.cache, i, i+1)
			if _, err := os.Stat(filepath.Join(s.root, id, MetaFile)); err != nil {
				break
			}
			s.cache = append(s.cache, d)
			s.mu.Unlock()
			return d, nil
		}
	}
	s.mu.Unlock()
	m, err := s.Meta(id)
	if err != nil {
		return nil, err
	}
	d, err := read(s.path(m), m, shownNames(s.path(m), m))
	if err != nil {
		return nil, err
	}
	s.remember(d)
	return d, nil
}

func (s *Store) remember(d *Data) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache = slices.DeleteFunc(s.cache, func(c *Data) bool { return c.Meta.ID == d.Meta.ID })
	s.cache = append(s.cache, d)
	if len(s.cache) > cacheSize {
		s.cache = slices.Delete(s.cache, 0, len(s.cache)-cacheSize)
	}
}

// shownNames maps the stored files of m (under path) to the names they
// were uploaded with, for reports.
func shownNames(path string, m Meta) map[string]string {
	names := map[string]string{}
	if m.Format == "posos" {
		for _, f := range []string{dataset.PososInput, dataset.PososOutput, dataset.PososTest} {
			names[filepath.Join(path, f)] = f
		}
		names[path] = "the Posos files"
		return names
	}
	if len(m.Files) > 0 {
		names[path] = m.Files[0]
	}
	return names
}

// read reads the dataset at path (a file or a Posos folder) with m's
// columns into rows: every record of the file holding the questions, in
// file order, usable or not. A file in which no row can be used at all
// fails, with the reader's error (server paths replaced by names).
func read(path string, m Meta, names map[string]string) (*Data, error) {
	opt := m.Options()
	opt.Unlabeled = true // rows without an intent keep their index
	ds, err := dataset.Load(path, opt)
	if err != nil {
		return nil, err
	}
	show := func(p string) string {
		if n, ok := names[p]; ok {
			return n
		}
		return filepath.Base(p)
	}
	primary := ds.Sources[0]
	var rejected []dataset.Rejection
	for _, r := range ds.Rejected {
		if r.Source == primary {
			rejected = append(rejected, r)
		}
	}
	// Both lists are in file order: merge them by line.
	rows := make([]Row, 0, len(ds.Examples)+len(rejected))
	i, j := 0, 0
	for i < len(ds.Examples) || j < len(rejected) {
		if j == len(rejected) || i < len(ds.Examples) && ds.Examples[i].Line <= rejected[j].Line {
			e := ds.Examples[i]
			rows = append(rows, Row{ID: e.ID, Text: e.Text, Label: e.Label, Line: e.Line})
			i++
			continue
		}
		r := rejected[j]
		rows = append(rows, Row{ID: r.ID, Line: r.Line, Rejected: r.Reason})
		j++
	}
	rep := dataset.Check(ds.Examples, ds.Rejected, pipeline.MinPerIntent)
	for k := range rep.FirstRejected {
		rep.FirstRejected[k].Source = show(rep.FirstRejected[k].Source)
	}
	d := &Data{Meta: m, Rows: rows, Report: rep, Numeric: true}
	d.Meta.Counts = Counts{Rows: len(rows), Rejected: len(rejected), Intents: rep.Intents}
	for _, r := range rows {
		switch {
		case r.Rejected != "":
		case r.Label == "":
			d.Meta.Unlabeled++
		default:
			d.Meta.Labeled++
			if d.Numeric {
				if _, err := strconv.ParseInt(r.Label, 10, 64); err != nil {
					d.Numeric = false
				}
			}
		}
	}
	if d.Meta.Labeled == 0 {
		d.Numeric = false
	}
	return d, nil
}

// readerError rewrites a reader's error for the client: server paths
// become the names the files were uploaded with, the trainer's flags the
// upload's parameters.
func readerError(err error, names map[string]string) string {
	msg := err.Error()
	pairs := make([]string, 0, 2*len(names)+6)
	// Longest paths first, so that a folder does not cut a file's path.
	keys := make([]string, 0, len(names))
	for p := range names {
		keys = append(keys, p)
	}
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	for _, p := range keys {
		pairs = append(pairs, p, names[p])
	}
	pairs = append(pairs, "--text-col", "text_col", "--label-col", "label_col", "--id-col", "id_col")
	msg = strings.NewReplacer(pairs...).Replace(msg)
	return strings.TrimPrefix(msg, "dataset: ")
}
