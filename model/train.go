package model

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"intent/model/calibration"
	"intent/model/dataset"
	"intent/model/features"
	"intent/model/metrics"
	"intent/model/svm"
)

// foldEps is the SVM stopping tolerance of the calibration fold fits (the
// final fit uses the configured one, liblinear's 0.1). Each fold fit starts
// from the final fit's dual variables for the fold's training rows (the
// held-out rows' contributions left out of the weights), so it only has to
// re-optimize without the fold, which a loose tolerance does in a pass or
// two. Measured on CLINC150 with 5 folds: fold fits from scratch at this
// tolerance stop after a pass or two, with 921 out-of-fold errors and a
// temperature of 0.184; converged from scratch at 1 they make 650 errors
// and give 0.153, for three times the CPU time; started from a loose fit on
// all rows they made 719 errors and gave 0.158.
const foldEps = 5.0

// Cross-fitting scores folds until it has calibRows out-of-fold questions
// of which calibErrors are misclassified (or every fold): all folds of a
// small set, one of a large one. The temperature is one number, and it is
// set by the mistakes (how overconfident the scores are). Measured on
// CLINC150 (test ECE after temperature scaling): 5 folds (15,000 questions,
// 719 mistakes) 0.0230; 3 folds 0.0232; 2 folds 0.0233; 1 fold (3,000
// questions, about 200 mistakes) 0.0234, for 1.0 s less training.
const (
	calibRows   = 3000
	calibErrors = 100
)

// largeNNZ is the size (non-zeros of the training matrix) from which
// training collects garbage where a large structure has just died: 8
// million non-zeros are a 64 MB matrix, about 65,000 questions.
const largeNNZ = 8 << 20

// Progress is told about long steps: stage is a short name ("featurize",
// "calibrate", "fit", ...), done of total units are finished. It may be nil.
type Progress func(stage string, done, total int)

// Timing is how long one training stage took.
type Timing struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
}

// TrainInfo tells how a model was trained, for the report.
type TrainInfo struct {
	NTrain int `json:"n_train"`
	// NCalib is the number of out-of-fold decision values the temperature
	// was fitted on: every training question whose fold model had seen its
	// intent (cross-fitting, CalibFolds folds).
	NCalib     int `json:"n_calib"`
	CalibFolds int `json:"calib_folds"`
	// CalibFoldsScored of the CalibFolds folds were fitted and scored:
	// all of a small set, only as many as give calibRows questions with
	// calibErrors mistakes of a large one.
	CalibFoldsScored int `json:"calib_folds_scored"`
	// CalibErrors of the NCalib out-of-fold questions were misclassified by
	// their fold model.
	CalibErrors int `json:"calib_errors"`
	// CalibIntentsWithout counts the intents with no out-of-fold question
	// (intents with a single question: its fold model never saw them).
	CalibIntentsWithout int `json:"calib_intents_without"`
	// TemperatureFitted is the log-loss fit on the out-of-fold rows;
	// Temperature is the same unless the safeguard raised it (see
	// fitTemperature).
	TemperatureFitted float64  `json:"temperature_fitted"`
	FeaturesBefore    int      `json:"features_before_pruning"`
	NFeatures         int      `json:"n_features"`
	Temperature       float64  `json:"temperature"`
	Timings           []Timing `json:"timings"`
	TrainSeconds      float64  `json:"train_seconds"`
	// Warnings are things the user should know about the model, such as
	// thin calibration evidence; reports print them.
	Warnings []string `json:"warnings,omitempty"`
}

