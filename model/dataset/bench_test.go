package dataset

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePosos writes an n-row Posos pair with realistic French questions
// (some quoted, with ; and "" inside) to dir and returns the bytes written.
func writePosos(tb testing.TB, dir string, n int) int64 {
	tb.Helper()
	words := []string{"risques", "poisson", "cru", "pendant", "la", "grossesse", "doliprane", "ibuprofène",
		"posologie", "effets", "secondaires", "vaccin", "allergie", "pénicilline", "enfant", "dose", "matin", "soir"}
	var total int64
	write := func(name string, fill func(w *bufio.Writer)) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		w := bufio.NewWriter(f)
		fill(w)
		if err := w.Flush(); err != nil {
			tb.Fatal(err)
		}
		fi, _ := f.Stat()
		total += fi.Size()
		f.Close()
	}
	write(PososInput, func(w *bufio.Writer) {
		w.WriteString(utf8BOM + "ID;question\r\n")
		for i := range n {
			q := ""
			for j := range 8 + i%12 {
				q += words[(i*7+j*13)%len(words)] + " "
			}
			if i%5 == 0 {
				fmt.Fprintf(w, "%d;\"%s; \"\"quoted\"\" ?\"\r\n", i, q)
			} else {
				fmt.Fprintf(w, "%d;%s?\r\n", i, q)
			}
		}
	})
	write(PososOutput, func(w *bufio.Writer) {
		w.WriteString("ID;intention\r\n")
		for i := range n {
			fmt.Fprintf(w, "%d;%d\r\n", i, i%51)
		}
	})
	return total
}

func BenchmarkLoadPosos100k(b *testing.B) {
	dir := b.TempDir()
	size := writePosos(b, dir, 100_000)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		ds, err := Load(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(ds.Examples) != 100_000 {
			b.Fatalf("%d examples", len(ds.Examples))
		}
	}
}

func BenchmarkSplit100k(b *testing.B) {
	ex := synth(make51(100_000)...)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := Split(ex, 0.2, 42); err != nil {
			b.Fatal(err)
		}
	}
}

// make51 spreads n examples over 51 labels.
func make51(n int) []int {
	s := make([]int, 51)
	for i := range n {
		s[i%51]++
	}
	return s
}

func TestLoadPososGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	dir := t.TempDir()
	writePosos(t, dir, 2000)
	ds, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Examples) != 2000 || len(ds.Rejected) != 0 || len(ds.Labels()) != 51 {
		t.Fatalf("%d examples, %d rejected, %d labels", len(ds.Examples), len(ds.Rejected), len(ds.Labels()))
	}
	if e := ds.Examples[5]; e.Line != 7 || e.Label != "5" || !strings.HasSuffix(e.Text, `; "quoted" ?`) {
		t.Errorf("example 5 = %+v", e)
	}
}
