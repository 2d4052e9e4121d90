package main

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"intent/model"
	"intent/model/dataset"
)

const sample = "../../data/sample"

func loadSample(t *testing.T) (pool, valid []dataset.Example) {
	t.Helper()
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	ds, err := dataset.Load(sample, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pool, valid, _, err = dataset.Split(ds.Examples, 0.25, 1)
	if err != nil {
		t.Fatal(err)
	}
	return pool, valid
}

// TestSimulateTwoRounds runs the core loop shortly: labeling the picked
// questions must lift validation accuracy above the seed-only model.
func TestSimulateTwoRounds(t *testing.T) {
	pool, valid := loadSample(t)
	cfg := DefaultConfig()
	cfg.Rounds, cfg.Seeds = 2, []int64{1}
	cfg.Strategies = []model.Strategy{model.Margin, model.Random}
	res, err := Simulate(context.Background(), pool, valid, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{32, 56, 80}; !slices.Equal(res.Labeled, want) {
		t.Fatalf("labeled counts %v, want %v (16 intents x 2, then +24 per round)", res.Labeled, want)
	}
	for s, strat := range res.Strategies {
		acc := res.Accuracy[s]
		t.Logf("%v: %.3f", strat, acc)
		if len(acc) != 3 || acc[0] != res.Accuracy[0][0] {
			t.Fatalf("%v: curve %v: want 3 rounds starting from the shared seed-only accuracy", strat, acc)
		}
		if !(acc[2] > acc[0]) {
			t.Errorf("%v: accuracy %.3f after 2 rounds is not above the seed-only %.3f", strat, acc[2], acc[0])
		}
	}
	if !(res.Full > res.Accuracy[0][2]) {
		t.Errorf("training on the whole pool (%.3f) is not above 80 labels (%.3f)", res.Full, res.Accuracy[0][2])
	}
}

func TestSeedSetAndPick(t *testing.T) {
	pool, _ := loadSample(t)
	seed := seedSet(pool, 2, 7)
	counts := map[string]int{}
	for _, i := range seed {
		counts[pool[i].Label]++
	}
	if len(counts) != 16 {
		t.Fatalf("seed set covers %d intents, want 16", len(counts))
	}
	for l, n := range counts {
		if n != 2 {
			t.Errorf("intent %s has %d seed questions, want 2", l, n)
		}
	}
	if !slices.Equal(seed, seedSet(pool, 2, 7)) || slices.Equal(seed, seedSet(pool, 2, 8)) {
		t.Error("seed sets are not reproducible per seed or do not change with it")
	}

	cfg := DefaultConfig().Train
	m, _, err := trainEval(context.Background(), pool, seed, pool[:10], cfg)
	if err != nil {
		t.Fatal(err)
	}
	picked, err := pick(context.Background(), m, pool, seed, 24, model.Margin, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, i := range seed {
		seen[i] = true
	}
	for _, i := range picked {
		if seen[i] {
			t.Fatalf("pick returned %d, already labeled or picked twice", i)
		}
		seen[i] = true
	}
	if len(picked) != 24 {
		t.Fatalf("picked %d, want 24", len(picked))
	}
}

func TestRunPrintsTable(t *testing.T) {
	if _, err := os.Stat(sample); err != nil {
		t.Skipf("sample data absent: %v", err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-data", sample, "-rounds", "1", "-seeds", "3", "-strategies", "entropy,random"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| round | labeled | entropy | random |", "| 1 | 56 |", "| seeds above random | |", "| all | 646 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(context.Background(), []string{"-data", sample, "-strategies", "uncertainty"}, &out); err == nil {
		t.Error("an unknown strategy was accepted")
	}
}
