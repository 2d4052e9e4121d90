package pipeline

import (
	"intent/model"
	"intent/model/dataset"
	"intent/model/tune"
)

// Defaults, defined once for the CLI and the server.
const (
	// DefaultValid is the share of each intent held out for validation.
	DefaultValid = 0.2
	// MinPerIntent is the fewest questions an intent needs to be both
	// trained on and measured; smaller intents are kept for training only.
	MinPerIntent = dataset.MinPerLabel
)

// Source is a dataset file or Posos folder to read.
type Source struct {
	Path    string
	Options dataset.Options
	// Name is how reports and errors name it ("" means Path). The server
	// gives the path relative to its data folder, never its own location.
	Name string
	// Flag is the command-line flag or request field that gave it, so
	// that an error blames the right one ("--valid-data").
	Flag string
}

func (s Source) name() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Path
}

// Job is one training run.
type Job struct {
	// Data is the labeled data to read (zero Path: none), Examples are
	// labeled examples already in memory (the server's stored examples),
	// named ExamplesName in reports. Both are used when both are given.
	Data         Source
	Examples     []dataset.Example
	ExamplesName string
	// ValidData is a fixed validation set; when its Path is empty a
	// stratified split of the data holds out Valid of each intent (0 means
	// DefaultValid), seeded by Config.Seed.
	ValidData Source
	// ValidExamples is a fixed validation set already in memory (a fold of
	// cross-validation, a tuning split); it wins over ValidData and Valid.
	ValidExamples []dataset.Example
	Valid         float64
	// Refit, after the evaluation, trains the exported model again on all
	// the labeled data (training and validation questions); the report's
	// metrics stay those of the model that did not see the validation
	// questions, and say so.
	Refit bool
	// Tune, when set, searches the hyperparameters on the validation
	// questions before the final fit, which then uses the best
	// configuration (Result.Tuning has the whole table).
	Tune *tune.Options
	// OOS, when set, gives the model an out-of-scope rule (see OOSJob).
	OOS *OOSJob
	// TestData, when its Path is set, is scored after training (and after
	// the out-of-scope threshold is fitted): Report.Test. A model selected
	// on the validation questions is measured without optimism only there.
	TestData Source
	// Config is the model's; its LabelNames default to intents.csv beside
	// a Posos folder.
	Config model.Config
	// MaxExamples, when positive, refuses data with more questions than
	// that (data file and in-memory examples together): a server bounds the
	// memory a training task may take. The file is read no further than
	// that, so the refusal costs little.
	MaxExamples int
	// ShowPath rewrites a file path for reports and messages (the server
	// hides its data folder); nil keeps paths as they are.
	ShowPath func(string) string
}

// OOSJob says how a model answers "none of my intents". Questions labeled
// Label are out of scope: never trained on (a question with no intent of
// the model's), kept in the validation and test sets to fit and measure
// the threshold below which the model answers Fallback.
type OOSJob struct {
	Label string
	// Threshold is a fixed probability threshold; AutoThreshold fits it on
	// the validation questions (model.FitOOSThreshold).
	Threshold     float64
	AutoThreshold bool
	// MaxLoss is the in-scope accuracy an automatic threshold may give up
	// (0 means model.DefaultOOSMaxLoss).
	MaxLoss float64
	// Fallback is the label answered below the threshold ("" means Label).
	Fallback string
}

// Hooks let a caller follow a run. Every field may be nil.
type Hooks struct {
	// Stage is called when a stage starts: load, check, split, featurize,
	// fit, calibrate (from model.Train's progress), evaluate. An error
	// stops the run.
	Stage func(stage string) error
	// Progress reports progress within model.Train's stages.
	Progress model.Progress
	// Checked is called with the data report once the data is read and
	// checked, before training; an error stops the run.
	Checked func(*model.DataInfo) error
}

// Result is a trained and measured model.
type Result struct {
	Model *model.Model
	// Report holds the metrics on Valid, how the model was trained and the
	// data report (Report.Data).
	Report       *model.Report
	Train, Valid []dataset.Example
	// Timings of every stage, load to evaluate, in order.
	Timings []model.Timing
	// Tuning is the search's table, with Job.Tune.
	Tuning *tune.Result
}
