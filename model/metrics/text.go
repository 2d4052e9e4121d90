package metrics

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Defaults applied by WriteText to zero fields of TextOptions.
const (
	DefaultMaxMatrixLabels = 20
	DefaultTopConfusions   = 10
	DefaultDigits          = 4
)

// TextOptions tunes WriteText. The zero value is ready to use.
type TextOptions struct {
	// Names maps a label to a human-readable name shown next to it. Optional.
	Names map[string]string
	// MaxMatrixLabels is the largest number of labels for which the full
	// confusion matrix is printed; above it, the TopConfusions most frequent
	// confusions are listed instead. 0 means DefaultMaxMatrixLabels; a
	// negative value never prints the matrix.
	MaxMatrixLabels int
	// TopConfusions is how many confusions to list when the matrix is not
	// printed. 0 means DefaultTopConfusions; a negative value lists them all.
	TopConfusions int
	// Digits is the number of decimals of every score. 0 means DefaultDigits.
	Digits int
}

// WriteText writes r as aligned plain-text tables: a headline (examples,
// accuracy, micro, macro and weighted averages), one row per class, then the
// full confusion matrix or the most frequent confusions. When r has
// confidence intervals (Bootstrap), the headline gives accuracy and
// macro-F1 in percent with them: "accuracy  92.87 % (95 % CI 92.1-93.6)".
func (r *Report) WriteText(w io.Writer, opt TextOptions) error {
	maxMatrix := opt.MaxMatrixLabels
	if maxMatrix == 0 {
		maxMatrix = DefaultMaxMatrixLabels
	}
	top := opt.TopConfusions
	if top == 0 {
		top = DefaultTopConfusions
	}
	digits := opt.Digits
	if digits <= 0 {
		digits = DefaultDigits
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', digits, 64) }

	ew := &errWriter{w: w}
	if r.CI != nil {
		// With intervals, the headline is in percent like the other
		// reports: "accuracy  92.87 % (95 % CI 92.1-93.6)".
		fmt.Fprintf(ew, "examples  %d\nlabels    %d\naccuracy  %s\nmacro F1  %s\n\n", r.N, len(r.Labels),
			FormatPercentCI(r.Accuracy, r.AccuracyCI, r.CI.Level), FormatPercentCI(r.MacroF1, r.MacroF1CI, r.CI.Level))
	} else {
		fmt.Fprintf(ew, "examples  %d\nlabels    %d\naccuracy  %s\n\n", r.N, len(r.Labels), f(r.Accuracy))
	}
	writeTable(ew, []bool{false, true, true, true}, [][]string{
		{"average", "precision", "recall", "f1"},
		{"micro", f(r.MicroPrecision), f(r.MicroRecall), f(r.MicroF1)},
		{"macro", f(r.MacroPrecision), f(r.MacroRecall), f(r.MacroF1)},
		{"weighted", f(r.WeightedPrecision), f(r.WeightedRecall), f(r.WeightedF1)},
	})
	fmt.Fprintln(ew)

	named := len(opt.Names) > 0
	head := []string{"label"}
	right := []bool{false}
	if named {
		head = append(head, "name")
		right = append(right, false)
	}
	head = append(head, "precision", "recall", "f1", "support", "predicted")
	right = append(right, true, true, true, true, true)
	rows := [][]string{head}
	for _, c := range r.PerClass {
		row := []string{c.Label}
		if named {
			row = append(row, opt.Names[c.Label])
		}
		row = append(row, f(c.Precision), f(c.Recall), f(c.F1), strconv.Itoa(c.Support), strconv.Itoa(c.Predicted))
		rows = append(rows, row)
	}
	writeTable(ew, right, rows)
	fmt.Fprintln(ew)

	if maxMatrix > 0 && len(r.Labels) <= maxMatrix {
		fmt.Fprintln(ew, "confusion matrix (rows: true label, columns: predicted label)")
		head := append([]string{`true\pred`}, r.Labels...)
		right := make([]bool, len(head))
		for i := 1; i < len(right); i++ {
			right[i] = true
		}
		rows := [][]string{head}
		for i, line := range r.Confusion {
			row := []string{r.Labels[i]}
			for _, c := range line {
				row = append(row, strconv.Itoa(c))
			}
			rows = append(rows, row)
		}
		writeTable(ew, right, rows)
		return ew.err
	}

	cs := r.TopConfusions(top)
	if top > 0 {
		fmt.Fprintf(ew, "top %d confusions (of %d labels)\n", top, len(r.Labels))
	} else {
		fmt.Fprintf(ew, "confusions (%d labels)\n", len(r.Labels))
	}
	if len(cs) == 0 {
		fmt.Fprintln(ew, "none")
		return ew.err
	}
	head = []string{"true", "predicted", "count"}
	right = []bool{false, false, true}
	if named {
		head = []string{"true", "name", "predicted", "name", "count"}
		right = []bool{false, false, false, false, true}
	}
	rows = [][]string{head}
	for _, c := range cs {
		if named {
			rows = append(rows, []string{c.True, opt.Names[c.True], c.Predicted, opt.Names[c.Predicted], strconv.Itoa(c.Count)})
		} else {
			rows = append(rows, []string{c.True, c.Predicted, strconv.Itoa(c.Count)})
		}
	}
	writeTable(ew, right, rows)
	return ew.err
}

// WriteConfusionCSV writes the confusion matrix as CSV: a header row whose
// first cell is `true\predicted` followed by the labels, then one row per
// true label starting with that label.
func (r *Report) WriteConfusionCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := append([]string{`true\predicted`}, r.Labels...)
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("metrics: write confusion csv: %w", err)
	}
	row := make([]string, len(r.Labels)+1)
	for i, line := range r.Confusion {
		row[0] = r.Labels[i]
		for j, c := range line {
			row[j+1] = strconv.Itoa(c)
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("metrics: write confusion csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("metrics: write confusion csv: %w", err)
	}
	return nil
}

// writeTable writes rows with columns padded to a common width (in runes),
// separated by two spaces; right[j] right-aligns column j. Trailing spaces
// are trimmed.
func writeTable(w io.Writer, right []bool, rows [][]string) {
	width := make([]int, len(right))
	for _, row := range rows {
		for j, cell := range row {
			width[j] = max(width[j], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		b.Reset()
		for j, cell := range row {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(cell))
			if right[j] {
				b.WriteString(pad)
				b.WriteString(cell)
			} else {
				b.WriteString(cell)
				b.WriteString(pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// errWriter remembers the first write error and drops later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("metrics: write report: %w", err)
	}
	return n, err
}
