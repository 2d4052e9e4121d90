package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"intent/store"
)

func examplesRoundTrip(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	in := []store.Example{
		{Text: "quelle dose de doliprane", Intent: "3", Source: "api"},
		{Text: "sushis enceinte ?", Intent: "26"},
		{Text: "héhé \"quoted\" 🙂\nnew line", Intent: "cancel \"order\"", Source: "tool"},
	}
	ids, err := s.AddExamples(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 || !slices.IsSorted(ids) || ids[0] < 1 {
		t.Fatalf("ids %v", ids)
	}
	all, err := s.AllExamples(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Fatalf("%d examples, want 3", len(all))
	}
	for i, e := range all {
		if e.ID != ids[i] || e.Text != in[i].Text || e.Intent != in[i].Intent || e.Source != in[i].Source {
			t.Errorf("example %d: %+v, want %+v with id %d", i, e, in[i], ids[i])
		}
		if e.CreatedAt.Before(before) || e.CreatedAt.After(time.Now()) {
			t.Errorf("example %d created at %v", i, e.CreatedAt)
		}
	}
}

func addExamplesIsAllOrNothing(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	// The second example has an empty text, which is refused.
	if _, err := s.AddExamples(ctx, []store.Example{{Text: "a", Intent: "x"}, {Text: "", Intent: "y"}}); err == nil {
		t.Fatal("an empty text was stored")
	}
	all, err := s.AllExamples(ctx)
	if err != nil || len(all) != 0 {
		t.Fatalf("after a failed batch: %v, %v", all, err)
	}
	if ids, err := s.AddExamples(ctx, nil); err != nil || ids != nil {
		t.Errorf("AddExamples(nil) = %v, %v", ids, err)
	}
}

func listExamplesPaginates(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	var in []store.Example
	for i := range 25 {
		intent := "a"
		if i%3 == 0 {
			intent = "b"
		}
		in = append(in, store.Example{Text: fmt.Sprint("q", i), Intent: intent})
	}
	ids, err := s.AddExamples(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		intent string
		limit  int
		want   int
	}{{"", 10, 25}, {"", 25, 25}, {"", 100, 25}, {"b", 4, 9}, {"a", 1, 16}, {"zzz", 5, 0}} {
		var got []int64
		after := int64(0)
		pages := 0
		for {
			p, err := s.ListExamples(ctx, store.ExampleFilter{Intent: c.intent, After: after, Limit: c.limit})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if p.Total != c.want {
				t.Errorf("%+v: total %d, want %d", c, p.Total, c.want)
			}
			if len(p.Examples) > c.limit {
				t.Errorf("%+v: page of %d", c, len(p.Examples))
			}
			for _, e := range p.Examples {
				if c.intent != "" && e.Intent != c.intent {
					t.Errorf("%+v: example of intent %s", c, e.Intent)
				}
				got = append(got, e.ID)
			}
			if p.Next == 0 {
				break
			}
			after = p.Next
		}
		if len(got) != c.want || !slices.IsSorted(got) {
			t.Errorf("%+v: walked %d ids %v", c, len(got), got)
		}
		if wantPages := max(1, (c.want+c.limit-1)/c.limit); pages != wantPages {
			t.Errorf("%+v: %d pages, want %d", c, pages, wantPages)
		}
	}
	if _, err := s.ListExamples(ctx, store.ExampleFilter{Limit: 0}); err == nil {
		t.Error("limit 0 accepted")
	}
	// A page after the last id is empty, with the total still counted.
	p, err := s.ListExamples(ctx, store.ExampleFilter{After: ids[len(ids)-1], Limit: 10})
	if err != nil || len(p.Examples) != 0 || p.Total != 25 || p.Next != 0 {
		t.Errorf("past the end: %+v, %v", p, err)
	}
}

func deleteExampleAndIDsAreNotReused(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	ids, err := s.AddExamples(ctx, []store.Example{{Text: "a", Intent: "x"}, {Text: "b", Intent: "y"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteExample(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteExample(ctx, ids[1]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	more, err := s.AddExamples(ctx, []store.Example{{Text: "c", Intent: "z"}})
	if err != nil {
		t.Fatal(err)
	}
	if more[0] <= ids[1] {
		t.Errorf("id %d reused after deleting %d", more[0], ids[1])
	}
	all, _ := s.AllExamples(ctx)
	if len(all) != 2 || all[0].Text != "a" || all[1].Text != "c" {
		t.Errorf("after delete: %+v", all)
	}
}

func concurrentWritesAndReads(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const writers, batches, per = 4, 20, 5
	var wg sync.WaitGroup
	idsOf := make([][]int64, writers)
	errs := make(chan error, writers*2)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				batch := make([]store.Example, per)
				for i := range batch {
					batch[i] = store.Example{Text: fmt.Sprintf("w%d b%d i%d", w, b, i), Intent: fmt.Sprint(w)}
				}
				ids, err := s.AddExamples(ctx, batch)
				if err != nil {
					errs <- err
					return
				}
				idsOf[w] = append(idsOf[w], ids...)
			}
		})
		// Readers run while the writers write: WAL lets them.
		wg.Go(func() {
			for range batches {
				if _, err := s.ListExamples(ctx, store.ExampleFilter{Intent: fmt.Sprint(w), Limit: 10}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := s.AllExamples(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*batches*per {
		t.Fatalf("%d examples, want %d", len(all), writers*batches*per)
	}
	seen := map[int64]bool{}
	for _, ids := range idsOf {
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("id %d given twice", id)
			}
			seen[id] = true
		}
	}
	// Ids increase in the order of the batch. (Backends with one writer
	// also make them consecutive; one with a sequence need not.)
	for w, ids := range idsOf {
		for b := 0; b < len(ids); b += per {
			if !slices.IsSorted(ids[b : b+per]) {
				t.Errorf("writer %d batch %d out of order: %v", w, b/per, ids[b:b+per])
			}
		}
	}
}
