// Package alectio is the back end of the Alectio active-learning protocol:
// a project binds a named model to a training dataset and a test dataset
// (uploaded datasets, package datasets); the platform then POSTs to the
// project's base URL
//
//	{base}/train {"resume_from": "ckpt_1" or null, "ckpt_file": "ckpt_2", "labeled": [indices]}
//	{base}/test  {"ckpt_file": "ckpt_2"}
//	{base}/infer {"ckpt_file": "ckpt_2", "unlabeled": [indices]}
//
// Indices are row indices of the training dataset; /test runs over the
// whole test dataset. Each checkpoint is a version of the project's model
// labeled with its name (TensorFlow Serving's labels); a label, once set
// by a loop, never moves, so an earlier checkpoint can still be tested or
// resumed from. The HTTP side is in package httpapi.
package alectio

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"intent/internal/atomicfile"
	"intent/internal/errcode"
	"intent/internal/serve/datasets"
	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
)

// Dir is the folder of the data folder holding the projects, one JSON
// file each.
const Dir = "alectio"

// Project is a project as stored and shown.
type Project struct {
	Name         string    `json:"name"`
	Model        string    `json:"model"`
	TrainDataset string    `json:"train_dataset"`
	TestDataset  string    `json:"test_dataset"`
	Options      Options   `json:"options"`
	CreatedAt    time.Time `json:"created_at"`
}

// Options are the training options of a project's checkpoints: those of
// POST /train that apply when nothing is held out.
type Options struct {
	Seed        int64   `json:"seed"`
	C           float64 `json:"c"`
	Solver      string  `json:"solver"`
	MinDF       int     `json:"min_df"`
	ClassWeight string  `json:"class_weight"`
}

// plan is o as a training plan's options.
func (o Options) plan() jobs.PlanOptions {
	return jobs.PlanOptions{Seed: o.Seed, C: o.C, Solver: o.Solver, MinDF: o.MinDF, ClassWeight: o.ClassWeight}
}

// BaseURL is the path the platform is given.
func (p Project) BaseURL() string { return "/alectio/" + p.Name }

// Spec is what creating a project takes: the body of POST
// /alectio/projects.
type Spec struct {
	Name         string `json:"name"`
	Model        string `json:"model"` // "" : the project's name
	TrainDataset string `json:"train_dataset"`
	TestDataset  string `json:"test_dataset"`
	// Options are the training options of POST /train (valid and refit
	// excepted: nothing is held out, the test dataset measures).
	Options jobs.RequestOptions `json:"options"`
}

// Models is the server's set of models.
type Models interface {
	Get(name string) (*versions.Registry, error)
	Create(ctx context.Context, name string) (*versions.Registry, error)
}

// Service holds the projects of a data folder.
type Service struct {
	data   *datasets.Store
	models Models
	dir    string
	log    *slog.Logger

	mu    sync.Mutex    // creation and deletion of projects
	train chan struct{} // one training at a time: they share the cores with the requests
}

// New returns the projects of the data folder of data, training into
// models.
func New(data *datasets.Store, models Models, log *slog.Logger) *Service {
	return &Service{data: data, models: models, dir: filepath.Join(data.DataDir(), Dir), log: log, train: make(chan struct{}, 1)}
}

// Datasets is the store of the datasets projects use.
func (s *Service) Datasets() *datasets.Store { return s.data }

// reserved are names a project may not have (they are routes).
var reserved = []string{"projects"}

