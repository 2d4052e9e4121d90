package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"intent/model"
)

// version is one loaded model version. It never changes once published.
type version struct {
	N        int            // version number: the folder name under the models root
	File     string         // the model file it was loaded from
	Model    *model.Model   // immutable, safe for concurrent use
	Meta     model.Metadata // a copy of the model's metadata
	LoadedAt time.Time
	LoadTook time.Duration

	// intentJSON[i] is label i as it appears in answers: 26 when every
	// label is an integer, "cancel" (quoted and escaped) otherwise.
	intentJSON [][]byte
}

func newVersion(n int, file string, m *model.Model, took time.Duration) *version {
	v := &version{N: n, File: file, Model: m, Meta: m.Meta(), LoadedAt: time.Now(), LoadTook: took}
	v.intentJSON = make([][]byte, m.NumClasses())
	for i := range v.intentJSON {
		if m.NumericLabels() {
			v.intentJSON[i] = strconv.AppendInt(nil, m.LabelInt(i), 10)
		} else {
			v.intentJSON[i] = appendJSONString(nil, m.Label(i))
		}
	}
	return v
}

// failure is a version that could not be loaded, kept so that it is not
// retried until its file changes and so that it can be reported.
type failure struct {
	N       int
	File    string
	Err     error
	At      time.Time
	modTime time.Time
	size    int64
}

// snapshot is the registry's state at one moment. A published snapshot is
// never modified: a change builds a new one and swaps the pointer, so a
// request that picked a version keeps a consistent view until it ends.
type snapshot struct {
	versions []*version // ascending by N
	failed   []failure  // ascending by N
	def      *version   // the version answering when none is asked; nil when none is loaded
}

// get returns the loaded version n, or nil.
func (s *snapshot) get(n int) *version {
	i, ok := slices.BinarySearchFunc(s.versions, n, func(v *version, n int) int { return v.N - n })
	if !ok {
		return nil
	}
	return s.versions[i]
}

// numbers lists the loaded version numbers, for error messages.
func (s *snapshot) numbers() []int {
	out := make([]int, len(s.versions))
	for i, v := range s.versions {
		out[i] = v.N
	}
	return out
}

// registry holds the loaded model versions. Reads (every request) load an
// atomic pointer and never lock; changes (Reload today, and later uploads,
// deletions or a pinned default) are serialized by mu and publish a new
// snapshot.
type registry struct {
	source string // a models root with version folders, a version folder or a model file
	keep   int    // load at most this many of the newest versions; 0 means all
	log    *slog.Logger

	mu  sync.Mutex
	cur atomic.Pointer[snapshot]
}

func newRegistry(source string, keep int, log *slog.Logger) *registry {
	r := &registry{source: source, keep: keep, log: log}
	r.cur.Store(&snapshot{})
	return r
}

// snapshot returns the current state; it never blocks.
func (r *registry) snapshot() *snapshot { return r.cur.Load() }

// errNoModel is why a request cannot be answered before a model is loaded.
var errNoModel = errorf(kindUnavailable, "no model loaded: train one with 'trainer train --out models/'")

// pick returns the version n when asked (has), else the default.
func (s *snapshot) pick(n int, has bool) (*version, error) {
	if s.def == nil {
		return nil, errNoModel
	}
	if !has {
		return s.def, nil
	}
	if v := s.get(n); v != nil {
		return v, nil
	}
	return nil, errorf(kindNotFound, "unknown model version %d (loaded: %s)", n, joinInts(s.numbers()))
}

// candidate is a model file the registry may load as version n.
type candidate struct {
	n    int
	file string
}

