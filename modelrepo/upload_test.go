package modelrepo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUploadIsSweptOnlyOnceClosed(t *testing.T) {
	root := t.TempDir()
	r := New(root)
	u, err := r.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	f, err := u.Create(ModelFile)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("bytes")
	f.Close()
	if _, err := u.Create("../x"); err == nil {
		t.Fatal("Create accepted a path")
	}
	if removed, err := r.Sweep(); err != nil || len(removed) != 0 {
		t.Fatalf("Sweep removed %v, %v: the upload is being received", removed, err)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	u.Close()
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Fatalf("left after Close: %v", entries)
	}
}

func TestPublishPaths(t *testing.T) {
	root := t.TempDir()
	r := New(root)
	u, err := r.NewUpload()
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	for name, data := range map[string]string{ModelFile: "model bytes", ReportFile: "{}"} {
		f, _ := u.Create(name)
		f.WriteString(data)
		f.Close()
	}
	n, err := r.Publish(Publish{Paths: map[string]string{ModelFile: u.Path(ModelFile)}, Files: map[string][]byte{ReportFile: []byte(`{"a":1}`)}})
	if err != nil || n != 1 {
		t.Fatalf("Publish: %d, %v", n, err)
	}
	if b, _ := os.ReadFile(filepath.Join(r.Dir(1), ModelFile)); string(b) != "model bytes" {
		t.Fatalf("model file %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(r.Dir(1), ReportFile)); string(b) != `{"a":1}` {
		t.Fatalf("report file %q", b)
	}
	if _, err := r.Publish(Publish{Paths: map[string]string{ModelFile: u.Path(ReportFile)}, Files: map[string][]byte{ModelFile: nil}}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a name in Files and Paths: %v", err)
	}
}
