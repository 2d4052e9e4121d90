package tune

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"testing"

	"intent/internal/testmodel"
	"intent/model"
	"intent/model/dataset"
)

func split(t *testing.T) (train, valid []dataset.Example) {
	t.Helper()
	ex := testmodel.Examples(testmodel.Sets["string"])
	train, valid, _, err := dataset.Split(ex, 0.25, 7)
	if err != nil {
		t.Fatal(err)
	}
	return train, valid
}

func smallSpace() Space {
	return Space{C: []float64{0.1, 1}, Solvers: []string{"l2", "cs"}, ClassWeights: []string{"none"}, MinDF: []int{1}, WordMax: []int{1, 2}, Char: [][2]int{{2, 4}}}
}

func TestGridSearch(t *testing.T) {
	train, valid := split(t)
	var calls int
	res, err := Run(context.Background(), train, valid, model.DefaultConfig(), Options{Space: smallSpace()}, func(done, total int, tr Trial) {
		calls++
		if total != 8 || done < 1 || done > total {
			t.Errorf("progress %d/%d", done, total)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Configs != 8 || len(res.Trials) != 8 || calls != 8 || res.Encoders != 2 {
		t.Fatalf("configs %d trials %d calls %d encoders %d", res.Configs, len(res.Trials), calls, res.Encoders)
	}
	for i := 1; i < len(res.Trials); i++ {
		if res.Trials[i].Score > res.Trials[i-1].Score {
			t.Fatalf("trials not sorted by score: %v then %v", res.Trials[i-1].Score, res.Trials[i].Score)
		}
	}
	if res.Best != res.Trials[0].Params || res.BestOf.Accuracy <= 0.5 || res.BestOf.NTrain != len(train) {
		t.Fatalf("best %+v", res.BestOf)
	}
	// The same search gives the same table.
	again, err := Run(context.Background(), train, valid, model.DefaultConfig(), Options{Space: smallSpace()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Trials {
		a, b := res.Trials[i], again.Trials[i]
		a.Seconds, b.Seconds = 0, 0
		if a != b {
			t.Fatalf("trial %d differs: %+v vs %+v", i, a, b)
		}
	}
	var buf bytes.Buffer
	if err := res.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 9 || rows[0][0] != "rank" || rows[1][0] != "1" {
		t.Fatalf("csv %v, %v", rows, err)
	}
}

func TestBudgetRandomAndHalving(t *testing.T) {
	train, valid := split(t)
	sp := smallSpace()
	sp.C = LogScale(0.01, 100, 9)
	res, err := Run(context.Background(), train, valid, model.DefaultConfig(), Options{Space: sp, Budget: 5}, nil)
	if err != nil || res.Configs != 5 {
		t.Fatalf("grid over budget: %d configs, %v", res.Configs, err)
	}
	res, err = Run(context.Background(), train, valid, model.DefaultConfig(), Options{Space: sp, Search: "random", Budget: 6, Seed: 3}, nil)
	if err != nil || res.Configs != 6 {
		t.Fatalf("random: %+v, %v", res, err)
	}
	for _, tr := range res.Trials {
		if tr.C < 0.01 || tr.C > 100 {
			t.Fatalf("C %v outside the space", tr.C)
		}
	}
	// Halving: 9 configurations, the best third go on; the last rung
	// trains on every row.
	many := Options{Space: sp, Budget: 9, Halving: true}
	res, err = Run(context.Background(), train, valid, model.DefaultConfig(), many, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rungs []int
	for _, tr := range res.Trials {
		if !slices.Contains(rungs, tr.Rung) {
			rungs = append(rungs, tr.Rung)
		}
	}
	if len(res.Trials) >= 2*9 || res.BestOf.NTrain != len(train) || res.BestOf.Rung != slices.Max(rungs) {
		t.Logf("rows per rung %v", halvingRows(len(train), 9, 3))
		t.Fatalf("halving: %d trials, best on %d rows at rung %d (rungs %v)", len(res.Trials), res.BestOf.NTrain, res.BestOf.Rung, rungs)
	}
}

func TestHalvingRowsAndOptions(t *testing.T) {
	if got := halvingRows(15000, 24, 150); !slices.Equal(got, []int{1666, 5000, 15000}) {
		t.Errorf("halvingRows(15000, 24, 150) = %v", got)
	}
	if got := halvingRows(30, 27, 3); got[len(got)-1] != 30 || got[0] < 10 {
		t.Errorf("halvingRows(30, 27, 3) = %v", got)
	}
	for _, o := range []Options{{Space: smallSpace(), Search: "bayes"}, {Space: smallSpace(), Metric: "f2"}, {Space: smallSpace(), Budget: -1},
		{Space: Space{C: []float64{-1}, Solvers: []string{"l2"}, ClassWeights: []string{"none"}, MinDF: []int{1}, WordMax: []int{1}, Char: [][2]int{{2, 4}}}}} {
		if err := o.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted", o)
		}
	}
	if v, err := ParseFloats("log:0.01:100:5"); err != nil || !slices.Equal(v, []float64{0.01, 0.1, 1, 10, 100}) {
		t.Errorf("ParseFloats log = %v, %v", v, err)
	}
	if v, err := ParseRanges("2-5,0-0"); err != nil || len(v) != 2 || v[1] != [2]int{0, 0} {
		t.Errorf("ParseRanges = %v, %v", v, err)
	}
}
