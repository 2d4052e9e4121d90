package tune

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"intent/model"
	"intent/model/dataset"
	"intent/model/features"
	"intent/model/metrics"
	"intent/model/sparse"
	"intent/model/svm"
)

// Options configure a search.
type Options struct {
	Space Space `json:"space"`
	// Search is "grid" (every configuration, or Budget of them drawn at
	// random when there are more) or "random" (Budget draws, C
	// log-uniform).
	Search string `json:"search"`
	Budget int    `json:"budget"`
	// Halving runs successive halving: every configuration is first trained
	// on a stratified 1/Eta^R of the training part, the best 1/Eta go on to
	// Eta times more rows, and so on to the whole training part.
	Halving bool `json:"halving"`
	// Metric is what is maximized: "accuracy" or "macro-f1".
	Metric string `json:"metric"`
	Seed   int64  `json:"seed"`
	// Workers bounds the configurations trained at once (0: all cores).
	Workers int `json:"-"`
}

// DefaultBudget is how many configurations a search tries by default.
const DefaultBudget = 24

// eta is successive halving's reduction factor.
const eta = 3

// Validate fills in defaults and reports bad options.
func (o *Options) Validate() error {
	if o.Search == "" {
		o.Search = "grid"
	}
	if o.Search != "grid" && o.Search != "random" {
		return fmt.Errorf("tune: search %q: use grid or random", o.Search)
	}
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	if o.Budget < 1 || o.Budget > 10000 {
		return fmt.Errorf("tune: budget %d must be between 1 and 10000 configurations", o.Budget)
	}
	if o.Metric == "" {
		o.Metric = "accuracy"
	}
	if o.Metric != "accuracy" && o.Metric != "macro-f1" {
		return fmt.Errorf("tune: metric %q: use accuracy or macro-f1", o.Metric)
	}
	return o.Space.Validate()
}

