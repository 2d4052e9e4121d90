package httpapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"intent/internal/atomicfile"
	"intent/model"
	"intent/modelrepo"
)

// PinFile, in the models root, holds the number of the pinned default
// version. It is written atomically by PUT /models/default and removed by
// DELETE /models/default, so a pin survives restarts and is shared by every
// server watching the same folder.
const PinFile = "DEFAULT"

// deletedPrefix names the hidden folder a version is renamed to before it
// is removed, so no reader ever sees a half-deleted version folder.
const deletedPrefix = ".deleted-"

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
	// labelsJSON is the JSON array of every label in class order.
	labelsJSON []byte

	stat fs.FileInfo // of File when it was loaded, to notice a replaced file
}

func newVersion(n int, file string, m *model.Model, took time.Duration) *version {
	v := &version{N: n, File: file, Model: m, Meta: m.Meta(), LoadedAt: time.Now(), LoadTook: took}
	v.intentJSON = make([][]byte, m.NumClasses())
	v.labelsJSON = append(v.labelsJSON, '[')
	for i := range v.intentJSON {
		if m.NumericLabels() {
			v.intentJSON[i] = strconv.AppendInt(nil, m.LabelInt(i), 10)
		} else {
			v.intentJSON[i] = appendJSONString(nil, m.Label(i))
		}
		if i > 0 {
			v.labelsJSON = append(v.labelsJSON, ", "...)
		}
		v.labelsJSON = append(v.labelsJSON, v.intentJSON[i]...)
	}
	v.labelsJSON = append(v.labelsJSON, ']')
	return v
}

// failure is a version that could not be loaded, kept so that it is not
// retried until its file changes and so that it can be reported.
type failure struct {
	N    int
	File string
	Err  error
	At   time.Time
	stat fs.FileInfo // of File when it failed; nil when it was missing
}

// versionInfo is what the registry knows of a version folder without
// loading it: the metadata at the head of its model file and the headline
// of its report.json. Version folders never change once published, so it is
// read once per folder.
type versionInfo struct {
	CreatedAt time.Time
	DataHash  string
	Labels    int
	Metrics   *headline // nil when there is no report and no metrics in the metadata
	HasReport bool
	HasValid  bool
}

// headline is the handful of metrics shown next to a version.
type headline struct {
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	ECEAfter float64 `json:"ece_after"`
}

// folder is a version found by the last scan, loaded or not.
type folder struct {
	N    int
	Dir  string // empty for a model file given directly
	File string
	Info versionInfo
	stat fs.FileInfo // of File when Info was read; nil when File was missing
}

// snapshot is the registry's state at one moment. A published snapshot is
// never modified: a change builds a new one and swaps the pointer, so a
// request that picked a version keeps a consistent view until it ends.
type snapshot struct {
	versions []*version // loaded, ascending by N
	failed   []failure  // ascending by N
	def      *version   // the version answering when none is asked; nil when none is loaded
	folders  []folder   // every version of the last scan, ascending by N
	loading  int        // the version being loaded when this snapshot was published, or 0
	pinned   int        // the version the pin file names, or 0
	pinErr   string     // why the pinned version is not the default, when it is not
	root     bool       // the source is a models root: pins, uploads and deletions apply
}

// get returns the loaded version n, or nil.
func (s *snapshot) get(n int) *version {
	i, ok := slices.BinarySearchFunc(s.versions, n, func(v *version, n int) int { return v.N - n })
	if !ok {
		return nil
	}
	return s.versions[i]
}

// folder returns the scanned version n, or nil.
func (s *snapshot) folder(n int) *folder {
	i, ok := slices.BinarySearchFunc(s.folders, n, func(f folder, n int) int { return f.N - n })
	if !ok {
		return nil
	}
	return &s.folders[i]
}

// failure returns the failure of version n, or nil.
func (s *snapshot) failure(n int) *failure {
	i := slices.IndexFunc(s.failed, func(f failure) bool { return f.N == n })
	if i < 0 {
		return nil
	}
	return &s.failed[i]
}

