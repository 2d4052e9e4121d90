package datasets

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"intent/internal/errcode"
	"intent/model/dataset"
)

// upload stores files (part -> content) as a dataset.
func upload(t *testing.T, s *Store, sp Spec, files ...[2]string) (*Data, error) {
	t.Helper()
	u, err := s.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for _, f := range files {
		w, err := u.Create(f[0], f[0])
		if err != nil {
			return nil, err
		}
		n, _ := io.Copy(w, strings.NewReader(f[1]))
		u.Received(n)
		w.Close()
	}
	return u.Commit(sp)
}

func TestRowsKeepFileOrderWithRejectedAndUnlabeled(t *testing.T) {
	s := Open(t.TempDir())
	csv := "text,label\nhello,1\n,2\nhow much,\nbye,2\nhi,1\n"
	d, err := upload(t, s, Spec{Name: "greetings", Format: "csv"}, [2]string{PartFile, csv})
	if err != nil {
		t.Fatal(err)
	}
	m := d.Meta
	if !IsID(m.ID) || m.Format != "csv" || m.Name != "greetings" || m.Path != "datasets/"+m.ID+"/data.csv" {
		t.Fatalf("meta %+v", m)
	}
	if m.Rows != 5 || m.Labeled != 3 || m.Unlabeled != 1 || m.Rejected != 1 || m.Intents != 2 {
		t.Fatalf("counts %+v", m.Counts)
	}
	want := []string{"hello/1", "!" + dataset.ReasonEmptyText, "how much/", "bye/2", "hi/1"}
	for i, r := range d.Rows {
		got := r.Text + "/" + r.Label
		if r.Rejected != "" {
			got = "!" + r.Rejected
		}
		if got != want[i] {
			t.Errorf("row %d = %q, want %q", i, got, want[i])
		}
	}
	if !d.Numeric || !d.Report.Usable || d.Report.PerIntent["1"] != 2 {
		t.Errorf("numeric %v report %+v", d.Numeric, d.Report)
	}
	if got := d.Labeled(); len(got) != 3 || got[0] != 0 || got[1] != 3 || got[2] != 4 {
		t.Errorf("labeled rows %v", got)
	}

	// Read again from disk (another process): the same rows.
	s2 := Open(s.DataDir())
	d2, err := s2.Load(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d2.Rows) != 5 || d2.Rows[3].Text != "bye" || d2.Meta.Counts != m.Counts {
		t.Fatalf("reloaded %+v", d2.Meta)
	}
	list, err := s2.List()
	if err != nil || len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("list %v %v", list, err)
	}
	// Nothing but the dataset folder is left.
	entries, _ := os.ReadDir(filepath.Join(s.DataDir(), Dir))
	if len(entries) != 1 {
		t.Fatalf("datasets folder holds %v", entries)
	}

	if err := s2.Delete(m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(m.ID); !errcode.Is(err, errcode.NotFound) {
		t.Fatalf("load after delete: %v", err)
	}
	if err := s.Delete(m.ID); !errcode.Is(err, errcode.NotFound) {
		t.Fatalf("second delete: %v", err)
	}
	entries, _ = os.ReadDir(filepath.Join(s.DataDir(), Dir))
	if len(entries) != 0 {
		t.Fatalf("deleted dataset left %v", entries)
	}
}

func TestPososUploads(t *testing.T) {
	s := Open(t.TempDir())
	in := "ID;question\n10;dose de doliprane\n11;\n12;grossesse et ibuprofène\n13;pas de label\n"
	out := "ID;intention\n10;3\n11;3\n12;26\n99;4\n"
	d, err := upload(t, s, Spec{}, [2]string{dataset.PososInput, in}, [2]string{dataset.PososOutput, out})
	if err != nil {
		t.Fatal(err)
	}
	if d.Meta.Format != "posos" || d.Meta.Name != dataset.PososInput || d.Meta.Rows != 4 || d.Meta.Labeled != 2 || d.Meta.Unlabeled != 1 || d.Meta.Rejected != 1 {
		t.Fatalf("meta %+v", d.Meta)
	}
	if d.Rows[2].ID != "12" || d.Rows[2].Label != "26" || d.Rows[1].Rejected != dataset.ReasonEmptyText || d.Rows[3].Label != "" {
		t.Fatalf("rows %+v", d.Rows)
	}
	// The orphan label is in the report, not among the rows; the report
	// names the files as uploaded.
	if d.Report.RejectedReasons[dataset.ReasonNoQuestion] != 1 {
		t.Errorf("report %+v", d.Report)
	}
	for _, r := range d.Report.FirstRejected {
		if r.Source != dataset.PososInput && r.Source != dataset.PososOutput {
			t.Errorf("rejected row names %q", r.Source)
		}
	}

	// input_test.csv alone: questions to label.
	d, err = upload(t, s, Spec{}, [2]string{dataset.PososTest, "ID;question\n1;a\n2;b\n"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Meta.Rows != 2 || d.Meta.Unlabeled != 2 || d.Meta.Labeled != 0 || d.Report.Usable {
		t.Fatalf("unlabeled posos %+v %+v", d.Meta, d.Report)
	}
}

func TestBadUploadsAreRefusedAndLeaveNothing(t *testing.T) {
	s := Open(t.TempDir())
	for _, c := range []struct {
		name  string
		sp    Spec
		files [][2]string
		want  string
	}{
		{"no format", Spec{}, [][2]string{{PartFile, "a,b\n"}}, "format"},
		{"bad format", Spec{Format: "xml"}, [][2]string{{PartFile, "a,b\n"}}, `format "xml"`},
		{"no rows", Spec{Format: "csv"}, [][2]string{{PartFile, "text,label\n"}}, "no data rows"},
		{"missing column", Spec{Format: "csv", TextCol: "question"}, [][2]string{{PartFile, "text,label\nhi,1\n"}}, "text_col"},
		{"not json", Spec{Format: "jsonl"}, [][2]string{{PartFile, "{nope\n"}}, "not valid JSON"},
		{"labels alone", Spec{}, [][2]string{{dataset.PososOutput, "ID;intention\n1;2\n"}}, "need their questions"},
		{"test with train", Spec{}, [][2]string{{dataset.PososInput, "ID;question\n1;a\n"}, {dataset.PososTest, "ID;question\n1;a\n"}}, "of its own"},
		{"both kinds", Spec{}, [][2]string{{PartFile, "text\na\n"}, {dataset.PososInput, "ID;question\n1;a\n"}}, "not both"},
		{"control column", Spec{Format: "csv", LabelCol: "a\x00"}, [][2]string{{PartFile, "a\n"}}, "label_col"},
		{"nothing", Spec{Format: "csv"}, nil, "empty upload"},
	} {
		_, err := upload(t, s, c.sp, c.files...)
		if !errcode.Is(err, errcode.Invalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an invalid error with %q", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), s.DataDir()) {
			t.Errorf("%s: the error shows a server path: %v", c.name, err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(s.DataDir(), Dir))
	if len(entries) != 0 {
		t.Fatalf("refused uploads left %v", entries)
	}
	if _, err := s.Meta("../etc"); !errcode.Is(err, errcode.NotFound) {
		t.Fatal(err)
	}
}

func TestSweepRemovesOldLeftovers(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir)
	u, err := s.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	_ = u // an upload interrupted by a crash
	Open(dir)
	if _, err := os.Stat(u.dir); err != nil {
		t.Fatal("a recent upload was swept: another process may be receiving it")
	}
	s.sweep(0)
	if _, err := os.Stat(u.dir); !os.IsNotExist(err) {
		t.Fatal("an old upload was not swept")
	}
}
