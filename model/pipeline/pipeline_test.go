package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"intent/internal/testmodel"
	"intent/model"
	"intent/model/dataset"
	"intent/model/tune"
)

func tinyJob() Job {
	cfg := model.DefaultConfig()
	cfg.Features.MinDF = 1
	return Job{Examples: testmodel.Examples(testmodel.Sets["numeric"]), ExamplesName: "stored examples", Config: cfg}
}

func TestRunStagesAndReport(t *testing.T) {
	var stages []string
	var checked *model.DataInfo
	res, err := Run(context.Background(), tinyJob(), Hooks{
		Stage:   func(s string) error { stages = append(stages, s); return nil },
		Checked: func(d *model.DataInfo) error { checked = d; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"load", "check", "split", "featurize", "fit", "calibrate", "evaluate"}
	if !slices.Equal(stages, want) {
		t.Errorf("stages %v, want %v", stages, want)
	}
	if checked == nil || checked.Check == nil || !checked.Check.Usable || checked.Check.Intents != 3 {
		t.Fatalf("data report %+v", checked)
	}
	if res.Report.Data != checked || len(res.Valid) != 6 || len(res.Train) != 18 || res.Report.NValid != 6 {
		t.Errorf("train %d valid %d report valid %d", len(res.Train), len(res.Valid), res.Report.NValid)
	}
	if !strings.Contains(checked.ValidFrom, "24 stored examples (valid 0.20, seed 42)") {
		t.Errorf("valid from %q", checked.ValidFrom)
	}
	var names []string
	for _, tm := range res.Timings {
		names = append(names, tm.Stage)
	}
	for _, s := range []string{"load", "check", "split", "fit", "evaluate"} {
		if !slices.Contains(names, s) {
			t.Errorf("timings lack %s: %v", s, names)
		}
	}
}

// An intent with one question is kept for training only, with a warning;
// fewer than two intents is the one refusal, with the same message for
// every caller.
func TestRunSmallIntentsAndUnusableData(t *testing.T) {
	job := tinyJob()
	job.Examples = append(job.Examples, dataset.Example{ID: "x", Text: "une question seule", Label: "99"})
	res, err := Run(context.Background(), job, Hooks{})
	if err != nil {
		t.Fatalf("a one-question intent was refused: %v", err)
	}
	c := res.Report.Data.Check
	if !slices.Equal(c.TooFew, []string{"99"}) || len(c.Warnings) == 0 || !strings.Contains(c.Warnings[0], "kept for training only") {
		t.Errorf("check %+v", c)
	}
	if !slices.Contains(res.Model.Labels(), "99") || !slices.ContainsFunc(res.Train, func(e dataset.Example) bool { return e.Label == "99" }) {
		t.Error("the one-question intent was not trained on")
	}

	job = tinyJob()
	job.Examples = testmodel.Examples(map[string][]string{"only": {"a", "b", "c"}})
	var report *model.DataInfo
	_, err = Run(context.Background(), job, Hooks{Checked: func(d *model.DataInfo) error { report = d; return nil }})
	if !errors.Is(err, ErrUnusable) || !strings.Contains(err.Error(), "a classifier needs at least 2 intents") {
		t.Fatalf("one intent: %v", err)
	}
	if report == nil || report.Check.Usable {
		t.Errorf("the data report of refused data was not given: %+v", report)
	}
}

// A fixed validation set replaces the split; a file that cannot be read
// names the flag that gave it, and a hidden path stays hidden.
func TestRunFixedValidationAndErrors(t *testing.T) {
	dir := t.TempDir()
	train := filepath.Join(dir, "train.csv")
	valid := filepath.Join(dir, "valid.csv")
	var b strings.Builder
	b.WriteString("question,intent\n")
	for label, texts := range testmodel.Sets["string"] {
		for _, q := range texts {
			b.WriteString(q + "," + strings.ReplaceAll(label, `"`, "") + "\n")
		}
	}
	os.WriteFile(train, []byte(b.String()), 0o644)
	os.WriteFile(valid, []byte("question,intent\nbook a flight to nice,book_flight\nis it raining,weather\n"), 0o644)
	job := Job{Data: Source{Path: train, Flag: "--data"}, ValidData: Source{Path: valid, Flag: "--valid-data"}, Config: model.DefaultConfig()}
	res, err := Run(context.Background(), job, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Valid) != 2 || len(res.Train) != 24 || res.Report.Data.ValidFrom != valid {
		t.Errorf("valid %d train %d from %q", len(res.Valid), len(res.Train), res.Report.Data.ValidFrom)
	}
	job.ValidData.Path = filepath.Join(dir, "nope.csv")
	_, err = Run(context.Background(), job, Hooks{})
	if err == nil || !strings.HasPrefix(err.Error(), "--valid-data ") {
		t.Errorf("a missing validation file: %v", err)
	}
	job = Job{Data: Source{Path: filepath.Join(dir, "missing.csv"), Name: "missing.csv"}, ShowPath: filepath.Base, Config: model.DefaultConfig()}
	_, err = Run(context.Background(), job, Hooks{})
	if err == nil || strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("a hidden path shows: %v", err)
	}
}

// A hook's error stops the run.
func TestRunHookErrorStops(t *testing.T) {
	stop := errors.New("stop")
	_, err := Run(context.Background(), tinyJob(), Hooks{Stage: func(s string) error {
		if s == "fit" {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v", err)
	}
}

// A fixed validation set in memory, and a refit on everything.
func TestRunValidExamplesAndRefit(t *testing.T) {
	job := tinyJob()
	all := job.Examples
	job.Examples, job.ValidExamples = all[:18], all[18:]
	job.Refit = true
	var stages []string
	res, err := Run(context.Background(), job, Hooks{Stage: func(s string) error { stages = append(stages, s); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Valid) != 6 || len(res.Train) != 18 || res.Report.NValid != 6 {
		t.Errorf("train %d valid %d", len(res.Train), len(res.Valid))
	}
	if res.Report.Data.RefitOn != 24 || res.Report.Train.NTrain != 24 || stages[len(stages)-1] != "refit" {
		t.Errorf("refit on %d, model trained on %d, stages %v", res.Report.Data.RefitOn, res.Report.Train.NTrain, stages)
	}
}

// Questions labeled out of scope are never trained on; the threshold is
// fitted on the validation questions and the test set measures it.
func TestRunOutOfScope(t *testing.T) {
	dir := t.TempDir()
	job := tinyJob()
	var oos []dataset.Example
	for i, q := range []string{"quel temps fera-t-il demain", "raconte moi une blague", "qui a gagné le match", "recette de la tarte aux pommes",
		"le cours du bitcoin", "horaires du train pour lyon", "traduire bonjour en anglais", "quelle heure est il"} {
		oos = append(oos, dataset.Example{ID: "o" + strconv.Itoa(i), Text: q, Label: "-1"})
	}
	all := job.Examples
	job.Examples = append(all[:18:18], oos[:2]...) // two out-of-scope questions in the training data: dropped
	job.ValidExamples = append(all[18:24:24], oos[2:5]...)
	test := filepath.Join(dir, "test.jsonl")
	var b strings.Builder
	for _, e := range append(all[:6:6], oos[5:]...) {
		fmt.Fprintf(&b, "{\"text\": %q, \"label\": %q}\n", e.Text, e.Label)
	}
	os.WriteFile(test, []byte(b.String()), 0o644)
	job.TestData = Source{Path: test}
	job.OOS = &OOSJob{Label: "-1", AutoThreshold: true}
	res, err := Run(context.Background(), job, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(res.Model.Labels(), "-1") || res.Report.Data.OOSTrainDropped != 2 {
		t.Fatalf("out-of-scope questions were trained on: labels %v, dropped %d", res.Model.Labels(), res.Report.Data.OOSTrainDropped)
	}
	o := res.Model.OOS()
	if o == nil || o.Label != "-1" || !strings.HasPrefix(o.Fitted, "auto") || res.Report.OOS == nil || res.Report.OOS.OutScope != 3 {
		t.Fatalf("OOS rule %+v report %+v", o, res.Report.OOS)
	}
	if res.Report.Test == nil || res.Report.Test.OOS == nil || res.Report.Test.OOS.OutScope != 3 || res.Report.Test.NValid != 9 {
		t.Fatalf("test report %+v", res.Report.Test)
	}
	// A fixed threshold of 1 sends everything to the fallback.
	job.OOS = &OOSJob{Label: "-1", Threshold: 1}
	res, err = Run(context.Background(), job, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Report.OOS; r.OOSRecall != 1 || r.InScopeAccuracy != 0 {
		t.Fatalf("threshold 1: %+v", r)
	}
}

// A search before the final fit: the exported model has the best
// configuration.
func TestRunTune(t *testing.T) {
	job := tinyJob()
	job.Tune = &tune.Options{Space: tune.Space{C: []float64{0.05, 5}, Solvers: []string{"l2"}, ClassWeights: []string{"none"},
		MinDF: []int{1}, WordMax: []int{1}, Char: [][2]int{{2, 4}}}}
	var stages []string
	res, err := Run(context.Background(), job, Hooks{Stage: func(s string) error { stages = append(stages, s); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tuning == nil || len(res.Tuning.Trials) != 2 || !slices.Contains(stages, "tune") {
		t.Fatalf("tuning %+v stages %v", res.Tuning, stages)
	}
	if got := res.Model.Meta().C; got != res.Tuning.Best.C {
		t.Errorf("the model was fitted with C %v, the search chose %v", got, res.Tuning.Best.C)
	}
}

// A server's bound on the data a task may train.
func TestRunMaxExamples(t *testing.T) {
	job := tinyJob()
	job.MaxExamples = 10
	if _, err := Run(context.Background(), job, Hooks{}); err == nil || !strings.Contains(err.Error(), "more than 10 questions") {
		t.Fatalf("24 examples under a limit of 10: %v", err)
	}
	job.MaxExamples = 24
	if _, err := Run(context.Background(), job, Hooks{}); err != nil {
		t.Fatalf("24 examples under a limit of 24: %v", err)
	}
	job = Job{Data: Source{Path: testmodelSample(t)}, Config: model.DefaultConfig(), MaxExamples: 100}
	if _, err := Run(context.Background(), job, Hooks{}); err == nil || !strings.Contains(err.Error(), "more than 100 questions") {
		t.Fatalf("the sample under a limit of 100: %v", err)
	}
}

func testmodelSample(t *testing.T) string {
	dir := filepath.Join("..", "..", "data", "sample")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no sample: %v", err)
	}
	return dir
}
