package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

func TestParseStrategy(t *testing.T) {
	for _, s := range Strategies() {
		got, err := ParseStrategy(s.String())
		if err != nil || got != s {
			t.Errorf("ParseStrategy(%q) = %v, %v; want %v", s.String(), got, err, s)
		}
	}
	if got, err := ParseStrategy("Least-Confident"); err != nil || got != LeastConfident {
		t.Errorf("ParseStrategy is not case-insensitive: %v, %v", got, err)
	}
	for _, bad := range []string{"", "uncertainty", "least_confident"} {
		if _, err := ParseStrategy(bad); err == nil {
			t.Errorf("ParseStrategy(%q) accepted", bad)
		}
	}
	if s := Strategy(9).String(); s != "Strategy(9)" {
		t.Errorf("String of an unknown strategy = %q", s)
	}
}

// TestStrategyScoreByHand pins each formula on distributions computed on paper.
func TestStrategyScoreByHand(t *testing.T) {
	third := 1.0 / 3
	for _, tc := range []struct {
		name                string
		p                   []float64
		margin, entropy, lc float64
	}{
		// 1 − (0.5 − 0.3); −(0.5 ln 0.5 + 0.3 ln 0.3 + 0.2 ln 0.2); 1 − 0.5
		{"skewed", []float64{0.5, 0.3, 0.2}, 0.8, 1.0296530140645737, 0.5},
		{"unsorted", []float64{0.2, 0.5, 0.3}, 0.8, 1.0296530140645737, 0.5},
		{"uniform", []float64{third, third, third}, 1, math.Log(3), 2.0 / 3},
		{"certain", []float64{0, 1, 0}, 0, 0, 0},
		{"tie at top", []float64{0.45, 0.1, 0.45}, 1, -(2*0.45*math.Log(0.45) + 0.1*math.Log(0.1)), 0.55},
		{"one class", []float64{1}, 0, 0, 0},
		{"empty", nil, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for s, want := range map[Strategy]float64{Margin: tc.margin, Entropy: tc.entropy, LeastConfident: tc.lc, Random: 0} {
				if got := s.Score(tc.p); math.Abs(got-want) > 1e-12 {
					t.Errorf("%v.Score(%v) = %.15g, want %.15g", s, tc.p, got, want)
				}
			}
		})
	}
}

// TestScoreOnModelProbabilities feeds chosen decision values through the
// model's calibrated softmax and checks the scores against the formulas
// written out with the model's temperature.
func TestScoreOnModelProbabilities(t *testing.T) {
	m := trainTiny(t)
	T := m.Temperature()
	scores := []float32{0.5, -0.25, 0.25}
	e := []float64{math.Exp(0.5 / T), math.Exp(-0.25 / T), math.Exp(0.25 / T)}
	z := e[0] + e[1] + e[2]
	p1, p2, p3 := e[0]/z, e[1]/z, e[2]/z // p1 > p3 > p2
	p := m.Probabilities(scores, nil)
	want := map[Strategy]float64{
		Margin:         1 - (p1 - p3),
		Entropy:        -(p1*math.Log(p1) + p2*math.Log(p2) + p3*math.Log(p3)),
		LeastConfident: 1 - p1,
	}
	for s, w := range want {
		if got := s.Score(p); math.Abs(got-w) > 1e-12 {
			t.Errorf("%v on softmax(%v / %.4g) = %.15g, want %.15g", s, scores, T, got, w)
		}
	}
}