// numbers lists the loaded version numbers, for error messages.
func (s *snapshot) numbers() []int {
	out := make([]int, len(s.versions))
	for i, v := range s.versions {
		out[i] = v.N
	}
	return out
}

// Version states, as GET /models reports them.
const (
	stateLoading   = "loading"
	stateAvailable = "available"
	stateFailed    = "failed"
	stateUnloaded  = "unloaded"
)

// state says what happened to version n: available (loaded), failed,
// loading, or unloaded (on disk, not in memory because of --keep).
func (s *snapshot) state(n int) string {
	switch {
	case s.get(n) != nil:
		return stateAvailable
	case s.loading == n:
		return stateLoading
	case s.failure(n) != nil:
		return stateFailed
	}
	return stateUnloaded
}

// registry holds the model versions. Reads (every request) load an atomic
// pointer and never lock; changes (Reload, Pin, Unpin, Delete, Publish) are
// serialized by mu and publish a new snapshot.
type registry struct {
	source string // a models root with version folders, a version folder or a model file
	keep   int    // load at most this many versions; 0 means all
	log    *slog.Logger

	mu    sync.Mutex
	cur   atomic.Pointer[snapshot]
	swept bool // leftovers of interrupted deletions were removed
}

func newRegistry(source string, keep int, log *slog.Logger) *registry {
	r := &registry{source: source, keep: keep, log: log}
	r.cur.Store(&snapshot{})
	return r
}

// snapshot returns the current state; it never blocks.
func (r *registry) snapshot() *snapshot { return r.cur.Load() }

// errNoModel is why a request cannot be answered before a model is loaded.
var errNoModel = errorf(kindUnavailable, "no model loaded: train one with 'trainer train --out models/' or upload one (POST /models)")

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
	return nil, s.notLoaded(n)
}

// notLoaded explains why version n cannot answer.
func (s *snapshot) notLoaded(n int) error {
	switch s.state(n) {
	case stateFailed:
		return errorf(kindNotFound, "model version %d failed to load (see GET /models/%d); loaded: %s", n, n, joinInts(s.numbers()))
	case stateLoading:
		return errorf(kindNotFound, "model version %d is still loading; loaded: %s", n, joinInts(s.numbers()))
	}
	if s.folder(n) != nil {
		return errorf(kindNotFound, "model version %d is not loaded (--keep limits the versions in memory; pin it to load it); loaded: %s", n, joinInts(s.numbers()))
	}
	return errorf(kindNotFound, "unknown model version %d (loaded: %s)", n, joinInts(s.numbers()))
}

// isRoot reports whether the source is (or, missing, will be) a models
// root holding version folders, rather than one model file or one version
// folder.
func (r *registry) isRoot() bool {
	st, err := os.Stat(r.source)
	if err != nil {
		return isNotExist(err)
	}
	return st.IsDir() && !fileExists(filepath.Join(r.source, modelrepo.ModelFile))
}

// candidate is a model file the registry may load as version n.
type candidate struct {
	n    int
	dir  string
	file string
}

// scan lists the model files the source designates, newest first. A source
// that is a model file or a version folder is one candidate, numbered after
// its folder when that is a number and 1 otherwise.
func (r *registry) scan() ([]candidate, bool, error) {
	st, err := os.Stat(r.source)
	if err != nil {
		return nil, false, err
	}
	single := func(file string) []candidate {
		dir := filepath.Base(filepath.Dir(file))
		n, err := strconv.Atoi(dir)
		if err != nil || n <= 0 || strconv.Itoa(n) != dir {
			n = 1
		}
		return []candidate{{n, "", file}}
	}
	if !st.IsDir() {
		return single(r.source), false, nil
	}
	if f := filepath.Join(r.source, modelrepo.ModelFile); fileExists(f) {
		c := single(f)
		c[0].dir = r.source
		return c, false, nil
	}
	ns, err := modelrepo.Versions(r.source)
	if err != nil {
		return nil, true, err
	}
	out := make([]candidate, 0, len(ns))
	for _, n := range slices.Backward(ns) {
		dir := filepath.Join(r.source, strconv.Itoa(n))
		out = append(out, candidate{n, dir, filepath.Join(dir, modelrepo.ModelFile)})
	}
	return out, true, nil
}

