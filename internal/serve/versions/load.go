package versions

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"intent/model"
)

// reload is Reload with mu held. pre holds models already decoded and
// checked (an upload or a training task), used instead of reading their
// file again; want is a version to load even if keep is reached (a request
// asked for it), 0 for none.
func (r *Registry) reload(ctx context.Context, pre map[int]*model.Model, want int) error {
	cands, root, err := r.scan()
	if err != nil {
		// The versions loaded keep serving: a folder that cannot be read
		// for a moment must not take the service down.
		return fmt.Errorf("models %s: %w", r.source, err)
	}
	if root && !r.swept {
		r.sweep()
	}
	old := r.Snapshot()
	next := &Snapshot{Root: root}
	var pins []int
	if root {
		var perr error
		pins, perr = r.repo.Pins()
		if perr != nil {
			next.PinErr = perr.Error()
		}
		if next.Labels, perr = r.repo.Labels(); perr != nil {
			r.log.Warn("labels not read", slog.String("error", perr.Error()))
		}
	}
	// Describe every folder first: whether a version is held decides
	// which one is the default, and so which ones to load.
	stats := make(map[int]os.FileInfo, len(cands))
	for _, c := range cands {
		st, statErr := os.Stat(c.file)
		if statErr != nil {
			st = nil
		}
		stats[c.n] = st
		next.Folders = append(next.Folders, r.folderOf(old, c, st))
	}
	slices.SortFunc(next.Folders, func(a, b Folder) int { return a.N - b.N })
	next.Pinned = 0
	for _, p := range pins {
		if next.Folder(p) != nil {
			next.Pinned = p
			break
		}
	}
	if next.Pinned == 0 && len(pins) > 0 && next.PinErr == "" {
		next.PinErr = fmt.Sprintf("pinned version %d does not exist", pins[0])
	}
	// Load order: the pinned version, the newest version not held (the
	// default when nothing is pinned), the one a request asked for, the
	// versions in memory by last use, then the newest.
	rank := func(c candidate) (int, int64) {
		f := next.Folder(c.n)
		switch {
		case c.n == next.Pinned:
			return 0, 0
		case f != nil && !f.Info.Held && c.n == newestNotHeld(next.Folders):
			return 1, 0
		case c.n == want:
			return 2, 0
		}
		if v := old.Get(c.n); v != nil {
			return 3, -v.lastUsed.Load()
		}
		return 4, int64(-c.n)
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		ra, ua := rank(a)
		rb, ub := rank(b)
		if ra != rb {
			return ra - rb
		}
		switch {
		case ua < ub:
			return -1
		case ua > ub:
			return 1
		}
		return 0
	})
	loaded := 0
	changed := false // a version was loaded or unloaded
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return err
		}
		st := stats[c.n]
		if f := old.Failure(c.n); f != nil && f.File == c.file && sameFile(f.stat, st) {
			next.Failed = append(next.Failed, *f)
			continue
		}
		if r.keep > 0 && loaded >= r.keep && c.n != want {
			// Unloaded; loads on demand. The version a request asks for
			// loads even then: at most --keep versions stay, plus the one
			// being asked for until the next reload.
			continue
		}
		if v := old.Get(c.n); v != nil && v.File == c.file && sameFile(v.stat, st) {
			next.Versions = append(next.Versions, v)
			loaded++
			continue
		}
		// Show the version as loading while it loads.
		during := *old
		during.Loading = c.n
		during.Folders = next.Folders
		r.cur.Store(&during)

		v, err := r.load(c, st, pre[c.n])
		if err != nil {
			next.Failed = append(next.Failed, Failure{N: c.n, File: c.file, Err: err, At: time.Now(), stat: st})
			r.log.Error("model version failed to load", slog.Int("version", c.n), slog.String("error", err.Error()))
			continue
		}
		next.Versions = append(next.Versions, v)
		loaded++
		changed = true
	}
	slices.SortFunc(next.Versions, func(a, b *Version) int { return a.N - b.N })
	slices.SortFunc(next.Failed, func(a, b Failure) int { return a.N - b.N })
	next.Default = chooseDefault(next)
	if next.Pinned > 0 && (next.Default == nil || next.Default.N != next.Pinned) && next.PinErr == "" {
		switch next.State(next.Pinned) {
		case StateFailed:
			next.PinErr = fmt.Sprintf("pinned version %d failed to load: %v", next.Pinned, next.Failure(next.Pinned).Err)
		default:
			next.PinErr = fmt.Sprintf("pinned version %d is not loaded", next.Pinned)
		}
	}
	if next.PinErr != "" && next.PinErr != old.PinErr {
		r.log.Warn("the pinned default cannot answer: the newest version that is not held does", slog.String("reason", next.PinErr))
	}
	r.cur.Store(next)
	for _, v := range old.Versions {
		if next.Get(v.N) != v {
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
	if next.Default != nil && (old.Default == nil || old.Default != next.Default) {
		r.log.Info("default model version", slog.Int("version", next.Default.N), slog.Bool("pinned", next.Default.N == next.Pinned))
	}
	return nil
}

// chooseDefault applies the rule of modelrepo.Repo.Default to the loaded
// versions: the pinned one, else the newest that is not held. A held
// version never answers by default unless it is pinned.
func chooseDefault(s *Snapshot) *Version {
	if v := s.Get(s.Pinned); v != nil && s.Pinned > 0 {
		return v
	}
	for _, v := range slices.Backward(s.Versions) {
		if f := s.Folder(v.N); f == nil || !f.Info.Held {
			return v
		}
	}
	return nil
}

func newestNotHeld(folders []Folder) int {
	for _, f := range slices.Backward(folders) {
		if !f.Info.Held {
			return f.N
		}
	}
	return 0
}

// Get returns version n when asked (has), else the default. A version that
// exists but is not in memory is loaded now, and the least recently used
// version beyond --keep is unloaded (never the default): every available
// version answers, and memory stays bounded by --keep.
func (r *Registry) Get(ctx context.Context, n int, has bool) (*Version, error) {
	s := r.Snapshot()
	v, err := s.Pick(n, has)
	if err == nil {
		if has {
			// The default is never unloaded: only versions asked by
			// number need their last use (and the default's hot path
			// writes nothing shared).
			v.lastUsed.Store(time.Now().UnixNano())
		}
		return v, nil
	}
	if !has || s.Folder(n) == nil || s.Failure(n) != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.Snapshot().Get(n); v != nil { // loaded while we waited
		v.lastUsed.Store(time.Now().UnixNano())
		return v, nil
	}
	if rerr := r.reload(ctx, nil, n); rerr != nil {
		return nil, rerr
	}
	s = r.Snapshot()
	if v := s.Get(n); v != nil {
		v.lastUsed.Store(time.Now().UnixNano())
		return v, nil
	}
	return nil, s.notLoaded(n)
}

// sweep removes what interrupted writes and deletions left behind.
func (r *Registry) sweep() {
	r.swept = true
	removed, err := r.repo.Sweep()
	if err != nil {
		r.log.Warn("leftovers of interrupted writes not removed", slog.String("error", err.Error()))
	}
	for _, name := range removed {
		r.log.Info("removed the remains of an interrupted write", slog.String("entry", name))
	}
}
