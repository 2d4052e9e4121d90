package dataset

import (
	"io"
	"strings"
)

// File names of the Posos layout.
const (
	PososInput  = "input_train.csv"  // ID;question, training questions
	PososOutput = "output_train.csv" // ID;intention, their labels
	PososTest   = "input_test.csv"   // ID;question, questions to predict
)

// pososLabel is one kept record of the output file.
type pososLabel struct {
	id, label string
	line      int
	used      bool
}

// joinPosos reads the questions of in and, when out is not nil, joins them
// with the labels of out on the id column.
//
// Rejections, in this order: output records with an empty or repeated id;
// input records with an empty or repeated id, with no label record (unless
// Unlabeled), with an empty text or an empty label; finally output records
// whose id no input record has (skipped when MaxRows stopped the reading
// early). Each record is rejected at most once.
func joinPosos(in io.Reader, inName string, out io.Reader, outName string, opt Options) (*Dataset, error) {
	ds := &Dataset{Format: "posos", Sources: []string{inName}}
	b := newBuilder(ds, opt)

	var labels map[string]int // id -> index in entries
	var entries []pososLabel  // in file order, for the orphan report
	if out != nil {
		ds.Sources = append(ds.Sources, outName)
		t, ii, li, err := openPososFile(out, outName, opt.IDCol, opt.LabelCol, labelRole)
		if err != nil {
			return nil, err
		}
		labels = make(map[string]int)
		for {
			rec, line, err := t.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			id := strings.TrimSpace(rec[ii])
			switch _, dup := labels[id]; {
			case id == "":
				b.reject(outName, line, id, ReasonMissingID)
			case dup:
				b.reject(outName, line, id, ReasonDuplicateID)
			default:
				labels[id] = len(entries)
				entries = append(entries, pososLabel{id: id, label: rec[li], line: line})
			}
		}
	}

	t, ii, ti, err := openPososFile(in, inName, opt.IDCol, opt.TextCol, textRole)
	if err != nil {
		return nil, err
	}
	truncated := false
	for {
		if b.full() {
			truncated = true
			break
		}
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		e := Example{ID: strings.TrimSpace(rec[ii]), Text: rec[ti], Source: inName, Line: line}
		if !b.checkID(e) {
			continue
		}
		if labels != nil {
			k, ok := labels[e.ID]
			switch {
			case ok:
				entries[k].used = true
				e.Label = entries[k].label
			case !opt.Unlabeled:
				b.reject(inName, line, e.ID, ReasonNoLabel)
				continue
			}
		}
		b.keep(e)
	}
	if labels != nil && !truncated {
		for _, l := range entries {
			if !l.used {
				b.reject(outName, l.line, l.id, ReasonNoQuestion)
			}
		}
	}
	return ds, nil
}

// openPososFile opens one file of a Posos pair and finds its two columns:
// the ID and, by role, the question or the label (each overridable by name).
func openPososFile(r io.Reader, name, idCol, col string, colRole role) (t *table, idIdx, colIdx int, err error) {
	t, err = openTable(r, name, false)
	if err != nil {
		return nil, 0, 0, err
	}
	suggest := "ID" + string(t.delim) + colRole.names[0] // ID;question, ID;intention
	if idIdx = findColumn(t.header, idCol, idRole); idIdx < 0 {
		return nil, 0, 0, tableMissingColumn(t, idCol, idRole, suggest)
	}
	if colIdx = findColumn(t.header, col, colRole); colIdx < 0 {
		return nil, 0, 0, tableMissingColumn(t, col, colRole, suggest)
	}
	return t, idIdx, colIdx, nil
}
