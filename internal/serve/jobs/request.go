package jobs

import (
	"intent/internal/errcode"
	"intent/internal/serve/versions"
	"intent/model"
	"intent/model/svm"
	"intent/model/tune"
	"strings"
)

// Request is the body of POST /train as sent; absent fields take
// their defaults in plan.
type Request struct {
	Data string `json:"data"`
	// Dataset names a dataset GET /datasets lists, instead of Data; the
	// columns (text_col, label_col, id_col) apply to either (source.go).
	Dataset     string         `json:"dataset"`
	TextCol     string         `json:"text_col"`
	LabelCol    string         `json:"label_col"`
	IDCol       string         `json:"id_col"`
	UseExamples *bool          `json:"use_examples"`
	Options     RequestOptions `json:"options"`
	MakeDefault string         `json:"make_default"`
	// Model names the model to train into (a new one is created); absent
	// or "default" is the default model.
	Model string `json:"model"`
	// Search, when given, tunes the hyperparameters on the validation
	// split before the final fit (see package tune); its absent fields
	// take tune's defaults.
	Search *SearchRequest `json:"search"`
	// Callback, when given, receives the task's events (callback.go).
	Callback *CallbackRequest `json:"callback"`
}

// SearchRequest is the "search" of POST /train.
type SearchRequest struct {
	Search  string       `json:"search"` // grid or random
	Budget  int          `json:"budget"`
	Halving bool         `json:"halving"`
	Metric  string       `json:"metric"` // accuracy or macro-f1
	Space   *SpaceFields `json:"space"`
}

// SpaceFields are the values each setting may take; an absent one takes
// tune.DefaultSpace's.
type SpaceFields struct {
	C            []float64 `json:"c"`
	Solvers      []string  `json:"solvers"`
	ClassWeights []string  `json:"class_weights"`
	MinDF        []int     `json:"min_df"`
	WordNgrams   []int     `json:"word_ngrams"`
	CharRanges   [][2]int  `json:"char_ranges"`
}

type RequestOptions struct {
	Valid       *float64 `json:"valid"`
	Seed        *int64   `json:"seed"`
	C           *float64 `json:"c"`
	Solver      string   `json:"solver"`
	MinDF       *int     `json:"min_df"`
	ClassWeight string   `json:"class_weight"`
	Refit       *bool    `json:"refit"`
}

// Plan is a validated training request with every default filled in.
// It is what a task stores as its request and what GET /status shows.
type Plan struct {
	Data        string        `json:"data,omitempty"`
	Dataset     string        `json:"dataset,omitempty"`
	TextCol     string        `json:"text_col,omitempty"`
	LabelCol    string        `json:"label_col,omitempty"`
	IDCol       string        `json:"id_col,omitempty"`
	UseExamples bool          `json:"use_examples"`
	Options     PlanOptions   `json:"options"`
	MakeDefault string        `json:"make_default"`
	Search      *tune.Options `json:"search,omitempty"`
	Model       string        `json:"model,omitempty"` // "": the default model
	Callback    *Callback     `json:"callback,omitempty"`
}

type PlanOptions struct {
	Valid       float64 `json:"valid"`
	Seed        int64   `json:"seed"`
	C           float64 `json:"c"`
	Solver      string  `json:"solver"`
	MinDF       int     `json:"min_df"`
	ClassWeight string  `json:"class_weight"`
	// Refit trains the published model on all the data after measuring it.
	Refit bool `json:"refit"`
}

// maxSearchBudget bounds the configurations one training task may try.
const maxSearchBudget = 200

// The values of make_default.
const (
	MakeDefaultIfBetter = "if_better" // the default: pin the new version only if its accuracy beats the default's
	MakeDefaultAlways   = "always"
	MakeDefaultNever    = "never"
)

const RequestShape = `{"data": "path/under/data-folder" or "dataset": "name", "text_col": "question", "label_col": "intent", "id_col": "id", "use_examples": true, "options": {"valid": 0.2, "seed": 42, "c": 1, "solver": "l2", "min_df": 2, "class_weight": "none", "refit": false}, "make_default": "if_better"}`

