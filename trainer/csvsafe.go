package main

import "regexp"

// plainNumber is a decimal number with an optional sign and exponent, as a
// spreadsheet reads a number typed in a cell: "-1", "+3", "-0.5", "1e-3".
var plainNumber = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// csvSafe protects a cell of a CSV file meant to be opened in a spreadsheet
// against formula injection (CSV injection): a cell that starts with =, +,
// -, @, a tab or a carriage return is read by Excel, LibreOffice or Google
// Sheets as a formula, so such a cell gets a leading single quote, as the
// OWASP "CSV Injection" page recommends. Questions come from users and
// intents from training data: both are escaped.
//
// A cell that is a plain number ("-1", "+3", "-0.5") is kept as it is: a
// spreadsheet reads it as that number, not as a formula, and numeric labels
// such as -1 (a common "none" intent) must stay numbers for whoever reads
// predictions.csv back. This is a judgement call: "-1+1" or "-1e5x" are not
// plain numbers and are escaped.
func csvSafe(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if plainNumber.MatchString(cell) {
			return cell
		}
		return "'" + cell
	}
	return cell
}

// csvSafeRows returns rows with every cell passed through csvSafe; rows is
// not modified.
func csvSafeRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = csvSafe(c)
		}
	}
	return out
}