// Reload rescans the source now. When it returns, every version that
// appeared is loaded (at most keep of them, the pinned one first, then the
// newest) or recorded as failed, and versions whose folder disappeared are
// dropped. Loaded versions are kept as they are while their file is the
// same (version folders are written once and never modified). A version
// that fails to load is not retried until its file changes; the versions
// already loaded keep serving. The pinned version, when it is loaded, is the
// default, else the newest loaded one. Reload returns an error only when
// the source cannot be read.
func (r *registry) Reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reload(ctx, nil)
}

// reload is Reload with mu held. pre holds models already decoded and
// checked (an upload), used instead of reading their file again.
func (r *registry) reload(ctx context.Context, pre map[int]*model.Model) error {
	cands, root, err := r.scan()
	if err != nil {
		// The versions loaded keep serving: a folder that cannot be read
		// for a moment must not take the service down.
		return fmt.Errorf("models %s: %w", r.source, err)
	}
	if root && !r.swept {
		r.sweep()
	}
	old := r.snapshot()
	next := &snapshot{root: root}
	if root {
		next.pinned, next.pinErr = r.readPin()
	}

	// The pinned version first, so that it is always kept, then the newest.
	if i := slices.IndexFunc(cands, func(c candidate) bool { return c.n == next.pinned }); i > 0 {
		p := cands[i]
		copy(cands[1:i+1], cands[:i])
		cands[0] = p
	}
	loaded := 0
	changed := false // a version was loaded or unloaded
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, statErr := os.Stat(c.file)
		if statErr != nil {
			st = nil
		}
		next.folders = append(next.folders, r.folderOf(old, c, st))
		if f := old.failure(c.n); f != nil && f.File == c.file && sameFile(f.stat, st) {
			next.failed = append(next.failed, *f)
			continue
		}
		if r.keep > 0 && loaded >= r.keep {
			continue // unloaded
		}
		if v := old.get(c.n); v != nil && v.File == c.file && sameFile(v.stat, st) {
			next.versions = append(next.versions, v)
			loaded++
			continue
		}
		// Show the version as loading while it loads.
		during := *old
		during.loading = c.n
		during.folders = mergeFolders(old.folders, next.folders)
		r.cur.Store(&during)

		v, err := r.load(c, st, pre[c.n])
		if err != nil {
			next.failed = append(next.failed, failure{N: c.n, File: c.file, Err: err, At: time.Now(), stat: st})
			r.log.Error("model version failed to load", slog.Int("version", c.n), slog.String("file", c.file), slog.String("error", err.Error()))
			continue
		}
		next.versions = append(next.versions, v)
		loaded++
		changed = true
	}
	slices.SortFunc(next.versions, func(a, b *version) int { return a.N - b.N })
	slices.SortFunc(next.failed, func(a, b failure) int { return a.N - b.N })
	slices.SortFunc(next.folders, func(a, b folder) int { return a.N - b.N })
	if len(next.versions) > 0 {
		next.def = next.versions[len(next.versions)-1]
	}
	if next.pinned > 0 {
		if v := next.get(next.pinned); v != nil {
			next.def = v
		} else if next.pinErr == "" {
			switch next.state(next.pinned) {
			case stateFailed:
				next.pinErr = fmt.Sprintf("pinned version %d failed to load: %v", next.pinned, next.failure(next.pinned).Err)
			default:
				next.pinErr = fmt.Sprintf("pinned version %d does not exist", next.pinned)
			}
		}
	}
	if next.pinErr != "" && next.pinErr != old.pinErr {
		r.log.Warn("the pinned default cannot answer: the newest version does", slog.String("reason", next.pinErr))
	}
	r.cur.Store(next)
	for _, v := range old.versions {
		if next.get(v.N) != v {
			r.log.Info("model version unloaded", slog.Int("version", v.N))
			changed = true
		}
	}
	if changed {
		// A model file is read whole before it is decoded, and a model is
		// tens of megabytes: give the garbage of a load or an unloaded
		// version back to the system now rather than at the scavenger's
		// pace (requests still answering from an old version keep it alive
		// until they end).
		go debug.FreeOSMemory()
	}
	if next.def != nil && (old.def == nil || old.def != next.def) {
		r.log.Info("default model version", slog.Int("version", next.def.N), slog.Bool("pinned", next.def.N == next.pinned))
	}
	return nil
}

