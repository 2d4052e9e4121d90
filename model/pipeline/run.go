package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"intent/internal/errcode"
	"intent/model"
	"intent/model/dataset"
	"intent/model/tune"
)

// ErrUnusable is returned (wrapped, with the reasons) when the data cannot
// be trained on at all: fewer than two intents.
var ErrUnusable = errors.New("the data cannot be trained on")

// Run reads, checks, splits, trains and evaluates as job says.
func Run(ctx context.Context, job Job, hooks Hooks) (*Result, error) {
	res := &Result{}
	lap := time.Now()
	mark := func(stage string) {
		now := time.Now()
		res.Timings = append(res.Timings, model.Timing{Stage: stage, Seconds: now.Sub(lap).Seconds()})
		lap = now
	}
	enter := func(stage string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if hooks.Stage != nil {
			return hooks.Stage(stage)
		}
		return nil
	}
	show := job.ShowPath
	if show == nil {
		show = func(p string) string { return p }
	}

	// Load.
	if err := enter("load"); err != nil {
		return nil, err
	}
	examples, info, rejected, err := load(job, show)
	if err != nil {
		return nil, err
	}
	var fixedValid []dataset.Example
	fixed := job.ValidData.Path != "" || job.ValidExamples != nil
	if job.ValidExamples != nil {
		fixedValid = job.ValidExamples
		info.ValidFrom = fmt.Sprintf("%d fixed validation questions", len(fixedValid))
	} else if job.ValidData.Path != "" {
		vds, err := dataset.Load(job.ValidData.Path, job.ValidData.Options)
		if err != nil {
			return nil, sourceError(job.ValidData, show, err)
		}
		fixedValid = vds.Examples
		info.Rejected += len(vds.Rejected)
		for r, n := range vds.RejectionSummary() {
			if info.Reasons == nil {
				info.Reasons = map[string]int{}
			}
			info.Reasons[r] += n
		}
		info.ValidFrom = job.ValidData.name()
	}
	cfg := job.Config
	if cfg.LabelNames == nil && job.Data.Path != "" {
		if cfg.LabelNames, err = namesBeside(job.Data.Path); err != nil {
			return nil, sourceError(job.Data, show, err)
		}
	}
	mark("load")

	// Check.
	if err := enter("check"); err != nil {
		return nil, err
	}
	check := dataset.Check(examples, rejected, MinPerIntent)
	info.Check = &check
	mark("check")
	if !check.Usable {
		if hooks.Checked != nil {
			if err := hooks.Checked(info); err != nil {
				return nil, err
			}
		}
		return nil, fmt.Errorf("%w: %s", ErrUnusable, strings.Join(check.Problems, "; "))
	}

	// Split.
	if err := enter("split"); err != nil {
		return nil, err
	}
	train, valid := examples, fixedValid
	if !fixed {
		frac := job.Valid
		if frac == 0 {
			frac = DefaultValid
		}
		var split dataset.SplitReport
		train, valid, split, err = dataset.Split(labeledOnly(examples), frac, cfg.Seed)
		if err != nil {
			return nil, err
		}
		info.TooSmall, info.PerLabel = split.TooSmall, split.PerLabel
		info.ValidFrom = fmt.Sprintf("stratified split of %s (valid %.2f, seed %d)", strings.Join(info.Sources, " and "), frac, cfg.Seed)
	} else {
		train = labeledOnly(examples)
	}
	if job.OOS != nil {
		var dropped int
		train, dropped = withoutLabel(train, job.OOS.Label)
		info.OOSTrainDropped = dropped
	}
	if len(valid) == 0 {
		return nil, fmt.Errorf("no validation questions: no intent has the %d questions needed to hold one out; add questions or give a fixed validation set", MinPerIntent)
	}
	mark("split")
	if hooks.Checked != nil {
		if err := hooks.Checked(info); err != nil {
			return nil, err
		}
	}

	progress := func(stage string, done, total int) {
		if hooks.Progress != nil {
			hooks.Progress(stage, done, total)
		}
	}

	// Tune: the search runs on the same split the final fit and its report
	// use; out-of-scope questions are not part of the in-scope search.
	if job.Tune != nil {
		if err := enter("tune"); err != nil {
			return nil, err
		}
		tv := valid
		if job.OOS != nil {
			tv, _ = withoutLabel(valid, job.OOS.Label)
		}
		tres, err := tune.Run(ctx, train, tv, cfg, *job.Tune, func(done, total int, _ tune.Trial) { progress("tune", done, total) })
		if err != nil {
			return nil, err
		}
		if cfg, err = tres.Best.Apply(cfg); err != nil {
			return nil, err
		}
		res.Tuning = tres
		mark("tune")
	}

	// Fit.
	lastStage := ""
	var stageErr error
	trainProgress := func(stage string, done, total int) {
		if stage != lastStage {
			lastStage = stage
			if hooks.Stage != nil && stageErr == nil {
				stageErr = hooks.Stage(stage)
			}
		}
		progress(stage, done, total)
	}
	m, tinfo, err := model.Train(ctx, train, cfg, trainProgress)
	if err != nil {
		return nil, err
	}
	if stageErr != nil {
		return nil, stageErr
	}
	res.Timings = append(res.Timings, tinfo.Timings...)
	lap = time.Now()

	// Evaluate.
	if err := enter("evaluate"); err != nil {
		return nil, err
	}
	rep, preds, err := m.Evaluate(ctx, valid)
	if err != nil {
		return nil, err
	}
	rep.Train, rep.Data, rep.TrainSeconds = tinfo, info, tinfo.TrainSeconds
	var oos *model.OOS
	if job.OOS != nil {
		if oos, rep.OOS, err = fitOOS(job.OOS, preds, valid); err != nil {
			return nil, err
		}
		if m, err = m.WithOOS(oos); err != nil {
			return nil, err
		}
	}
	mark("evaluate")

	if job.Refit {
		if err := enter("refit"); err != nil {
			return nil, err
		}
		all := append(train[:len(train):len(train)], labeledOnly(valid)...)
		// The refit's progress is its fit's, under the stage name "refit".
		refitProgress := func(stage string, done, total int) {
			if stage == "fit" {
				progress("refit", done, total)
			}
		}
		if job.OOS != nil {
			all, _ = withoutLabel(all, job.OOS.Label)
		}
		refit, rinfo, err := model.Train(ctx, all, cfg, refitProgress)
		if err != nil {
			return nil, fmt.Errorf("refit on all %d questions: %w", len(all), err)
		}
		info.RefitOn = len(all)
		rep.Train, rep.TrainSeconds = rinfo, rep.TrainSeconds+rinfo.TrainSeconds
		if m, err = refit.WithOOS(oos); err != nil {
			return nil, err
		}
		mark("refit")
	}

	if job.TestData.Path != "" {
		if err := enter("test"); err != nil {
			return nil, err
		}
		tds, err := dataset.Load(job.TestData.Path, job.TestData.Options)
		if err != nil {
			return nil, sourceError(job.TestData, show, err)
		}
		test := labeledOnly(tds.Examples)
		if len(test) == 0 {
			return nil, fmt.Errorf("%s: no labeled questions to test on", job.TestData.name())
		}
		trep, tpreds, err := m.Evaluate(ctx, test)
		if err != nil {
			return nil, err
		}
		trep.Model = nil // the same model as the report's
		if oos != nil {
			r := model.ScoreOOS(tpreds, test, oos.Label, oos.Threshold)
			trep.OOS = &r
		}
		rep.Test = trep
		mark("test")
	}
	// The report describes the exported model (its out-of-scope rule, a
	// refit's counts), whose metrics it gives.
	meta := m.Meta()
	rep.Model = &meta
	res.Model, res.Report, res.Train, res.Valid = m, rep, train, valid
	return res, nil
}

