package main

import (
	"bytes"
	"encoding/csv"
	"io"

	"intent/model"
)

// writeCSV writes a header and rows as CSV, quoted as needed, to stdout
// when out is "-", else to the file out through a temporary file and a
// rename, so an interrupted run never leaves a truncated file.
func writeCSV(out string, stdout io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(rows) // flushes
	if err := w.Error(); err != nil {
		return err
	}
	if out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return model.WriteFileAtomic(out, buf.Bytes(), 0o644)
}
