package modelrepo

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// Sweep removes the leftovers of writers that died, never a folder a live
// writer holds, nor a version.
func TestSweep(t *testing.T) {
	b := modelBytes(t)
	r := New(t.TempDir())
	if _, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); err != nil {
		t.Fatal(err)
	}
	root := r.Root()
	mk := func(name string) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(p, ModelFile), b[:100], 0o644)
		return p
	}
	dead := mk(".tmp-dead")
	live := mk(".tmp-live")
	deleted := mk(".deleted-3-123")
	f, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	staleFile := filepath.Join(root, ".DEFAULT.tmp-123")
	freshFile := filepath.Join(root, ".highest.tmp-456")
	os.WriteFile(staleFile, []byte("1"), 0o644)
	os.WriteFile(freshFile, []byte("1"), 0o644)
	old := time.Now().Add(-2 * staleAfter)
	os.Chtimes(staleFile, old, old)

	removed, err := r.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{".DEFAULT.tmp-123", ".deleted-3-123", ".tmp-dead"}
	if !slices.Equal(removed, want) {
		t.Fatalf("Sweep removed %v, want %v", removed, want)
	}
	for _, p := range []string{dead, deleted, staleFile} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still there", filepath.Base(p))
		}
	}
	for _, p := range []string{live, freshFile, r.Dir(1)} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s removed: %v", filepath.Base(p), err)
		}
	}
}
