package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHeaderless(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   bool
	}{
		{[]string{"question", "intent"}, false},
		{[]string{"ID", "texte", "label"}, false},
		{[]string{"phrase", "tag", "text"}, false},
		{[]string{"question posée", "intention"}, false},
		{[]string{"", "intent"}, false},
		{[]string{"risques poisson cru ?", "26"}, true},
		{[]string{"texte", "26"}, true},
		{[]string{"12", "texte"}, true},
		{[]string{"-1", "texte"}, true},
		{[]string{"combien de doliprane par jour", "posologie"}, true},
		{[]string{strings.Repeat("x", 41), "label"}, true},
	} {
		if got := headerless(tc.header); got != tc.want {
			t.Errorf("headerless(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// TestNoHeaderRowAdvice: a table whose first line is data gets advice about
// the missing header row (with a header to add), not about --text-col alone.
func TestNoHeaderRowAdvice(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := "est-ce que je peux prendre du doliprane et de l'ibuprofène en même temps ?"
	posos := filepath.Join(dir, "posos")
	write("posos/"+PososInput, "0;risques poisson cru pendant la grossesse ?\n1;combien de doliprane par jour\n")
	write("posos/"+PososOutput, "ID;intention\n0;26\n1;3\n")

	for _, tc := range []struct {
		name string
		path string
		opt  Options
		want []string
	}{
		{"CSV, question then intent", write("two.csv", "risques poisson cru pendant la grossesse ?,26\ncombien de doliprane,3\n"), Options{},
			[]string{"two.csv:1", "no text column", `the first line looks like data, not column names: "risques poisson cru pendant la grossesse ?", "26"`,
				"seems to have no header row", "add a first line that names the columns, e.g. question,intent", "--text-col"}},
		{"TSV, ID question intent", write("three.tsv", "1\t"+long+"\t8\n2\tgrossesse et sushis\t26\n"), Options{},
			[]string{"three.tsv:1", "seems to have no header row", "e.g. ID\tquestion\tintent", `"est-ce que je peux prendre du doliprane et de...", "8"`}},
		{"CSV to predict (no labels)", write("predict.csv", "8028;effets secondaires du vaccin ?\n8029;doliprane enceinte\n"), Options{Unlabeled: true},
			[]string{"predict.csv:1", "seems to have no header row", "e.g. ID;question"}},
		{"text column found, label not", write("half.csv", "question;26\nrisques poisson cru ?;26\n"), Options{},
			[]string{"half.csv:1", "no label column", "seems to have no header row", "--label-col"}},
		{"Posos input file", posos, Options{},
			[]string{PososInput + ":1", "no id column", "seems to have no header row", "e.g. ID;question"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path, tc.opt)
			if err == nil {
				t.Fatal("no error")
			}
			var de *Error
			if !errors.As(err, &de) || !errors.Is(err, ErrMissingColumn) || de.Line != 1 {
				t.Fatalf("error %v (%T): want an *Error at line 1 wrapping ErrMissingColumn", err, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}

	// Real column names that are not the ones looked for keep the advice
	// about --text-col: nothing suggests a missing header.
	_, err := Load(write("named.csv", "texte,intent\nrisques poisson cru ?,26\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "choose the text column with --text-col") ||
		strings.Contains(err.Error(), "header row") {
		t.Errorf("named columns: error %v; want the --text-col advice only", err)
	}
}

func TestSuggestHeader(t *testing.T) {
	for _, tc := range []struct {
		first   []string
		delim   rune
		labeled bool
		want    string
	}{
		{[]string{"risques ?", "26"}, ',', true, "question,intent"},
		{[]string{"26", "risques ?"}, ';', true, "intent;question"},
		{[]string{"8028", "risques ?"}, ';', false, "ID;question"},
		{[]string{"1", "risques ?", "26"}, '\t', true, "ID\tquestion\tintent"},
		{[]string{"risques ?", "1", "26"}, ';', true, "question;ID;intent"},
		{[]string{"risques ?"}, ',', true, ""},
		{[]string{"a", "b", "c", "d"}, ',', true, ""},
	} {
		if got := suggestHeader(tc.first, tc.delim, tc.labeled); got != tc.want {
			t.Errorf("suggestHeader(%q) = %q, want %q", tc.first, got, tc.want)
		}
	}
}
