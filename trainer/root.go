package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"intent/model"
)

// usageError marks errors caused by how the command was called (exit 2).
type usageError struct{ error }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// run executes the CLI with args and returns the process exit code; tests
// call it directly with captured output.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(stderr, "error:", err)
	var ue usageError
	// cobra reports bad arguments and unknown commands as plain errors.
	if errors.As(err, &ue) || strings.HasPrefix(err.Error(), "unknown command") ||
		strings.Contains(err.Error(), "accepts ") || strings.HasPrefix(err.Error(), "unknown shorthand") {
		fmt.Fprintln(stderr, "Run 'trainer --help' for usage.")
		return 2
	}
	return 1
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "trainer",
		Short: "Train, evaluate and apply intent classifiers (TF-IDF + linear SVM)",
		Long: `trainer turns labeled questions into an intent classifier you can measure
and serve: TF-IDF word and character n-grams, a linear SVM, a calibrated
probability, and an honest report (accuracy, micro/macro precision, recall,
F1, confusion matrix, calibration error).`,
		Example: `  # train on the bundled French sample and write models/<n>/
  trainer train --data data/sample --out models/

  # cross-validate the recipe: mean accuracy and its spread over 5 folds
  trainer cv --data data/sample --folds 5

  # measure a model on another labeled set
  trainer evaluate --model models/ --data data/sample

  # write predictions for the unlabeled test questions
  trainer predict --model models/ --data data/sample/input_test.csv --out predictions.csv`,
		Version:       model.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{err}
	})
	root.AddCommand(newTrainCommand(stdout, stderr))
	root.AddCommand(newTuneCommand(stdout, stderr))
	root.AddCommand(newEvaluateCommand(stdout, stderr))
	root.AddCommand(newPredictCommand(stdout, stderr))
	root.AddCommand(newSelectCommand(stdout, stderr))
	root.AddCommand(newCVCommand(stdout, stderr))
	return root
}