// load reads the data source and appends the in-memory examples.
func load(job Job, show func(string) string) ([]dataset.Example, *model.DataInfo, []dataset.Rejection, error) {
	info := &model.DataInfo{Sources: []string{}}
	var examples []dataset.Example
	var rejected []dataset.Rejection
	if job.Data.Path != "" {
		opts := job.Data.Options
		if job.MaxExamples > 0 {
			opts.MaxRows = job.MaxExamples + 1 // one more tells there are too many
		}
		ds, err := dataset.Load(job.Data.Path, opts)
		if err != nil {
			return nil, nil, nil, sourceError(job.Data, show, err)
		}
		examples, rejected = ds.Examples, ds.Rejected
		info.Format = ds.Format
		for _, s := range ds.Sources {
			info.Sources = append(info.Sources, show(s))
		}
		for i := range rejected {
			rejected[i].Source = show(rejected[i].Source)
		}
		info.Rows = len(ds.Examples) + len(ds.Rejected)
		info.Rejected = len(ds.Rejected)
		info.Reasons = ds.RejectionSummary()
	}
	if job.Examples != nil || job.ExamplesName != "" {
		name := job.ExamplesName
		if name == "" {
			name = "examples"
		}
		info.Sources = append(info.Sources, fmt.Sprintf("%d %s", len(job.Examples), name))
		examples = append(examples[:len(examples):len(examples)], job.Examples...)
		info.Rows += len(job.Examples)
	}
	if len(info.Sources) == 0 {
		return nil, nil, nil, errors.New("nothing to train on: give a data file or examples")
	}
	if job.MaxExamples > 0 && len(examples) > job.MaxExamples {
		return nil, nil, nil, errcode.New(errcode.TooLarge, "the data has more than %d questions, the most this server trains (--max-train-examples): train it with `trainer train` and upload the model, or raise the limit", job.MaxExamples)
	}
	return examples, info, rejected, nil
}

