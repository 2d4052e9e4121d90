package tune

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// WriteCSV writes one row per trial, the best first, with a header.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"rank", "rung", "n_train", "c", "solver", "class_weight", "min_df", "word_ngrams", "char_min", "char_max", "accuracy", "macro_f1", "seconds", "error"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 6, 64) }
	for i, t := range r.Trials {
		cw.Write([]string{strconv.Itoa(i + 1), strconv.Itoa(t.Rung), strconv.Itoa(t.NTrain), strconv.FormatFloat(t.C, 'g', 6, 64), t.Solver, t.ClassWeight,
			strconv.Itoa(t.MinDF), strconv.Itoa(t.WordMax), strconv.Itoa(t.CharMin), strconv.Itoa(t.CharMax),
			f(t.Accuracy), f(t.MacroF1), strconv.FormatFloat(t.Seconds, 'f', 3, 64), t.Error})
	}
	cw.Flush()
	return cw.Error()
}

// Files are the results table as a version folder keeps it: tune.csv and
// tune.json.
func (r *Result) Files() (map[string][]byte, error) {
	var c bytes.Buffer
	if err := r.WriteCSV(&c); err != nil {
		return nil, err
	}
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"tune.csv": c.Bytes(), "tune.json": append(j, '\n')}, nil
}
