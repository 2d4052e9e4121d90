package dataset

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func td(name string) string { return Fixture(name) }

// row is the part of an Example a test pins down.
type row struct {
	ID, Text, Label string
	Line            int
}

func rows(ex []Example) []row {
	out := make([]row, len(ex))
	for i, e := range ex {
		out[i] = row{e.ID, e.Text, e.Label, e.Line}
	}
	return out
}

type rej struct {
	File   string // base name
	Line   int
	ID     string
	Reason string
}

func rejs(rs []Rejection) []rej {
	out := make([]rej, len(rs))
	for i, r := range rs {
		out[i] = rej{filepath.Base(r.Source), r.Line, r.ID, r.Reason}
	}
	return out
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name     string
		path     string
		opt      Options
		format   string
		want     []row
		rejected []rej
	}{
		{
			name:   "posos BOM CRLF quotes accents",
			path:   td("posos"),
			format: "posos",
			want: []row{
				{"0", "risques poisson cru pendant la grossesse ?", "26", 2},
				{"1", "peut-on prendre du doliprane; et de l'ibuprofène ?", "8", 3},
				{"2", `il a dit "stop" au traitement`, "44", 4},
				{"3", "effets secondaires\ndu vaccin ?", "26", 5},
				{"4", "allergie à la pénicilline, que faire ?", "8", 7},
				{"5", "posologie du kardégic", "31", 8},
			},
			rejected: []rej{},
		},
		{
			name:   "posos unlabeled reads input_test.csv",
			path:   td("posos"),
			opt:    Options{Unlabeled: true},
			format: "posos",
			want: []row{
				{"8028", "quels sont les effets du paracétamol ?", "", 2},
				{"8029", "grossesse; et alcool", "", 3},
			},
			rejected: []rej{},
		},
		{
			name:   "posos test only, unlabeled",
			path:   td("posos_test_only"),
			opt:    Options{Unlabeled: true},
			format: "posos",
			want:   []row{{"1", "bonjour", "", 2}, {"2", "au revoir", "", 3}},
		},
		{
			name:   "posos unknown ids, duplicates, empty text",
			path:   td("posos_bad"),
			format: "posos",
			want:   []row{{"1", "première question", "5", 2}, {"3", "troisième question", "7", 4}},
			rejected: []rej{
				{"output_train.csv", 5, "3", ReasonDuplicateID},
				{"input_train.csv", 3, "2", ReasonEmptyText},
				{"input_train.csv", 5, "3", ReasonDuplicateID},
				{"input_train.csv", 6, "4", ReasonNoLabel},
				{"input_train.csv", 7, "", ReasonMissingID},
				{"input_train.csv", 8, "6", ReasonMissingLabel},
				{"output_train.csv", 7, "99", ReasonNoQuestion},
			},
		},
		{
			name:   "comma CSV text,label without id",
			path:   td("comma.csv"),
			format: "csv",
			want: []row{
				{"1", "hello there", "greet", 2},
				{"2", "book a table, for two", "book", 3},
				{"3", "multi\nline", "book", 4},
				{"4", "bye", "greet", 6},
			},
		},
		{
			name:   "TSV with id and utterance",
			path:   td("intents.tsv"),
			format: "tsv",
			want: []row{
				{"a1", "réserver un vol", "flight", 2},
				{"a2", "annuler; vol", "flight", 3},
				{"a3", "quelle météo", "weather", 4},
			},
		},
		{
			name:   "JSONL numeric labels",
			path:   td("numeric.jsonl"),
			format: "jsonl",
			want: []row{
				{"1", "risques poisson cru", "26", 1},
				{"2", "doliprane et grossesse", "8", 3},
				{"3", "case of key", "26", 4},
			},
			rejected: []rej{
				{"numeric.jsonl", 5, "4", ReasonEmptyText},
				{"numeric.jsonl", 6, "5", ReasonMissingLabel},
				{"numeric.jsonl", 7, "6", ReasonBadValue},
			},
		},
		{
			name:     "JSON array with numeric ids",
			path:     td("array.json"),
			format:   "json",
			want:     []row{{"10", "un", "a", 2}, {"11", "deux", "b", 3}},
			rejected: []rej{{"array.json", 4, "10", ReasonDuplicateID}},
		},
		{
			name:   "column overrides",
			path:   td("custom.csv"),
			opt:    Options{TextCol: "Phrase", LabelCol: "TAG"},
			format: "csv",
			want:   []row{{"1", "bonjour", "hello", 2}, {"2", "merci", "thanks", 3}},
		},
		{
			name:   "unlabeled file without label column",
			path:   td("no_label.csv"),
			opt:    Options{Unlabeled: true},
			format: "csv",
			want:   []row{{"1", "bonjour", "", 2}},
		},
		{
			name:   "empty text rejected",
			path:   td("empty_text.csv"),
			format: "csv",
			want:   []row{{"1", "bonjour", "1", 2}, {"4", "au revoir", "1", 5}},
			rejected: []rej{
				{"empty_text.csv", 3, "2", ReasonEmptyText},
				{"empty_text.csv", 4, "3", ReasonEmptyText},
			},
		},
		{
			name:   "pipe-separated file sniffed",
			path:   td("pipe.txt"),
			format: "csv",
			want:   []row{{"1", "hello", "greet", 2}, {"2", "a|b", "misc", 3}},
		},
		{
			name:   "MaxRows stops early",
			path:   td("comma.csv"),
			opt:    Options{MaxRows: 2},
			format: "csv",
			want:   []row{{"1", "hello there", "greet", 2}, {"2", "book a table, for two", "book", 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Load(tt.path, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Format != tt.format {
				t.Errorf("Format = %q, want %q", ds.Format, tt.format)
			}
			if got := rows(ds.Examples); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("examples:\n got %+v\nwant %+v", got, tt.want)
			}
			if tt.rejected == nil {
				tt.rejected = []rej{}
			}
			if got := rejs(ds.Rejected); !reflect.DeepEqual(got, tt.rejected) {
				t.Errorf("rejected:\n got %v\nwant %v", got, tt.rejected)
			}
			for _, e := range ds.Examples {
				if !strings.HasPrefix(e.Source, tt.path) {
					t.Errorf("Source %q not under %q", e.Source, tt.path)
				}
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		path string
		opt  Options
		is   error
		line int
		want []string // substrings of the message
	}{
		{"missing file", td("nope.csv"), Options{}, fs.ErrNotExist, 0,
			[]string{"dataset: testdata/nope.csv: cannot open", "check the path"}},
		{"missing label column", td("no_label.csv"), Options{}, ErrMissingColumn, 1,
			[]string{"no_label.csv:1", "no label column", `"id", "question", "comment"`, "--label-col"}},
		{"override names absent column", td("comma.csv"), Options{TextCol: "nope"}, ErrMissingColumn, 1,
			[]string{"comma.csv:1", `no text column "nope"`, `"text", "label"`, "--text-col"}},
		{"detected text but no label", td("custom.csv"), Options{}, ErrMissingColumn, 1,
			[]string{`"phrase", "tag", "text"`, "--label-col"}},
		{"label override absent even unlabeled", td("no_label.csv"), Options{Unlabeled: true, LabelCol: "x"}, ErrMissingColumn, 1,
			[]string{`no label column "x"`}},
		{"text and label same column", td("comma.csv"), Options{LabelCol: "text"}, ErrMissingColumn, 1,
			[]string{"both column"}},
		{"unterminated quote", td("unterminated.csv"), Options{}, ErrMalformed, 3,
			[]string{"unterminated.csv:3", "unterminated quoted field starting at line 3", `""`}},
		{"bare quote", td("bare_quote.csv"), Options{}, ErrMalformed, 3,
			[]string{"bare_quote.csv:3", "bare"}},
		{"invalid UTF-8", td("latin1.csv"), Options{}, ErrEncoding, 3,
			[]string{"latin1.csv:3", "not UTF-8", "iconv"}},
		{"wrong number of fields", td("fields.csv"), Options{}, ErrMalformed, 3,
			[]string{"fields.csv:3", "wrong number of fields: 4, the header has 3"}},
		{"JSONL line not JSON", td("bad.jsonl"), Options{}, ErrMalformed, 3,
			[]string{"bad.jsonl:3", "not valid JSON"}},
		{"JSONL line not an object", td("notobject.jsonl"), Options{}, ErrMalformed, 2,
			[]string{"notobject.jsonl:2", "not a JSON object"}},
		{"JSONL invalid UTF-8", td("latin1.jsonl"), Options{}, ErrEncoding, 2,
			[]string{"latin1.jsonl:2"}},
		{"header only", td("header_only.csv"), Options{}, ErrNoExamples, 0,
			[]string{"no data rows"}},
		{"UTF-16", td("utf16.csv"), Options{}, ErrEncoding, 1,
			[]string{"UTF-16"}},
		{"JSON object that is not an array", td("clinc_like.json"), Options{}, ErrMissingColumn, 1,
			[]string{`"train"`}},
		{"folder without Posos files", td("posos_test_only"), Options{}, nil, 0,
			[]string{"not a Posos folder: no input_train.csv"}},
		{"every record rejected", td("all_empty.csv"), Options{}, ErrNoExamples, 0,
			[]string{"all_empty.csv: no usable examples: all 2 records rejected (empty text: 2)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, err := Load(tt.path, tt.opt)
			if err == nil {
				t.Fatalf("no error; got %d examples", len(ds.Examples))
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if de.Line != tt.line {
				t.Errorf("Line = %d, want %d (%v)", de.Line, tt.line, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRejectionSummary(t *testing.T) {
	ds, err := Load(td("posos_bad"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		ReasonDuplicateID:  2,
		ReasonEmptyText:    1,
		ReasonNoLabel:      1,
		ReasonMissingID:    1,
		ReasonMissingLabel: 1,
		ReasonNoQuestion:   1,
	}
	if got := ds.RejectionSummary(); !reflect.DeepEqual(got, want) {
		t.Errorf("RejectionSummary = %v, want %v", got, want)
	}
	if got := ds.Sources; len(got) != 2 || filepath.Base(got[0]) != PososInput || filepath.Base(got[1]) != PososOutput {
		t.Errorf("Sources = %v", got)
	}
}

func TestLabelsAndCounts(t *testing.T) {
	ds, err := Load(td("posos"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ds.Labels(), []string{"8", "26", "31", "44"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Labels = %v, want %v", got, want)
	}
	if got, want := ds.Counts(), map[string]int{"8": 2, "26": 2, "31": 1, "44": 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Counts = %v, want %v", got, want)
	}
}

func TestSortLabels(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"10", "9", "2", "-1"}, []string{"-1", "2", "9", "10"}},
		{[]string{"7", "07", "1"}, []string{"1", "07", "7"}},
		{[]string{"b", "10", "a", "9"}, []string{"10", "9", "a", "b"}},
		{[]string{}, []string{}},
	}
	for _, tt := range tests {
		got := append([]string{}, tt.in...)
		SortLabels(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SortLabels(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestDetectDelimiter(t *testing.T) {
	tests := []struct {
		head      string
		preferTab bool
		want      rune
	}{
		{"ID;question\n1;a,b,c,d\n", false, ';'},
		{"text,label\n", false, ','},
		{"a\tb\tc\n", false, '\t'},
		{"a|b\n", false, '|'},
		{`"x;y;z",label` + "\n", false, ','},
		{"a,b;c\n", false, ';'},
		{"a,b\tc\n", true, '\t'},
		{"single\n", false, ','},
		{"single\n", true, '\t'},
		{`"unterminated;;;`, false, ','},
	}
	for _, tt := range tests {
		if got := detectDelimiter([]byte(tt.head), tt.preferTab); got != tt.want {
			t.Errorf("detectDelimiter(%q, %v) = %q, want %q", tt.head, tt.preferTab, got, tt.want)
		}
	}
}
