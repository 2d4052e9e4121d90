package pipeline

import (
	"context"
	"testing"

	"intent/model"
	"intent/model/dataset"
)

// Check gives the report Run's Checked hook receives, usable or not.
func TestCheckIsRunsDataReport(t *testing.T) {
	ex := func(text, label string) dataset.Example { return dataset.Example{Text: text, Label: label} }
	for _, c := range []struct {
		name     string
		examples []dataset.Example
		usable   bool
	}{
		{"two intents", []dataset.Example{ex("a b", "x"), ex("c d", "x"), ex("e f", "y"), ex("g h", "y"), ex("i j", "x"), ex("k l", "y")}, true},
		{"one intent", []dataset.Example{ex("a b", "x"), ex("c d", "x")}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			job := Job{Examples: c.examples, ExamplesName: "stored examples", Config: model.DefaultConfig()}
			info, err := Check(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			if info.Check == nil || info.Check.Usable != c.usable || info.Check.Examples != len(c.examples) {
				t.Fatalf("check %+v, want usable %v over %d examples", info.Check, c.usable, len(c.examples))
			}
			var hooked *model.DataInfo
			Run(context.Background(), job, Hooks{Checked: func(i *model.DataInfo) error { hooked = i; return errStop }})
			if hooked == nil || hooked.Check.Usable != info.Check.Usable || hooked.Check.Intents != info.Check.Intents ||
				len(hooked.Sources) != 1 || hooked.Sources[0] != info.Sources[0] {
				t.Errorf("Run's data report %+v differs from Check's %+v", hooked, info)
			}
		})
	}
	if _, err := Check(context.Background(), Job{}); err == nil {
		t.Error("nothing to check: no error")
	}
}

type stopErr struct{}

func (stopErr) Error() string { return "stop" }

var errStop = stopErr{}
