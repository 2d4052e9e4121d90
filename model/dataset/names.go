package dataset

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// LoadLabelNames reads a two-column key/value table such as intents.csv
// ("id;name") or an answer key ("ID;intention"): the first column is the
// key, the second the value, the header line is skipped. It uses the same
// reader as the datasets (delimiter detection, BOM, quoting, UTF-8 checks).
// A duplicate key or a row without two fields is an error naming the line.
func LoadLabelNames(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Source: path, Err: err, Hint: "check the path"}
	}
	defer f.Close()
	t, err := openTable(f, path, false)
	if err != nil {
		return nil, err
	}
	if len(t.header) < 2 {
		return nil, &Error{Source: path, Line: 1, Err: fmt.Errorf("%w: %d column(s), need two (key and name)", ErrMalformed, len(t.header)),
			Hint: "write it as id;name"}
	}
	out := map[string]string{}
	for {
		rec, line, err := t.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		key := strings.TrimSpace(rec[0])
		if _, dup := out[key]; dup {
			return nil, &Error{Source: path, Line: line, Err: fmt.Errorf("%w: duplicate key %q", ErrMalformed, key)}
		}
		out[key] = strings.TrimSpace(rec[1])
	}
}
