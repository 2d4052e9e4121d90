package jobs

import (
	"cmp"
	"strings"
	"unicode"
	"unicode/utf8"

	"intent/internal/errcode"
	"intent/model/dataset"
)

// maxColumnLen bounds a column name of text_col, label_col and id_col.
const maxColumnLen = 100

// planSource validates what a request says about its data file:
// "dataset" (an entry of GET /datasets) or "data" (a path under the data
// folder), and the columns to read ("text_col", "label_col", "id_col",
// what --text-col and its siblings give the trainer). It sets p.Data,
// p.Dataset and the columns; the path itself is confined by Plan.
func (req Request) planSource(dataDir string, p *Plan) error {
	if req.Dataset != "" {
		if req.Data != "" {
			return errcode.New(errcode.Invalid, `give "dataset" (a name GET /datasets lists) or "data" (a path under the data folder), not both`)
		}
		ds, err := findDataset(dataDir, req.Dataset)
		if err != nil {
			return err
		}
		p.Data, p.Dataset = ds.Path, ds.Path
		if ds.ID != "" {
			p.Dataset = ds.ID
			p.TextCol, p.LabelCol, p.IDCol = ds.cols.TextCol, ds.cols.LabelCol, ds.cols.IDCol
		}
	}
	for _, c := range []struct {
		field, value string
		dst          *string
	}{{"text_col", req.TextCol, &p.TextCol}, {"label_col", req.LabelCol, &p.LabelCol}, {"id_col", req.IDCol, &p.IDCol}} {
		if c.value == "" {
			continue
		}
		if p.Data == "" {
			return errcode.New(errcode.Invalid, `%q names a column of "data" or "dataset", and none is given (the stored examples have no columns)`, c.field)
		}
		v := strings.TrimSpace(c.value)
		if v == "" || utf8.RuneCountInString(v) > maxColumnLen || strings.IndexFunc(v, unicode.IsControl) >= 0 {
			return errcode.New(errcode.Invalid, `%q must be a column name of 1 to %d printable characters, got %q`, c.field, maxColumnLen, errcode.Truncate(c.value, 40))
		}
		*c.dst = v
	}
	return nil
}

// findDataset returns the labeled dataset of dir named name.
func findDataset(dir, name string) (Dataset, error) {
	if dir == "" {
		return Dataset{}, errcode.New(errcode.Invalid, `this server has no data folder, so "dataset" cannot be used`)
	}
	all, err := Datasets(dir)
	if err != nil {
		return Dataset{}, err
	}
	var names []string
	for _, ds := range all {
		if ds.Path == name || ds.ID != "" && ds.ID == name {
			if !ds.Labeled {
				return Dataset{}, errcode.New(errcode.Invalid, `dataset %q holds no labeled data to train on (a Posos folder without input_train.csv and output_train.csv)`, errcode.Truncate(name, 100))
			}
			return ds, nil
		}
		if ds.Labeled {
			names = append(names, cmp.Or(ds.ID, ds.Path))
		}
	}
	list := "none"
	if len(names) > 0 {
		list = errcode.Truncate(strings.Join(names, ", "), 300)
	}
	return Dataset{}, errcode.New(errcode.Invalid, `no dataset %q in the data folder (GET /datasets; labeled ones: %s)`, errcode.Truncate(name, 100), list)
}

// options are the dataset reader's options for the plan's columns.
func (p Plan) options() dataset.Options {
	return dataset.Options{TextCol: p.TextCol, LabelCol: p.LabelCol, IDCol: p.IDCol}
}

// flagsAsFields names the request fields where the dataset readers'
// messages name the trainer's flags.
var flagsAsFields = strings.NewReplacer("--text-col", `"text_col"`, "--label-col", `"label_col"`, "--id-col", `"id_col"`)

// fieldError is err with the trainer's flags it names (--text-col...)
// named as the request fields that set the same thing; err itself when it
// names none.
func fieldError(err error) error {
	if err == nil || !strings.Contains(err.Error(), "-col") {
		return err
	}
	return &fieldErr{msg: flagsAsFields.Replace(err.Error()), err: err}
}

type fieldErr struct {
	msg string
	err error
}

func (e *fieldErr) Error() string { return e.msg }
func (e *fieldErr) Unwrap() error { return e.err }