// mergeFolders is the folder list while a reload is under way: the ones
// already scanned replace their old entries.
func mergeFolders(old, scanned []folder) []folder {
	out := slices.Clone(scanned)
	for _, f := range old {
		if !slices.ContainsFunc(scanned, func(g folder) bool { return g.N == f.N }) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b folder) int { return a.N - b.N })
	return out
}

// folderOf describes candidate c, reusing what the old snapshot read when
// the file is the same.
func (r *registry) folderOf(old *snapshot, c candidate, st fs.FileInfo) folder {
	if f := old.folder(c.n); f != nil && f.File == c.file && sameFile(f.stat, st) {
		return *f
	}
	return folder{N: c.n, Dir: c.dir, File: c.file, Info: readInfo(c.dir, c.file), stat: st}
}

// sameFile reports whether two stats are of the same unchanged file (both
// nil: both missing).
func sameFile(a, b fs.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// load reads one candidate (or takes the model already decoded) and checks
// that it answers.
func (r *registry) load(c candidate, st fs.FileInfo, m *model.Model) (*version, error) {
	start := time.Now()
	if m == nil {
		var err error
		if m, err = model.LoadFile(c.file); err != nil {
			return nil, err
		}
	}
	if err := probe(m); err != nil {
		return nil, err
	}
	v := newVersion(c.n, c.file, m, time.Since(start))
	v.stat = st
	r.log.Info("model version loaded", slog.Int("version", v.N), slog.String("file", v.File),
		slog.Int("labels", m.NumClasses()), slog.Duration("took", v.LoadTook))
	return v, nil
}

// probeQuestion is asked of every version before it serves.
const probeQuestion = "probe question"

// probe asks a loaded model one question, so a model that loads but cannot
// answer (it panics, gives a class out of range, a score or probability
// that is not finite) is refused before it serves.
func probe(m *model.Model) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("model: probe prediction panicked: %v", p)
		}
	}()
	if m.NumClasses() < 1 {
		return fmt.Errorf("model: no labels")
	}
	p := m.Predict(probeQuestion)
	if p.Class < 0 || p.Class >= m.NumClasses() || p.Label != m.Label(p.Class) || !(p.Probability >= 0 && p.Probability <= 1) {
		return fmt.Errorf("model: probe prediction is invalid: class %d, probability %v", p.Class, p.Probability)
	}
	scores := m.Scores(probeQuestion, nil)
	if len(scores) != m.NumClasses() {
		return fmt.Errorf("model: probe gave %d scores for %d labels", len(scores), m.NumClasses())
	}
	for i, s := range scores {
		if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("model: probe score of label %q is %v", m.Label(i), s)
		}
	}
	return nil
}

// readPin reads the pin file: the pinned version, or 0 when there is none.
// A pin file that cannot be read or parsed is reported, not fatal.
func (r *registry) readPin() (int, string) {
	b, err := os.ReadFile(filepath.Join(r.source, PinFile))
	if err != nil {
		if isNotExist(err) {
			return 0, ""
		}
		return 0, fmt.Sprintf("cannot read the pin file: %v", err)
	}
	s := strings.TrimSpace(string(b))
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Sprintf("pin file %s holds %q, not a version number", filepath.Join(r.source, PinFile), truncate(s, 20))
	}
	return n, ""
}

// sweep removes what interrupted deletions left behind.
func (r *registry) sweep() {
	r.swept = true
	entries, err := os.ReadDir(r.source)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), deletedPrefix) {
			if err := os.RemoveAll(filepath.Join(r.source, e.Name())); err == nil {
				r.log.Info("removed the remains of an interrupted deletion", slog.String("folder", e.Name()))
			}
		}
	}
}

