package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"intent/model"
	"intent/model/dataset"
)

// Config is one simulated active-learning experiment.
type Config struct {
	PerIntent  int              // labeled questions per intent in the seed set
	Batch      int              // questions the oracle labels per round
	Rounds     int              // rounds after the seed-only model
	Seeds      []int64          // one run per seed (seed set, random picks, solver)
	Strategies []model.Strategy // compared on the same seed sets
	Train      model.Config     // recipe of every model; Seed is set per run
}

// DefaultConfig is what the README table was produced with.
func DefaultConfig() Config {
	train := model.DefaultConfig()
	// Seed sets start with 2 questions per intent: a term must be allowed
	// to appear in a single question or almost nothing is left.
	train.Features.MinDF = 1
	return Config{
		PerIntent:  2,
		Batch:      24,
		Rounds:     8,
		Seeds:      []int64{1, 2, 3, 4, 5},
		Strategies: model.Strategies(),
		Train:      train,
	}
}

// Result holds validation accuracies: Accuracy[s][r] is the mean over seeds
// of strategy s after round r (round 0 is the seed set alone, the same for
// every strategy), PerSeed[s][i][r] the accuracy of seed i.
type Result struct {
	Strategies []model.Strategy
	Seeds      []int64
	Labeled    []int // labeled questions used to train at each round
	Accuracy   [][]float64
	PerSeed    [][][]float64
	NPool      int // training questions the seed sets and picks come from
	NValid     int
	// Full is the mean accuracy of a model trained on every pool question:
	// the ceiling the loop approaches.
	Full float64
}

// Simulate runs the loop on pool (labeled questions whose labels stay
// hidden until selected) and measures each model on valid. For each seed it
// draws PerIntent questions of every intent as the seed set, then, for each
// strategy, repeats Rounds times: select Batch questions from the unlabeled
// rest with the current model, have the oracle reveal their labels (they
// are in pool), retrain on everything labeled so far, evaluate.
func Simulate(ctx context.Context, pool, valid []dataset.Example, cfg Config) (*Result, error) {
	if cfg.PerIntent < 1 || cfg.Batch < 1 || cfg.Rounds < 0 || len(cfg.Seeds) == 0 || len(cfg.Strategies) == 0 {
		return nil, fmt.Errorf("active learning: bad config %+v", cfg)
	}
	res := &Result{Strategies: cfg.Strategies, Seeds: cfg.Seeds, NPool: len(pool), NValid: len(valid)}
	res.Accuracy = make([][]float64, len(cfg.Strategies))
	res.PerSeed = make([][][]float64, len(cfg.Strategies))
	for s := range cfg.Strategies {
		res.Accuracy[s] = make([]float64, cfg.Rounds+1)
		res.PerSeed[s] = make([][]float64, len(cfg.Seeds))
	}
	for si, seed := range cfg.Seeds {
		tc := cfg.Train
		tc.Seed = seed
		labeled := seedSet(pool, cfg.PerIntent, seed)
		m0, acc0, err := trainEval(ctx, pool, labeled, valid, tc)
		if err != nil {
			return nil, fmt.Errorf("seed %d, seed set: %w", seed, err)
		}
		full, err := trainEvalAll(ctx, pool, valid, tc)
		if err != nil {
			return nil, fmt.Errorf("seed %d, full pool: %w", seed, err)
		}
		res.Full += full / float64(len(cfg.Seeds))
		if si == 0 {
			res.Labeled = append(res.Labeled, len(labeled))
		}
		for s, strat := range cfg.Strategies {
			curve := []float64{acc0}
			m, have := m0, slices.Clone(labeled)
			for r := 1; r <= cfg.Rounds; r++ {
				picked, err := pick(ctx, m, pool, have, cfg.Batch, strat, seed*1000+int64(r))
				if err != nil {
					return nil, fmt.Errorf("seed %d, %v, round %d: %w", seed, strat, r, err)
				}
				if len(picked) == 0 {
					break // the pool is exhausted
				}
				have = append(have, picked...)
				var acc float64
				if m, acc, err = trainEval(ctx, pool, have, valid, tc); err != nil {
					return nil, fmt.Errorf("seed %d, %v, round %d: %w", seed, strat, r, err)
				}
				curve = append(curve, acc)
				if si == 0 && s == 0 {
					res.Labeled = append(res.Labeled, len(have))
				}
			}
			res.PerSeed[s][si] = curve
		}
	}
	for s := range cfg.Strategies {
		for r := range res.Accuracy[s] {
			n := 0
			for _, curve := range res.PerSeed[s] {
				if r < len(curve) {
					res.Accuracy[s][r] += curve[r]
					n++
				}
			}
			if n > 0 {
				res.Accuracy[s][r] /= float64(n)
			}
		}
		res.Accuracy[s] = res.Accuracy[s][:len(res.Labeled)]
	}
	return res, nil
}

// seedSet returns the indices into pool of perIntent questions of every
// intent (all of an intent's questions when it has fewer), drawn with a
// generator seeded by seed, in increasing order.
func seedSet(pool []dataset.Example, perIntent int, seed int64) []int {
	byLabel := map[string][]int{}
	for i, e := range pool {
		byLabel[e.Label] = append(byLabel[e.Label], i)
	}
	labels := make([]string, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	dataset.SortLabels(labels)
	r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	var out []int
	for _, l := range labels {
		idx := byLabel[l]
		r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		out = append(out, idx[:min(perIntent, len(idx))]...)
	}
	slices.Sort(out)
	return out
}

// pick asks the model which of the still unlabeled pool questions to label
// next and returns their pool indices. Only the texts are shown to Select;
// the labels are revealed by the caller taking pool[i].
func pick(ctx context.Context, m *model.Model, pool []dataset.Example, have []int, batch int, s model.Strategy, seed int64) ([]int, error) {
	taken := make([]bool, len(pool))
	for _, i := range have {
		taken[i] = true
	}
	var texts []string
	var where []int
	for i, e := range pool {
		if !taken[i] {
			texts = append(texts, e.Text)
			where = append(where, i)
		}
	}
	if len(texts) == 0 {
		return nil, nil
	}
	sel, err := m.Select(ctx, texts, batch, s, seed)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(sel))
	for i, x := range sel {
		out[i] = where[x.Index]
	}
	return out, nil
}

func trainEval(ctx context.Context, pool []dataset.Example, idx []int, valid []dataset.Example, cfg model.Config) (*model.Model, float64, error) {
	ex := make([]dataset.Example, len(idx))
	for i, j := range idx {
		ex[i] = pool[j]
	}
	m, _, err := model.Train(ctx, ex, cfg, nil)
	if err != nil {
		return nil, 0, err
	}
	rep, _, err := m.Evaluate(ctx, valid)
	if err != nil {
		return nil, 0, err
	}
	return m, rep.Accuracy, nil
}

func trainEvalAll(ctx context.Context, pool, valid []dataset.Example, cfg model.Config) (float64, error) {
	all := make([]int, len(pool))
	for i := range all {
		all[i] = i
	}
	_, acc, err := trainEval(ctx, pool, all, valid, cfg)
	return acc, err
}
