package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"intent/internal/errcode"
	"intent/model"
	"intent/model/dataset"
	"intent/model/pipeline"
	"intent/modelrepo"
	"intent/store"
)

// stageSpan is the share of a task's progress each stage covers, in
// order. The model's own stages (featurize, fit, calibrate) report their
// progress within their span.
var stageSpan = map[string][2]float64{
	"load":      {0, 0.03},
	"check":     {0.03, 0.05},
	"split":     {0.05, 0.06},
	"featurize": {0.06, 0.15},
	"fit":       {0.15, 0.6},
	"calibrate": {0.6, 0.85}, // the cross-fitting: up to 5 warm-started fold fits
	"tune":      {0.06, 0.5}, // search.* only; the final fit's stages follow
	"evaluate":  {0.85, 0.9},
	"refit":     {0.9, 0.96}, // options.refit only
	"write":     {0.96, 1},   // publish with the default decision, and load
}

// progressEvery throttles the progress writes during training.
const progressEvery = 250 * time.Millisecond

// DataReport is a task's data report: where the data came from and
// dataset.Check's verdict.
type DataReport struct {
	Sources        []string `json:"sources"`
	Format         string   `json:"format,omitempty"`
	StoredExamples int      `json:"stored_examples"`
	dataset.Report
}

// run is one execution of a task by the worker.
type execution struct {
	svc     *Service
	ctx     context.Context // the run's: cancelled on shutdown or a lost lease
	parent  context.Context // the service's: cancelled on shutdown only
	plan    Plan
	timings map[string]float64
	lap     time.Time

	mu        sync.Mutex // guards task: the progress callback may come from another goroutine
	task      store.Task
	lastWrite time.Time

	notify  *notifier // the plan's callback; nil without one
	started bool      // TRAINING_START was sent
}

// run executes one task to its end and records the outcome. A panic fails
// the task instead of the worker.
func (t *Service) run(ctx context.Context, task store.Task) {
	// The run stops when the service does, or when the task is no longer
	// this server's (its heartbeats were late and another server failed it).
	rctx, lost := context.WithCancel(ctx)
	defer lost()
	beat, stopBeat := context.WithCancel(ctx)
	go t.heartbeat(beat, task.ID, lost)
	defer stopBeat()
	r := &execution{svc: t, ctx: rctx, parent: ctx, task: task, timings: map[string]float64{}, lap: time.Now()}
	var res *Result
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				t.log.Error("training task panicked", slog.String("task", task.ID), slog.String("panic", fmt.Sprint(p)))
				err = fmt.Errorf("internal error: %v", p)
			}
		}()
		res, err = r.execute()
		return err
	}()
	r.finish(res, err)
}

