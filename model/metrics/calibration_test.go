package metrics

import (
	"math"
	"strings"
	"testing"
)

func TestECEByHand(t *testing.T) {
	// Five bins: (0,.2] holds 0, .1, .2 (acc 1/3, conf .1); (.2,.4] holds .3
	// (acc 1); (.4,.6] holds .55 (acc 0); (.8,1] holds .95 and 1 (acc 1,
	// conf .975). ECE = (3·(1/3−.1) + .7 + .55 + 2·.025) / 7 = 2/7.
	conf := []float64{0, 0.1, 0.2, 0.3, 0.95, 1.0, 0.55}
	correct := []bool{false, true, false, true, true, true, false}
	got, err := ECE(conf, correct, 5)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "ECE", got, 2.0/7)

	bins, err := Reliability(conf, correct, 5)
	if err != nil {
		t.Fatal(err)
	}
	wantCount := []int{3, 1, 1, 0, 2}
	for b, w := range wantCount {
		if bins[b].Count != w {
			t.Errorf("bin %d count = %d, want %d", b, bins[b].Count, w)
		}
	}
	checkNear(t, "bin 0 confidence", bins[0].Confidence, 0.1)
	checkNear(t, "bin 0 accuracy", bins[0].Accuracy, 1.0/3)
	checkNear(t, "bin 4 lo", bins[4].Lo, 0.8)
	checkNear(t, "bin 4 hi", bins[4].Hi, 1)
}

func TestECEPerfectAndOneBin(t *testing.T) {
	// Confidence 0.75 with 3 of 4 correct is perfectly calibrated.
	conf := []float64{0.75, 0.75, 0.75, 0.75}
	got, err := ECE(conf, []bool{true, true, true, false}, DefaultBins)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "ECE calibrated", got, 0)
	// One bin: |accuracy − mean confidence|.
	got, err = ECE([]float64{0.9, 0.8, 0.7, 0.6}, []bool{true, false, false, false}, 1)
	if err != nil {
		t.Fatal(err)
	}
	checkNear(t, "ECE one bin", got, 0.75-0.25)
}

func TestECEErrors(t *testing.T) {
	tests := []struct {
		name    string
		conf    []float64
		correct []bool
		bins    int
		want    string
	}{
		{"zero bins", []float64{0.5}, []bool{true}, 0, "bins"},
		{"mismatch", []float64{0.5}, nil, 10, "1 confidences but 0"},
		{"empty", nil, nil, 10, "no confidences"},
		{"NaN", []float64{math.NaN()}, []bool{true}, 10, "outside [0,1]"},
		{"above one", []float64{1.5}, []bool{true}, 10, "outside [0,1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ECE(tt.conf, tt.correct, tt.bins)
			if err == nil || !strings.HasPrefix(err.Error(), "metrics: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLogLossByHand(t *testing.T) {
	probs := []float64{
		0.5, 0.5,
		0.9, 0.1,
		0, 1, // true class has probability 0: clipped to 1e-15
	}
	got, err := LogLoss(probs, 2, []int32{0, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	want := -(math.Log(0.5) + math.Log(0.1) + math.Log(1e-15)) / 3
	checkNear(t, "LogLoss", got, want)

	if _, err := LogLoss(probs, 2, []int32{0, 1}); err == nil {
		t.Error("size mismatch accepted")
	}
	if _, err := LogLoss(probs, 2, []int32{0, 2, 0}); err == nil {
		t.Error("class out of range accepted")
	}
	if _, err := LogLoss(nil, 2, nil); err == nil {
		t.Error("empty input accepted")
	}
	if _, err := LogLoss([]float64{math.NaN(), 1}, 2, []int32{0}); err == nil {
		t.Error("NaN accepted")
	}
}

func TestTopLabel(t *testing.T) {
	probs := []float64{
		0.2, 0.5, 0.3,
		0.4, 0.4, 0.2, // tie: first class wins
	}
	conf, correct, err := TopLabel(probs, 3, []int32{1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if conf[0] != 0.5 || conf[1] != 0.4 || !correct[0] || correct[1] {
		t.Errorf("TopLabel = %v %v", conf, correct)
	}
}
