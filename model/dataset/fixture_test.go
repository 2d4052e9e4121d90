package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureDir holds the Posos fixtures laid out under their real names.
// In git, the label files are stored as output_train.csv.in, so that
// nothing in the repository looks like a committed dataset; TestMain copies
// each testdata/posos* folder here with the ".in" suffix removed.
var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dataset-fixtures-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := layOutFixtures(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	fixtureDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func layOutFixtures(dir string) error {
	folders, err := filepath.Glob(filepath.Join("testdata", "posos*"))
	if err != nil {
		return err
	}
	for _, src := range folders {
		dst := filepath.Join(dir, filepath.Base(src))
		if err := os.Mkdir(dst, 0o755); err != nil {
			return err
		}
		files, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(src, f.Name()))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dst, strings.TrimSuffix(f.Name(), ".in")), b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Fixture returns the path of a test fixture: a laid-out Posos folder for
// the posos* names, else the file under testdata. Exported for the example
// tests of package dataset_test.
func Fixture(name string) string {
	if strings.HasPrefix(name, "posos") {
		return filepath.Join(fixtureDir, name)
	}
	return filepath.Join("testdata", name)
}
