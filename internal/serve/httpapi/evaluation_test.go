package httpapi

import (
	"context"
	"math"
	"testing"

	"intent/model"
	"intent/modelrepo"
)

func TestReliability(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := t.TempDir()
	writeFull(t, root, num, numericIntents)     // 1: unloaded with --keep 1
	writeFull(t, root, num, numericIntents)     // 2
	modelrepo.WriteVersion(root, num, nil, nil) // 3: no validation split
	_, h, _ := newModelServer(t, root, "", 1)

	rep, _, err := num.Evaluate(context.Background(), examples(numericIntents))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"1", "2"} {
		got := decode[reliabilityJSON](t, serve(t, h, "GET", "/models/"+n+"/reliability", ""), 200)
		if got.N != len(examples(numericIntents)) || len(got.Bins) != model.ECEBins {
			t.Fatalf("version %s: n %d, %d bins", n, got.N, len(got.Bins))
		}
		count := 0
		for i, b := range got.Bins {
			count += b.Count
			if math.Abs(b.Lo-float64(i)/model.ECEBins) > 1e-12 || math.Abs(b.Hi-float64(i+1)/model.ECEBins) > 1e-12 {
				t.Errorf("bin %d: (%v, %v]", i, b.Lo, b.Hi)
			}
			if b.Count > 0 && (b.Confidence <= b.Lo || b.Confidence > b.Hi || b.Accuracy < 0 || b.Accuracy > 1) {
				t.Errorf("bin %d: %+v", i, b)
			}
		}
		if count != got.N {
			t.Errorf("bins hold %d questions, want %d", count, got.N)
		}
		// The same questions and bins as the report's calibration error.
		if math.Abs(got.ECE-rep.ECEAfter) > 1e-9 {
			t.Errorf("ece %v, the report's ece_after %v", got.ECE, rep.ECEAfter)
		}
	}
	if got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200); got.Versions[0].State != "unloaded" {
		t.Errorf("version 1 after its reliability: %s (loaded for the request only)", got.Versions[0].State)
	}
	wantError(t, serve(t, h, "GET", "/models/3/reliability", ""), 404, "model version 3 has no validation split")
	wantError(t, serve(t, h, "GET", "/models/9/reliability", ""), 404, "unknown model version 9")
	wantError(t, serve(t, h, "GET", "/models/x/reliability", ""), 400, "positive integer")
	wantError(t, serve(t, h, "POST", "/models/2/reliability", ""), 405, "allowed: GET, HEAD")
}

func TestCompare(t *testing.T) {
	num := trainTiny(t, "numeric")
	// Version 2 learned two questions of intent 3 as 41: it answers them,
	// and perhaps others, differently.
	moved := map[string][]string{}
	for k, v := range numericIntents {
		moved[k] = append([]string(nil), v...)
	}
	moved["41"] = append(moved["41"], moved["3"][:2]...)
	moved["3"] = moved["3"][2:]
	other, _, err := model.Train(context.Background(), examples(moved), model.DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	writeFull(t, root, num, numericIntents)       // 1
	writeFull(t, root, other, moved)              // 2
	modelrepo.WriteVersion(root, other, nil, nil) // 3: no split
	_, h, _ := newModelServer(t, root, "", 1)     // 1 and 2 unloaded

	got := decode[compareJSON](t, serve(t, h, "GET", "/compare?a=1&b=2", ""), 200)
	split := examples(numericIntents)
	if got.Split != 1 || got.N != len(split) || got.A.Version != 1 || got.B.Version != 2 {
		t.Fatalf("compare: split %d n %d a %d b %d", got.Split, got.N, got.A.Version, got.B.Version)
	}
	var changed []string
	for _, e := range split {
		if num.Predict(e.Text).Label != other.Predict(e.Text).Label {
			changed = append(changed, e.ID)
		}
	}
	if len(changed) < 2 || got.Changed != len(changed) || len(got.Questions) != len(changed) {
		t.Fatalf("changed %d (%d listed), want %d: %v", got.Changed, len(got.Questions), len(changed), changed)
	}
	for i, q := range got.Questions {
		e := split[0]
		for _, x := range split {
			if x.ID == q.ID {
				e = x
			}
		}
		if q.ID != changed[i] || q.Text != e.Text || string(q.Label) != e.Label ||
			string(q.A) != num.Predict(e.Text).Label || string(q.B) != other.Predict(e.Text).Label ||
			q.AProb <= 0 || q.BProb <= 0 {
			t.Errorf("question %d: %+v (%+v)", i, q, e)
		}
	}
	// Each side's accuracy is what POST /test says of it on this split.
	for _, side := range []compareSideJSON{got.A, got.B} {
		rep, _, _ := map[int]*model.Model{1: num, 2: other}[side.Version].Evaluate(context.Background(), split)
		if side.Accuracy != rep.Accuracy || side.MacroF1 != rep.MacroF1 || len(side.PerClass) != 3 {
			t.Errorf("version %d: accuracy %v macro-F1 %v, %d intents; want %v %v 3", side.Version, side.Accuracy, side.MacroF1, len(side.PerClass), rep.Accuracy, rep.MacroF1)
		}
		for j, c := range side.PerClass {
			if c.Label != rep.PerClass[j].Label || c.F1 != rep.PerClass[j].F1 || c.Support != rep.PerClass[j].Support {
				t.Errorf("version %d intent %d: %+v", side.Version, j, c)
			}
		}
	}
	if got.A.Accuracy != 1 || got.B.Accuracy >= 1 {
		t.Errorf("accuracies %v %v: version 1 knows its split, version 2 does not", got.A.Accuracy, got.B.Accuracy)
	}

	// Another split, a limit, the same version twice.
	if got := decode[compareJSON](t, serve(t, h, "GET", "/compare?a=1&b=2&split=2&limit=1", ""), 200); got.Split != 2 || got.Changed < 2 || len(got.Questions) != 1 {
		t.Errorf("split 2 limit 1: split %d, changed %d, %d listed", got.Split, got.Changed, len(got.Questions))
	}
	if got := decode[compareJSON](t, serve(t, h, "GET", "/compare?a=2&b=2", ""), 200); got.Changed != 0 || len(got.Questions) != 0 || got.Questions == nil {
		t.Errorf("a version against itself: %d changed, %v", got.Changed, got.Questions)
	}
	for _, c := range []struct {
		target string
		status int
		msg    string
	}{
		{"/compare?a=1", 400, "missing b"},
		{"/compare?b=1", 400, "missing a"},
		{"/compare?a=0&b=1", 400, "a must be a version number"},
		{"/compare?a=1&b=x", 400, "b must be a version number"},
		{"/compare?a=1&b=2&limit=-1", 400, "limit must be an integer between 0 and 5000"},
		{"/compare?a=1&b=9", 404, "unknown model version 9"},
		{"/compare?a=3&b=1", 404, "model version 3 has no validation split"},
		{"/compare?a=1&b=3&split=3", 404, "model version 3 has no validation split"},
	} {
		wantError(t, serve(t, h, "GET", c.target, ""), c.status, c.msg)
	}
}
