package main

import (
	"fmt"
	"io"

	"intent/model"
)

// printOOSAndTest prints the out-of-scope rule and its measure on the
// validation questions, then the test set's headline (--test-data), which
// is the measure to quote when the validation set chose anything.
func printOOSAndTest(w io.Writer, rep *model.Report, o *model.OOS) {
	if o != nil {
		fmt.Fprintf(w, "\nOut of scope: below probability %.4f the model answers %q (%s)\n", o.Threshold, o.Label, o.Fitted)
		if r := rep.OOS; r != nil {
			printOOS(w, "validation", r)
		}
	}
	t := rep.Test
	if t == nil {
		return
	}
	fmt.Fprintf(w, "\nTest set: %d questions (not used to fit anything)\n", t.NValid)
	fmt.Fprintf(w, "  accuracy %.2f %%, macro-F1 %.2f %%, ECE %.4f\n", 100*t.Accuracy, 100*t.MacroF1, t.ECEAfter)
	if t.OOS != nil {
		printOOS(w, "test", t.OOS)
	}
}

func printOOS(w io.Writer, set string, r *model.OOSReport) {
	fmt.Fprintf(w, "  %s: in-scope accuracy %.2f %% (%d questions), out-of-scope recall %.2f %% and precision %.2f %% (%d questions)\n",
		set, 100*r.InScopeAccuracy, r.InScope, 100*r.OOSRecall, 100*r.OOSPrecision, r.OutScope)
}
