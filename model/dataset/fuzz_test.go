package dataset

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkResult asserts what every reader promises, whatever the input: an
// error is an *Error with the package prefix; a dataset holds trimmed,
// non-empty UTF-8 texts, labels unless unlabeled, lines from 1, unique ids.
func checkResult(t *testing.T, ds *Dataset, err error, unlabeled bool) {
	t.Helper()
	if err != nil {
		var de *Error
		if !errors.As(err, &de) {
			t.Fatalf("error %T is not *Error: %v", err, err)
		}
		if !strings.HasPrefix(err.Error(), "dataset: ") {
			t.Fatalf("error lacks prefix: %v", err)
		}
		if de.Line < 0 {
			t.Fatalf("negative line: %v", err)
		}
		return
	}
	ids := map[string]bool{}
	for _, e := range ds.Examples {
		if e.Text == "" || e.Text != strings.TrimSpace(e.Text) || !utf8.ValidString(e.Text) {
			t.Fatalf("bad text %q", e.Text)
		}
		if e.Label == "" && !unlabeled {
			t.Fatalf("empty label in %+v", e)
		}
		if e.Line < 1 {
			t.Fatalf("line %d in %+v", e.Line, e)
		}
		if ids[e.ID] {
			t.Fatalf("duplicate id %q kept", e.ID)
		}
		ids[e.ID] = true
	}
	for _, r := range ds.Rejected {
		if r.Line < 1 || r.Reason == "" {
			t.Fatalf("bad rejection %+v", r)
		}
	}
}

// seeds returns the contents of the test fixtures matching pattern.
func seeds(f *testing.F, pattern string) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func FuzzTable(f *testing.F) {
	for _, pat := range []string{"*.csv", "*.tsv", "*.txt", "posos/*.csv", "posos/*.in", "posos_bad/*.csv", "posos_bad/*.in"} {
		for _, b := range seeds(f, pat) {
			f.Add(b, false)
		}
	}
	f.Add([]byte("text\tlabel\na\tb\n"), true)
	f.Add([]byte("\"text\";label\n\"a\"\"b\";c\r\n"), false)
	f.Add([]byte(""), false)
	f.Add([]byte(utf8BOM), false)
	f.Fuzz(func(t *testing.T, data []byte, unlabeled bool) {
		opt := Options{Unlabeled: unlabeled}
		ds, err := readTable(bytes.NewReader(data), "fuzz.csv", false, opt)
		checkResult(t, ds, err, unlabeled)
		ds, err = readTable(bytes.NewReader(data), "fuzz.tsv", true, opt)
		checkResult(t, ds, err, unlabeled)
	})
}

func FuzzPosos(f *testing.F) {
	for _, dir := range []string{"posos", "posos_bad"} {
		in, err := os.ReadFile(filepath.Join(td(dir), PososInput))
		if err != nil {
			f.Fatal(err)
		}
		out, err := os.ReadFile(filepath.Join(td(dir), PososOutput))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(in, out, false)
		f.Add(in, out, true)
	}
	f.Add([]byte("ID;question\n1;a\n1;b\n"), []byte("ID;intention\n1;x\n1;y\n2;z\n"), false)
	f.Add([]byte("ID;question\n"), []byte(""), false)
	f.Fuzz(func(t *testing.T, in, out []byte, unlabeled bool) {
		opt := Options{Unlabeled: unlabeled}
		ds, err := joinPosos(bytes.NewReader(in), "in.csv", bytes.NewReader(out), "out.csv", opt)
		checkResult(t, ds, err, unlabeled)
		if err == nil {
			// Every input record is kept or rejected exactly once.
			n := countRecords(t, in)
			fromIn := 0
			for _, r := range ds.Rejected {
				if r.Source == "in.csv" {
					fromIn++
				}
			}
			if got := len(ds.Examples) + fromIn; got != n {
				t.Fatalf("%d input records, %d kept + %d rejected", n, len(ds.Examples), fromIn)
			}
		}
		ds, err = joinPosos(bytes.NewReader(in), "in.csv", nil, "", Options{Unlabeled: true})
		checkResult(t, ds, err, true)
	})
}

func FuzzJSON(f *testing.F) {
	for _, pat := range []string{"*.jsonl", "*.json"} {
		for _, b := range seeds(f, pat) {
			f.Add(b, false)
		}
	}
	f.Add([]byte(`[{"text":"a","label":1},{"text":"b","label":null}] `), true)
	f.Add([]byte(`[{"text":"a","label":1}] [`), false)
	f.Add([]byte("{\"text\":\"a\",\"label\":1e400}\n"), false)
	f.Add([]byte("null\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, unlabeled bool) {
		ds, err := readJSON(bytes.NewReader(data), "fuzz.jsonl", Options{Unlabeled: unlabeled})
		checkResult(t, ds, err, unlabeled)
	})
}

// countRecords returns the number of data records of a delimited file.
func countRecords(t *testing.T, data []byte) int {
	t.Helper()
	tb, err := openTable(bytes.NewReader(data), "count", false)
	if err != nil {
		t.Fatalf("counting records: %v", err)
	}
	n := 0
	for {
		if _, _, err := tb.next(); err != nil {
			return n
		}
		n++
	}
}
