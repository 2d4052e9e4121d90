package versions

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
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"intent/internal/errcode"
	"intent/internal/jsonx"
	"intent/model"
	"intent/modelrepo"
)

// Version is one loaded model version. It never changes once published.
type Version struct {
	N        int            // version number: the folder name under the models root
	File     string         // the model file it was loaded from
	Model    *model.Model   // immutable, safe for concurrent use
	Meta     model.Metadata // a copy of the model's metadata
	LoadedAt time.Time
	LoadTook time.Duration

	// IntentJSON[i] is label i as it appears in answers: 26 when every
	// label is an integer, "cancel" (quoted and escaped) otherwise.
	IntentJSON [][]byte
	// FallbackJSON is the out-of-scope label as it appears in answers,
	// nil when the model has no out-of-scope rule.
	FallbackJSON []byte
	// LabelsJSON is the JSON array of every label in class order.
	LabelsJSON []byte

	stat fs.FileInfo // of File when it was loaded, to notice a replaced file
	// lastUsed (Unix nanoseconds) orders the versions to unload first when
	// one more must be loaded on demand.
	lastUsed atomic.Int64
}

func newVersion(n int, file string, m *model.Model, took time.Duration) *Version {
	v := &Version{N: n, File: file, Model: m, Meta: m.Meta(), LoadedAt: time.Now(), LoadTook: took}
	v.IntentJSON = make([][]byte, m.NumClasses())
	v.LabelsJSON = append(v.LabelsJSON, '[')
	for i := range v.IntentJSON {
		if m.NumericLabels() {
			v.IntentJSON[i] = strconv.AppendInt(nil, m.LabelInt(i), 10)
		} else {
			v.IntentJSON[i] = jsonx.AppendString(nil, m.Label(i))
		}
		if i > 0 {
			v.LabelsJSON = append(v.LabelsJSON, ", "...)
		}
		v.LabelsJSON = append(v.LabelsJSON, v.IntentJSON[i]...)
	}
	v.LabelsJSON = append(v.LabelsJSON, ']')
	if o := m.OOS(); o != nil {
		// WithOOS made sure a numeric model has a numeric fallback.
		if n, err := strconv.ParseInt(o.Label, 10, 64); err == nil && m.NumericLabels() {
			v.FallbackJSON = strconv.AppendInt(nil, n, 10)
		} else {
			v.FallbackJSON = jsonx.AppendString(nil, o.Label)
		}
	}
	return v
}

// Failure is a version that could not be loaded, kept so that it is not
// retried until its file changes and so that it can be reported.
type Failure struct {
	N    int
	File string
	Err  error
	At   time.Time
	stat fs.FileInfo // of File when it failed; nil when it was missing
}

// Info is what the registry knows of a version folder without
// loading it: the metadata at the head of its model file and the headline
// of its report.json. Version folders never change once published, so it is
// read once per folder.
type Info struct {
	CreatedAt time.Time
	DataHash  string
	Labels    int
	Metrics   *Headline // nil when there is no report and no metrics in the metadata
	HasReport bool
	HasValid  bool
	// Held versions never become the default unless pinned.
	Held       bool
	HeldReason string
}

// Headline is the handful of metrics shown next to a version.
type Headline struct {
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	ECEAfter float64 `json:"ece_after"`
}

// Folder is a version found by the last scan, loaded or not.
type Folder struct {
	N    int
	Dir  string // empty for a model file given directly
	File string
	Info Info
	stat fs.FileInfo // of File when Info was read; nil when File was missing
}

// Snapshot is the registry's state at one moment. A published snapshot is
// never modified: a change builds a new one and swaps the pointer, so a
// request that picked a version keeps a consistent view until it ends.
type Snapshot struct {
	Versions []*Version // loaded, ascending by N
	Failed   []Failure  // ascending by N
	Default  *Version   // the version answering when none is asked; nil when none is loaded
	Folders  []Folder   // every version of the last scan, ascending by N
	Loading  int        // the version being loaded when this snapshot was published, or 0
	Pinned   int        // the version the pin file names, or 0
	PinErr   string     // why the pinned version is not the default, when it is not
	Root     bool       // the source is a models root: pins, uploads and deletions apply
	// Labels name versions ("stable" -> 3), from the models root's LABELS.
	Labels map[string]int
}

// Resolve reads a version reference: "" (the default), a version number,
// or a label. has is false for the default.
func (s *Snapshot) Resolve(ref string) (n int, has bool, err error) {
	if ref == "" {
		return 0, false, nil
	}
	n, label := modelrepo.ParseRef(ref)
	if label == "" {
		return n, true, nil
	}
	if v, ok := s.Labels[label]; ok {
		return v, true, nil
	}
	names := make([]string, 0, len(s.Labels))
	for l := range s.Labels {
		names = append(names, l)
	}
	slices.Sort(names)
	list := "none"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return 0, false, errcode.New(errcode.NotFound, "no version labeled %q (labels: %s)", errcode.Truncate(label, 70), list)
}

