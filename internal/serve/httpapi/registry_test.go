package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"intent/modelrepo"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func loadedVersions(r *registry) []int { return r.snapshot().numbers() }

func TestRegistryReload(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num)
	reg := newRegistry(root, 0, quiet)
	ctx := context.Background()
	if err := reg.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	first := reg.snapshot().def
	if first == nil || first.N != 1 {
		t.Fatalf("default %+v", first)
	}

	// A new version becomes the default; the loaded one is kept as is.
	if _, _, err := modelrepo.WriteVersion(root, str, nil, nil); err != nil {
		t.Fatal(err)
	}
	reg.Reload(ctx)
	s := reg.snapshot()
	if s.def.N != 2 || s.get(1) != first || len(s.versions) != 2 {
		t.Fatalf("after adding 2: default %d, versions %v", s.def.N, s.numbers())
	}

	// A damaged version is recorded as failed and the previous default serves.
	bad := filepath.Join(root, "3")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, modelrepo.ModelFile), []byte("INTENTCL not really a model"), 0o644)
	reg.Reload(ctx)
	s = reg.snapshot()
	if s.def.N != 2 || len(s.failed) != 1 || s.failed[0].N != 3 || s.failed[0].Err == nil {
		t.Fatalf("after a damaged 3: default %d, failed %+v", s.def.N, s.failed)
	}
	// It is not retried while the file is unchanged.
	failedAt := s.failed[0].At
	reg.Reload(ctx)
	if f := reg.snapshot().failed; len(f) != 1 || !f[0].At.Equal(failedAt) {
		t.Errorf("unchanged damaged version was retried: %+v", f)
	}
	// Once replaced by a good file, it loads.
	b, _ := num.MarshalBinary()
	os.WriteFile(filepath.Join(bad, modelrepo.ModelFile), b, 0o644)
	reg.Reload(ctx)
	if s = reg.snapshot(); s.def.N != 3 || len(s.failed) != 0 {
		t.Fatalf("after repairing 3: default %d, failed %+v", s.def.N, s.failed)
	}

	// A removed folder is unloaded.
	os.RemoveAll(filepath.Join(root, "1"))
	reg.Reload(ctx)
	if got := loadedVersions(reg); len(got) != 2 || got[0] != 2 {
		t.Fatalf("after removing 1: %v", got)
	}
}

func TestRegistryKeep(t *testing.T) {
	num := trainTiny(t, "numeric")
	reg := newRegistry(writeModels(t, num, num, num), 2, quiet)
	reg.Reload(context.Background())
	if got := loadedVersions(reg); len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Fatalf("keep 2 loaded %v, want [2 3]", got)
	}
}

func TestRegistrySingleSource(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num, num)
	other := filepath.Join(t.TempDir(), "my.model")
	b, _ := num.MarshalBinary()
	os.WriteFile(other, b, 0o644)
	for source, want := range map[string]int{
		filepath.Join(root, "1"):                      1, // a version folder
		filepath.Join(root, "2", modelrepo.ModelFile): 2, // a model file in a version folder
		other: 1, // any model file
	} {
		reg := newRegistry(source, 0, quiet)
		if err := reg.Reload(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := loadedVersions(reg); len(got) != 1 || got[0] != want {
			t.Errorf("%s: versions %v, want [%d]", source, got, want)
		}
	}
}

func TestRegistryMissingSource(t *testing.T) {
	reg := newRegistry(filepath.Join(t.TempDir(), "none"), 0, quiet)
	if err := reg.Reload(context.Background()); !isNotExist(err) {
		t.Fatalf("err = %v", err)
	}
	if _, err := reg.snapshot().pick(0, false); err != errNoModel {
		t.Fatalf("pick: %v", err)
	}
}

