package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"intent/model"
	"intent/model/dataset"
	"intent/modelrepo"
	"intent/store"
)

// stageSpan is the share of a task's progress each stage covers, in
// order. The model's own stages (featurize, calibrate, fit) report their
// progress within their span.
var stageSpan = map[string][2]float64{
	"load":      {0, 0.03},
	"check":     {0.03, 0.05},
	"split":     {0.05, 0.06},
	"featurize": {0.06, 0.2},
	"calibrate": {0.2, 0.45},
	"fit":       {0.45, 0.85},
	"evaluate":  {0.85, 0.9},
	"write":     {0.9, 0.95},
	"reload":    {0.95, 0.99},
	"default":   {0.99, 1},
}

// progressEvery throttles the progress writes during training.
const progressEvery = 250 * time.Millisecond

// dataReportJSON is a task's data report: where the data came from and
// dataset.Check's verdict.
type dataReportJSON struct {
	Sources        []string `json:"sources"`
	Format         string   `json:"format,omitempty"`
	StoredExamples int      `json:"stored_examples"`
	dataset.Report
}

// taskRun is one execution of a task by the worker.
type taskRun struct {
	svc     *taskService
	ctx     context.Context
	plan    trainPlan
	timings map[string]float64
	lap     time.Time
	// rejected are the records of the data file set aside while loading.
	rejected []dataset.Rejection

	mu        sync.Mutex // guards task: the progress callback may come from another goroutine
	task      store.Task
	lastWrite time.Time
}

