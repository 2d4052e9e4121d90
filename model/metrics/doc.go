// Package metrics scores the predictions of a single-label multi-class
// classifier: confusion matrix, accuracy, per-class, micro, macro and weighted
// precision, recall and F1, and the calibration measures ECE and log loss.
//
// # Contract
//
// Evaluate takes the label list and two equal-length slices of class indices
// into it (true, predicted). Labels are given in display order; SortLabels
// produces the project's order (numeric when every label is an integer,
// lexicographic otherwise). Empty input, a length mismatch or an index out
// of range is an error; Evaluate never returns NaN or Inf.
//
// # Formulas
//
// With C the confusion matrix (C[i][j] = examples of true class i predicted
// as j), for every class i:
//
//	tp_i      = C[i][i]
//	support_i = Σ_j C[i][j]          (row sum)
//	pred_i    = Σ_j C[j][i]          (column sum)
//	precision_i = tp_i / pred_i      (0 when pred_i = 0)
//	recall_i    = tp_i / support_i   (0 when support_i = 0)
//	f1_i        = 2·P·R / (P + R)    (0 when P + R = 0)
//
// These are scikit-learn's precision_recall_fscore_support(average=None,
// zero_division=0). Over the K labels passed and N examples:
//
//	accuracy        = Σ_i tp_i / N
//	micro P = micro R = Σ tp_i / N   (single-label: equals accuracy)
//	micro F1        = 2·P·R / (P + R)
//	macro X         = (1/K) Σ_i X_i                  for X in P, R, F1
//	weighted X      = Σ_i support_i · X_i / N
//
// Macro F1 is the mean of the per-class F1 scores, not the F1 of macro P and
// macro R. Every label passed counts in the macro mean, including a label
// with no support and no prediction (it scores 0 and lowers the mean). This
// is scikit-learn's behaviour when labels= is given explicitly; without
// labels=, scikit-learn averages only over labels present in y_true or
// y_pred. Callers that want that must pass only the observed labels.
//
// The agreement is pinned by testdata/sklearn_report.json, produced by
// testdata/sklearn_fixture.py, and against github.com/sjwhitworth/golearn's
// evaluation package where that one is defined (golearn returns NaN when a
// class is never predicted, and averages only over classes with support).
//
// # Calibration
//
// ECE is the top-label expected calibration error with B equal-width bins on
// [0, 1] (the training report uses B = DefaultBins = 15). Bin b holds the
// confidences in (b/B, (b+1)/B], computed as max(0, ceil(c·B) − 1), so 0 goes
// to the first bin:
//
//	ECE = Σ_b (n_b / N) · |acc_b − conf_b|
//
// LogLoss is the mean negative log-likelihood of the true class,
//
//	LogLoss = −(1/N) Σ_i ln(max(p_i,y_i, 1e-15))
//
// without renormalising the rows.
package metrics
