package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"intent/store"
)

// Caller keys, unlabeled examples, getting one example and deleting by
// filter.

func exampleKeys(t *testing.T, open Opener) {
	s, other := open(t), open(t)
	ctx := context.Background()
	ids, err := s.AddExamples(ctx, []store.Example{
		{Key: "abc-1", Text: "sushis enceinte", Intent: "26", Source: "crm"},
		{Text: "doliprane", Intent: "3"},
		{Key: "42", Text: "sushis enceinte", Intent: "26"}, // the same text under another key
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := other.ExampleByKey(ctx, "abc-1")
	if err != nil || e.ID != ids[0] || e.Key != "abc-1" || e.Text != "sushis enceinte" || e.Intent != "26" || e.Source != "crm" || e.CreatedAt.IsZero() {
		t.Fatalf("ExampleByKey(abc-1) = %+v, %v", e, err)
	}
	byID, err := other.Example(ctx, ids[0])
	if err != nil || byID != e {
		t.Errorf("Example(%d) = %+v, %v; want %+v", ids[0], byID, err, e)
	}
	if e, err := s.Example(ctx, ids[1]); err != nil || e.Key != "" || e.Text != "doliprane" {
		t.Errorf("Example(%d) without key = %+v, %v", ids[1], e, err)
	}
	all, err := s.AllExamples(ctx)
	if err != nil || len(all) != 3 || all[0].Key != "abc-1" || all[1].Key != "" || all[2].Key != "42" {
		t.Fatalf("AllExamples: %+v, %v", all, err)
	}
	p, err := s.ListExamples(ctx, store.ExampleFilter{Limit: 10})
	if err != nil || len(p.Examples) != 3 || p.Examples[0].Key != "abc-1" {
		t.Errorf("ListExamples: %+v, %v", p, err)
	}
	for _, c := range []struct {
		batch []store.Example
		want  string
	}{
		{[]store.Example{{Text: "x", Intent: "1"}, {Key: "abc-1", Text: "y", Intent: "1"}}, `"abc-1"`},
		{[]store.Example{{Key: "new", Text: "x", Intent: "1"}, {Key: "new", Text: "y", Intent: "2"}}, `"new"`},
	} {
		_, err := other.AddExamples(ctx, c.batch)
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddExamples(%+v): %v, want ErrConflict naming %s", c.batch, err, c.want)
		}
	}
	if all, _ := s.AllExamples(ctx); len(all) != 3 {
		t.Errorf("%d examples after refused batches, want 3 (nothing stored)", len(all))
	}
	if _, err := s.ExampleByKey(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ExampleByKey(nope): %v, want ErrNotFound", err)
	}
	if _, err := s.Example(ctx, ids[2]+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Example(missing): %v, want ErrNotFound", err)
	}
	// A deleted example's key is free again.
	if err := s.DeleteExample(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddExamples(ctx, []store.Example{{Key: "abc-1", Text: "again", Intent: "1"}}); err != nil {
		t.Errorf("reusing a deleted example's key: %v", err)
	}
}

func unlabeledExamples(t *testing.T, open Opener) {
	db := open(t)
	s := struct {
		store.Store
		store.Curator
	}{db, curator(t, db)}
	ctx := context.Background()
	ids, err := s.AddExamples(ctx, []store.Example{
		{Key: "u1", Text: "eliquis halal ?", Source: "crm"},
		{Text: "doliprane", Intent: "3"},
		{Text: "sushis ?"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := s.Example(ctx, ids[0]); err != nil || e.Intent != "" || e.Key != "u1" {
		t.Errorf("unlabeled example: %+v, %v", e, err)
	}
	all, err := s.AllExamples(ctx)
	if err != nil || len(all) != 1 || all[0].ID != ids[1] {
		t.Errorf("AllExamples (labeled only, for training): %+v, %v", all, err)
	}
	for _, c := range []struct {
		f    store.ExampleFilter
		want int
	}{
		{store.ExampleFilter{Limit: 10}, 1},
		{store.ExampleFilter{Labeling: store.OnlyUnlabeled, Limit: 10}, 2},
		{store.ExampleFilter{Labeling: store.LabeledOrNot, Limit: 10}, 3},
		{store.ExampleFilter{Labeling: store.LabeledOrNot, Text: "HALAL", Limit: 10}, 1},
		{store.ExampleFilter{Labeling: store.OnlyUnlabeled, Intent: "3", Limit: 10}, 0},
	} {
		p, err := s.ListExamples(ctx, c.f)
		if err != nil || p.Total != c.want || len(p.Examples) != c.want {
			t.Errorf("ListExamples(%+v): total %d, page %d, %v; want %d", c.f, p.Total, len(p.Examples), err, c.want)
		}
	}
	// The unlabeled examples are the pool of the labeling queue.
	pool, err := s.Unlabeled(ctx)
	if err != nil || len(pool) != 2 || pool[0].ID != ids[0] || pool[0].Key != "u1" || pool[0].Source != "crm" || pool[1].ID != ids[2] {
		t.Fatalf("pool: %+v, %v", pool, err)
	}
	// A question waits once without key: AddUnlabeled skips it, AddExamples
	// refuses it, with a key it is another caller's record.
	if n, err := s.AddUnlabeled(ctx, []string{"sushis ?", "eliquis halal ?"}, "file"); err != nil || n != 1 {
		t.Errorf("AddUnlabeled of a waiting text and a keyed one's text: %d, %v; want 1", n, err)
	}
	if _, err := s.AddExamples(ctx, []store.Example{{Text: "sushis ?"}}); !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "sushis ?") {
		t.Errorf("a waiting text again: %v, want ErrConflict naming it", err)
	}
	if _, err := s.AddExamples(ctx, []store.Example{{Text: "x ?"}, {Text: "x ?"}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a text twice in one batch: %v, want ErrConflict", err)
	}
	if _, err := s.AddExamples(ctx, []store.Example{{Key: "u2", Text: "sushis ?"}, {Text: "sushis ?", Intent: "26"}}); err != nil {
		t.Errorf("the waiting text with a key, or labeled: %v", err)
	}
	// Labeling keeps the id and the key; the example leaves the pool.
	e, err := s.LabelUnlabeled(ctx, ids[0], "44", "label-queue")
	if err != nil || e.ID != ids[0] || e.Key != "u1" || e.Intent != "44" || e.Source != "label-queue" {
		t.Errorf("LabelUnlabeled: %+v, %v", e, err)
	}
	if _, err := s.LabelUnlabeled(ctx, ids[1], "44", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LabelUnlabeled of a labeled example: %v, want ErrNotFound", err)
	}
	if e, err := s.RelabelExample(ctx, ids[2], "26"); err != nil || e.ID != ids[2] || e.Intent != "26" {
		t.Errorf("RelabelExample of an unlabeled example: %+v, %v", e, err)
	}
	pool, _ = s.Unlabeled(ctx)
	if len(pool) != 2 {
		t.Errorf("pool after labeling two: %+v, want the file's and u2", pool)
	}
	if _, err := s.DeleteUnlabeled(ctx, ids[1]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteUnlabeled of a labeled example: %v, want ErrNotFound", err)
	}
	if n, err := s.DeleteUnlabeled(ctx, 0); err != nil || n != 2 {
		t.Errorf("DeleteUnlabeled(0) = %d, %v; want 2", n, err)
	}
	if all, _ := s.AllExamples(ctx); len(all) != 4 {
		t.Errorf("%d labeled examples after clearing the pool, want 4", len(all))
	}
}

func deleteExamplesByFilter(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if _, err := s.AddExamples(ctx, []store.Example{
		{Text: "a", Intent: "3", Source: "crm"}, {Text: "b", Intent: "3", Source: "api"},
		{Text: "c", Intent: "26", Source: "crm"}, {Text: "d", Source: "crm"}, {Text: "e", Intent: "3", Source: "crm"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteExamples(ctx, store.DeleteFilter{}); err == nil {
		t.Fatal("an empty filter deleted")
	}
	for _, c := range []struct {
		f    store.DeleteFilter
		want int
	}{
		{store.DeleteFilter{Intent: "3", Source: "crm"}, 2},
		{store.DeleteFilter{Intent: "nope"}, 0},
		{store.DeleteFilter{Source: "crm"}, 2}, // c, and d which has no intent
		{store.DeleteFilter{Intent: "3"}, 1},
	} {
		if n, err := s.DeleteExamples(ctx, c.f); err != nil || n != c.want {
			t.Errorf("DeleteExamples(%+v) = %d, %v; want %d", c.f, n, err, c.want)
		}
	}
	p, err := s.ListExamples(ctx, store.ExampleFilter{Labeling: store.LabeledOrNot, Limit: 10})
	if err != nil || p.Total != 0 {
		t.Errorf("left: %+v, %v", p, err)
	}
}
