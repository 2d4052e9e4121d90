package jobs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/internal/errcode"
)

func TestDecide(t *testing.T) {
	for _, c := range []struct {
		policy     string
		acc        float64
		prevAcc    float64
		hadDefault bool
		pin, held  bool
	}{
		{MakeDefaultAlways, 0.1, 0.9, true, true, false},
		{MakeDefaultNever, 0.9, 0.1, true, false, true},
		{MakeDefaultNever, 0.9, 0, false, false, true}, // never means never, even with no default
		{MakeDefaultIfBetter, 0.9, 0.8, true, true, false},
		{MakeDefaultIfBetter, 0.8, 0.8, true, false, true}, // equal is not better
		{MakeDefaultIfBetter, 0.7, 0.8, true, false, true},
		{MakeDefaultIfBetter, 0.1, 0, false, true, false}, // the first version
	} {
		p, why := decide(c.policy, c.acc, 4, c.prevAcc, c.hadDefault)
		if p.Pin != c.pin || (p.Held != "") != c.held || why == "" {
			t.Errorf("decide(%s, %v, prev %v, had %v) = pin %v held %q (%s)", c.policy, c.acc, c.prevAcc, c.hadDefault, p.Pin, p.Held, why)
		}
	}
}

func TestConfine(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sets", "a"), 0o755)
	os.WriteFile(filepath.Join(dir, "sets", "a", "x.csv"), []byte("q,i\n"), 0o644)
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("q,i\n"), 0o644)
	os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(dir, "link.csv"))
	if p, err := Confine(dir, "sets/a/x.csv"); err != nil || !strings.HasSuffix(p, filepath.Join("sets", "a", "x.csv")) {
		t.Fatalf("Confine = %q, %v", p, err)
	}
	for _, rel := range []string{"", "/etc/passwd", "../x", "sets/../../x", "nope.csv", "link.csv", "a\x00b"} {
		_, err := Confine(dir, rel)
		if !errcode.Is(err, errcode.Invalid) {
			t.Errorf("Confine(%q) = %v, want an invalid-input error", rel, err)
		}
		if err != nil && (strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), outside)) {
			t.Errorf("Confine(%q) shows a server path: %v", rel, err)
		}
	}
	if _, err := Confine("", "x.csv"); !errcode.Is(err, errcode.Invalid) {
		t.Errorf("no data folder: %v", err)
	}
}

func TestPlanDefaults(t *testing.T) {
	p, err := Request{}.Plan(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !p.UseExamples || p.MakeDefault != MakeDefaultIfBetter || p.Options.Valid != 0.2 || p.Options.Solver != "l2" {
		t.Fatalf("defaults %+v", p)
	}
	if _, err := p.Config(1); err != nil {
		t.Fatal(err)
	}
}

func TestPlanRefit(t *testing.T) {
	yes := true
	p, err := Request{Options: RequestOptions{Refit: &yes}}.Plan(t.TempDir())
	if err != nil || !p.Options.Refit {
		t.Fatalf("refit not planned: %+v, %v", p.Options, err)
	}
}
