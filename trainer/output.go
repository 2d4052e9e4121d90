package main

import (
	"bytes"
	"encoding/csv"
	"io"

	"intent/internal/atomicfile"
)

// writeCSV writes a header and rows as CSV, quoted as needed, to stdout
// when out is "-", else to the file out through a temporary file and a
// rename, so an interrupted run never leaves a truncated file. Cells a
// spreadsheet would run as a formula are escaped (csvSafe).
func writeCSV(out string, stdout io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(csvSafeRows(rows)) // flushes
	if err := w.Error(); err != nil {
		return err
	}
	if out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	return atomicfile.WriteFile(out, buf.Bytes(), 0o644)
}