// bruteForce scores every text one by one with the public API and ranks
// them by Select's order.
func bruteForce(m *Model, texts []string, s Strategy, seed int64) []Selection {
	all := make([]Selection, len(texts))
	for i, text := range texts {
		p := m.Probabilities(m.Scores(text, nil), nil)
		pred := m.Predict(text)
		score := s.Score(p)
		if s == Random {
			score = randomScore(seed, i)
		}
		all[i] = Selection{Index: i, Text: text, Score: score, Class: pred.Class, Label: pred.Label, Probability: pred.Probability}
	}
	slices.SortStableFunc(all, func(a, b Selection) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return all
}

// manyTexts makes n distinct questions by crossing words of the tiny set.
func manyTexts(n int) []string {
	ex := tinyExamples()
	out := make([]string, n)
	for i := range out {
		a, b := ex[i%len(ex)].Text, ex[(i*7+3)%len(ex)].Text
		out[i] = fmt.Sprintf("%s %s %d", a, b, i)
	}
	return out
}

func TestSelectMatchesBruteForce(t *testing.T) {
	m := trainTiny(t)
	// 40 texts run on one worker; 700 split across workers.
	for _, size := range []int{40, 700} {
		texts := manyTexts(size)
		for _, s := range Strategies() {
			want := bruteForce(m, texts, s, 5)
			for _, n := range []int{1, 10, size} {
				got, err := m.Select(context.Background(), texts, n, s, 5)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != n {
					t.Fatalf("%v size %d n %d: %d selections", s, size, n, len(got))
				}
				for i := range got {
					w := want[i]
					if got[i].Index != w.Index || got[i].Text != w.Text || got[i].Label != w.Label ||
						math.Abs(got[i].Score-w.Score) > 1e-12 || math.Abs(got[i].Probability-w.Probability) > 1e-12 {
						t.Fatalf("%v size %d n %d: selection %d = %+v, want %+v", s, size, n, i, got[i], w)
					}
				}
			}
		}
	}
}

func TestSelectOrderAndTies(t *testing.T) {
	m := trainTiny(t)
	// Duplicates score the same and must come out by index.
	texts := []string{"doliprane enceinte", "dose de doliprane enceinte", "doliprane enceinte", "effets secondaires", "dose de doliprane enceinte"}
	for _, s := range []Strategy{Margin, Entropy, LeastConfident} {
		got, err := m.Select(context.Background(), texts, len(texts), s, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			if a.Score < b.Score || (a.Score == b.Score && a.Index > b.Index) {
				t.Fatalf("%v: %+v before %+v", s, a, b)
			}
		}
		pos := map[int]int{}
		for i, g := range got {
			pos[g.Index] = i
		}
		if pos[0] > pos[2] || pos[1] > pos[4] {
			t.Errorf("%v: duplicates not in index order: %v", s, pos)
		}
	}
}

// TestSelectPrefersAmbiguousQuestions is the point of uncertainty sampling:
// a question mixing two intents ranks above questions the model knows.
func TestSelectPrefersAmbiguousQuestions(t *testing.T) {
	m := trainTiny(t)
	texts := []string{
		"quelle dose de doliprane",              // a training question (dosage)
		"effets secondaires du levothyrox",      // a training question (side effects)
		"effets secondaires doliprane enceinte", // side effects or pregnancy?
		"peut on prendre de l'advil pendant la grossesse",
	}
	for _, s := range []Strategy{Margin, Entropy, LeastConfident} {
		got, err := m.Select(context.Background(), texts, 1, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Index != 2 {
			t.Errorf("%v picked %q (score %.3f), want the ambiguous question", s, got[0].Text, got[0].Score)
		}
	}
}

func TestSelectEdges(t *testing.T) {
	m := trainTiny(t)
	ctx := context.Background()
	got, err := m.Select(ctx, nil, 5, Margin, 0)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("empty input: %v, %v; want an empty non-nil result", got, err)
	}
	got, err = m.Select(ctx, []string{"a", "b"}, 50, Entropy, 0)
	if err != nil || len(got) != 2 {
		t.Errorf("n > len: %d selections, %v; want 2", len(got), err)
	}
	for _, n := range []int{0, -1} {
		if _, err := m.Select(ctx, []string{"a"}, n, Margin, 0); err == nil {
			t.Errorf("n = %d accepted", n)
		}
	}
	if _, err := m.Select(ctx, []string{"a"}, 1, Strategy(42), 0); err == nil {
		t.Error("unknown strategy accepted")
	}
	if _, err := (&Model{}).Select(ctx, []string{"a"}, 1, Margin, 0); !errors.Is(err, ErrNotFitted) {
		t.Errorf("unfitted model: %v, want ErrNotFitted", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.Select(cancelled, manyTexts(1000), 10, Margin, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
}

func TestSelectDeterministic(t *testing.T) {
	m := trainTiny(t)
	texts := manyTexts(900)
	for _, s := range Strategies() {
		a, _ := m.Select(context.Background(), texts, 30, s, 11)
		b, _ := m.Select(context.Background(), texts, 30, s, 11)
		if !slices.Equal(a, b) {
			t.Errorf("%v: two runs differ", s)
		}
	}
}

func TestSelectRandomDependsOnSeed(t *testing.T) {
	m := trainTiny(t)
	texts := manyTexts(500)
	indices := func(seed int64) []int {
		sel, err := m.Select(context.Background(), texts, 20, Random, seed)
		if err != nil {
			t.Fatal(err)
		}
		var idx []int
		seen := map[int]bool{}
		for _, s := range sel {
			if seen[s.Index] || s.Score < 0 || s.Score >= 1 {
				t.Fatalf("seed %d: bad selection %+v", seed, s)
			}
			seen[s.Index] = true
			idx = append(idx, s.Index)
		}
		return idx
	}
	a, b := indices(1), indices(2)
	if slices.Equal(a, b) {
		t.Errorf("seeds 1 and 2 picked the same texts: %v", a)
	}
	if !slices.Equal(a, indices(1)) {
		t.Error("seed 1 picked different texts on a second run")
	}
	// Uniformity, roughly: over many draws the mean is near 1/2.
	var sum float64
	for i := range 10000 {
		sum += randomScore(3, i)
	}
	if mean := sum / 10000; math.Abs(mean-0.5) > 0.02 {
		t.Errorf("mean random score %.4f, want about 0.5", mean)
	}
}

func BenchmarkSelect(b *testing.B) {
	m := trainTiny(b)
	texts := manyTexts(5000)
	for _, s := range []Strategy{Margin, Random} {
		b.Run(s.String(), func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Select(context.Background(), texts, 50, s, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