// Get returns the loaded version n, or nil.
func (s *Snapshot) Get(n int) *Version {
	i, ok := slices.BinarySearchFunc(s.Versions, n, func(v *Version, n int) int { return v.N - n })
	if !ok {
		return nil
	}
	return s.Versions[i]
}

// Folder returns the scanned version n, or nil.
func (s *Snapshot) Folder(n int) *Folder {
	i, ok := slices.BinarySearchFunc(s.Folders, n, func(f Folder, n int) int { return f.N - n })
	if !ok {
		return nil
	}
	return &s.Folders[i]
}

// Failure returns the failure of version n, or nil.
func (s *Snapshot) Failure(n int) *Failure {
	i := slices.IndexFunc(s.Failed, func(f Failure) bool { return f.N == n })
	if i < 0 {
		return nil
	}
	return &s.Failed[i]
}

// Numbers lists the loaded version numbers, for error messages.
func (s *Snapshot) Numbers() []int {
	out := make([]int, len(s.Versions))
	for i, v := range s.Versions {
		out[i] = v.N
	}
	return out
}

// Version states, as GET /models reports them.
const (
	StateLoading   = "loading"
	StateAvailable = "available"
	StateFailed    = "failed"
	StateUnloaded  = "unloaded"
)

// State says what happened to version n: available (loaded), failed,
// loading, or unloaded (on disk, not in memory because of --keep).
func (s *Snapshot) State(n int) string {
	switch {
	case s.Get(n) != nil:
		return StateAvailable
	case s.Loading == n:
		return StateLoading
	case s.Failure(n) != nil:
		return StateFailed
	}
	return StateUnloaded
}

// Registry holds the model versions. Reads (every request) load an atomic
// pointer and never lock; changes (Reload, Pin, Unpin, Delete, Publish) are
// serialized by mu and publish a new snapshot.
type Registry struct {
	source string // a models root with version folders, a version folder or a model file
	keep   int    // load at most this many versions; 0 means all
	log    *slog.Logger

	repo *modelrepo.Repo

	mu    sync.Mutex
	cur   atomic.Pointer[Snapshot]
	swept bool // leftovers of interrupted writes were removed
}

// New returns a registry of the models under source (a models root, a
// version folder or a model file) that keeps at most keep versions in
// memory (0: all). It reads nothing until Reload.
func New(source string, keep int, log *slog.Logger) *Registry {
	r := &Registry{source: source, keep: keep, log: log, repo: modelrepo.New(source)}
	r.cur.Store(&Snapshot{})
	return r
}

// Snapshot returns the current state; it never blocks.
func (r *Registry) Snapshot() *Snapshot { return r.cur.Load() }

// ErrNoModel is why a request cannot be answered before a model is loaded.
var ErrNoModel = errcode.New(errcode.Unavailable, "no model loaded: train one with 'trainer train --out models/' or upload one (POST /models)")

// Pick returns the version n when asked (has), else the default.
func (s *Snapshot) Pick(n int, has bool) (*Version, error) {
	if s.Default == nil {
		return nil, ErrNoModel
	}
	if !has {
		return s.Default, nil
	}
	if v := s.Get(n); v != nil {
		return v, nil
	}
	return nil, s.notLoaded(n)
}

// notLoaded explains why version n cannot answer.
func (s *Snapshot) notLoaded(n int) error {
	switch s.State(n) {
	case StateFailed:
		return errcode.New(errcode.NotFound, "model version %d failed to load (see GET /models/%d); loaded: %s", n, n, joinInts(s.Numbers()))
	case StateLoading:
		return errcode.New(errcode.NotFound, "model version %d is still loading; loaded: %s", n, joinInts(s.Numbers()))
	}
	if s.Folder(n) != nil {
		return errcode.New(errcode.NotFound, "model version %d is not loaded; loaded: %s", n, joinInts(s.Numbers()))
	}
	return errcode.New(errcode.NotFound, "unknown model version %d (loaded: %s)", n, joinInts(s.Numbers()))
}

