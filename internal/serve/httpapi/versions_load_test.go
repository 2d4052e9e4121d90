package httpapi

import (
	"context"
	"encoding/json"
	"intent/internal/errcode"
	"intent/internal/testmodel"
	"intent/modelrepo"
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

// Requests hammering /intent while versions come and go never fail and
// never mix versions within one answer. Run with -race.
func TestReloadUnderLoad(t *testing.T) {
	num, str := testmodel.Tiny(t, "numeric"), testmodel.Tiny(t, "string")
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
	if d := s.models.Snapshot().Default; d == nil || d.N != 7 {
		t.Fatalf("default after the swaps: %+v", d)
	}
}

// Requests hammering /intent, /infer and /models while versions are
// published, pinned, unpinned and deleted never fail and never mix
// versions within one answer. Run with -race.
func TestPinDeleteUnderLoad(t *testing.T) {
	num, str := testmodel.Tiny(t, "numeric"), testmodel.Tiny(t, "string")
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
			if k, _ := errorKind(s.models.Delete(vs[0])); k != errcode.Conflict {
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
	if d := s.models.Snapshot().Default; d == nil || d.N != 9 {
		t.Fatalf("default after the changes: %+v", d)
	}
	if entries, _ := os.ReadDir(root); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), ".") && e.Name() != modelrepo.HighestFile }) {
		t.Fatalf("leftovers in %v", entries)
	}
}

func errorKind(err error) (kind, bool) {
	if e := errcode.Of(err); e != nil {
		return e.Code, true
	}
	return kindInternal, false
}
