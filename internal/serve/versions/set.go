package versions

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"intent/internal/errcode"
)

// NamedDir is the folder of a models root that holds the named models, one
// models root each: <root>/named/<name>/<n>/. The versions directly under
// the root are the default model's, as they always were.
const NamedDir = "named"

// DefaultName is the default model's name.
const DefaultName = "default"

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// CheckName refuses a model name that cannot be a folder of its own.
func CheckName(name string) error {
	if !namePattern.MatchString(name) || name == NamedDir {
		return errcode.New(errcode.Invalid, "model name %q: use lowercase letters, digits, _, . or -, starting with a letter or digit (at most 64)", errcode.Truncate(name, 70))
	}
	return nil
}

// Set is the models of a server: the default model (the versions of the
// models root) and named ones, each a Registry of its own with its
// versions, pin and labels. Named models exist only when the source is a
// models root.
type Set struct {
	root string
	keep int
	log  *slog.Logger
	def  *Registry

	mu    sync.Mutex
	named map[string]*Registry
}

// NewSet returns the models under source; it reads nothing until Reload.
func NewSet(source string, keep int, log *slog.Logger) *Set {
	return &Set{root: source, keep: keep, log: log, def: New(source, keep, log), named: map[string]*Registry{}}
}

// Default is the default model.
func (s *Set) Default() *Registry { return s.def }

// Get returns the model name ("" or "default": the default model);
// NotFound when no such model exists.
func (s *Set) Get(name string) (*Registry, error) {
	if name == "" || name == DefaultName {
		return s.def, nil
	}
	s.mu.Lock()
	r := s.named[name]
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	return nil, errcode.New(errcode.NotFound, "unknown model %q (models: %s)", errcode.Truncate(name, 70), joinNames(s.Names()))
}

// Create returns the model name, creating its folder when it is new (for a
// training task or an upload into it).
func (s *Set) Create(ctx context.Context, name string) (*Registry, error) {
	if r, err := s.Get(name); err == nil {
		return r, nil
	}
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if !s.def.isRoot() {
		return nil, errcode.New(errcode.Conflict, "cannot create model %q: the server serves a single model file; start it on a models folder", name)
	}
	dir := filepath.Join(s.root, NamedDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return s.add(ctx, name), nil
}

func (s *Set) add(ctx context.Context, name string) *Registry {
	s.mu.Lock()
	r := s.named[name]
	if r == nil {
		r = New(filepath.Join(s.root, NamedDir, name), s.keep, s.log.With(slog.String("model", name)))
		s.named[name] = r
	}
	s.mu.Unlock()
	if err := r.Reload(ctx); err != nil && !IsNotExist(err) {
		s.log.Warn("model reload failed", slog.String("model", name), slog.String("error", err.Error()))
	}
	return r
}

// Names lists the models: default first, then the named ones, sorted.
func (s *Set) Names() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.named)+1)
	for n := range s.named {
		out = append(out, n)
	}
	slices.Sort(out)
	return append([]string{DefaultName}, out...)
}

// Reload rescans every model, finding named models that appeared (and
// dropping those whose folder went away). The default model's error is
// returned; the others' are logged.
func (s *Set) Reload(ctx context.Context) error {
	err := s.def.Reload(ctx)
	entries, derr := os.ReadDir(filepath.Join(s.root, NamedDir))
	if derr != nil && !errors.Is(derr, os.ErrNotExist) {
		s.log.Warn("named models not read", slog.String("error", derr.Error()))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && CheckName(e.Name()) == nil {
			seen[e.Name()] = true
			s.add(ctx, e.Name())
		}
	}
	s.mu.Lock()
	for n := range s.named {
		if !seen[n] && derr == nil {
			delete(s.named, n)
		}
	}
	s.mu.Unlock()
	return err
}

// Reset removes every version of a model (and a named model's folder).
func (s *Set) Reset(ctx context.Context, name string) (int, error) {
	r, err := s.Get(name)
	if err != nil {
		return 0, err
	}
	if !r.isRoot() {
		return 0, r.errSingle("reset the model")
	}
	r.mu.Lock()
	n, err := r.repo.Reset()
	if err == nil {
		err = r.reload(ctx, nil, 0)
	}
	r.mu.Unlock()
	if err != nil && !IsNotExist(err) {
		return n, err
	}
	if r != s.def {
		s.mu.Lock()
		delete(s.named, name)
		s.mu.Unlock()
		os.RemoveAll(r.source)
	}
	s.log.Info("model reset", slog.String("model", name), slog.Int("versions", n))
	return n, nil
}

func joinNames(ns []string) string {
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// SetOf is a set whose default model is reg (tests and single-model
// servers): named models live beside reg's source.
func SetOf(reg *Registry) *Set {
	return &Set{root: reg.source, keep: reg.keep, log: reg.log, def: reg, named: map[string]*Registry{}}
}