// plan validates req and fills in the defaults. dataDir confines data.
func (req Request) Plan(dataDir string) (Plan, error) {
	def := model.DefaultConfig()
	p := Plan{
		Data:        req.Data,
		UseExamples: req.Data == "",
		MakeDefault: MakeDefaultIfBetter,
		Options: PlanOptions{
			Valid: 0.2, Seed: def.Seed, C: def.SVM.C, Solver: def.SVM.Solver.String(),
			MinDF: def.Features.MinDF, ClassWeight: "none",
		},
	}
	if err := req.planSource(dataDir, &p); err != nil {
		return p, err
	}
	p.UseExamples = p.Data == ""
	if req.UseExamples != nil {
		p.UseExamples = *req.UseExamples
	}
	if p.Data == "" && !p.UseExamples {
		return p, errcode.New(errcode.Invalid, `nothing to train on: give "data" (a path under the data folder) or "dataset" (a name GET /datasets lists), "use_examples": true, or both`)
	}
	if p.Data != "" {
		if _, err := Confine(dataDir, p.Data); err != nil {
			return p, err
		}
	}
	o := req.Options
	if o.Valid != nil {
		if !(*o.Valid > 0 && *o.Valid < 1) {
			return p, errcode.New(errcode.Invalid, `options.valid must be between 0 and 1 (exclusive), got %v`, *o.Valid)
		}
		p.Options.Valid = *o.Valid
	}
	if o.Seed != nil {
		p.Options.Seed = *o.Seed
	}
	if o.C != nil {
		if !(*o.C > 0 && *o.C <= 1e6) {
			return p, errcode.New(errcode.Invalid, `options.c must be > 0 and at most 1e6, got %v`, *o.C)
		}
		p.Options.C = *o.C
	}
	if o.Solver != "" {
		s, err := svm.ParseSolver(o.Solver)
		if err != nil {
			return p, errcode.New(errcode.Invalid, `options.solver %q: use l2 (L2-loss one-vs-rest), l1 or cs (Crammer-Singer)`, errcode.Truncate(o.Solver, 20))
		}
		p.Options.Solver = s.String()
	}
	if o.MinDF != nil {
		if *o.MinDF < 1 || *o.MinDF > 1000 {
			return p, errcode.New(errcode.Invalid, `options.min_df must be between 1 and 1000, got %d`, *o.MinDF)
		}
		p.Options.MinDF = *o.MinDF
	}
	if o.Refit != nil {
		p.Options.Refit = *o.Refit
	}
	switch o.ClassWeight {
	case "":
	case "none", "balanced":
		p.Options.ClassWeight = o.ClassWeight
	default:
		return p, errcode.New(errcode.Invalid, `options.class_weight %q: use none or balanced`, errcode.Truncate(o.ClassWeight, 20))
	}
	if q := req.Search; q != nil {
		sp := tune.DefaultSpace()
		if f := q.Space; f != nil {
			if f.C != nil {
				sp.C = f.C
			}
			if f.Solvers != nil {
				sp.Solvers = f.Solvers
			}
			if f.ClassWeights != nil {
				sp.ClassWeights = f.ClassWeights
			}
			if f.MinDF != nil {
				sp.MinDF = f.MinDF
			}
			if f.WordNgrams != nil {
				sp.WordMax = f.WordNgrams
			}
			if f.CharRanges != nil {
				sp.Char = f.CharRanges
			}
		}
		o := &tune.Options{Space: sp, Search: q.Search, Budget: q.Budget, Halving: q.Halving, Metric: q.Metric, Seed: p.Options.Seed}
		if o.Budget > maxSearchBudget {
			return p, errcode.New(errcode.Invalid, "search.budget %d: a training task tries at most %d configurations", o.Budget, maxSearchBudget)
		}
		if err := o.Validate(); err != nil {
			return p, errcode.New(errcode.Invalid, "search: %s", strings.TrimPrefix(err.Error(), "tune: "))
		}
		p.Search = o
	}
	if req.Model != "" && req.Model != versions.DefaultName {
		if err := versions.CheckName(req.Model); err != nil {
			return p, err
		}
		p.Model = req.Model
	}
	if req.Callback != nil {
		c, err := req.Callback.plan()
		if err != nil {
			return p, err
		}
		p.Callback = c
	}
	switch req.MakeDefault {
	case "":
	case MakeDefaultIfBetter, MakeDefaultAlways, MakeDefaultNever:
		p.MakeDefault = req.MakeDefault
	default:
		return p, errcode.New(errcode.Invalid, `make_default %q: use if_better, always or never`, errcode.Truncate(req.MakeDefault, 20))
	}
	return p, nil
}

// config is the model configuration the plan asks for; workers bounds the
// training's parallelism.
func (p Plan) Config(workers int) (model.Config, error) {
	cfg := model.DefaultConfig()
	solver, err := svm.ParseSolver(p.Options.Solver)
	if err != nil {
		return cfg, err
	}
	cfg.SVM.Solver = solver
	cfg.SVM.C = p.Options.C
	cfg.Features.MinDF = p.Options.MinDF
	cfg.BalancedWeights = p.Options.ClassWeight == "balanced"
	cfg.Seed = p.Options.Seed
	cfg.Workers = workers
	return cfg, cfg.Validate()
}
