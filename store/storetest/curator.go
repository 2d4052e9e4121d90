package storetest

import (
	"context"
	"errors"
	"testing"

	"intent/store"
)

// curator returns the handle as a Curator, or skips the test when the
// backend is not one.
func curator(t *testing.T, s store.Store) store.Curator {
	t.Helper()
	c, ok := s.(store.Curator)
	if !ok {
		t.Skipf("%T is not a store.Curator (relabeling, text filter, unlabeled pool)", s)
	}
	return c
}

func relabelExample(t *testing.T, open Opener) {
	db := open(t)
	s := struct {
		store.Store
		store.Curator
	}{db, curator(t, db)}
	ctx := context.Background()
	ids, err := s.AddExamples(ctx, []store.Example{{Text: "a", Intent: "x", Source: "api"}, {Text: "b", Intent: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := s.RelabelExample(ctx, ids[0], "z")
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != ids[0] || e.Text != "a" || e.Intent != "z" || e.Source != "api" || e.CreatedAt.IsZero() {
		t.Errorf("relabeled: %+v", e)
	}
	all, err := s.AllExamples(ctx)
	if err != nil || len(all) != 2 || all[0].Intent != "z" || all[1].Intent != "y" || !all[0].CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("after relabel: %+v, %v", all, err)
	}
	if _, err := s.RelabelExample(ctx, ids[1]+100, "z"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("relabel of a missing example: %v, want ErrNotFound", err)
	}
	if _, err := s.RelabelExample(ctx, ids[1], ""); err == nil {
		t.Error("an empty intent was stored")
	}
}

func listExamplesFiltersText(t *testing.T, open Opener) {
	s := open(t)
	curator(t, s)
	ctx := context.Background()
	if _, err := s.AddExamples(ctx, []store.Example{
		{Text: "Doliprane le soir", Intent: "3"}, {Text: "sushis enceinte", Intent: "26"},
		{Text: "combien de DOLIPRANE", Intent: "3"}, {Text: "100% remboursé ?", Intent: "32"},
	}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		intent, text string
		want         int
	}{{"", "doliprane", 2}, {"3", "SOIR", 1}, {"26", "doliprane", 0}, {"", "100%", 1}, {"", "%", 1}, {"", "_", 0}, {"", "", 4}} {
		p, err := s.ListExamples(ctx, store.ExampleFilter{Intent: c.intent, Text: c.text, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != c.want || len(p.Examples) != min(1, c.want) {
			t.Errorf("intent %q text %q: total %d, page %d; want %d", c.intent, c.text, p.Total, len(p.Examples), c.want)
		}
	}
}

func unlabeledPool(t *testing.T, open Opener) {
	db1, db2 := open(t), open(t)
	type both struct {
		store.Store
		store.Curator
	}
	s, other := both{db1, curator(t, db1)}, both{db2, curator(t, db2)}
	ctx := context.Background()
	n, err := s.AddUnlabeled(ctx, []string{"q1", "q2", "q1", "q3"}, "upload.csv")
	if err != nil || n != 3 {
		t.Fatalf("AddUnlabeled: %d, %v; want 3 (q1 once)", n, err)
	}
	if n, err := s.AddUnlabeled(ctx, []string{"q3", "q4"}, "test"); err != nil || n != 1 {
		t.Fatalf("AddUnlabeled again: %d, %v; want 1", n, err)
	}
	if _, err := s.AddUnlabeled(ctx, []string{"q5", ""}, ""); err == nil {
		t.Error("an empty text was stored")
	}
	pool, err := other.Unlabeled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, u := range pool {
		texts = append(texts, u.Text)
		if u.CreatedAt.IsZero() || u.ID <= 0 {
			t.Errorf("question %+v", u)
		}
	}
	if got := join(texts); got != "q1 q2 q3 q4" || pool[0].Source != "upload.csv" || pool[3].Source != "test" {
		t.Fatalf("pool %s (%+v), want q1 q2 q3 q4 (q5 not stored: its batch failed)", got, pool)
	}

	e, err := s.LabelUnlabeled(ctx, pool[1].ID, "26", "label-queue")
	if err != nil {
		t.Fatal(err)
	}
	if e.Text != "q2" || e.Intent != "26" || e.Source != "label-queue" || e.ID <= 0 || e.CreatedAt.IsZero() {
		t.Errorf("labeled: %+v", e)
	}
	if _, err := other.LabelUnlabeled(ctx, pool[1].ID, "26", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("labeling twice: %v, want ErrNotFound", err)
	}
	if _, err := s.LabelUnlabeled(ctx, pool[0].ID, "", ""); err == nil {
		t.Error("labeled with an empty intent")
	}
	all, err := other.AllExamples(ctx)
	if err != nil || len(all) != 1 || all[0].ID != e.ID || !all[0].CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("examples after labeling: %+v, %v (want the labeled question, as returned)", all, err)
	}
	// A labeled question may be pooled again: it no longer waits.
	if n, err := s.AddUnlabeled(ctx, []string{"q2"}, ""); err != nil || n != 1 {
		t.Errorf("pooling a labeled text again: %d, %v", n, err)
	}
	if n, err := s.DeleteUnlabeled(ctx, pool[0].ID); err != nil || n != 1 {
		t.Errorf("delete one: %d, %v", n, err)
	}
	if _, err := s.DeleteUnlabeled(ctx, pool[0].ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete twice: %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteUnlabeled(ctx, 0); err != nil || n != 3 {
		t.Errorf("delete all: %d, %v; want 3", n, err)
	}
	if pool, err := s.Unlabeled(ctx); err != nil || len(pool) != 0 {
		t.Errorf("pool after delete all: %+v, %v", pool, err)
	}
	if n, err := s.DeleteUnlabeled(ctx, 0); err != nil || n != 0 {
		t.Errorf("delete all of nothing: %d, %v", n, err)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