// execute runs the task: the training pipeline (preprocessing, then
// training), then publishing with the default decided before the version
// appears.
func (r *execution) execute() (*Result, error) {
	r.task.StartedAt = time.Now()
	r.timings["queued"] = r.task.StartedAt.Sub(r.task.CreatedAt).Seconds()
	r.svc.log.Info("training task started", slog.String("task", r.task.ID))
	if err := json.Unmarshal(r.task.Request, &r.plan); err != nil {
		return nil, fmt.Errorf("the stored request cannot be read: %v", err)
	}
	r.notify = r.svc.startNotifier(r.task.ID, r.plan.Callback)
	job, err := r.job()
	if err != nil {
		return nil, err
	}
	res, err := pipeline.Run(r.ctx, job, pipeline.Hooks{
		Stage: func(stage string) error {
			state := store.Training
			if stage == "load" || stage == "check" {
				state = store.Preprocessing
			}
			return r.enter(state, stage)
		},
		Progress: r.progress,
		Checked: func(info *model.DataInfo) error {
			b, err := json.Marshal(DataReport{Sources: info.Sources, Format: info.Format, StoredExamples: len(job.Examples), Report: *info.Check})
			if err != nil {
				return err
			}
			r.mu.Lock()
			r.task.DataReport = b
			r.mu.Unlock()
			return nil
		},
	})
	if err != nil {
		if errors.Is(err, pipeline.ErrUnusable) {
			return nil, fmt.Errorf("the data is not usable: %s", strings.TrimPrefix(err.Error(), pipeline.ErrUnusable.Error()+": "))
		}
		return nil, fieldError(err)
	}
	for _, tm := range res.Timings {
		r.timings[tm.Stage] += tm.Seconds
	}
	r.lap = time.Now()
	report := res.Report
	out := &Result{Metrics: &Metrics{
		Accuracy: report.Accuracy, MacroF1: report.MacroF1, MicroF1: report.MicroF1, WeightedF1: report.WeightedF1,
		ECEBefore: report.ECEBefore, ECEAfter: report.ECEAfter,
		NTrain: len(res.Train), NValid: len(res.Valid), NFeatures: report.NFeatures, TrainSeconds: report.TrainSeconds,
		RefitOn: report.Data.RefitOn,
	}}

	// Publishing. Whether the version becomes the default is decided now,
	// and written with it (held, or pinned as it appears): no request is
	// ever answered by default by a version the policy did not approve,
	// even if the process dies at any step.
	if err := r.enter(store.Training, "write"); err != nil {
		return nil, err
	}
	files, err := modelrepo.Files(res.Model, report, res.Valid)
	if err != nil {
		return nil, err
	}
	if res.Tuning != nil {
		tf, err := res.Tuning.Files()
		if err != nil {
			return nil, err
		}
		maps.Copy(files, tf)
		out.Search = &SearchResult{Best: res.Tuning.Best, Configurations: res.Tuning.Configs, Seconds: res.Tuning.Seconds,
			Note: "the validation score chose this configuration, so the metrics are optimistic; the whole table is tune.csv in the version folder"}
	}
	vs := r.svc.cfg.Versions
	if r.plan.Model != "" {
		if r.svc.cfg.Models == nil {
			return out, fmt.Errorf("model %q: this server has no models folder for named models", r.plan.Model)
		}
		if vs, err = r.svc.cfg.Models(r.ctx, r.plan.Model); err != nil {
			return out, err
		}
	}
	prevN, prevAcc, hadDefault := vs.DefaultVersion()
	pub, reason := decide(r.plan.MakeDefault, report.Accuracy, prevN, prevAcc, hadDefault)
	pub.Files = files
	n, err := vs.Publish(r.ctx, pub, res.Model)
	if n > 0 {
		out.Version = n
		reason = strings.ReplaceAll(reason, "the new version", fmt.Sprintf("version %d", n))
	}
	if err != nil {
		return out, err
	}
	r.mark("write")
	out.DefaultReason = reason
	cur, _, ok := vs.DefaultVersion()
	isDefault := ok && cur == n
	out.Default = &isDefault
	return out, nil
}

// decide turns make_default into how the new version is published (held
// out of the default, or pinned as it appears), given its validation
// accuracy acc and the default before it. It returns the decision and why,
// in a sentence.
func decide(policy string, acc float64, prevN int, prevAcc float64, hadDefault bool) (modelrepo.Publish, string) {
	switch policy {
	case MakeDefaultAlways:
		return modelrepo.Publish{Pin: true}, "make_default always: the new version pinned as the default"
	case MakeDefaultNever:
		return modelrepo.Publish{Held: "make_default never"},
			"make_default never: the new version is held out of the default (pin it to make it the default)"
	}
	switch {
	case !hadDefault:
		return modelrepo.Publish{Pin: true}, "no version was the default before: the new version pinned as the default"
	case acc > prevAcc:
		return modelrepo.Publish{Pin: true},
			fmt.Sprintf("validation accuracy %.4f beats version %d's %.4f: the new version pinned as the default", acc, prevN, prevAcc)
	}
	return modelrepo.Publish{Held: fmt.Sprintf("make_default if_better: validation accuracy %.4f does not beat version %d's %.4f", acc, prevN, prevAcc)},
		fmt.Sprintf("validation accuracy %.4f does not beat version %d's %.4f: the new version is held and version %d stays the default", acc, prevN, prevAcc, prevN)
}

// job is the pipeline job the plan asks for: the data file (confined to
// the data folder, named relative to it) and the stored examples.
func (r *execution) job() (pipeline.Job, error) {
	cfg, err := r.plan.Config(max(1, runtime.GOMAXPROCS(0)-1)) // leave a core to the requests
	if err != nil {
		return pipeline.Job{}, err
	}
	job := pipeline.Job{Valid: r.plan.Options.Valid, Config: cfg, ShowPath: r.svc.relPath, Refit: r.plan.Options.Refit, Tune: r.plan.Search,
		MaxExamples: r.svc.cfg.MaxExamples}
	if r.plan.Data != "" {
		path, err := Confine(r.svc.cfg.DataDir, r.plan.Data)
		if err != nil {
			var ae *errcode.Error
			if errors.As(err, &ae) {
				return job, errors.New(ae.Msg)
			}
			return job, err
		}
		job.Data = pipeline.Source{Path: path, Name: r.plan.Data, Options: r.plan.options()}
	}
	if r.plan.UseExamples {
		stored, err := r.svc.db.AllExamples(r.ctx)
		if err != nil {
			return job, err
		}
		job.ExamplesName = "stored examples"
		job.Examples = make([]dataset.Example, 0, len(stored))
		for _, e := range stored {
			job.Examples = append(job.Examples, dataset.Example{
				ID: "example-" + strconv.FormatInt(e.ID, 10), Text: e.Text, Label: e.Intent, Source: "examples",
			})
		}
	}
	return job, nil
}

