// Package dataset reads labeled (or unlabeled) intent data and splits it.
//
// # Formats
//
// Load accepts a Posos folder (input_train.csv "ID;question" joined on ID
// with output_train.csv "ID;intention"; input_test.csv for unlabeled data),
// a CSV or TSV file, JSON Lines, or a .json array of objects. Delimited
// files are UTF-8 with or without a byte order mark, LF or CRLF, quoted as
// RFC 4180 (fields in double quotes, "" for a quote, newlines allowed inside
// quotes); the delimiter is detected among ; , tab | on the header line,
// outside quotes. Columns are found case-insensitively by name (text:
// question, text, query, sentence, utterance; label: intention, intent,
// label, category, class; id: id) unless Options names them. Without an id
// column the id is the 1-based data row number. JSON numbers used as labels
// or ids become their decimal text (26 -> "26"). Texts, labels and ids are
// trimmed of surrounding white space.
//
// # Errors and rejections
//
// A file that cannot be used at all makes Load return an *Error naming the
// file, the line and the problem, with a hint to fix it: a missing file or
// column (the columns found are listed, with the flag to choose one), a
// quote left open, a bare quote, a row whose number of fields differs from
// the header, a line that is not JSON, bytes that are not UTF-8 (the whole
// file is refused: such a byte means the file is in another encoding, and
// every row would be suspect), or no usable record at all.
//
// A record that cannot be used is not an error: it is appended to
// Dataset.Rejected with its file, line, id and one of the Reason constants,
// never dropped silently. Rejected are: an empty or white-space text, a
// missing label (unless Options.Unlabeled), an empty id where ids come from
// the file, a repeated id (the first record wins), a Posos question whose id
// has no label and a label whose id has no question, and a JSON value that
// is an array or object. Labels with a single example are kept; Split deals
// with them.
//
// Reading streams: only the examples kept (and, for Posos, the id -> label
// map of output_train.csv) are held in memory. A .json array is read whole.
//
// # Splitting
//
// Split and KFold are stratified by label and reproducible: the same seed
// gives the same result on every run and Go release. Hash identifies a set
// of examples for a model's metadata.
//
// The package uses the standard library only and never panics on any input.
package dataset