// isRoot reports whether the source is (or, missing, will be) a models
// root holding version folders, rather than one model file or one version
// folder.
func (r *Registry) isRoot() bool {
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
func (r *Registry) scan() ([]candidate, bool, error) {
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
func (r *Registry) Reload(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reload(ctx, nil, 0)
}

// folderOf describes candidate c, reusing what the old snapshot read when
// the file is the same.
func (r *Registry) folderOf(old *Snapshot, c candidate, st fs.FileInfo) Folder {
	if f := old.Folder(c.n); f != nil && f.File == c.file && sameFile(f.stat, st) {
		return *f
	}
	return Folder{N: c.n, Dir: c.dir, File: c.file, Info: ReadInfo(c.dir, c.file), stat: st}
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
func (r *Registry) load(c candidate, st fs.FileInfo, m *model.Model) (*Version, error) {
	start := time.Now()
	if m == nil {
		var err error
		if m, err = model.LoadFile(c.file); err != nil {
			// The error is shown to clients (GET /models, a refused pin):
			// name the file as the models folder sees it, not by the
			// server's path.
			return nil, &shownError{msg: strings.ReplaceAll(err.Error(), c.file, shownFile(c)), err: err}
		}
	}
	if err := Probe(m); err != nil {
		return nil, err
	}
	v := newVersion(c.n, c.file, m, time.Since(start))
	v.stat = st
	r.log.Info("model version loaded", slog.Int("version", v.N), slog.String("file", v.File),
		slog.Int("labels", m.NumClasses()), slog.Duration("took", v.LoadTook))
	return v, nil
}

// shownFile names a version's model file for clients: models/<n>/model.bin,
// or the file's own name when the server serves a single file.
func shownFile(c candidate) string {
	if c.dir == "" {
		return filepath.Base(c.file)
	}
	return "models/" + strconv.Itoa(c.n) + "/" + filepath.Base(c.file)
}

// shownError is err with a message fit for clients; errors.Is still sees
// the cause.
type shownError struct {
	msg string
	err error
}

func (e *shownError) Error() string { return e.msg }
func (e *shownError) Unwrap() error { return e.err }

// probeQuestion is asked of every version before it serves.
const probeQuestion = "probe question"

// Probe asks a loaded model one question, so a model that loads but cannot
// answer (it panics, gives a class out of range, a score or probability
// that is not finite) is refused before it serves.
func Probe(m *model.Model) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("model: probe prediction panicked: %v", p)
		}
	}()
	if m.NumClasses() < 1 {
		return fmt.Errorf("model: no labels")
	}
	p := m.Predict(probeQuestion)
	fallback := p.Class == model.FallbackClass && m.OOS() != nil && p.Label == m.OOS().Label
	if !fallback && (p.Class < 0 || p.Class >= m.NumClasses() || p.Label != m.Label(p.Class)) || !(p.Probability >= 0 && p.Probability <= 1) {
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

// DefaultVersion returns the version answering by default and its
// validation accuracy (from its metadata or report.json; 0 when it has no
// recorded metrics); ok is false when no version is loaded.
func (r *Registry) DefaultVersion() (n int, accuracy float64, ok bool) {
	s := r.Snapshot()
	if s.Default == nil {
		return 0, 0, false
	}
	if f := s.Folder(s.Default.N); f != nil && f.Info.Metrics != nil {
		accuracy = f.Info.Metrics.Accuracy
	}
	return s.Default.N, accuracy, true
}

// errSingle refuses changes when the server serves one model file.
func (r *Registry) errSingle(what string) error {
	return errcode.New(errcode.Conflict, "cannot %s: the server serves a single model file; start it on a models folder", what)
}

func folderNumbers(s *Snapshot) []int {
	out := make([]int, len(s.Folders))
	for i, f := range s.Folders {
		out[i] = f.N
	}
	return out
}

// ReadInfo reads what can be known of a version without loading it: the
// metadata at the head of its model file and the headline of report.json.
// Missing or unreadable parts are left empty.
func ReadInfo(dir, file string) Info {
	var info Info
	if meta, err := ReadMetaHeader(file); err == nil {
		info.CreatedAt, info.DataHash, info.Labels = meta.CreatedAt, meta.DataHash, len(meta.Labels)
		if h := meta.Metrics; h != nil {
			info.Metrics = &Headline{Accuracy: h.Accuracy, MacroF1: h.MacroF1, ECEAfter: h.ECEAfter}
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
				info.Metrics = &Headline{Accuracy: *rep.Accuracy, MacroF1: rep.MacroF1, ECEAfter: rep.ECEAfter}
			}
			if m := rep.Model; m != nil && info.CreatedAt.IsZero() {
				info.CreatedAt, info.DataHash, info.Labels = m.CreatedAt, m.DataHash, len(m.Labels)
			}
		}
	}
	info.HasValid = fileExists(filepath.Join(dir, modelrepo.ValidFile))
	info.Held, info.HeldReason = modelrepo.IsHeld(dir)
	return info
}

// maxMetaHeader bounds the metadata section readMetaHeader accepts.
const maxMetaHeader = 16 << 20

// ReadMetaHeader reads the metadata section at the head of a model file
// (magic, format version, metadata length, metadata JSON: see the layout in
// model/file.go) without reading or checking the rest. It is for listing
// versions that are not loaded; loading verifies the whole file.
func ReadMetaHeader(file string) (model.Metadata, error) {
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
	if !bytes.Equal(hdr[:8], []byte("INTENTCL")) || !model.ReadsFormatVersion(binary.LittleEndian.Uint32(hdr[8:12])) {
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

// FolderNumbers lists the versions found on disk, loaded or not.
func (s *Snapshot) FolderNumbers() []int { return folderNumbers(s) }

// JoinInts writes version numbers for messages ("1, 2, 5" or "none").
func JoinInts(ns []int) string { return joinInts(ns) }

// IsNotExist reports whether err says the models source does not exist.
func IsNotExist(err error) bool { return isNotExist(err) }