// labeledOnly drops the unlabeled examples (Check counted them as rejected).
func labeledOnly(ex []dataset.Example) []dataset.Example {
	out := ex[:0:0]
	for _, e := range ex {
		if e.Label != "" {
			out = append(out, e)
		}
	}
	return out
}

// namesBeside reads intents.csv ('id;name') beside a Posos folder's data.
func namesBeside(path string) (map[string]string, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return nil, nil
	}
	f := filepath.Join(path, "intents.csv")
	if st, err := os.Stat(f); err != nil || st.IsDir() {
		return nil, nil
	}
	return dataset.LoadLabelNames(f)
}

// sourceError names the source (and the flag that gave it) in err, with
// the paths the caller hides rewritten.
func sourceError(s Source, show func(string) string, err error) error {
	msg := err.Error()
	if s.Path != "" && show(s.Path) != s.Path {
		msg = strings.ReplaceAll(msg, s.Path, show(s.Path))
	}
	if s.Flag != "" {
		return fmt.Errorf("%s %s: %s", s.Flag, s.name(), msg)
	}
	return fmt.Errorf("cannot read %s: %s", s.name(), msg)
}

// withoutLabel drops the examples labeled label.
func withoutLabel(ex []dataset.Example, label string) ([]dataset.Example, int) {
	out := make([]dataset.Example, 0, len(ex))
	for _, e := range ex {
		if e.Label != label {
			out = append(out, e)
		}
	}
	return out, len(ex) - len(out)
}

// fitOOS turns the out-of-scope job into the model's rule: a fixed
// threshold, or one fitted on the validation predictions, and measures it
// there.
func fitOOS(j *OOSJob, preds []model.Prediction, valid []dataset.Example) (*model.OOS, *model.OOSReport, error) {
	fallback := j.Fallback
	if fallback == "" {
		fallback = j.Label
	}
	o := &model.OOS{Label: fallback, Threshold: j.Threshold, Fitted: "fixed"}
	if j.AutoThreshold {
		maxLoss := j.MaxLoss
		if maxLoss == 0 {
			maxLoss = model.DefaultOOSMaxLoss
		}
		t, _, err := model.FitOOSThreshold(preds, valid, j.Label, maxLoss)
		if err != nil {
			return nil, nil, err
		}
		r := model.ScoreOOS(preds, valid, j.Label, t)
		o.Threshold = t
		o.Fitted = fmt.Sprintf("auto: the most out-of-scope recall for at most %.1f points of in-scope accuracy, on %d validation questions (%d out of scope)", 100*maxLoss, r.InScope+r.OutScope, r.OutScope)
	}
	r := model.ScoreOOS(preds, valid, j.Label, o.Threshold)
	return o, &r, nil
}
