package alectio

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"intent/internal/errcode"
	"intent/internal/serve/datasets"
	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/model"
	"intent/model/dataset"
	"intent/model/pipeline"
	"intent/modelrepo"
)

// CheckpointFile, in a version folder, records how an Alectio loop made
// the version: the project, the checkpoint's name, the one it resumed from
// and the training rows.
const CheckpointFile = "alectio.json"

// Checkpoint is CheckpointFile.
type Checkpoint struct {
	Project      string    `json:"project"`
	Name         string    `json:"ckpt_file"`
	ResumeFrom   *string   `json:"resume_from"`
	TrainDataset string    `json:"train_dataset"`
	TestDataset  string    `json:"test_dataset"`
	Labeled      []int     `json:"labeled"` // ascending
	Digest       string    `json:"labeled_sha256"`
	TrainedAt    time.Time `json:"trained_at"`
	// Version is the model version (not stored: the folder's number).
	Version int `json:"-"`
	// Accuracy on the test dataset (from the version's metrics).
	Accuracy *float64 `json:"-"`
}

// TrainRequest is the body of POST {base}/train.
type TrainRequest struct {
	ResumeFrom *string `json:"resume_from"`
	CkptFile   string  `json:"ckpt_file"`
	Labeled    []int   `json:"labeled"`
}

// Held is why a checkpoint is not the model's default when it appears.
const heldReason = "alectio checkpoint %s of project %s: pin it to serve it by default"

// maxShown bounds the indices an error lists.
const maxShown = 10