// Train fits a model on examples. Labels are sorted (numerically when all
// are integers); every label needs at least one example and there must be
// at least two labels.
func Train(ctx context.Context, examples []dataset.Example, cfg Config, progress Progress) (*Model, *TrainInfo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	start := time.Now()
	info := &TrainInfo{NTrain: len(examples)}
	lap := start
	mark := func(stage string) {
		now := time.Now()
		info.Timings = append(info.Timings, Timing{stage, now.Sub(lap).Seconds()})
		lap = now
	}

	labels, y, err := indexLabels(examples)
	if err != nil {
		return nil, nil, err
	}
	k := len(labels)
	texts := make([]string, len(examples))
	for i, e := range examples {
		texts[i] = e.Text
	}

	progress("featurize", 0, 1)
	enc, X, err := features.FitTransform(ctx, texts, cfg.Features, cfg.Workers)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	progress("featurize", 1, 1)
	mark("featurize")

	// Texts are no longer needed; the caller's examples still hold them.
	texts = nil
	// The solvers' form of the rows, 6 bytes per non-zero instead of 8;
	// it consumes X. Featurizing left its counting tables as garbage:
	// collecting them first keeps them out of the conversion's peak (the
	// heap is mostly pointer-free, so a collection takes milliseconds).
	// Small sets skip these collections: their peak is not worth a
	// collection (a server trains while it serves).
	large := X.NNZ() >= largeNNZ
	collect := func() {
		if large {
			runtime.GC()
		}
	}
	collect()
	M, err := svm.NewMatrix(X)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	X = nil

	scfg := cfg.SVM
	scfg.Seed = cfg.Seed
	scfg.Workers = cfg.Workers
	if cfg.BalancedWeights {
		scfg.ClassWeights = svm.BalancedWeights(y, k)
	}
	calibrate := cfg.CalibFraction > 0

	// The final fit comes first, from scratch (liblinear's result); its
	// dual variables seed the calibration fold fits.
	var clf *svm.Linear
	var dual *svm.Dual
	if calibrate {
		clf, dual, err = M.FitDual(ctx, y, k, scfg, stageProgress(progress, "fit"))
	} else {
		clf, err = M.Fit(ctx, y, k, scfg, stageProgress(progress, "fit"))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	mark("fit")

	// Temperature: cross-fitting. Training rows are scored by a model that
	// did not train on them, and the temperature is fitted on those
	// out-of-fold decision values (see crossFit and fitTemperature).
	info.Temperature = 1
	if calibrate {
		// The final fit's solver buffers are garbage now; the fold fits
		// allocate their own.
		collect()
		cf, err := crossFit(ctx, examples, M, y, k, cfg, scfg, dual, progress)
		if err != nil {
			return nil, nil, err
		}
		if err := fitTemperature(cf, y, k, labels, info); err != nil {
			return nil, nil, err
		}
	} else {
		info.Warnings = append(info.Warnings, "calibration is off: the probabilities are a plain softmax of the decision values (temperature 1), not fitted to the data")
	}
	// The rows and the duals are done with: free them before the weights
	// are copied below, or the copies come on top of them.
	M, dual = nil, nil
	collect()
	mark("calibrate")

	info.FeaturesBefore = enc.NumFeatures()
	if cfg.PruneBelow > 0 {
		keep := strongFeatures(clf, float32(cfg.PruneBelow))
		if len(keep) < enc.NumFeatures() {
			if enc, err = enc.SelectFeatures(keep); err != nil {
				return nil, nil, fmt.Errorf("model: prune: %w", err)
			}
			clf = clf.SelectFeatures(keep)
		}
	}
	info.NFeatures = enc.NumFeatures()
	mark("prune")

	meta := Metadata{
		FormatVersion:  FormatVersion,
		ProgramVersion: Version,
		CreatedAt:      time.Now().UTC().Truncate(time.Second),
		DataHash:       dataset.Hash(examples),
		Labels:         labels,
		LabelNames:     cfg.LabelNames,
		Temperature:    info.Temperature,
		Solver:         scfg.Solver.String(),
		C:              scfg.C,
		NTrain:         len(examples),
	}
	m, err := newModel(meta, enc, clf)
	if err != nil {
		return nil, nil, err
	}
	info.TrainSeconds = time.Since(start).Seconds()
	return m, info, nil
}

// indexLabels sorts the distinct labels and maps every example to its index.
func indexLabels(examples []dataset.Example) ([]string, []int32, error) {
	if len(examples) == 0 {
		return nil, nil, fmt.Errorf("model: no training examples")
	}
	seen := map[string]bool{}
	var labels []string
	for _, e := range examples {
		if !seen[e.Label] {
			seen[e.Label] = true
			labels = append(labels, e.Label)
		}
	}
	if len(labels) < 2 {
		return nil, nil, fmt.Errorf("model: the training data has %d distinct label(s), need at least 2", len(labels))
	}
	metrics.SortLabels(labels)
	idx := make(map[string]int32, len(labels))
	for i, l := range labels {
		idx[l] = int32(i)
	}
	y := make([]int32, len(examples))
	for i, e := range examples {
		y[i] = idx[e.Label]
	}
	return labels, y, nil
}

func pick(y []int32, idx []int) []int32 {
	out := make([]int32, len(idx))
	for i, j := range idx {
		out[i] = y[j]
	}
	return out
}

// strongFeatures lists, in order, the features whose largest absolute weight
// over the classes reaches min.
func strongFeatures(clf *svm.Linear, min float32) []int32 {
	k := clf.Classes
	keep := make([]int32, 0, clf.Features)
	for f := 0; f < clf.Features; f++ {
		row := clf.W[f*k : (f+1)*k]
		var mx float32
		for _, w := range row {
			mx = float32(math.Max(float64(mx), math.Abs(float64(w))))
		}
		if mx >= min {
			keep = append(keep, int32(f))
		}
	}
	return keep
}

func stageProgress(p Progress, stage string) func(done, total int) {
	return func(done, total int) { p(stage, done, total) }
}

// crossFitResult holds the out-of-fold decision values of a cross-fit.
type crossFitResult struct {
	folds int // the folds the rows were split into
	used  int // the folds fitted and scored
	// usable lists, increasing, the rows scored by a fold model that had
	// seen their class. A row whose fold trained without its class (an
	// intent with one question) says how the model treats an unknown
	// intent, not how sure it is of a known one, so it is left out.
	usable []int
	// scores holds the k decision values of each usable row, in order.
	scores []float32
}

// crossFit splits the rows into stratified folds (dataset.KFold, at most
// cfg.CalibFolds, at most one per row) and, for each fold in turn until
// calibRows rows with calibErrors mistakes are scored, fits the SVM on the
// other folds and scores the fold's rows.
//
// Cost: each fold fit starts from full, the dual variables of the final fit
// on all rows, for the fold's training rows, so it only has to re-optimize
// without the fold and does so at the looser foldEps; it reads X in place
// (svm.Config.Rows). Every fit trains its one-vs-rest classes in parallel.
// A fold whose training part holds a single class is skipped; its rows get
// no score.
func crossFit(ctx context.Context, examples []dataset.Example, X *svm.Matrix, y []int32, k int, cfg Config, scfg svm.Config, full *svm.Dual, progress Progress) (*crossFitResult, error) {
	n := len(y)
	nf := min(cfg.folds(), n)
	if nf < 2 {
		return &crossFitResult{folds: nf}, nil
	}
	folds, err := dataset.KFold(examples, nf, cfg.Seed+1)
	if err != nil {
		return nil, fmt.Errorf("model: calibration folds: %w", err)
	}
	res := &crossFitResult{folds: nf}
	// Progress assumes every fold is needed: a large set finishes early.
	step := func(part int) func(done, total int) {
		return func(done, total int) { progress("calibrate", part*total+done, nf*total) }
	}
	scored, wrong := 0, 0

	fcfg := scfg
	fcfg.Eps = max(scfg.Eps, foldEps)
	held := make([]bool, n)
	scores := make([][]float32, n) // of the scored rows only
	for f, rows := range folds {
		if scored >= calibRows && wrong >= calibErrors {
			break
		}
		res.used++
		clear(held)
		for _, i := range rows {
			held[i] = true
		}
		fitIdx := make([]int, 0, n-len(rows))
		for i := range n {
			if !held[i] {
				fitIdx = append(fitIdx, i)
			}
		}
		seen := make([]bool, k)
		classes := 0
		for _, i := range fitIdx {
			if !seen[y[i]] {
				seen[y[i]] = true
				classes++
			}
		}
		if classes < 2 {
			continue
		}
		fcfg.Rows = fitIdx
		if full != nil {
			if fcfg.Init, err = full.Select(fitIdx); err != nil {
				return nil, fmt.Errorf("model: calibration fit %d of %d: %w", f+1, nf, err)
			}
		}
		var score []int
		for _, i := range rows {
			if seen[y[i]] {
				score = append(score, i)
			}
		}
		got, err := X.FitScore(ctx, pick(y, fitIdx), k, fcfg, score, step(f))
		if err != nil {
			return nil, fmt.Errorf("model: calibration fit %d of %d: %w", f+1, nf, err)
		}
		for j, i := range score {
			scores[i] = got[j*k : (j+1)*k]
			if argmax32(scores[i]) != int(y[i]) {
				wrong++
			}
		}
		scored += len(score)
	}
	progress("calibrate", 1, 1)
	for i, s := range scores {
		if s != nil {
			res.usable = append(res.usable, i)
			res.scores = append(res.scores, s...)
		}
	}
	return res, nil
}

// Calibration evidence below these is reported as thin (TrainInfo.Warnings).
const (
	thinRows   = 100 // out-of-fold questions
	thinErrors = 10  // out-of-fold questions whose top intent is wrong
)

// fitTemperature fits the temperature on the usable out-of-fold rows and
// records the evidence in info.
//
// The temperature minimises the log loss of the n out-of-fold rows
// (calibration.FitTemperature); then the safeguard: it is raised, if need
// be, until the mean top probability on those rows is at most Laplace's
// estimate of their accuracy, (correct + 1) / (n + 2)
// (calibration.CapConfidence). With thousands of rows and some mistakes the
// cap is the observed accuracy, close to what the log-loss fit gives, and
// moves the temperature little (CLINC150: 0.155 to 0.157); with 30
// questions that the fold models all got right the log loss falls with the
// temperature down to its floor (every probability 1.0), while the cap
// keeps the mean confidence at 31/32. With no usable row the temperature
// stays 1.
func fitTemperature(cf *crossFitResult, y []int32, k int, labels []string, info *TrainInfo) error {
	info.CalibFolds = cf.folds
	info.CalibFoldsScored = cf.used
	n := len(cf.usable)
	info.NCalib = n
	have := make([]bool, k)
	for _, i := range cf.usable {
		have[y[i]] = true
	}
	var without []string
	for c, ok := range have {
		if !ok {
			without = append(without, labels[c])
		}
	}
	info.CalibIntentsWithout = len(without)
	if n == 0 {
		info.Warnings = append(info.Warnings, fmt.Sprintf(
			"calibration evidence is missing: no intent has a question scored by a fold model that had seen it (%d intents); the probabilities are a plain softmax (temperature 1), not fitted to the data", k))
		return nil
	}
	scores := cf.scores
	yy := make([]int32, n)
	for r, i := range cf.usable {
		yy[r] = y[i]
		if argmax32(scores[r*k:(r+1)*k]) != int(y[i]) {
			info.CalibErrors++
		}
	}
	fitted, err := calibration.FitTemperature(scores, k, yy)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	info.TemperatureFitted = fitted
	target := calibration.LaplaceAccuracy(n-info.CalibErrors, n)
	t, err := calibration.CapConfidence(scores, k, fitted, target)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	info.Temperature = t
	if n < thinRows || info.CalibErrors < thinErrors || len(without) > 0 {
		msg := fmt.Sprintf("calibration evidence is thin: %d out-of-fold questions (%d folds), %d misclassified",
			n, cf.folds, info.CalibErrors)
		if len(without) > 0 {
			msg += fmt.Sprintf("; %d of %d intents have none (%s: a single question each)", len(without), k, listSome(without, 5))
		}
		if t > fitted*1.01 {
			msg += fmt.Sprintf("; temperature raised from %.3g (log-loss fit) to %.3g so that the mean confidence is at most %.3f, Laplace's estimate of the accuracy", fitted, t, target)
		} else {
			msg += fmt.Sprintf("; temperature %.3g", t)
		}
		info.Warnings = append(info.Warnings, msg)
	}
	return nil
}

func argmax32(v []float32) int {
	best := 0
	for j, s := range v {
		if s > v[best] {
			best = j
		}
	}
	return best
}

// listSome joins at most max items, noting how many more there are.
func listSome(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}
