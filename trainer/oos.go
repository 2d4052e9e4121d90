package main

import (
	"fmt"
	"io"

	"intent/model"
	"intent/model/metrics"
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
	level := 0.0
	if t.CI != nil {
		level = t.CI.Level
	}
	fmt.Fprintf(w, "  accuracy %s, macro-F1 %s, ECE %.4f\n",
		metrics.FormatPercentCI(t.Accuracy, t.AccuracyCI, level), metrics.FormatPercentCI(t.MacroF1, t.MacroF1CI, level), t.ECEAfter)
	if t.OOS != nil {
		printOOS(w, "test", t.OOS)
	}
}

func printOOS(w io.Writer, set string, r *model.OOSReport) {
	fmt.Fprintf(w, "  %s: in-scope accuracy %.2f %% (%d questions), out-of-scope recall %.2f %% and precision %.2f %% (%d questions)\n",
		set, 100*r.InScopeAccuracy, r.InScope, 100*r.OOSRecall, 100*r.OOSPrecision, r.OutScope)
}