// Requests hammering /intent while versions come and go never fail and
// never mix versions within one answer. Run with -race.
func TestReloadUnderLoad(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num)
	s, _ := newTestServer(t, root)
	h := s.routes()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var served atomic.Int64
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				w := serve(t, h, "GET", "/intent?query=book+a+flight&top=3", "")
				if w.Code != http.StatusOK {
					t.Errorf("status %d during reload: %s", w.Code, w.Body)
					return
				}
				// A numeric answer has numeric ranking entries, a string
				// answer string ones: never a mix.
				body := w.Body.String()
				if strings.HasPrefix(body, `{"intent": "`) != (strings.Count(body, `"intent": "`) == 4) {
					t.Errorf("mixed answer %s", body)
					return
				}
				served.Add(1)
			}
		})
	}
	for i := range 6 {
		m := num
		if i%2 == 0 {
			m = str
		}
		if _, _, err := modelrepo.WriteVersion(root, m, nil, nil); err != nil {
			t.Fatal(err)
		}
		s.models.Reload(context.Background())
		vs, _ := modelrepo.Versions(root)
		os.RemoveAll(filepath.Join(root, strconv.Itoa(vs[0])))
		s.models.Reload(context.Background())
	}
	stop.Store(true)
	wg.Wait()
	if served.Load() == 0 {
		t.Fatal("no request served")
	}
	if d := s.models.snapshot().def; d == nil || d.N != 7 {
		t.Fatalf("default after the swaps: %+v", d)
	}
}

// Requests hammering /intent, /infer and /models while versions are
// published, pinned, unpinned and deleted never fail and never mix
// versions within one answer. Run with -race.
func TestPinDeleteUnderLoad(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num)
	s, h, _ := newModelServer(t, root, testToken, 3)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var served atomic.Int64
	for range 3 {
		wg.Go(func() {
			for !stop.Load() {
				w := serve(t, h, "GET", "/intent?query=book+a+flight&top=3", "")
				body := w.Body.String()
				if w.Code != http.StatusOK {
					t.Errorf("status %d during changes: %s", w.Code, body)
					return
				}
				if strings.HasPrefix(body, `{"intent": "`) != (strings.Count(body, `"intent": "`) == 4) {
					t.Errorf("mixed answer %s", body)
					return
				}
				served.Add(1)
			}
		})
	}
	wg.Go(func() {
		for !stop.Load() {
			for _, target := range []string{"/models", "/models/default"} {
				if w := serve(t, h, "GET", target, ""); w.Code != http.StatusOK {
					t.Errorf("GET %s: %d %s", target, w.Code, w.Body)
					return
				}
			}
			w := serve(t, h, "POST", "/infer", `{"texts": ["cancel my order", "dose"]}`)
			var a inferAnswer
			if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &a) != nil || len(a.Results) != 2 {
				t.Errorf("POST /infer: %d %s", w.Code, w.Body)
				return
			}
			// Labels and intents of one answer come from one version.
			for _, r := range a.Results {
				if !slices.ContainsFunc(a.Labels, func(l json.RawMessage) bool { return string(l) == string(r.Intent) }) {
					t.Errorf("intent %s not among labels %s", r.Intent, a.Labels)
					return
				}
			}
		}
	})
	ctx := context.Background()
	for i := range 8 {
		m := num
		if i%2 == 0 {
			m = str
		}
		if _, _, err := modelrepo.WriteVersion(root, m, nil, nil); err != nil {
			t.Fatal(err)
		}
		s.models.Reload(ctx)
		vs, _ := modelrepo.Versions(root)
		switch i % 4 {
		case 0: // pin the oldest, which --keep may have unloaded
			if err := s.models.Pin(vs[0]); err != nil {
				t.Fatal(err)
			}
		case 1: // the pinned one cannot go; another can
			if k, _ := errorKind(s.models.Delete(vs[0])); k != kindConflict {
				t.Fatalf("deleting the pinned %d was not refused", vs[0])
			}
			if err := s.models.Delete(vs[1]); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := s.models.Unpin(); err != nil {
				t.Fatal(err)
			}
		case 3:
			if err := s.models.Delete(vs[0]); err != nil {
				t.Fatal(err)
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	if served.Load() == 0 {
		t.Fatal("no request served")
	}
	if d := s.models.snapshot().def; d == nil || d.N != 9 {
		t.Fatalf("default after the changes: %+v", d)
	}
	if entries, _ := os.ReadDir(root); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".") && e.Name() != modelrepo.HighestFile }) {
		t.Fatalf("leftovers in %v", entries)
	}
}

func errorKind(err error) (kind, bool) {
	if ae, ok := errors.AsType[*apiError](err); ok {
		return ae.Kind, true
	}
	return kindInternal, false
}
