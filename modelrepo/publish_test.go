package modelrepo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"intent/internal/testmodel"
	"intent/model"
)

func modelBytes(t testing.TB) []byte {
	t.Helper()
	b, err := testmodel.Tiny(t, "numeric").MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPublish(t *testing.T) {
	b := modelBytes(t)
	r := New(filepath.Join(t.TempDir(), "models"))
	n, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b, ReportFile: []byte("{}\n")}})
	if err != nil || n != 1 {
		t.Fatalf("Publish = %d, %v", n, err)
	}
	got, err := os.ReadFile(filepath.Join(r.Dir(1), ModelFile))
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("model file not stored as given (%v)", err)
	}
	if _, err := model.LoadFile(filepath.Join(r.Dir(1), ModelFile)); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(r.Root())
	if len(entries) != 2 || entries[0].Name() != HighestFile {
		t.Errorf("root holds %v, want the high-water mark and version 1 only", entries)
	}
	if held, _ := IsHeld(r.Dir(1)); held {
		t.Error("version 1 is held")
	}
	n, err = r.Publish(Publish{Files: map[string][]byte{ModelFile: b}, Held: "make_default never"})
	if err != nil || n != 2 {
		t.Fatalf("Publish held = %d, %v", n, err)
	}
	if held, why := IsHeld(r.Dir(2)); !held || why != "make_default never" {
		t.Errorf("IsHeld(2) = %v, %q", held, why)
	}
}

func TestPublishRefusesBadInput(t *testing.T) {
	r := New(t.TempDir())
	for _, files := range []map[string][]byte{
		{},
		{ReportFile: []byte("{}")},
		{ModelFile: nil, "../x": nil},
		{ModelFile: nil, "a/b": nil},
		{ModelFile: nil, ".hidden": nil},
		{ModelFile: nil, HeldFile: nil},
	} {
		if _, err := r.Publish(Publish{Files: files}); err == nil {
			t.Errorf("Publish(%v) succeeded", files)
		}
	}
	if vs, _ := r.Versions(); len(vs) != 0 {
		t.Fatalf("versions %v after refused publications", vs)
	}
	if entries, _ := os.ReadDir(r.Root()); len(entries) != 0 {
		t.Fatalf("leftovers %v", entries)
	}
}

// Publishers racing on one root never share a number.
func TestPublishConcurrent(t *testing.T) {
	m := testmodel.Tiny(t, "numeric")
	b := modelBytes(t)
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
				n, err = New(root).Publish(Publish{Files: map[string][]byte{ModelFile: b}})
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
	if want := []int{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != HighestFile {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

// A failure at any step of a publish (a full disk, a failed write of any
// file) leaves no visible version, no leftover, and the number is never
// used again.
func TestPublishFailureAtEveryStep(t *testing.T) {
	b := modelBytes(t)
	for _, failAt := range []string{"files", "held", "highest", "pin", "rename", "sync"} {
		t.Run(failAt, func(t *testing.T) {
			r := New(t.TempDir())
			if _, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); err != nil {
				t.Fatal(err)
			}
			if err := r.Pin(1); err != nil {
				t.Fatal(err)
			}
			full := errors.New("no space left on device")
			fault = func(s string) error {
				if s == failAt {
					return full
				}
				return nil
			}
			_, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b, ReportFile: []byte("{}")}, Held: "held", Pin: true})
			fault = nil
			if !errors.Is(err, full) {
				t.Fatalf("Publish with %s failing = %v, want the failure", failAt, err)
			}
			if vs, _ := r.Versions(); !slices.Equal(vs, []int{1}) {
				t.Fatalf("versions %v after a failed publish, want [1]", vs)
			}
			if p, _ := r.Pinned(); p != 1 {
				t.Fatalf("pinned %d after a failed publish, want 1", p)
			}
			entries, _ := os.ReadDir(r.Root())
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".tmp-") {
					t.Errorf("leftover %s", e.Name())
				}
			}
			// Delete version 1's successor number space: the next publish
			// must not reuse a number that was reserved.
			n, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}})
			if err != nil {
				t.Fatal(err)
			}
			reserved := failAt != "files" && failAt != "held" && failAt != "highest"
			if want := 2 + btoi(reserved); n != want {
				t.Fatalf("next version %d, want %d", n, want)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Deleting the newest version never frees its number.
func TestNumbersNeverReused(t *testing.T) {
	b := modelBytes(t)
	r := New(t.TempDir())
	for range 3 {
		if _, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Delete(3); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(3); err == nil {
		t.Fatal("deleting a deleted version succeeded")
	}
	n, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}})
	if err != nil || n != 4 {
		t.Fatalf("Publish after deleting 3 = %d, %v; want 4", n, err)
	}
}