// DefaultVersion returns the version answering by default and its
// validation accuracy (from its metadata or report.json; 0 when it has no
// recorded metrics); ok is false when no version is loaded.
func (r *registry) DefaultVersion() (n int, accuracy float64, ok bool) {
	s := r.snapshot()
	if s.def == nil {
		return 0, 0, false
	}
	if f := s.folder(s.def.N); f != nil && f.Info.Metrics != nil {
		accuracy = f.Info.Metrics.Accuracy
	}
	return s.def.N, accuracy, true
}

// errSingle refuses changes when the server serves one model file.
func (r *registry) errSingle(what string) error {
	return errorf(kindConflict, "cannot %s: the server serves a single model (--models %s); start it on a models folder", what, r.source)
}

// Pin makes version n the default until Unpin, across restarts: it is
// written to the pin file. A version that exists but is not in memory
// (--keep) is loaded. It fails with a not-found error for an unknown
// version and a conflict for a version that cannot answer.
func (r *registry) Pin(n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background()
	if !r.isRoot() {
		return r.errSingle("pin a version")
	}
	// Pick up a version published a moment ago.
	if err := r.reload(ctx, nil); err != nil && !isNotExist(err) {
		return err
	}
	s := r.snapshot()
	if s.folder(n) == nil {
		return errorf(kindNotFound, "unknown model version %d (versions: %s)", n, joinInts(folderNumbers(s)))
	}
	if f := s.failure(n); f != nil {
		return errorf(kindConflict, "model version %d failed to load and cannot be the default: %v", n, f.Err)
	}
	prev, _ := r.readPin()
	if err := r.writePin(n); err != nil {
		return err
	}
	if err := r.reload(ctx, nil); err != nil {
		return err
	}
	s = r.snapshot()
	if s.def == nil || s.def.N != n {
		// It failed to load just now: put the previous pin back.
		reason := s.pinErr
		if prev > 0 {
			r.writePin(prev)
		} else {
			r.removePin()
		}
		r.reload(ctx, nil)
		return errorf(kindConflict, "model version %d cannot be the default: %s", n, reason)
	}
	r.log.Info("default model version pinned", slog.Int("version", n))
	return nil
}

// Unpin removes the pin: the newest loaded version answers by default.
func (r *registry) Unpin() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return r.errSingle("unpin")
	}
	if err := r.removePin(); err != nil {
		return err
	}
	r.log.Info("default model version unpinned")
	if err := r.reload(context.Background(), nil); err != nil && !isNotExist(err) {
		return err
	}
	return nil
}

func (r *registry) writePin(n int) error {
	if err := atomicfile.WriteFile(filepath.Join(r.source, PinFile), []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		return fmt.Errorf("pin version %d: %w", n, err)
	}
	return nil
}

func (r *registry) removePin() error {
	err := os.Remove(filepath.Join(r.source, PinFile))
	if err != nil && !isNotExist(err) {
		return fmt.Errorf("unpin: %w", err)
	}
	return syncDirOf(r.source)
}

// Delete removes version n: its folder is renamed to a hidden name (so no
// reader ever sees half a version), the version is unloaded, then the
// folder is removed. Requests already answering from it finish normally.
// The pinned default cannot be deleted.
func (r *registry) Delete(n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return r.errSingle("delete a version")
	}
	dir := filepath.Join(r.source, strconv.Itoa(n))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return errorf(kindNotFound, "unknown model version %d (versions: %s)", n, joinInts(folderNumbers(r.snapshot())))
	}
	if pinned, _ := r.readPin(); pinned == n {
		return errorf(kindConflict, "model version %d is the pinned default: pin another version (PUT /models/default) or unpin (DELETE /models/default) before deleting it", n)
	}
	trash := filepath.Join(r.source, fmt.Sprintf("%s%d-%d", deletedPrefix, n, time.Now().UnixNano()))
	if err := os.Rename(dir, trash); err != nil {
		return fmt.Errorf("delete version %d: %w", n, err)
	}
	if err := syncDirOf(r.source); err != nil {
		r.log.Warn("sync after deletion", slog.String("error", err.Error()))
	}
	err := r.reload(context.Background(), nil)
	if rmErr := os.RemoveAll(trash); rmErr != nil {
		r.log.Warn("removing a deleted version", slog.String("folder", trash), slog.String("error", rmErr.Error()))
	}
	r.log.Info("model version deleted", slog.Int("version", n))
	if err != nil && !isNotExist(err) {
		return err
	}
	return nil
}

