package versions

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"intent/internal/errcode"
	"intent/model"
	"intent/modelrepo"
)

// Pin makes version n the default until Unpin, across restarts: it is
// written to the pin file. A version that exists but is not in memory is
// loaded. It fails with a not-found error for an unknown version and a
// conflict for a version that cannot answer.
func (r *Registry) Pin(n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx := context.Background()
	if !r.isRoot() {
		return r.errSingle("pin a version")
	}
	// Pick up a version published a moment ago.
	if err := r.reload(ctx, nil, n); err != nil && !isNotExist(err) {
		return err
	}
	s := r.Snapshot()
	if s.Folder(n) == nil {
		return errcode.New(errcode.NotFound, "unknown model version %d (versions: %s)", n, joinInts(folderNumbers(s)))
	}
	if f := s.Failure(n); f != nil {
		return errcode.New(errcode.Conflict, "model version %d failed to load and cannot be the default: %v", n, f.Err)
	}
	prev, _ := r.repo.Pins()
	if err := r.repo.Pin(n); err != nil {
		return err
	}
	if err := r.reload(ctx, nil, n); err != nil {
		return err
	}
	s = r.Snapshot()
	if s.Default == nil || s.Default.N != n {
		// It failed to load just now: put the previous pin back.
		reason := s.PinErr
		if err := r.repo.SetPins(prev); err != nil {
			r.log.Error("the previous pin could not be put back", slog.String("error", err.Error()))
		}
		r.reload(ctx, nil, 0)
		return errcode.New(errcode.Conflict, "model version %d cannot be the default: %s", n, reason)
	}
	r.log.Info("default model version pinned", slog.Int("version", n))
	return nil
}

// Unpin removes the pin: the newest loaded version that is not held
// answers by default.
func (r *Registry) Unpin() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return r.errSingle("unpin")
	}
	if err := r.repo.Unpin(); err != nil {
		return err
	}
	r.log.Info("default model version unpinned")
	if err := r.reload(context.Background(), nil, 0); err != nil && !isNotExist(err) {
		return err
	}
	return nil
}

// Delete removes version n (see modelrepo.Repo.Delete). Requests already
// answering from it finish normally. The pinned default cannot be deleted.
func (r *Registry) Delete(n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return r.errSingle("delete a version")
	}
	if err := r.repo.Delete(n); err != nil {
		if errcode.Is(err, errcode.NotFound) {
			return errcode.New(errcode.NotFound, "unknown model version %d (versions: %s)", n, joinInts(folderNumbers(r.Snapshot())))
		}
		return err
	}
	r.log.Info("model version deleted", slog.Int("version", n))
	if err := r.reload(context.Background(), nil, 0); err != nil && !isNotExist(err) {
		return err
	}
	return nil
}

// Publish stores a new version (see modelrepo.Repo.Publish: held or
// pinned as p says, the decision on disk before the version appears) and
// loads it before returning its number. m is the model already decoded
// and probed from p.Files[modelrepo.ModelFile].
func (r *Registry) Publish(ctx context.Context, p modelrepo.Publish, m *model.Model) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return 0, r.errSingle("store a new version")
	}
	n, err := r.repo.Publish(p)
	if err != nil {
		return 0, err
	}
	size := int64(len(p.Files[modelrepo.ModelFile]))
	if st, err := os.Stat(filepath.Join(r.repo.Dir(n), modelrepo.ModelFile)); err == nil {
		size = st.Size()
	}
	r.log.Info("model version published", slog.Int("version", n), slog.Int64("bytes", size),
		slog.Bool("held", p.Held != ""), slog.Bool("pinned", p.Pin))
	if err := r.reload(ctx, map[int]*model.Model{n: m}, n); err != nil {
		return n, err
	}
	return n, nil
}

// Keep is the most versions kept in memory (0: all).
func (r *Registry) Keep() int { return r.keep }

// Repo is the models folder.
func (r *Registry) Repo() *modelrepo.Repo { return r.repo }

// SetLabel points label at version n (see modelrepo.Repo.SetLabel).
func (r *Registry) SetLabel(label string, n int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return r.errSingle("label a version")
	}
	if err := r.repo.SetLabel(label, n); err != nil {
		return err
	}
	r.log.Info("label set", slog.String("label", label), slog.Int("version", n))
	return r.reload(context.Background(), nil, 0)
}

// DeleteLabel removes label.
func (r *Registry) DeleteLabel(label string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isRoot() {
		return r.errSingle("remove a label")
	}
	if err := r.repo.DeleteLabel(label); err != nil {
		return err
	}
	r.log.Info("label removed", slog.String("label", label))
	return r.reload(context.Background(), nil, 0)
}
