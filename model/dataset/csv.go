package dataset

import (
	"fmt"
	"io"
	"strconv"
)

// readTable loads a single CSV or TSV file: a header naming the columns,
// then one record per row.
func readTable(r io.Reader, source string, preferTab bool, opt Options) (*Dataset, error) {
	t, err := openTable(r, source, preferTab)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Format: t.format(), Sources: []string{source}}
	suggest := suggestHeader(t.header, t.delim, !opt.Unlabeled)
	ti := findColumn(t.header, opt.TextCol, textRole)
	if ti < 0 {
		return nil, tableMissingColumn(t, opt.TextCol, textRole, suggest)
	}
	li := findColumn(t.header, opt.LabelCol, labelRole)
	if li < 0 && (!opt.Unlabeled || opt.LabelCol != "") {
		return nil, tableMissingColumn(t, opt.LabelCol, labelRole, suggest)
	}
	if li == ti {
		return nil, &Error{Source: source, Line: 1,
			Err:  fmt.Errorf("%w: text and label are both column %q", ErrMissingColumn, t.header[ti]),
			Hint: "choose different columns with --text-col and --label-col"}
	}
	ii := findColumn(t.header, opt.IDCol, idRole)
	if ii < 0 && opt.IDCol != "" {
		return nil, missingColumn(source, 1, t.header, opt.IDCol, idRole)
	}
	b := newBuilder(ds, opt)
	for row := 1; !b.full(); row++ {
		rec, line, err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		e := Example{Text: rec[ti], Source: source, Line: line}
		if li >= 0 {
			e.Label = rec[li]
		}
		if ii >= 0 {
			e.ID = rec[ii]
			b.add(e, true)
		} else {
			e.ID = strconv.Itoa(row)
			b.add(e, false)
		}
	}
	return ds, nil
}