// Create stores a new project. Its datasets must exist (the training one
// with at least one labeled row, the test one with at least one labeled
// row); its model may exist already, but not be bound to another project.
func (s *Service) Create(ctx context.Context, sp Spec) (Project, error) {
	if sp.Name == "" {
		return Project{}, errcode.New(errcode.Invalid, `missing "name": the project's name, its base URL is /alectio/{name}`)
	}
	if err := versions.CheckName(sp.Name); err != nil || slices.Contains(reserved, sp.Name) {
		return Project{}, errcode.New(errcode.Invalid, "project name %q: use lowercase letters, digits, _, . or -, starting with a letter or digit (at most 64; not %s)", errcode.Truncate(sp.Name, 70), strings.Join(reserved, ", "))
	}
	if sp.Model == "" {
		sp.Model = sp.Name
	}
	if sp.Model == versions.DefaultName {
		return Project{}, errcode.New(errcode.Invalid, `a project trains a named model of its own, not the default model: give "model" another name`)
	}
	if err := versions.CheckName(sp.Model); err != nil {
		return Project{}, err
	}
	for _, d := range []struct{ field, id string }{{"train_dataset", sp.TrainDataset}, {"test_dataset", sp.TestDataset}} {
		if d.id == "" {
			return Project{}, errcode.New(errcode.Invalid, "missing %q: the id of an uploaded dataset (POST /datasets)", d.field)
		}
		data, err := s.data.Load(d.id)
		if err != nil {
			if errcode.Is(err, errcode.NotFound) {
				return Project{}, errcode.New(errcode.Invalid, "%s: no dataset %q (POST /datasets uploads one, GET /datasets lists them)", d.field, errcode.Truncate(d.id, 60))
			}
			return Project{}, err
		}
		if data.Meta.Labeled == 0 {
			return Project{}, errcode.New(errcode.Invalid, "%s %q has no labeled row: the platform's indices name rows whose intent the dataset holds", d.field, d.id)
		}
	}
	// The options, checked as POST /train checks them.
	if sp.Options.Valid != nil || sp.Options.Refit != nil {
		return Project{}, errcode.New(errcode.Invalid, "options.valid and options.refit do not apply: a checkpoint trains on exactly the labeled rows and is measured on the test dataset")
	}
	yes := true
	plan, err := jobs.Request{UseExamples: &yes, Options: sp.Options}.Plan("")
	if err != nil {
		return Project{}, err
	}
	po := plan.Options
	opts := Options{Seed: po.Seed, C: po.C, Solver: po.Solver, MinDF: po.MinDF, ClassWeight: po.ClassWeight}
	if _, err := config(opts, 1); err != nil {
		return Project{}, errcode.New(errcode.Invalid, "options: %v", err)
	}
	p := Project{Name: sp.Name, Model: sp.Model, TrainDataset: sp.TrainDataset, TestDataset: sp.TestDataset,
		Options: opts, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}

	s.mu.Lock()
	defer s.mu.Unlock()
	all, err := s.List()
	if err != nil {
		return Project{}, err
	}
	for _, o := range all {
		switch {
		case o.Name == p.Name:
			return Project{}, errcode.New(errcode.Conflict, "project %q exists (GET %s)", p.Name, o.BaseURL())
		case o.Model == p.Model:
			return Project{}, errcode.New(errcode.Conflict, "model %q is bound to project %q: its checkpoint labels would mix; give \"model\" another name", p.Model, o.Name)
		}
	}
	if _, err := s.models.Create(ctx, p.Model); err != nil {
		return Project{}, err
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return Project{}, err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return Project{}, err
	}
	if err := atomicfile.WriteFile(filepath.Join(s.dir, p.Name+".json"), append(b, '\n'), 0o644); err != nil {
		return Project{}, err
	}
	s.log.Info("alectio project created", slog.String("project", p.Name), slog.String("model", p.Model))
	return p, nil
}

// List returns the projects by name.
func (s *Service) List() ([]Project, error) {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []Project{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []Project{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || e.IsDir() || versions.CheckName(name) != nil {
			continue
		}
		if p, err := s.Get(name); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// Get returns project name.
func (s *Service) Get(name string) (Project, error) {
	if versions.CheckName(name) != nil {
		return Project{}, errcode.New(errcode.NotFound, "no project %q", errcode.Truncate(name, 70))
	}
	b, err := os.ReadFile(filepath.Join(s.dir, name+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return Project{}, errcode.New(errcode.NotFound, "no project %q (POST /alectio/projects creates one)", name)
	}
	if err != nil {
		return Project{}, err
	}
	var p Project
	if err := json.Unmarshal(b, &p); err != nil {
		return Project{}, err
	}
	return p, nil
}

// Delete removes project name; its model and checkpoints stay (DELETE
// /v1/models/{model} removes them).
func (s *Service) Delete(name string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(filepath.Join(s.dir, name+".json")); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errcode.New(errcode.NotFound, "no project %q", name)
		}
		return err
	}
	return atomicfile.SyncDir(s.dir)
}

// UsedBy returns the project that uses dataset id, "" when none does.
func (s *Service) UsedBy(id string) string {
	all, _ := s.List()
	for _, p := range all {
		if p.TrainDataset == id || p.TestDataset == id {
			return p.Name
		}
	}
	return ""
}