// scan lists the model files the source designates, newest first. A source
// that is a model file or a version folder is one candidate, numbered after
// its folder when that is a number and 1 otherwise.
func (r *registry) scan() ([]candidate, error) {
	st, err := os.Stat(r.source)
	if err != nil {
		return nil, err
	}
	single := func(file string) []candidate {
		dir := filepath.Base(filepath.Dir(file))
		n, err := strconv.Atoi(dir)
		if err != nil || n <= 0 || strconv.Itoa(n) != dir {
			n = 1
		}
		return []candidate{{n, file}}
	}
	if !st.IsDir() {
		return single(r.source), nil
	}
	if f := filepath.Join(r.source, model.ModelFile); fileExists(f) {
		return single(f), nil
	}
	ns, err := model.Versions(r.source)
	if err != nil {
		return nil, err
	}
	out := make([]candidate, 0, len(ns))
	for _, n := range slices.Backward(ns) {
		out = append(out, candidate{n, filepath.Join(r.source, strconv.Itoa(n), model.ModelFile)})
	}
	return out, nil
}

// Reload brings the registry in line with the source: versions that
// appeared are loaded (at most keep of the newest), versions whose folder
// disappeared are dropped, loaded versions are kept as they are (version
// folders are written once and never modified). A version that fails to
// load is recorded and not retried until its file changes; the versions
// already loaded keep serving. The newest loaded version becomes the
// default. Reload returns an error only when the source cannot be read.
func (r *registry) Reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cands, err := r.scan()
	if err != nil {
		return fmt.Errorf("models %s: %w", r.source, err)
	}
	old := r.snapshot()
	next := &snapshot{}
	loaded := 0
	for _, c := range cands {
		if r.keep > 0 && loaded >= r.keep {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if v := old.get(c.n); v != nil && v.File == c.file {
			next.versions = append(next.versions, v)
			loaded++
			continue
		}
		st, statErr := os.Stat(c.file)
		if i := slices.IndexFunc(old.failed, func(f failure) bool { return f.N == c.n }); i >= 0 && statErr == nil {
			if f := old.failed[i]; f.File == c.file && f.modTime.Equal(st.ModTime()) && f.size == st.Size() {
				next.failed = append(next.failed, f)
				continue
			}
		}
		v, err := r.load(c)
		if err != nil {
			f := failure{N: c.n, File: c.file, Err: err, At: time.Now()}
			if statErr == nil {
				f.modTime, f.size = st.ModTime(), st.Size()
			}
			next.failed = append(next.failed, f)
			r.log.Error("model version failed to load", slog.Int("version", c.n), slog.String("file", c.file), slog.String("error", err.Error()))
			continue
		}
		next.versions = append(next.versions, v)
		loaded++
	}
	slices.SortFunc(next.versions, func(a, b *version) int { return a.N - b.N })
	slices.SortFunc(next.failed, func(a, b failure) int { return a.N - b.N })
	if len(next.versions) > 0 {
		next.def = next.versions[len(next.versions)-1]
	}
	r.cur.Store(next)
	for _, v := range old.versions {
		if next.get(v.N) != v {
			r.log.Info("model version unloaded", slog.Int("version", v.N))
		}
	}
	return nil
}

// load reads one candidate and checks that it answers.
func (r *registry) load(c candidate) (*version, error) {
	start := time.Now()
	m, err := model.LoadFile(c.file)
	if err != nil {
		return nil, err
	}
	if err := probe(m); err != nil {
		return nil, err
	}
	v := newVersion(c.n, c.file, m, time.Since(start))
	r.log.Info("model version loaded", slog.Int("version", v.N), slog.String("file", v.File),
		slog.Int("labels", m.NumClasses()), slog.Duration("took", v.LoadTook))
	return v, nil
}

// probe asks a loaded model one question, so a model that loads but cannot
// answer (it panics, or gives no usable probability) is refused before it
// serves.
func probe(m *model.Model) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("model: probe prediction panicked: %v", p)
		}
	}()
	p := m.Predict("probe question")
	if p.Class < 0 || p.Class >= m.NumClasses() || !(p.Probability >= 0 && p.Probability <= 1) {
		return fmt.Errorf("model: probe prediction is invalid: class %d, probability %v", p.Class, p.Probability)
	}
	return nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// isNotExist reports whether err says the models source does not exist.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func joinInts(ns []int) string {
	if len(ns) == 0 {
		return "none"
	}
	b := make([]byte, 0, 4*len(ns))
	for i, n := range ns {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return string(b)
}