func TestPinsAndFallback(t *testing.T) {
	b := modelBytes(t)
	r := New(t.TempDir())
	for range 2 {
		if _, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); err != nil {
			t.Fatal(err)
		}
	}
	if p, err := r.Pinned(); p != 0 || err != nil {
		t.Fatalf("Pinned = %d, %v before any pin", p, err)
	}
	if err := r.Pin(1); err != nil {
		t.Fatal(err)
	}
	if err := r.Pin(9); err == nil {
		t.Fatal("pinning an unknown version succeeded")
	}
	if err := r.Delete(1); err == nil {
		t.Fatal("deleting the pinned version succeeded")
	}
	// A pin of a version that never appeared falls back to the next one.
	if err := r.SetPins([]int{7, 1}); err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Pinned(); p != 1 {
		t.Fatalf("Pinned = %d with pins [7 1], want 1", p)
	}
	n, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}, Pin: true})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Pinned(); p != n {
		t.Fatalf("Pinned = %d after a pinned publish of %d", p, n)
	}
	if err := r.Unpin(); err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Pinned(); p != 0 {
		t.Fatalf("Pinned = %d after Unpin", p)
	}
	os.WriteFile(filepath.Join(r.Root(), PinFile), []byte("seven\n"), 0o644)
	if _, err := r.Pinned(); err == nil || !strings.Contains(err.Error(), `"seven"`) {
		t.Fatalf("a damaged pin file gave %v", err)
	}
}

func TestLabelsAndReset(t *testing.T) {
	b := modelBytes(t)
	r := New(t.TempDir())
	for range 2 {
		if _, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.SetLabel("stable", 1); err != nil {
		t.Fatal(err)
	}
	if err := r.SetLabel("ckpt_2", 2); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"3", "", "../x", "a b", strings.Repeat("x", 80)} {
		if err := r.SetLabel(bad, 1); err == nil {
			t.Errorf("label %q accepted", bad)
		}
	}
	if err := r.SetLabel("x", 9); err == nil {
		t.Error("a label of an unknown version accepted")
	}
	if err := r.Delete(1); err == nil || !strings.Contains(err.Error(), "labeled [stable]") {
		t.Fatalf("deleting a labeled version: %v", err)
	}
	if err := r.SetLabel("stable", 2); err != nil { // moved
		t.Fatal(err)
	}
	labels, _ := r.Labels()
	if labels["stable"] != 2 || labels["ckpt_2"] != 2 || len(labels) != 2 {
		t.Fatalf("labels %v", labels)
	}
	if err := r.DeleteLabel("nope"); err == nil {
		t.Error("deleting an unknown label succeeded")
	}
	if err := r.Delete(1); err != nil {
		t.Fatal(err)
	}
	n, err := r.Reset()
	if err != nil || n != 1 {
		t.Fatalf("Reset = %d, %v", n, err)
	}
	if vs, _ := r.Versions(); len(vs) != 0 {
		t.Fatalf("versions after reset: %v", vs)
	}
	if labels, _ := r.Labels(); len(labels) != 0 {
		t.Fatalf("labels after reset: %v", labels)
	}
	if n, _ := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); n != 3 {
		t.Fatalf("the first version after a reset is %d, want 3 (numbers never reused)", n)
	}
}
