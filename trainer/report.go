package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"intent/model"
	"intent/model/metrics"
)

// printTrainReport prints the report as readable tables: data, headline
// metrics, calibration, per-class table and confusions, timings.
func printTrainReport(w io.Writer, rep *model.Report, maxMatrix int, names map[string]string, quiet bool) {
	if rep.Data != nil && !quiet {
		d := rep.Data
		fmt.Fprintf(w, "\nData\n")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  source\t%s (%s)\n", strings.Join(d.Sources, ", "), d.Format)
		fmt.Fprintf(tw, "  rows read\t%d\n", d.Rows)
		fmt.Fprintf(tw, "  rejected\t%d\n", d.Rejected)
		for _, r := range sortedKeys(d.Reasons) {
			fmt.Fprintf(tw, "    %s\t%d\n", r, d.Reasons[r])
		}
		fmt.Fprintf(tw, "  train / valid\t%d / %d\n", rep.NTrain, rep.NValid)
		fmt.Fprintf(tw, "  validation\t%s\n", d.ValidFrom)
		if c := d.Check; c != nil {
			fmt.Fprintf(tw, "  intents\t%d\n", c.Intents)
			if c.DuplicateTexts > 0 || c.Conflicting > 0 {
				fmt.Fprintf(tw, "  repeated questions\t%d (%d with different intents)\n", c.DuplicateTexts, c.Conflicting)
			}
			if len(c.Weak) > 0 {
				fmt.Fprintf(tw, "  weak intents (< 5 questions)\t%s\n", strings.Join(c.Weak, ", "))
			}
			for _, p := range c.Warnings {
				fmt.Fprintf(tw, "  warning\t%s\n", p)
			}
		}
		if rep.Train != nil {
			fmt.Fprintf(tw, "  calibration\t%d out-of-fold decision values (%d-fold cross-fitting over the training part)\n", rep.Train.NCalib, rep.Train.CalibFolds)
			fmt.Fprintf(tw, "  features\t%d (%d before pruning)\n", rep.NFeatures, rep.Train.FeaturesBefore)
		}
		tw.Flush()
	}
	printEvalReport(w, rep, fmt.Sprintf("%d validation questions", rep.NValid), maxMatrix, names, quiet)
	if rep.Train != nil && !quiet {
		fmt.Fprintf(w, "\nTimings\n")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		for _, t := range rep.Train.Timings {
			fmt.Fprintf(tw, "  %s\t%.3fs\t\n", t.Stage, t.Seconds)
		}
		fmt.Fprintf(tw, "  training total\t%.3fs\t\n", rep.Train.TrainSeconds)
		tw.Flush()
		for _, w2 := range rep.Train.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", w2)
		}
	}
}

// printEvalReport prints the metrics part, shared by train and evaluate:
// the headline alone when quiet, else the full tables, then calibration.
// on says what was measured ("174 validation questions" for train, the
// labeled file for evaluate).
func printEvalReport(w io.Writer, rep *model.Report, on string, maxMatrix int, names map[string]string, quiet bool) {
	fmt.Fprintf(w, "\nMetrics on %s\n", on)
	if quiet {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  accuracy\t%s\n", metrics.FormatPercentCI(rep.Accuracy, rep.AccuracyCI, ciLevel(rep)))
		fmt.Fprintf(tw, "  macro F1\t%s\n", metrics.FormatPercentCI(rep.MacroF1, rep.MacroF1CI, ciLevel(rep)))
		fmt.Fprintf(tw, "  micro P / R / F1\t%.2f / %.2f / %.2f %%\n", 100*rep.MicroPrecision, 100*rep.MicroRecall, 100*rep.MicroF1)
		fmt.Fprintf(tw, "  macro P / R / F1\t%.2f / %.2f / %.2f %%\n", 100*rep.MacroPrecision, 100*rep.MacroRecall, 100*rep.MacroF1)
		tw.Flush()
	} else if err := rep.WriteText(w, metrics.TextOptions{Names: names, MaxMatrixLabels: maxMatrix, TopConfusions: 15}); err != nil {
		fmt.Fprintf(w, "(cannot print the tables: %v)\n", err)
	}
	fmt.Fprintf(w, "\nCalibration (expected calibration error, %d bins)\n", model.ECEBins)
	fmt.Fprintf(w, "  plain softmax %.4f, with temperature %.4g: %.4f\n", rep.ECEBefore, rep.Temperature, rep.ECEAfter)
	if len(rep.UnknownLabels) > 0 {
		fmt.Fprintf(w, "\nIntents in this data that the model does not know (never predicted): %s\n", strings.Join(rep.UnknownLabels, ", "))
	}
}

// ciLevel is the level of the report's confidence intervals, 0 when it
// has none.
func ciLevel(rep *model.Report) float64 {
	if rep.CI == nil {
		return 0
	}
	return rep.CI.Level
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
