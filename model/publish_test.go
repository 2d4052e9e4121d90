package model

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestPublishVersion(t *testing.T) {
	m := trainTiny(t)
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "models")
	n, dir, err := PublishVersion(root, map[string][]byte{ModelFile: b, ReportFile: []byte("{}\n")})
	if err != nil || n != 1 || dir != filepath.Join(root, "1") {
		t.Fatalf("PublishVersion = %d, %q, %v", n, dir, err)
	}
	got, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("model file not stored as given (%v)", err)
	}
	if _, err := LoadFile(filepath.Join(dir, ModelFile)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 2 || entries[0].Name() != HighestFile {
		t.Errorf("root holds %v, want the high-water mark and version 1 only", entries)
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("version folder holds %v, want model.bin and report.json only", entries)
	}
}

func TestPublishVersionRefusesBadInput(t *testing.T) {
	root := t.TempDir()
	for _, files := range []map[string][]byte{
		{},
		{ReportFile: []byte("{}")},
		{ModelFile: nil, "../x": nil},
		{ModelFile: nil, "a/b": nil},
		{ModelFile: nil, ".hidden": nil},
	} {
		if _, _, err := PublishVersion(root, files); err == nil {
			t.Errorf("PublishVersion(%v) succeeded", files)
		}
	}
	if vs, _ := Versions(root); len(vs) != 0 {
		t.Fatalf("versions %v after refused publications", vs)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("leftovers %v", entries)
	}
}

// PublishVersion and WriteVersion racing on one root never share a number.
func TestPublishVersionConcurrentWithWriteVersion(t *testing.T) {
	m := trainTiny(t)
	b, _ := m.MarshalBinary()
	root := t.TempDir()
	const each = 4
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	for i := range 2 * each {
		wg.Go(func() {
			var n int
			var err error
			if i%2 == 0 {
				n, _, err = PublishVersion(root, map[string][]byte{ModelFile: b})
			} else {
				n, _, err = WriteVersion(root, m, nil, nil)
			}
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, n)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(got)
	want := []int{1, 2, 3, 4, 5, 6, 7, 8}
	if !slices.Equal(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != HighestFile {
			t.Errorf("leftover %s", e.Name())
		}
	}
}
