package versions

import (
	"context"
	"intent/internal/testmodel"
	"intent/internal/testmodel/testrepo"
	"intent/modelrepo"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func loadedVersions(r *Registry) []int { return r.Snapshot().Numbers() }

func TestRegistryReload(t *testing.T) {
	num, str := testmodel.Tiny(t, "numeric"), testmodel.Tiny(t, "string")
	root := writeModels(t, num)
	reg := New(root, 0, quiet)
	ctx := context.Background()
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	first := reg.Snapshot().Default
	if first == nil || first.N != 1 {
		t.Fatalf("default %+v", first)
	}

	// A new version becomes the default; the loaded one is kept as is.
	if _, _, err := modelrepo.WriteVersion(root, str, nil, nil); err != nil {
		t.Fatal(err)
	}
	reg.Reload(ctx)
	s := reg.Snapshot()
	if s.Default.N != 2 || s.Get(1) != first || len(s.Versions) != 2 {
		t.Fatalf("after adding 2: default %d, versions %v", s.Default.N, s.Numbers())
	}

	// A damaged version is recorded as failed and the previous default serves.
	bad := filepath.Join(root, "3")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, modelrepo.ModelFile), []byte("INTENTCL not really a model"), 0o644)
	reg.Reload(ctx)
	s = reg.Snapshot()
	if s.Default.N != 2 || len(s.Failed) != 1 || s.Failed[0].N != 3 || s.Failed[0].Err == nil {
		t.Fatalf("after a damaged 3: default %d, failed %+v", s.Default.N, s.Failed)
	}
	// It is not retried while the file is unchanged.
	failedAt := s.Failed[0].At
	reg.Reload(ctx)
	if f := reg.Snapshot().Failed; len(f) != 1 || !f[0].At.Equal(failedAt) {
		t.Errorf("unchanged damaged version was retried: %+v", f)
	}
	// Once replaced by a good file, it loads.
	b, _ := num.MarshalBinary()
	os.WriteFile(filepath.Join(bad, modelrepo.ModelFile), b, 0o644)
	reg.Reload(ctx)
	if s = reg.Snapshot(); s.Default.N != 3 || len(s.Failed) != 0 {
		t.Fatalf("after repairing 3: default %d, failed %+v", s.Default.N, s.Failed)
	}

	// A removed folder is unloaded.
	os.RemoveAll(filepath.Join(root, "1"))
	reg.Reload(ctx)
	if got := loadedVersions(reg); len(got) != 2 || got[0] != 2 {
		t.Fatalf("after removing 1: %v", got)
	}
}

func TestRegistryKeep(t *testing.T) {
	num := testmodel.Tiny(t, "numeric")
	reg := New(writeModels(t, num, num, num), 2, quiet)
	reg.Reload(context.Background())
	if got := loadedVersions(reg); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("keep 2 loaded %v, want [2 3]", got)
	}
}

func TestRegistrySingleSource(t *testing.T) {
	num := testmodel.Tiny(t, "numeric")
	root := writeModels(t, num, num)
	other := filepath.Join(t.TempDir(), "my.model")
	b, _ := num.MarshalBinary()
	os.WriteFile(other, b, 0o644)
	for source, want := range map[string]int{
		filepath.Join(root, "1"):                      1, // a version folder
		filepath.Join(root, "2", modelrepo.ModelFile): 2, // a model file in a version folder
		other: 1, // any model file
	} {
		reg := New(source, 0, quiet)
		if err := reg.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := loadedVersions(reg); len(got) != 1 || got[0] != want {
			t.Errorf("%s: versions %v, want [%d]", source, got, want)
		}
	}
}

func TestRegistryMissingSource(t *testing.T) {
	reg := New(filepath.Join(t.TempDir(), "none"), 0, quiet)
	if err := reg.Reload(context.Background()); !isNotExist(err) {
		t.Fatalf("err = %v", err)
	}
	if _, err := reg.Snapshot().Pick(0, false); err != ErrNoModel {
		t.Fatalf("pick: %v", err)
	}
}

var writeModels = testrepo.WriteModels
