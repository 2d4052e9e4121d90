package model

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

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
)

// WriteVersion stores m (and, when not nil, its report and validation
// split) as the next version folder under root and returns its number and
// path. Everything is written into a hidden temporary folder, synced, then
// renamed into place: a crash leaves at most a ".tmp-*" folder, never a
// numbered folder a server would load. Concurrent writers each get their own
// number.
func WriteVersion(root string, m *Model, rep *Report, valid []dataset.Example) (int, string, error) {
	if rep != nil && rep.Report != nil {
		// The file carries its own headline numbers, so a server can list
		// versions without reading every report.json.
		meta := m.Meta()
		meta.NValid = rep.NValid
		meta.Metrics = &Headline{Accuracy: rep.Accuracy, MacroF1: rep.MacroF1, MicroF1: rep.MicroF1,
			ECEBefore: rep.ECEBefore, ECEAfter: rep.ECEAfter}
		withMetrics, err := newModel(meta, m.enc, m.clf)
		if err != nil {
			return 0, "", err
		}
		m = withMetrics
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		return 0, "", err
	}
	files := map[string][]byte{ModelFile: blob}
	if rep != nil {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return 0, "", fmt.Errorf("model: encode report: %w", err)
		}
		files[ReportFile] = append(b, '\n')
		var c bytes.Buffer
		if err := rep.WriteConfusionCSV(&c); err != nil {
			return 0, "", fmt.Errorf("model: confusion csv: %w", err)
		}
		files[ConfusionFile] = c.Bytes()
	}
	if len(valid) > 0 {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		for _, e := range valid {
			if err := enc.Encode(validRow{e.ID, e.Text, e.Label}); err != nil {
				return 0, "", fmt.Errorf("model: encode validation row: %w", err)
			}
		}
		files[ValidFile] = b.Bytes()
	}
	return PublishVersion(root, files)
}

type validRow struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Label string `json:"label"`
}

// ReadValid reads the validation split stored with a version.
func ReadValid(dir string) ([]dataset.Example, error) {
	path := filepath.Join(dir, ValidFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
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
			return nil, fmt.Errorf("model: %s:%d: %w", path, line, err)
		}
		out = append(out, dataset.Example{ID: r.ID, Text: r.Text, Label: r.Label, Source: path, Line: line})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("model: %s: %w", path, err)
	}
	return out, nil
}

// Versions lists the version numbers under root, ascending. Folders whose
// name is not a positive integer (temporary folders among them) are ignored.
func Versions(root string) ([]int, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("model: list versions: %w", err)
	}
	var out []int
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n, err := strconv.Atoi(e.Name())
		if err != nil || n <= 0 || strconv.Itoa(n) != e.Name() {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return out, nil
}

// ResolveFile finds the model file that path designates: a model file
// itself, a version folder holding one, or a models root, in which case the
// newest version is used.
func ResolveFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("model: %w", err)
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
		return "", fmt.Errorf("model: no model in %s: train one with 'trainer train --out %s'", path, path)
	}
	return filepath.Join(path, strconv.Itoa(versions[len(versions)-1]), ModelFile), nil
}

// LoadPath loads the model that path designates (see ResolveFile).
func LoadPath(path string) (*Model, error) {
	file, err := ResolveFile(path)
	if err != nil {
		return nil, err
	}
	return LoadFile(file)
}