// run executes one task to its end and records the outcome. A panic fails
// the task instead of the worker.
func (t *taskService) run(ctx context.Context, task store.Task) {
	r := &taskRun{svc: t, ctx: ctx, task: task, timings: map[string]float64{}, lap: time.Now()}
	var res *taskResult
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

// execute runs the task: preprocessing, training, publishing.
func (r *taskRun) execute() (*taskResult, error) {
	r.task.StartedAt = time.Now()
	r.timings["queued"] = r.task.StartedAt.Sub(r.task.CreatedAt).Seconds()
	r.svc.log.Info("training task started", slog.String("task", r.task.ID))
	if err := json.Unmarshal(r.task.Request, &r.plan); err != nil {
		return nil, fmt.Errorf("the stored request cannot be read: %v", err)
	}

	// Preprocessing: read the data and decide whether it can be trained on.
	if err := r.enter(store.Preprocessing, "load"); err != nil {
		return nil, err
	}
	examples, rep, names, err := r.load()
	if err != nil {
		return nil, err
	}
	r.mark("load")
	if err := r.enter(store.Preprocessing, "check"); err != nil {
		return nil, err
	}
	rep.Report = dataset.Check(examples, r.rejected, dataset.MinPerLabel)
	b, err := json.Marshal(rep)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.task.DataReport = b
	r.mu.Unlock()
	r.mark("check")
	if !rep.Usable {
		return nil, fmt.Errorf("the data is not usable: %s", strings.Join(rep.Problems, "; "))
	}

	// Training.
	if err := r.enter(store.Training, "split"); err != nil {
		return nil, err
	}
	o := r.plan.Options
	train, valid, split, err := dataset.Split(examples, o.Valid, o.Seed)
	if err != nil {
		return nil, err
	}
	if len(valid) == 0 {
		return nil, errors.New("no validation examples: every intent has too few examples to split")
	}
	cfg, err := r.plan.config(max(1, runtime.GOMAXPROCS(0)-1)) // leave a core to the requests
	if err != nil {
		return nil, err
	}
	cfg.LabelNames = names
	r.mark("split")
	m, info, err := model.Train(r.ctx, train, cfg, r.progress)
	if err != nil {
		return nil, err
	}
	for _, tm := range info.Timings {
		r.timings[tm.Stage] += tm.Seconds
	}
	r.lap = time.Now()

	if err := r.enter(store.Training, "evaluate"); err != nil {
		return nil, err
	}
	report, _, err := m.Evaluate(r.ctx, valid)
	if err != nil {
		return nil, err
	}
	report.Train, report.TrainSeconds = info, info.TrainSeconds
	report.Data = &model.DataInfo{
		Sources: rep.Sources, Format: rep.Format,
		Rows: rep.Examples + rep.Rejected, Rejected: rep.Rejected, Reasons: rep.RejectedReasons, Check: &rep.Report,
		TooSmall: split.TooSmall, PerLabel: split.PerLabel,
		ValidFrom: fmt.Sprintf("stratified split (valid %.2f, seed %d) of %s", o.Valid, o.Seed, r.describeData(rep.StoredExamples)),
	}
	res := &taskResult{Metrics: &taskMetrics{
		Accuracy: report.Accuracy, MacroF1: report.MacroF1, MicroF1: report.MicroF1, WeightedF1: report.WeightedF1,
		ECEBefore: report.ECEBefore, ECEAfter: report.ECEAfter,
		NTrain: len(train), NValid: len(valid), NFeatures: info.NFeatures, TrainSeconds: info.TrainSeconds,
	}}
	r.mark("evaluate")

	// Publishing. The default is read before the new version exists: once
	// it does, the registry may already serve it as the newest.
	prevN, prevAcc, hadDefault := r.svc.cfg.Versions.DefaultVersion()
	if err := r.enter(store.Training, "write"); err != nil {
		return nil, err
	}
	n, _, err := modelrepo.WriteVersion(r.svc.cfg.ModelsDir, m, report, valid)
	if err != nil {
		return nil, err
	}
	res.Version = n
	r.mark("write")
	if err := r.enter(store.Training, "reload"); err != nil {
		return res, err
	}
	if err := r.svc.cfg.Versions.Reload(r.ctx); err != nil {
		return res, fmt.Errorf("version %d was written but the models could not be reloaded: %w", n, err)
	}
	r.mark("reload")
	if err := r.enter(store.Training, "default"); err != nil {
		return res, err
	}
	reason, err := r.applyDefault(n, report.Accuracy, prevN, prevAcc, hadDefault)
	res.DefaultReason = reason
	cur, _, ok := r.svc.cfg.Versions.DefaultVersion()
	isDefault := ok && cur == n
	res.Default = &isDefault
	if err != nil {
		return res, err
	}
	r.mark("default")
	return res, nil
}

// applyDefault carries out make_default once version n (validation
// accuracy acc) is loaded; prev is the default before n existed. Since the
// registry serves the newest version unless one is pinned, keeping the old
// default means pinning it. It returns what it did, in a sentence.
func (r *taskRun) applyDefault(n int, acc float64, prevN int, prevAcc float64, hadDefault bool) (string, error) {
	v := r.svc.cfg.Versions
	pin := func(k int, reason string) (string, error) {
		if err := v.Pin(k); err != nil {
			return reason, fmt.Errorf("version %d was trained, but pinning version %d as the default failed: %w", n, k, err)
		}
		return reason, nil
	}
	switch r.plan.MakeDefault {
	case makeDefaultAlways:
		return pin(n, fmt.Sprintf("make_default always: version %d pinned as the default", n))
	case makeDefaultNever:
		if !hadDefault {
			return "make_default never, but no version was the default before: nothing pinned", nil
		}
		return pin(prevN, fmt.Sprintf("make_default never: version %d pinned to stay the default", prevN))
	default: // if_better
		switch {
		case !hadDefault:
			return pin(n, fmt.Sprintf("no version was the default before: version %d pinned as the default", n))
		case acc > prevAcc:
			return pin(n, fmt.Sprintf("validation accuracy %.4f beats version %d's %.4f: version %d pinned as the default", acc, prevN, prevAcc, n))
		default:
			return pin(prevN, fmt.Sprintf("validation accuracy %.4f does not beat version %d's %.4f: version %d pinned to stay the default", acc, prevN, prevAcc, prevN))
		}
	}
}

// load reads the data file (confined to the data folder) and the stored
// examples, as the plan asks, and starts the data report.
func (r *taskRun) load() (examples []dataset.Example, rep dataReportJSON, names map[string]string, err error) {
	rep.Sources = []string{}
	if r.plan.Data != "" {
		path, err := confine(r.svc.cfg.DataDir, r.plan.Data)
		if err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				return nil, rep, nil, errors.New(ae.Msg)
			}
			return nil, rep, nil, err
		}
		ds, err := dataset.Load(path, dataset.Options{})
		if err != nil {
			return nil, rep, nil, errors.New(r.svc.hidePaths(fmt.Sprintf("cannot read %q: %v", r.plan.Data, err)))
		}
		examples, r.rejected = ds.Examples, ds.Rejected
		rep.Format = ds.Format
		for _, s := range ds.Sources {
			rep.Sources = append(rep.Sources, r.svc.relPath(s))
		}
		for i := range r.rejected {
			r.rejected[i].Source = r.svc.relPath(r.rejected[i].Source)
		}
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			if f := filepath.Join(path, "intents.csv"); fileExists(f) {
				if names, err = dataset.LoadLabelNames(f); err != nil {
					r.svc.log.Warn("intent names not read", slog.String("task", r.task.ID), slog.String("error", err.Error()))
					names = nil
				}
			}
		}
	}
	if r.plan.UseExamples {
		stored, err := r.svc.db.AllExamples(r.ctx)
		if err != nil {
			return nil, rep, nil, err
		}
		rep.StoredExamples = len(stored)
		rep.Sources = append(rep.Sources, "stored examples")
		for _, e := range stored {
			examples = append(examples, dataset.Example{
				ID: "example-" + strconv.FormatInt(e.ID, 10), Text: e.Text, Label: e.Intent, Source: "examples",
			})
		}
	}
	return examples, rep, names, nil
}

