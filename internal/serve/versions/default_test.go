package versions

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"intent/internal/testmodel"
	"intent/modelrepo"
)

func files(t testing.TB, kind string) map[string][]byte {
	t.Helper()
	b, err := testmodel.Tiny(t, kind).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{modelrepo.ModelFile: b}
}

// A held version is never the default, not for one request, while
// readers hammer the default and the watcher reloads; a pinned one is the
// default from the instant it is loaded. Run with -race.
func TestHeldVersionNeverAnswersByDefault(t *testing.T) {
	ctx := context.Background()
	root := writeModels(t, testmodel.Tiny(t, "numeric"))
	reg := New(root, 0, quiet)
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	repo := modelrepo.New(root)
	var held sync.Map // version numbers published held
	var stop atomic.Bool
	var answered atomic.Int64
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for !stop.Load() {
				v, err := reg.Get(ctx, 0, false)
				if err != nil {
					t.Errorf("default: %v", err)
					return
				}
				if _, ok := held.Load(v.N); ok {
					t.Errorf("held version %d answered by default", v.N)
					return
				}
				answered.Add(1)
			}
		})
	}
	// Another process's watcher: reloads at any moment.
	wg.Go(func() {
		for !stop.Load() {
			reg.Reload(ctx)
		}
	})
	for i := range 20 {
		// The number is known only once published: record it as held
		// before it can appear by reserving it first (the next number).
		next := max(repo.Highest(), 1) + 1
		held.Store(next, true)
		n, err := repo.Publish(modelrepo.Publish{Files: files(t, "string"), Held: "make_default never"})
		if err != nil || n != next {
			t.Fatalf("publish %d: %d, %v", i, n, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if answered.Load() == 0 {
		t.Fatal("no answer")
	}
	if d := reg.Snapshot().Default; d == nil || d.N != 1 {
		t.Fatalf("default %+v, want version 1 (every newer one is held)", d)
	}
	// A restarted server agrees: the held versions stay out.
	again := New(root, 0, quiet)
	if err := again.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if d := again.Snapshot().Default; d == nil || d.N != 1 {
		t.Fatalf("after a restart the default is %+v, want 1", d)
	}
	// Pinning a held version makes it the default; publishing pinned too.
	if err := again.Pin(5); err != nil {
		t.Fatal(err)
	}
	if d := again.Snapshot().Default; d.N != 5 {
		t.Fatalf("pinned 5, default %d", d.N)
	}
	n, err := again.Publish(ctx, modelrepo.Publish{Files: files(t, "numeric"), Pin: true}, testmodel.Tiny(t, "numeric"))
	if err != nil {
		t.Fatal(err)
	}
	if d := again.Snapshot().Default; d.N != n {
		t.Fatalf("published pinned %d, default %d", n, d.N)
	}
	if err := again.Unpin(); err != nil {
		t.Fatal(err)
	}
	if d := again.Snapshot().Default; d.N != n {
		t.Fatalf("after unpin the default is %d, want %d (newest not held)", d.N, n)
	}
}

// With only held versions and no pin, nothing answers by default: a clear
// 503, not an unapproved model.
func TestOnlyHeldVersionsMeansNoDefault(t *testing.T) {
	root := t.TempDir()
	if _, err := modelrepo.New(root).Publish(modelrepo.Publish{Files: files(t, "numeric"), Held: "make_default never"}); err != nil {
		t.Fatal(err)
	}
	reg := New(root, 0, quiet)
	if err := reg.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Get(context.Background(), 0, false); err == nil {
		t.Fatal("a held version answered by default")
	}
	if v, err := reg.Get(context.Background(), 1, true); err != nil || v.N != 1 {
		t.Fatalf("asked by number, the held version must answer: %v", err)
	}
}

// Versions beyond --keep load when asked for and the least recently used
// one is unloaded: every version answers, memory stays bounded.
func TestVersionsLoadOnDemand(t *testing.T) {
	ctx := context.Background()
	num := testmodel.Tiny(t, "numeric")
	reg := New(writeModels(t, num, num, num, num, num), 2, quiet)
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := loadedVersions(reg); len(got) != 2 || got[1] != 5 {
		t.Fatalf("loaded %v", got)
	}
	for _, n := range []int{1, 2, 3, 1, 4} {
		v, err := reg.Get(ctx, n, true)
		if err != nil || v.N != n {
			t.Fatalf("version %d: %v", n, err)
		}
		got := loadedVersions(reg)
		if len(got) > 2 {
			t.Fatalf("after asking %d, %d versions in memory: %v", n, len(got), got)
		}
		if reg.Snapshot().Default == nil || reg.Snapshot().Default.N != 5 {
			t.Fatalf("the default was unloaded: %v", got)
		}
	}
	if _, err := reg.Get(ctx, 9, true); err == nil {
		t.Fatal("an unknown version answered")
	}
}