// digest identifies a set of rows.
func digest(rows []int) string {
	h := sha256.New()
	for _, i := range rows {
		h.Write(strconv.AppendInt(nil, int64(i), 10))
		h.Write([]byte{','})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rows checks indices into d: in range, unique, usable, and labeled when
// labeled is true. field names them in errors.
func rows(d *datasets.Data, indices []int, field string, labeled bool) error {
	seen := make(map[int]struct{}, len(indices))
	var bad []string
	for _, i := range indices {
		why := ""
		switch {
		case i < 0 || i >= len(d.Rows):
			why = "out of range"
		case d.Rows[i].Rejected != "":
			why = d.Rows[i].Rejected
		case labeled && d.Rows[i].Label == "":
			why = "no intent"
		}
		if _, dup := seen[i]; dup && why == "" {
			why = "given twice"
		}
		seen[i] = struct{}{}
		if why != "" {
			bad = append(bad, fmt.Sprintf("%d (%s)", i, why))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	shown := bad
	more := ""
	if len(bad) > maxShown {
		shown, more = bad[:maxShown], fmt.Sprintf(" and %d more", len(bad)-maxShown)
	}
	return errcode.New(errcode.Invalid, "%q: %d index(es) cannot be used: %s%s (dataset %s has rows 0 to %d; GET /datasets/%s/rows shows them)",
		field, len(bad), strings.Join(shown, ", "), more, d.Meta.ID, len(d.Rows)-1, d.Meta.ID)
}

// Resolve finds checkpoint name of p: the model's version it labels.
func (s *Service) resolve(p Project, name string) (*versions.Registry, int, error) {
	if name == "" {
		return nil, 0, errcode.New(errcode.Invalid, `missing "ckpt_file": the checkpoint's name, as /train saved it`)
	}
	if err := modelrepo.CheckLabel(name); err != nil {
		return nil, 0, errcode.New(errcode.Invalid, "ckpt_file %q: a checkpoint name starts with a letter or _, then letters, digits, _, . or - (at most 64)", errcode.Truncate(name, 70))
	}
	reg, err := s.models.Get(p.Model)
	if err != nil {
		return nil, 0, err
	}
	n, ok := reg.Snapshot().Labels[name]
	if !ok {
		return reg, 0, errcode.New(errcode.NotFound, "project %s has no checkpoint %q (its checkpoints: %s)", p.Name, errcode.Truncate(name, 70), s.names(reg))
	}
	return reg, n, nil
}

// names lists a model's labels for messages.
func (s *Service) names(reg *versions.Registry) string {
	labels := reg.Snapshot().Labels
	out := make([]string, 0, len(labels))
	for l := range labels {
		out = append(out, l)
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "none yet"
	}
	return errcode.Truncate(strings.Join(out, ", "), 300)
}

// readCheckpoint reads the CheckpointFile of version n, nil when it has
// none (a version not made by a loop).
func readCheckpoint(reg *versions.Registry, n int) *Checkpoint {
	f := reg.Snapshot().Folder(n)
	if f == nil || f.Dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(f.Dir, CheckpointFile))
	if err != nil {
		return nil
	}
	var c Checkpoint
	if json.Unmarshal(b, &c) != nil {
		return nil
	}
	c.Version = n
	if m := f.Info.Metrics; m != nil {
		acc := m.Accuracy
		c.Accuracy = &acc
	}
	return &c
}

// Checkpoints lists the checkpoints of p, by version.
func (s *Service) Checkpoints(p Project) ([]Checkpoint, error) {
	reg, err := s.models.Get(p.Model)
	if err != nil {
		if errcode.Is(err, errcode.NotFound) {
			return []Checkpoint{}, nil // reset
		}
		return nil, err
	}
	out := []Checkpoint{}
	for label, n := range reg.Snapshot().Labels {
		if c := readCheckpoint(reg, n); c != nil && c.Name == label && c.Project == p.Name {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Checkpoint) int { return a.Version - b.Version })
	return out, nil
}

// Train trains checkpoint req.CkptFile of project name on exactly the rows
// req.Labeled of its training dataset (nothing held out: the test dataset
// is the validation set, and calibration is cross-fitted), and saves it as
// a new version of the project's model, held out of the default, labeled
// req.CkptFile. It returns when the label is set. Asking again for a
// checkpoint that exists with the same rows and resume_from does nothing
// (a retry); with other rows it is a conflict: labels never move.
func (s *Service) Train(ctx context.Context, name string, req TrainRequest) (int, error) {
	p, err := s.Get(name)
	if err != nil {
		return 0, err
	}
	if req.CkptFile == "" {
		return 0, errcode.New(errcode.Invalid, `missing "ckpt_file": the name to save the checkpoint as (e.g. "ckpt_1")`)
	}
	if err := modelrepo.CheckLabel(req.CkptFile); err != nil {
		return 0, errcode.New(errcode.Invalid, "ckpt_file %q: a checkpoint name starts with a letter or _, then letters, digits, _, . or - (at most 64)", errcode.Truncate(req.CkptFile, 70))
	}
	if req.Labeled == nil {
		return 0, errcode.New(errcode.Invalid, `missing "labeled": the indices of the training dataset's rows to train on`)
	}
	if req.ResumeFrom != nil && *req.ResumeFrom == "" {
		req.ResumeFrom = nil
	}
	train, err := s.data.Load(p.TrainDataset)
	if err != nil {
		return 0, datasetGone(err, "training", p)
	}
	if err := rows(train, req.Labeled, "labeled", true); err != nil {
		return 0, err
	}
	labeled := slices.Clone(req.Labeled)
	slices.Sort(labeled)
	sum := digest(labeled)

	reg, err := s.models.Create(ctx, p.Model)
	if err != nil {
		return 0, err
	}
	if req.ResumeFrom != nil {
		// A linear SVM is retrained from scratch; the checkpoint resumed
		// from need only exist, and is recorded.
		if _, _, err := s.resolve(p, *req.ResumeFrom); err != nil {
			if errcode.Is(err, errcode.NotFound) {
				return 0, errcode.New(errcode.NotFound, "resume_from: project %s has no checkpoint %q (its checkpoints: %s)", p.Name, errcode.Truncate(*req.ResumeFrom, 70), s.names(reg))
			}
			return 0, err
		}
	}
	// One training at a time; the checkpoint may have been saved meanwhile
	// (a retry of a request that timed out).
	select {
	case s.train <- struct{}{}:
		defer func() { <-s.train }()
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if n, ok := reg.Snapshot().Labels[req.CkptFile]; ok {
		c := readCheckpoint(reg, n)
		if c != nil && c.Project == p.Name && c.Digest == sum && equalRef(c.ResumeFrom, req.ResumeFrom) {
			return n, nil
		}
		return 0, errcode.New(errcode.Conflict, "checkpoint %q exists (version %d) and was trained on other rows: a checkpoint is never replaced; save this loop under a new name", req.CkptFile, n)
	}
	test, err := s.data.Load(p.TestDataset)
	if err != nil {
		return 0, datasetGone(err, "test", p)
	}

	cfg, err := config(p.Options, max(1, runtime.GOMAXPROCS(0)-1)) // leave a core to the requests
	if err != nil {
		return 0, err
	}
	job := pipeline.Job{
		Examples:      make([]dataset.Example, len(labeled)),
		ExamplesName:  "labeled rows of dataset " + train.Meta.ID,
		ValidExamples: make([]dataset.Example, 0, test.Meta.Labeled),
		Config:        cfg,
	}
	for k, i := range labeled {
		job.Examples[k] = train.Example(i)
	}
	for _, i := range test.Labeled() {
		job.ValidExamples = append(job.ValidExamples, test.Example(i))
	}
	start := time.Now()
	res, err := pipeline.Run(ctx, job, pipeline.Hooks{})
	if err != nil {
		if errors.Is(err, pipeline.ErrUnusable) {
			return 0, errcode.New(errcode.Invalid, "the labeled rows cannot be trained on: %s", strings.TrimPrefix(err.Error(), pipeline.ErrUnusable.Error()+": "))
		}
		return 0, err
	}
	files, err := modelrepo.Files(res.Model, res.Report, res.Valid)
	if err != nil {
		return 0, err
	}
	ck := Checkpoint{Project: p.Name, Name: req.CkptFile, ResumeFrom: req.ResumeFrom, TrainDataset: p.TrainDataset,
		TestDataset: p.TestDataset, Labeled: labeled, Digest: sum, TrainedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if files[CheckpointFile], err = json.Marshal(ck); err != nil {
		return 0, err
	}
	// Saved whatever the client does now: a retry finds it.
	ctx = context.WithoutCancel(ctx)
	n, err := reg.Publish(ctx, modelrepo.Publish{Files: files, Held: fmt.Sprintf(heldReason, req.CkptFile, p.Name)}, res.Model)
	if err != nil {
		return n, err
	}
	if err := reg.SetLabel(req.CkptFile, n); err != nil {
		return n, err
	}
	s.log.Info("alectio checkpoint saved", slog.String("project", p.Name), slog.String("ckpt_file", req.CkptFile),
		slog.Int("version", n), slog.Int("rows", len(labeled)), slog.Float64("test_accuracy", res.Report.Accuracy),
		slog.Duration("took", time.Since(start)))
	return n, nil
}

func equalRef(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// config is the model configuration of the project's options.
func config(o Options, workers int) (model.Config, error) {
	return jobs.Plan{Options: o.plan()}.Config(workers)
}

// datasetGone explains a project whose dataset was deleted.
func datasetGone(err error, which string, p Project) error {
	if errcode.Is(err, errcode.NotFound) {
		return errcode.New(errcode.Conflict, "project %s: its %s dataset is gone", p.Name, which)
	}
	return err
}

// Version returns the model version checkpoint ckpt of project name
// labels, loaded (on demand if it is not in memory).
func (s *Service) Version(ctx context.Context, name, ckpt string) (Project, *versions.Version, error) {
	p, err := s.Get(name)
	if err != nil {
		return p, nil, err
	}
	reg, n, err := s.resolve(p, ckpt)
	if err != nil {
		return p, nil, err
	}
	v, err := reg.Get(ctx, n, true)
	return p, v, err
}

// TestRows returns the test dataset of p and its rows that /test scores
// (the labeled ones, ascending).
func (s *Service) TestRows(p Project) (*datasets.Data, []int, error) {
	test, err := s.data.Load(p.TestDataset)
	if err != nil {
		return nil, nil, datasetGone(err, "test", p)
	}
	return test, test.Labeled(), nil
}

// Numeric reports whether the intents of p's datasets are all integers
// (answers then give them as JSON numbers, as /intent does).
func (s *Service) Numeric(p Project) bool {
	train, err1 := s.data.Load(p.TrainDataset)
	test, err2 := s.data.Load(p.TestDataset)
	return err1 == nil && err2 == nil && train.Numeric && test.Numeric
}

// Infer checks indices into the training dataset of p and returns the
// decision values of v (one per intent, in v's class order, before any
// softmax) of each row, in the order given.
func (s *Service) Infer(p Project, v *versions.Version, indices []int) (iter.Seq2[int, []float32], error) {
	if indices == nil {
		return nil, errcode.New(errcode.Invalid, `missing "unlabeled": the indices of the training dataset's rows to score`)
	}
	train, err := s.data.Load(p.TrainDataset)
	if err != nil {
		return nil, datasetGone(err, "training", p)
	}
	if err := rows(train, indices, "unlabeled", false); err != nil {
		return nil, err
	}
	return func(yield func(int, []float32) bool) {
		scores := make([]float32, v.Model.NumClasses())
		for _, i := range indices {
			scores = v.Model.Scores(train.Rows[i].Text, scores)
			if !yield(i, scores) {
				return
			}
		}
	}, nil
}
