package dataset

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads a labeled dataset from path.
//
// A folder is read as the Posos layout: input_train.csv joined on ID with
// output_train.csv (with Options.Unlabeled: input_test.csv if present, else
// input_train.csv, joined with output_train.csv when present). A file is read
// by its extension: .csv, .tsv/.tab, .jsonl/.ndjson/.json; any other
// extension is sniffed (JSON when it starts with '{' or '[', delimited text
// otherwise).
//
// Load fails with an *Error when a file cannot be used at all, including
// when no record survives; unusable records are listed in Rejected.
func Load(path string, opt Options) (*Dataset, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, openError(path, err)
	}
	var ds *Dataset
	if fi.IsDir() {
		ds, err = loadPosos(path, opt)
	} else {
		ds, err = loadFile(path, opt)
	}
	if err != nil {
		return nil, err
	}
	if len(ds.Examples) == 0 {
		return nil, noExamples(ds)
	}
	return ds, nil
}

// LoadUnlabeled is Load with Options.Unlabeled set: data to predict or to
// select from, where labels are optional.
func LoadUnlabeled(path string, opt Options) (*Dataset, error) {
	opt.Unlabeled = true
	return Load(path, opt)
}

func loadFile(path string, opt Options) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readTable(f, path, false, opt)
	case ".tsv", ".tab":
		return readTable(f, path, true, opt)
	case ".jsonl", ".ndjson", ".json":
		return readJSON(f, path, opt)
	}
	br := bufio.NewReaderSize(f, peekSize)
	head, _ := br.Peek(peekSize)
	head = bytes.TrimLeft(bytes.TrimPrefix(head, []byte(utf8BOM)), " \t\r\n")
	if len(head) > 0 && (head[0] == '{' || head[0] == '[') {
		return readJSON(br, path, opt)
	}
	return readTable(br, path, false, opt)
}

func loadPosos(dir string, opt Options) (*Dataset, error) {
	in := filepath.Join(dir, PososInput)
	out := filepath.Join(dir, PososOutput)
	if opt.Unlabeled {
		if test := filepath.Join(dir, PososTest); exists(test) {
			in, out = test, ""
		} else if !exists(out) {
			out = ""
		}
	}
	if !exists(in) {
		want := PososInput + " and " + PososOutput
		if opt.Unlabeled {
			want = PososTest + " or " + PososInput
		}
		return nil, &Error{Source: dir, Err: fmt.Errorf("not a Posos folder: no %s", filepath.Base(in)),
			Hint: "a dataset folder holds " + want + "; or pass a single CSV, TSV or JSONL file"}
	}
	fin, err := os.Open(in)
	if err != nil {
		return nil, openError(in, err)
	}
	defer fin.Close()
	var rout io.Reader
	if out != "" {
		fout, err := os.Open(out)
		if err != nil {
			return nil, openError(out, err)
		}
		defer fout.Close()
		rout = fout
	}
	return joinPosos(fin, in, rout, out, opt)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func openError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	hint := ""
	if errors.Is(err, fs.ErrNotExist) {
		hint = "check the path"
	}
	return &Error{Source: path, Err: fmt.Errorf("cannot open: %w", err), Hint: hint}
}

func noExamples(ds *Dataset) error {
	src := strings.Join(ds.Sources, " + ")
	if len(ds.Rejected) == 0 {
		return &Error{Source: src, Err: fmt.Errorf("%w: no data rows", ErrNoExamples)}
	}
	sum := ds.RejectionSummary()
	reasons := make([]string, 0, len(sum))
	for r := range sum {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%s: %d", r, sum[r])
	}
	return &Error{Source: src,
		Err: fmt.Errorf("%w: all %d records rejected (%s)", ErrNoExamples, len(ds.Rejected),
			strings.Join(parts, ", ")),
		Hint: "check the column choice (--text-col, --label-col) and the file contents"}
}