// Trial is one configuration trained on NTrain rows and scored on the
// validation questions.
type Trial struct {
	Params
	Rung     int     `json:"rung"` // 0 = the fewest rows; the last rung trains on all
	NTrain   int     `json:"n_train"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	Score    float64 `json:"score"`
	Seconds  float64 `json:"seconds"`
	Error    string  `json:"error,omitempty"`
}

// Result is a finished search.
type Result struct {
	Options Options `json:"options"`
	// Trials are every trial, the best first: by rung (the last first),
	// then score.
	Trials   []Trial `json:"trials"`
	Best     Params  `json:"best"`
	BestOf   Trial   `json:"best_trial"`
	Configs  int     `json:"configurations"`
	Encoders int     `json:"encoder_settings"`
	NValid   int     `json:"n_valid"`
	Seconds  float64 `json:"seconds"`
}

// Progress is told about each finished trial.
type Progress func(done, total int, t Trial)

// Run searches the space: every configuration is trained on train (with
// base's other settings) and scored on valid. Features are computed once
// per encoder setting. It needs at least one validation question.
func Run(ctx context.Context, train, valid []dataset.Example, base model.Config, o Options, progress Progress) (*Result, error) {
	start := time.Now()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if len(valid) == 0 {
		return nil, errors.New("tune: no validation questions to score configurations on")
	}
	if progress == nil {
		progress = func(int, int, Trial) {}
	}
	var configs []Params
	grid := o.Space.Grid()
	switch {
	case o.Search == "random":
		configs = o.Space.Random(o.Budget, o.Seed)
	case len(grid) > o.Budget:
		r := rand.New(rand.NewPCG(uint64(o.Seed), 0x6772_6964))
		r.Shuffle(len(grid), func(i, j int) { grid[i], grid[j] = grid[j], grid[i] })
		configs = grid[:o.Budget]
	default:
		configs = grid
	}
	if len(configs) == 0 {
		return nil, errors.New("tune: the space has no usable configuration (each needs words or characters)")
	}

	labels, y, err := index(train)
	if err != nil {
		return nil, err
	}
	lab := map[string]int32{}
	for i, l := range labels {
		lab[l] = int32(i)
	}
	yv := make([]int32, len(valid))
	var extra []string // validation labels the training part lacks: always wrong
	for i, e := range valid {
		c, ok := lab[e.Label]
		if !ok {
			c = int32(len(labels) + len(extra))
			lab[e.Label] = c
			extra = append(extra, e.Label)
		}
		yv[i] = c
	}
	allLabels := append(slices.Clone(labels), extra...)

	// Features once per encoder setting.
	encs := map[encoder]*featured{}
	var order []encoder
	for _, p := range configs {
		if _, ok := encs[p.encoder()]; !ok {
			encs[p.encoder()] = nil
			order = append(order, p.encoder())
		}
	}
	trainTexts, validTexts := texts(train), texts(valid)
	for _, e := range order {
		f, err := featurize(ctx, trainTexts, validTexts, base, e)
		if err != nil {
			return nil, err
		}
		encs[e] = f
	}

	rungs := []int{len(train)}
	if o.Halving && len(configs) > 1 {
		rungs = halvingRows(len(train), len(configs), len(labels))
	}
	res := &Result{Options: o, Configs: len(configs), Encoders: len(order), NValid: len(valid)}
	total := 0
	for r, alive := 0, len(configs); r < len(rungs); r++ {
		total += alive
		alive = max(1, (alive+eta-1)/eta)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	done := 0
	alive := configs
	for r, rows := range rungs {
		idx := stratified(y, rows, o.Seed+int64(r))
		trials := make([]Trial, len(alive))
		var mu sync.Mutex
		jobs := make(chan int)
		var wg sync.WaitGroup
		for range min(workers, len(alive)) {
			wg.Go(func() {
				for i := range jobs {
					t := trial(ctx, alive[i], encs[alive[i].encoder()], y, idx, yv, len(labels), allLabels, base, o.Metric)
					t.Rung = r
					trials[i] = t
					mu.Lock()
					done++
					progress(done, total, t)
					mu.Unlock()
				}
			})
		}
		for i := range alive {
			if ctx.Err() != nil {
				break
			}
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res.Trials = append(res.Trials, trials...)
		sort.SliceStable(trials, func(a, b int) bool { return better(trials[a], trials[b]) })
		keep := max(1, (len(trials)+eta-1)/eta)
		if r == len(rungs)-1 {
			keep = len(trials)
		}
		alive = alive[:0:0]
		for _, t := range trials[:keep] {
			if t.Error == "" {
				alive = append(alive, t.Params)
			}
		}
		if len(alive) == 0 {
			return nil, fmt.Errorf("tune: every configuration failed; the first: %s", trials[0].Error)
		}
	}
	sort.SliceStable(res.Trials, func(a, b int) bool {
		ta, tb := res.Trials[a], res.Trials[b]
		if ta.Rung != tb.Rung {
			return ta.Rung > tb.Rung
		}
		return better(ta, tb)
	})
	res.BestOf = res.Trials[0]
	res.Best = res.BestOf.Params
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// better orders trials: a higher score, then (ties) the smaller C and the
// simpler settings, so the choice is stable; failed trials last.
func better(a, b Trial) bool {
	if (a.Error == "") != (b.Error == "") {
		return a.Error == ""
	}
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.C < b.C
}

// featured is the training rows (in the solvers' form, shared read-only by
// the trials) and the validation matrix of one encoder setting.
type featured struct {
	M   *svm.Matrix
	V   *sparse.Matrix
	err error
}

func featurize(ctx context.Context, train, valid []string, base model.Config, e encoder) (*featured, error) {
	fc := base.Features
	fc.MinDF, fc.Text.WordMax, fc.Text.CharMin, fc.Text.CharMax = e.minDF, e.wordMax, e.charMin, e.charMax
	enc, X, err := features.FitTransform(ctx, train, fc, base.Workers)
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		// A setting that leaves no features (min-df too high for tiny
		// data) fails its trials, not the search.
		return &featured{err: err}, nil
	}
	V, err := enc.TransformAll(ctx, valid, base.Workers)
	if err != nil {
		return nil, err
	}
	M, err := svm.NewMatrix(X)
	if err != nil {
		return nil, err
	}
	return &featured{M: M, V: V}, nil
}

// trial trains p on the rows idx of the training matrix and scores it on
// the validation matrix. The decision values are compared directly: the
// temperature does not change the best class.
func trial(ctx context.Context, p Params, f *featured, y []int32, idx []int, yv []int32, classes int, labels []string, base model.Config, metric string) Trial {
	start := time.Now()
	t := Trial{Params: p, NTrain: len(idx)}
	fail := func(err error) Trial {
		t.Error, t.Seconds = err.Error(), time.Since(start).Seconds()
		return t
	}
	if f.err != nil {
		return fail(f.err)
	}
	cfg, err := p.Apply(base)
	if err != nil {
		return fail(err)
	}
	scfg := cfg.SVM
	scfg.Seed, scfg.Workers = cfg.Seed, 1 // configurations run in parallel
	ys := y
	if len(idx) < len(y) {
		// A halving rung: fit on those rows in place.
		scfg.Rows = idx
		ys = make([]int32, len(idx))
		for i, r := range idx {
			ys[i] = y[r]
		}
	}
	if cfg.BalancedWeights {
		scfg.ClassWeights = svm.BalancedWeights(ys, classes)
	}
	clf, err := f.M.Fit(ctx, ys, classes, scfg, nil)
	if err != nil {
		return fail(err)
	}
	pred := make([]int32, len(yv))
	scores := make([]float32, classes)
	for i := range yv {
		scores = clf.Decision(f.V.Row(i), scores)
		best := 0
		for j, s := range scores {
			if s > scores[best] {
				best = j
			}
		}
		pred[i] = int32(best)
	}
	rep, err := metrics.Evaluate(labels, yv, pred)
	if err != nil {
		return fail(err)
	}
	t.Accuracy, t.MacroF1 = rep.Accuracy, rep.MacroF1
	t.Score = t.Accuracy
	if metric == "macro-f1" {
		t.Score = t.MacroF1
	}
	t.Seconds = time.Since(start).Seconds()
	return t
}

// halvingRows is the training rows of each rung: the last is all n; each
// earlier one eta times fewer, starting where every configuration but the
// best 1/eta^R is dropped, never below two rows per class.
func halvingRows(n, configs, classes int) []int {
	r := int(math.Floor(math.Log(float64(configs)) / math.Log(eta)))
	var rows []int
	for k := r; k >= 0; k-- {
		m := int(float64(n) / math.Pow(eta, float64(k)))
		if m < 2*classes || m < 10 {
			continue
		}
		rows = append(rows, m)
	}
	if len(rows) == 0 || rows[len(rows)-1] != n {
		rows = append(rows, n)
	}
	return rows
}

// stratified picks m of the rows of y, the same share of each class (at
// least one each), seeded; all rows when m >= len(y).
func stratified(y []int32, m int, seed int64) []int {
	if m >= len(y) {
		out := make([]int, len(y))
		for i := range out {
			out[i] = i
		}
		return out
	}
	byClass := map[int32][]int{}
	var classes []int32
	for i, c := range y {
		if _, ok := byClass[c]; !ok {
			classes = append(classes, c)
		}
		byClass[c] = append(byClass[c], i)
	}
	slices.Sort(classes)
	r := rand.New(rand.NewPCG(uint64(seed), 0x7374_7261))
	frac := float64(m) / float64(len(y))
	var out []int
	for _, c := range classes {
		rows := byClass[c]
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		k := max(1, int(math.Round(frac*float64(len(rows)))))
		out = append(out, rows[:k]...)
	}
	slices.Sort(out)
	return out
}

func texts(ex []dataset.Example) []string {
	out := make([]string, len(ex))
	for i, e := range ex {
		out[i] = e.Text
	}
	return out
}

// index sorts the distinct labels of the training part and maps each
// example to its index.
func index(ex []dataset.Example) ([]string, []int32, error) {
	set := map[string]bool{}
	for _, e := range ex {
		set[e.Label] = true
	}
	if len(set) < 2 {
		return nil, nil, fmt.Errorf("tune: %d intent(s) in the training part: need at least 2", len(set))
	}
	labels := make([]string, 0, len(set))
	for l := range set {
		labels = append(labels, l)
	}
	dataset.SortLabels(labels)
	pos := map[string]int32{}
	for i, l := range labels {
		pos[l] = int32(i)
	}
	y := make([]int32, len(ex))
	for i, e := range ex {
		y[i] = pos[e.Label]
	}
	return labels, y, nil
}
