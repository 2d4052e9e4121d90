package modelrepo

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"intent/model"
	"intent/model/dataset"
)

// Files of a version folder models/<n>/.
const (
	ModelFile     = "model.bin"
	ReportFile    = "report.json"
	ConfusionFile = "confusion.csv"
	// ValidFile keeps the validation split the report was computed on, one
	// JSON object per line ({"id","text","label"}), so the split can be
	// replayed against this version later.
	ValidFile = "valid.jsonl"
	// HeldFile marks a version that must not become the default unless it
	// is pinned (make_default never, or not better). It holds the reason.
	HeldFile = "HELD"
)

// Files builds the files of a version folder for m: the model file (whose
// metadata then carries the report's headline metrics, so that a server
// can list versions without reading every report.json), and, when given,
// the report, its confusion matrix and the validation split.
func Files(m *model.Model, rep *model.Report, valid []dataset.Example) (map[string][]byte, error) {
	if rep != nil && rep.Report != nil {
		var err error
		m, err = m.WithMetrics(model.Headline{Accuracy: rep.Accuracy, MacroF1: rep.MacroF1, MicroF1: rep.MicroF1,
			ECEBefore: rep.ECEBefore, ECEAfter: rep.ECEAfter}, rep.NValid)
		if err != nil {
			return nil, err
		}
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{ModelFile: blob}
	if rep != nil {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("modelrepo: encode the report: %w", err)
		}
		files[ReportFile] = append(b, '\n')
		if rep.Report != nil {
			var c bytes.Buffer
			if err := rep.WriteConfusionCSV(&c); err != nil {
				return nil, fmt.Errorf("modelrepo: confusion csv: %w", err)
			}
			files[ConfusionFile] = c.Bytes()
		}
	}
	if len(valid) > 0 {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, e := range valid {
			if err := enc.Encode(validRow{e.ID, e.Text, e.Label}); err != nil {
				return nil, fmt.Errorf("modelrepo: encode a validation row: %w", err)
			}
		}
		files[ValidFile] = b.Bytes()
	}
	return files, nil
}

// WriteVersion stores m (and, when not nil, its report and validation
// split) as the next version folder under root, eligible to become the
// default, and returns its number and folder. See Repo.Publish.
func WriteVersion(root string, m *model.Model, rep *model.Report, valid []dataset.Example) (int, string, error) {
	files, err := Files(m, rep, valid)
	if err != nil {
		return 0, "", err
	}
	r := New(root)
	n, err := r.Publish(Publish{Files: files})
	if err != nil {
		return 0, "", err
	}
	return n, r.Dir(n), nil
}

type validRow struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Label string `json:"label"`
}

// ReadValid reads the validation split stored in a version folder.
func ReadValid(dir string) ([]dataset.Example, error) {
	path := filepath.Join(dir, ValidFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("modelrepo: %w", err)
	}
	defer f.Close()
	var out []dataset.Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		var r validRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("modelrepo: %s line %d: %w", ValidFile, line, err)
		}
		out = append(out, dataset.Example{ID: r.ID, Text: r.Text, Label: r.Label, Source: path, Line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("modelrepo: %s: %w", ValidFile, err)
	}
	return out, nil
}

// Versions lists the version numbers under root, ascending. Folders whose
// name is not a positive integer (temporary folders among them) are ignored.
func Versions(root string) ([]int, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("modelrepo: list versions: %w", err)
	}
	var out []int
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if n, ok := versionName(e.Name()); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}

// versionName parses a version folder name: a positive integer written
// canonically ("7", not "07").
func versionName(name string) (int, bool) {
	n, err := strconv.Atoi(name)
	if err != nil || n <= 0 || strconv.Itoa(n) != name {
		return 0, false
	}
	return n, true
}

// ResolveFile finds the model file that path designates: a model file
// itself, a version folder holding one, or a models root, in which case the
// newest version is used.
func ResolveFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("modelrepo: %w", err)
	}
	if !st.IsDir() {
		return path, nil
	}
	if _, err := os.Stat(filepath.Join(path, ModelFile)); err == nil {
		return filepath.Join(path, ModelFile), nil
	}
	versions, err := Versions(path)
	if err != nil {
		return "", err
	}
	if len(versions) == 0 {
		return "", fmt.Errorf("modelrepo: no model in %s: train one with 'trainer train --out %s'", path, path)
	}
	return filepath.Join(path, strconv.Itoa(versions[len(versions)-1]), ModelFile), nil
}

// LoadPath loads the model that path designates (see ResolveFile).
func LoadPath(path string) (*model.Model, error) {
	file, err := ResolveFile(path)
	if err != nil {
		return nil, err
	}
	return model.LoadFile(file)
}

// IsHeld reports whether the version folder dir is held out of the
// default, and why.
func IsHeld(dir string) (bool, string) {
	b, err := os.ReadFile(filepath.Join(dir, HeldFile))
	if err != nil {
		return false, ""
	}
	return true, string(bytes.TrimSpace(b))
}