// Publish stores an uploaded model (already decoded and probed as m, its
// file bytes in files[modelrepo.ModelFile]) as the next version and loads it
// before returning its number.
func (r *registry) Publish(ctx context.Context, files map[string][]byte, m *model.Model) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return 0, r.errSingle("store a new version")
	}
	n, err := modelrepo.New(r.source).Publish(modelrepo.Publish{Files: files})
	if err != nil {
		return 0, err
	}
	r.log.Info("model version uploaded", slog.Int("version", n), slog.Int("bytes", len(files[modelrepo.ModelFile])))
	if err := r.reload(ctx, map[int]*model.Model{n: m}); err != nil {
		return n, err
	}
	return n, nil
}

func folderNumbers(s *snapshot) []int {
	out := make([]int, len(s.folders))
	for i, f := range s.folders {
		out[i] = f.N
	}
	return out
}

// readInfo reads what can be known of a version without loading it: the
// metadata at the head of its model file and the headline of report.json.
// Missing or unreadable parts are left empty.
func readInfo(dir, file string) versionInfo {
	var info versionInfo
	if meta, err := readMetaHeader(file); err == nil {
		info.CreatedAt, info.DataHash, info.Labels = meta.CreatedAt, meta.DataHash, len(meta.Labels)
		if h := meta.Metrics; h != nil {
			info.Metrics = &headline{Accuracy: h.Accuracy, MacroF1: h.MacroF1, ECEAfter: h.ECEAfter}
		}
	}
	if dir == "" {
		return info
	}
	if b, err := os.ReadFile(filepath.Join(dir, modelrepo.ReportFile)); err == nil {
		var rep struct {
			Accuracy *float64        `json:"accuracy"`
			MacroF1  float64         `json:"macro_f1"`
			ECEAfter float64         `json:"ece_after"`
			Model    *model.Metadata `json:"model"`
		}
		if json.Unmarshal(b, &rep) == nil {
			info.HasReport = true
			if rep.Accuracy != nil {
				info.Metrics = &headline{Accuracy: *rep.Accuracy, MacroF1: rep.MacroF1, ECEAfter: rep.ECEAfter}
			}
			if m := rep.Model; m != nil && info.CreatedAt.IsZero() {
				info.CreatedAt, info.DataHash, info.Labels = m.CreatedAt, m.DataHash, len(m.Labels)
			}
		}
	}
	info.HasValid = fileExists(filepath.Join(dir, modelrepo.ValidFile))
	return info
}

// maxMetaHeader bounds the metadata section readMetaHeader accepts.
const maxMetaHeader = 16 << 20

// readMetaHeader reads the metadata section at the head of a model file
// (magic, format version, metadata length, metadata JSON: see the layout in
// model/file.go) without reading or checking the rest. It is for listing
// versions that are not loaded; loading verifies the whole file.
func readMetaHeader(file string) (model.Metadata, error) {
	var meta model.Metadata
	f, err := os.Open(file)
	if err != nil {
		return meta, err
	}
	defer f.Close()
	var hdr [20]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return meta, err
	}
	if !bytes.Equal(hdr[:8], []byte("INTENTCL")) || binary.LittleEndian.Uint32(hdr[8:12]) != model.FormatVersion {
		return meta, model.ErrNotModel
	}
	n := binary.LittleEndian.Uint64(hdr[12:20])
	if n > maxMetaHeader {
		return meta, fmt.Errorf("metadata of %d bytes", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(f, b); err != nil {
		return meta, err
	}
	err = json.Unmarshal(b, &meta)
	return meta, err
}

// syncDirOf makes a rename or removal in dir durable.
func syncDirOf(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
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