// enter moves the task to state and stage and saves it.
func (r *execution) enter(state store.State, stage string) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if state == store.Training && !r.started {
		r.started = true
		r.notify.send(EventTrainingStart)
	}
	r.mu.Lock()
	r.task.State, r.task.Stage, r.task.Progress = state, stage, stageSpan[stage][0]
	r.task.Timings = r.timingsJSON()
	task := r.task
	r.lastWrite = time.Now()
	r.mu.Unlock()
	return r.svc.db.UpdateTask(r.ctx, task)
}

// mark records the time since the last mark as stage's.
func (r *execution) mark(stage string) {
	now := time.Now()
	r.timings[stage] += now.Sub(r.lap).Seconds()
	r.lap = now
}

// progress is model.Train's progress callback: it saves the stage and the
// progress, at most every progressEvery unless the stage changed.
func (r *execution) progress(stage string, done, total int) {
	span, ok := stageSpan[stage]
	if !ok || total <= 0 {
		return
	}
	p := span[0] + (span[1]-span[0])*float64(min(done, total))/float64(total)
	r.mu.Lock()
	changed := stage != r.task.Stage
	if !changed && time.Since(r.lastWrite) < progressEvery {
		r.mu.Unlock()
		return
	}
	r.task.Stage, r.task.Progress = stage, p
	r.lastWrite = time.Now()
	id := r.task.ID
	r.mu.Unlock()
	if err := r.svc.db.SetProgress(r.ctx, id, stage, p); err != nil && r.ctx.Err() == nil {
		r.svc.log.Warn("task progress not saved", slog.String("task", id), slog.String("error", err.Error()))
	}
}

// finish records the outcome. The worker's context may be over (shutdown):
// the final write gets its own.
func (r *execution) finish(res *Result, err error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.ctx), 10*time.Second)
	defer cancel()
	r.mu.Lock()
	task := &r.task
	task.FinishedAt = time.Now()
	if !task.StartedAt.IsZero() {
		r.timings["total"] = task.FinishedAt.Sub(task.StartedAt).Seconds()
	}
	task.Timings = r.timingsJSON()
	if res != nil {
		task.Result, _ = json.Marshal(res)
	}
	if err == nil {
		task.State, task.Stage, task.Progress, task.Error = store.Trained, "done", 1, ""
	} else {
		task.State = store.Failed
		task.Error = err.Error()
		if r.ctx.Err() != nil {
			task.Error = reasonShutdown
			if r.parent.Err() == nil {
				task.Error = reasonStale
			}
		}
	}
	final := *task
	r.mu.Unlock()
	if werr := r.svc.db.UpdateTask(ctx, final); werr != nil {
		r.svc.log.Error("task outcome not saved", slog.String("task", final.ID), slog.String("error", werr.Error()))
	}
	if final.State == store.Trained {
		r.notify.send(EventModelName, [2]any{"model", r.plan.modelName()}, [2]any{"version", res.Version})
	} else {
		r.notify.send(EventFailed, [2]any{"reason", final.Error})
	}
	r.notify.close()
	attrs := []any{slog.String("task", final.ID), slog.String("state", string(final.State)), slog.Float64("seconds", r.timings["total"])}
	if res != nil && res.Version > 0 {
		attrs = append(attrs, slog.Int("version", res.Version))
	}
	if err != nil {
		r.svc.log.Warn("training task failed", append(attrs, slog.String("error", final.Error))...)
		return
	}
	r.svc.log.Info("training task trained", attrs...)
}

func (r *execution) timingsJSON() json.RawMessage {
	if len(r.timings) == 0 {
		return nil
	}
	b, _ := json.Marshal(r.timings) // a map of float64s: cannot fail (no NaN: durations)
	return b
}

// relPath shows a path under the data folder relative to it.
func (t *Service) relPath(p string) string {
	for _, base := range t.dataRoots() {
		if rel, err := filepath.Rel(base, p); err == nil && within(base, p) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}

// dataRoots is the data folder as configured and resolved.
func (t *Service) dataRoots() []string {
	if t.cfg.DataDir == "" {
		return nil
	}
	out := []string{filepath.Clean(t.cfg.DataDir)}
	if abs, err := filepath.Abs(t.cfg.DataDir); err == nil {
		if res, err := filepath.EvalSymlinks(abs); err == nil {
			out = append(out, res)
		}
		out = append(out, abs)
	}
	return out
}
