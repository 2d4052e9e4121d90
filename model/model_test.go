package model

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"

	"intent/model/dataset"
)

// tinyExamples is a small three-intent French set, enough for the pipeline
// to run end to end in milliseconds.
func tinyExamples() []dataset.Example {
	topics := map[string][]string{
		"3": {"quelle dose de doliprane", "posologie paracetamol adulte", "combien de comprimés par jour", "dose maximale ibuprofene",
			"combien de fois par jour prendre advil", "quelle posologie pour l'amoxicilline", "dose de spasfon", "combien de gelules de smecta"},
		"8": {"effets secondaires du levothyrox", "effets indésirables de l'augmentin", "le xanax fait il grossir", "nausées avec la metformine",
			"est-ce que le kardegic donne des bleus", "somnolence effet secondaire", "vertiges après ibuprofene", "perte de cheveux et pilule"},
		"26": {"doliprane enceinte", "peut on prendre de l'advil pendant la grossesse", "sushi enceinte risque", "allaitement et ibuprofene",
			"fromage au lait cru grossesse", "enceinte de 3 mois spasfon", "vaccin grippe femme enceinte", "alcool pendant l'allaitement"},
	}
	var out []dataset.Example
	id := 0
	for _, label := range []string{"3", "8", "26"} {
		for _, q := range topics[label] {
			out = append(out, dataset.Example{ID: strconv.Itoa(id), Text: q, Label: label})
			id++
		}
	}
	return out
}

func tinyConfig() Config {
	cfg := DefaultConfig()
	cfg.Features.MinDF = 1
	cfg.CalibFraction = 0.25
	cfg.PruneBelow = 0
	return cfg
}

func trainTiny(t testing.TB) *Model {
	t.Helper()
	m, _, err := Train(context.Background(), tinyExamples(), tinyConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTrainPredictsTrainingIntents(t *testing.T) {
	m := trainTiny(t)
	if got := m.Labels(); fmt.Sprint(got) != "[3 8 26]" {
		t.Fatalf("labels = %v, want numeric order [3 8 26]", got)
	}
	if !m.NumericLabels() || m.LabelInt(2) != 26 {
		t.Fatalf("numeric labels not detected")
	}
	for _, tc := range []struct{ q, want string }{
		{"doliprane pendant la grossesse", "26"},
		{"quelle dose de paracetamol par jour", "3"},
		{"effets secondaires de la pilule", "8"},
	} {
		p := m.Predict(tc.q)
		if p.Label != tc.want {
			t.Errorf("Predict(%q) = %s, want %s", tc.q, p.Label, tc.want)
		}
		if !(p.Probability > 1.0/3 && p.Probability <= 1) {
			t.Errorf("Predict(%q) probability %v not in (1/3, 1]", tc.q, p.Probability)
		}
	}
}

func TestPredictTopIsSortedAndSumsBelowOne(t *testing.T) {
	m := trainTiny(t)
	top := m.PredictTop("sushi enceinte", 3, nil)
	if len(top) != 3 {
		t.Fatalf("got %d results", len(top))
	}
	sum := 0.0
	for i, p := range top {
		sum += p.Probability
		if i > 0 && p.Probability > top[i-1].Probability {
			t.Fatalf("ranking not sorted: %+v", top)
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Fatalf("probabilities of all classes sum to %v", sum)
	}
	if top[0] != m.Predict("sushi enceinte") {
		t.Fatalf("top-1 %+v differs from Predict", top[0])
	}
	if got := m.PredictTop("x", 10, nil); len(got) != 3 {
		t.Fatalf("k larger than classes: %d results", len(got))
	}
}

func TestPredictDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	m := trainTiny(t)
	m.Predict("warm up the pool")
	allocs := testing.AllocsPerRun(200, func() { m.Predict("peut on prendre du doliprane enceinte ?") })
	if allocs > 0 {
		t.Fatalf("Predict allocates %.1f times per call", allocs)
	}
}

func TestPredictConcurrent(t *testing.T) {
	m := trainTiny(t)
	want := m.Predict("dose maximale de doliprane")
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < 200; i++ {
				if got := m.Predict("dose maximale de doliprane"); got != want {
					t.Errorf("concurrent Predict = %+v, want %+v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := trainTiny(t)
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"doliprane enceinte", "effets secondaires", "dose", ""} {
		a, b := m.Scores(q, nil), m2.Scores(q, nil)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Fatalf("scores differ after reload for %q: %v vs %v", q, a, b)
		}
	}
	if m2.Temperature() != m.Temperature() || m2.Meta().DataHash != m.Meta().DataHash {
		t.Fatal("metadata lost in round trip")
	}
	// Saving the loaded model gives the same bytes: nothing is lost or reordered.
	var buf2 bytes.Buffer
	if err := m2.Save(&buf2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
		t.Fatal("re-saved model differs from the original file")
	}
}

func TestLoadRejectsDamagedFiles(t *testing.T) {
	good, err := trainTiny(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 0x40
	version := bytes.Clone(good)
	version[8] = 99
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "not an intent model"},
		"foreign":   {[]byte("ID;question\n1;bonjour\n"), "not an intent model"},
		"truncated": {good[:len(good)-10], "checksum"},
		"bit flip":  {flip, "checksum"},
		"version":   {version, "format version 99"},
		"header":    {good[:16], "truncated"},
		"trailing":  {append(bytes.Clone(good), 0), "checksum"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := Decode(tc.data)
			if err == nil || m != nil {
				t.Fatalf("Decode accepted a damaged file")
			}
			if !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
	if _, err := Decode([]byte("garbage!")); !errors.Is(err, ErrNotModel) {
		t.Fatalf("foreign file error %v is not ErrNotModel", err)
	}
}

func FuzzDecode(f *testing.F) {
	good, err := trainTiny(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte(magic + "\x01\x00\x00\x00"))
	f.Add([]byte(magic + "\x02\x00\x00\x00"))
	if old, err := os.ReadFile(format1Fixture); err == nil {
		f.Add(old)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err == nil {
			m.Predict("test") // a model that loads must work
		}
	})
}

func TestTrainErrors(t *testing.T) {
	one := []dataset.Example{{Text: "a", Label: "1"}, {Text: "b", Label: "1"}}
	if _, _, err := Train(context.Background(), one, tinyConfig(), nil); err == nil {
		t.Fatal("Train accepted a single label")
	}
	if _, _, err := Train(context.Background(), nil, tinyConfig(), nil); err == nil {
		t.Fatal("Train accepted no examples")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Train(ctx, tinyExamples(), tinyConfig(), nil); err == nil {
		t.Fatal("Train ignored a cancelled context")
	}
	bad := tinyConfig()
	bad.CalibFraction = 0.9
	if _, _, err := Train(context.Background(), tinyExamples(), bad, nil); err == nil {
		t.Fatal("Train accepted calibration fraction 0.9")
	}
}

func TestEvaluateUnknownLabels(t *testing.T) {
	m := trainTiny(t)
	ex := append(tinyExamples()[:3], dataset.Example{Text: "question sur les vaccins", Label: "40"})
	rep, preds, err := m.Evaluate(context.Background(), ex)
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 4 || fmt.Sprint(rep.UnknownLabels) != "[40]" || fmt.Sprint(rep.Labels) != "[3 8 26 40]" {
		t.Fatalf("unknown label handling: unknown=%v labels=%v", rep.UnknownLabels, rep.Labels)
	}
	if rep.NValid != 4 || rep.Accuracy > 0.75 {
		t.Fatalf("NValid %d accuracy %v", rep.NValid, rep.Accuracy)
	}
}
