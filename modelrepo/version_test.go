package modelrepo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"intent/internal/testmodel"
)

var tinyExamples = testmodel.Examples(testmodel.Sets["numeric"])

func TestWriteVersionNumbersAndFiles(t *testing.T) {
	root := filepath.Join(t.TempDir(), "models")
	m := testmodel.Tiny(t, "numeric")
	for want := 1; want <= 3; want++ {
		n, dir, err := WriteVersion(root, m, nil, tinyExamples[:2])
		if err != nil {
			t.Fatal(err)
		}
		if n != want || dir != filepath.Join(root, strconv.Itoa(want)) {
			t.Fatalf("version %d at %s, want %d", n, dir, want)
		}
	}
	// A stray temp folder (a crashed writer) and a non-numeric folder are
	// not versions.
	os.Mkdir(filepath.Join(root, ".tmp-123"), 0o755)
	os.Mkdir(filepath.Join(root, "old"), 0o755)
	os.Mkdir(filepath.Join(root, "007"), 0o755)
	vs, err := Versions(root)
	if err != nil || fmt.Sprint(vs) != "[1 2 3]" {
		t.Fatalf("Versions = %v, %v", vs, err)
	}
	file, err := ResolveFile(root)
	if err != nil || file != filepath.Join(root, "3", ModelFile) {
		t.Fatalf("ResolveFile(root) = %s, %v", file, err)
	}
	rep, _, err := m.Evaluate(context.Background(), tinyExamples)
	if err != nil {
		t.Fatal(err)
	}
	n, dir, err := WriteVersion(root, m, rep, nil)
	if err != nil || n != 4 {
		t.Fatalf("WriteVersion with report = %d, %v", n, err)
	}
	withRep, err := LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	if h := withRep.Meta().Metrics; h == nil || h.Accuracy != rep.Accuracy || withRep.Meta().NValid != len(tinyExamples) {
		t.Fatalf("headline metrics not stored in the model file: %+v", h)
	}
	for _, f := range []string{ReportFile, ConfusionFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("version with a report lacks %s", f)
		}
	}
	valid, err := ReadValid(filepath.Join(root, "2"))
	if err != nil || len(valid) != 2 || valid[1].Text != tinyExamples[1].Text {
		t.Fatalf("ReadValid = %+v, %v", valid, err)
	}
	if _, err := LoadPath(filepath.Join(root, "2")); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveFile(t.TempDir()); err == nil {
		t.Fatal("ResolveFile accepted an empty folder")
	}
}

func TestWriteVersionConcurrentWritersGetDistinctNumbers(t *testing.T) {
	root := t.TempDir()
	m := testmodel.Tiny(t, "numeric")
	const writers = 6
	got := make(chan int, writers)
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Go(func() {
			n, _, err := WriteVersion(root, m, nil, nil)
			if err != nil {
				t.Error(err)
				return
			}
			got <- n
		})
	}
	wg.Wait()
	close(got)
	seen := map[int]bool{}
	for n := range got {
		if seen[n] {
			t.Fatalf("version %d given twice", n)
		}
		seen[n] = true
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != writers+1 { // the versions and the high-water mark
		t.Fatalf("%d entries in root, want %d (no leftover temp folders)", len(entries), writers)
	}
}