// describeData names the training data in a sentence.
func (r *taskRun) describeData(stored int) string {
	switch {
	case r.plan.Data != "" && r.plan.UseExamples:
		return fmt.Sprintf("%s and %d stored examples", r.plan.Data, stored)
	case r.plan.Data != "":
		return r.plan.Data
	}
	return fmt.Sprintf("%d stored examples", stored)
}

// enter moves the task to state and stage and saves it.
func (r *taskRun) enter(state store.State, stage string) error {
	if err := r.ctx.Err(); err != nil {
		return err
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
func (r *taskRun) mark(stage string) {
	now := time.Now()
	r.timings[stage] += now.Sub(r.lap).Seconds()
	r.lap = now
}

// progress is model.Train's progress callback: it saves the stage and the
// progress, at most every progressEvery unless the stage changed.
func (r *taskRun) progress(stage string, done, total int) {
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
func (r *taskRun) finish(res *taskResult, err error) {
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
		}
	}
	final := *task
	r.mu.Unlock()
	if werr := r.svc.db.UpdateTask(ctx, final); werr != nil {
		r.svc.log.Error("task outcome not saved", slog.String("task", final.ID), slog.String("error", werr.Error()))
	}
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

func (r *taskRun) timingsJSON() json.RawMessage {
	if len(r.timings) == 0 {
		return nil
	}
	b, _ := json.Marshal(r.timings) // a map of float64s: cannot fail (no NaN: durations)
	return b
}

// relPath shows a path under the data folder relative to it.
func (t *taskService) relPath(p string) string {
	for _, base := range t.dataRoots() {
		if rel, err := filepath.Rel(base, p); err == nil && within(base, p) {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(p)
}

// hidePaths removes the data folder's location from a message for clients.
func (t *taskService) hidePaths(msg string) string {
	for _, base := range t.dataRoots() {
		msg = strings.ReplaceAll(msg, base+string(filepath.Separator), "")
	}
	return msg
}

// dataRoots is the data folder as configured and resolved.
func (t *taskService) dataRoots() []string {
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
