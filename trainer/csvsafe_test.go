package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		// Formulas (and what a spreadsheet reads as one) get a leading quote.
		`=HYPERLINK("http://evil.example","clic")`: `'=HYPERLINK("http://evil.example","clic")`,
		"=1+1":                   "'=1+1",
		"+33 6 12 34 56 78":      "'+33 6 12 34 56 78",
		"-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
		"@SUM(A1:A9)":            "'@SUM(A1:A9)",
		"- peut-on prendre":      "'- peut-on prendre",
		"\t=1+1":                 "'\t=1+1",
		"\r=1+1":                 "'\r=1+1",
		"-1+1":                   "'-1+1",
		"-1e5x":                  "'-1e5x",
		"-Inf":                   "'-Inf",
		"-":                      "'-",
		// Plain numbers are numbers, not formulas: kept (numeric labels).
		"-1":   "-1",
		"+3":   "+3",
		"-0.5": "-0.5",
		"-.5":  "-.5",
		"-1e3": "-1e3",
		"26":   "26",
		// Anything else is untouched.
		"":                                     "",
		"risques poisson cru ?":                "risques poisson cru ?",
		"a=b":                                  "a=b",
		"'=deja":                               "'=deja",
		"grossesse - allaitement":              "grossesse - allaitement",
		" =1+1 (leading space, not a formula)": " =1+1 (leading space, not a formula)",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPredictEscapesFormulas runs predict --api (what make test runs) on
// questions and against intents that a spreadsheet would run as formulas:
// every such cell of predictions.csv starts with a single quote, numeric
// labels such as -1 stay numbers, and the IDs are unchanged.
func TestPredictEscapesFormulas(t *testing.T) {
	intents := map[string]any{
		"=1+1 question":       `=HYPERLINK("http://evil.example","clic")`,
		"+33 6 12 34 56 78":   "@SUM(A1:A9)",
		"-2+3+cmd|' /C calc'": -1,
		"@admin":              26,
		"une question sage":   "+intent",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/readyz":
			fmt.Fprint(w, `{"status":"ready"}`)
		case "/intent":
			label, ok := intents[r.URL.Query().Get("query")]
			if !ok {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"error":"unexpected question"}`)
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"intent": label, "probability": "0.50000000"})
		}
	}))
	defer srv.Close()

	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("ID;question\n"+
		"1;\"=1+1 question\"\n"+
		"2;+33 6 12 34 56 78\n"+
		"3;\"-2+3+cmd|' /C calc'\"\n"+
		"4;@admin\n"+
		"5;une question sage\n"), 0o644)
	out := filepath.Join(dir, "predictions.csv")
	code, _, errs := runCLI(t, "predict", "--api", srv.URL, "--data", in, "--out", out, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := [][]string{
		{"ID", "question", "intent"},
		{"1", "'=1+1 question", `'=HYPERLINK("http://evil.example","clic")`},
		{"2", "'+33 6 12 34 56 78", "'@SUM(A1:A9)"},
		{"3", "'-2+3+cmd|' /C calc'", "-1"},
		{"4", "'@admin", "26"},
		{"5", "une question sage", "'+intent"},
	}
	got := readCSV(t, out)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("predictions.csv:\n got %q\nwant %q", got, want)
	}
	b, _ := os.ReadFile(out)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		for _, f := range strings.Split(line, ",") {
			if f = strings.TrimPrefix(f, `"`); f != "" && strings.ContainsRune("=+@", rune(f[0])) {
				t.Errorf("a cell starts with %q in %q", f[0], line)
			}
		}
	}
}
