// Package maketest tests the Makefile's shell helpers (scripts/*.sh) the way
// a user runs them: `make data` on an archive the test encrypts itself, and
// the RUNNER choice with a stand-in docker command.
package maketest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A small set in the Posos layout: semicolon-separated, quoted fields with
// "" escapes, UTF-8, CRLF line ends.
var posos = map[string]string{
	"input_train.csv":  "ID;question\r\n0;\"risques poisson cru pendant la grossesse ?\"\r\n1;\"peut-on prendre du doliprane avec de l'ibuprofène ?\"\r\n2;\"le \"\"générique\"\" est-il aussi efficace ?\"\r\n",
	"output_train.csv": "ID;intention\r\n0;26\r\n1;31\r\n2;44\r\n",
	"input_test.csv":   "ID;question\r\n8028;\"effets secondaires du vaccin ?\"\r\n",
}

const passphrase = "correct horse battery staple; with spaces & $igns"

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "Makefile")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return root
}

func need(t *testing.T, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s is not installed", c)
		}
	}
}

// gnupgHome gives gpg a home of its own and stops the agent gpg starts there.
func gnupgHome(t *testing.T) string {
	t.Helper()
	home, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent").Run()
		os.RemoveAll(home)
	})
	return home
}

// environ is the test's environment without the variables the scripts
// read, plus extra.
func environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "DATA_PASSPHRASE", "DATA_PASSPHRASE_FILE", "DATA_DIR", "DATA_ARCHIVE", "RUNNER", "GNUPGHOME",
			"MAKEFLAGS", "MFLAGS", "MAKELEVEL":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func makeTGZ(t *testing.T, files map[string]string, prefix string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	if prefix != "" {
		if err := tw.WriteHeader(&tar.Header{Name: prefix + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range files {
		if prefix != "" {
			name = prefix + "/" + name
		}
		hdr := &tar.Header{Name: name, Mode: 0o600, Size: int64(len(body)), ModTime: time.Now(), Uid: 4242, Gid: 4242}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encrypt writes plain, encrypted symmetrically with pass, to dst.
func encrypt(t *testing.T, home string, plain []byte, pass, dst string) {
	t.Helper()
	src := dst + ".plain"
	if err := os.WriteFile(src, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gpg", "--batch", "--yes", "--quiet", "--pinentry-mode", "loopback", "--no-symkey-cache",
		"--passphrase-fd", "0", "--symmetric", "--cipher-algo", "AES256", "--output", dst, src)
	cmd.Env = environ("GNUPGHOME=" + home)
	cmd.Stdin = strings.NewReader(pass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gpg --symmetric: %v\n%s", err, out)
	}
	os.Remove(src)
}

type result struct {
	code   int
	output string
}

func run(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", cmd, err)
		}
		code = ee.ExitCode()
	}
	return result{code, string(out)}
}

// dataScript runs scripts/data.sh with the given environment.
func dataScript(t *testing.T, env ...string) result {
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "data.sh"))
	cmd.Env = environ(env...)
	return run(t, cmd)
}

func checkExtracted(t *testing.T, dir string) {
	t.Helper()
	for name, want := range posos {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("not extracted: %v", err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}

func TestMakeData(t *testing.T) {
	need(t, "gpg", "gpgconf", "tar", "bash")
	home := gnupgHome(t)
	tmp := t.TempDir()
	archive := filepath.Join(tmp, "data.tgz.gpg")
	encrypt(t, home, makeTGZ(t, posos, ""), passphrase, archive)
	gpgHome := "GNUPGHOME=" + home

	t.Run("make data with DATA_PASSPHRASE", func(t *testing.T) {
		need(t, "make")
		out := filepath.Join(t.TempDir(), "data")
		cmd := exec.Command("make", "--no-print-directory", "-C", repoRoot(t), "data",
			"DATA_DIR="+out, "DATA_ARCHIVE="+archive)
		cmd.Env = environ(gpgHome, "DATA_PASSPHRASE="+passphrase)
		r := run(t, cmd)
		if r.code != 0 {
			t.Fatalf("make data: exit %d\n%s", r.code, r.output)
		}
		checkExtracted(t, out)
		if strings.Contains(r.output, passphrase) {
			t.Errorf("the output shows the passphrase:\n%s", r.output)
		}
		// Nothing is left behind but the dataset.
		entries, _ := os.ReadDir(out)
		if len(entries) != len(posos) {
			t.Errorf("%d entries in %s, want %d: %v", len(entries), out, len(posos), entries)
		}
	})

	t.Run("DATA_PASSPHRASE_FILE, files in a folder of the archive, extracted over old files", func(t *testing.T) {
		nested := filepath.Join(t.TempDir(), "nested.tgz.gpg")
		encrypt(t, home, makeTGZ(t, posos, "data"), passphrase, nested)
		passFile := filepath.Join(t.TempDir(), "pass")
		if err := os.WriteFile(passFile, []byte(passphrase+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		if err := os.WriteFile(filepath.Join(out, "input_test.csv"), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		r := dataScript(t, gpgHome, "DATA_DIR="+out, "DATA_ARCHIVE="+nested, "DATA_PASSPHRASE_FILE="+passFile)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.output)
		}
		checkExtracted(t, out)
	})

	t.Run("wrong passphrase", func(t *testing.T) {
		out := t.TempDir()
		r := dataScript(t, gpgHome, "DATA_DIR="+out, "DATA_ARCHIVE="+archive, "DATA_PASSPHRASE=not it")
		if r.code == 0 {
			t.Fatalf("exit 0 with a wrong passphrase\n%s", r.output)
		}
		if !strings.Contains(r.output, "could not decrypt") {
			t.Errorf("no clear message:\n%s", r.output)
		}
		// gpg's own reason is shown, indented under one "gpg: " prefix
		// (gpg writes "gpg: decryption failed: Bad session key").
		if strings.Contains(r.output, "gpg: gpg:") {
			t.Errorf("the gpg prefix is repeated:\n%s", r.output)
		}
		shown := false
		for _, line := range strings.Split(r.output, "\n") {
			if rest, ok := strings.CutPrefix(line, "  gpg: "); ok && strings.TrimSpace(rest) != "" {
				shown = true
			}
		}
		if !shown {
			t.Errorf("gpg's reason is not shown as \"  gpg: <reason>\":\n%s", r.output)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("files left in %s after a failure: %v", out, entries)
		}
	})

	t.Run("missing archive", func(t *testing.T) {
		out := t.TempDir()
		missing := filepath.Join(out, "nowhere", "data.tgz.gpg")
		r := dataScript(t, gpgHome, "DATA_DIR="+out, "DATA_ARCHIVE="+missing, "DATA_PASSPHRASE="+passphrase)
		if r.code == 0 {
			t.Fatalf("exit 0 without an archive\n%s", r.output)
		}
		if !strings.Contains(r.output, missing+" not found") {
			t.Errorf("the message does not name the missing file:\n%s", r.output)
		}
	})

	t.Run("missing passphrase", func(t *testing.T) {
		out := t.TempDir()
		r := dataScript(t, gpgHome, "DATA_DIR="+out, "DATA_ARCHIVE="+archive)
		if r.code == 0 {
			t.Fatalf("exit 0 without a passphrase\n%s", r.output)
		}
		for _, want := range []string{"no passphrase", "DATA_PASSPHRASE", "DATA_PASSPHRASE_FILE"} {
			if !strings.Contains(r.output, want) {
				t.Errorf("the message lacks %q:\n%s", want, r.output)
			}
		}
	})

	t.Run("unreadable passphrase file", func(t *testing.T) {
		r := dataScript(t, gpgHome, "DATA_DIR="+t.TempDir(), "DATA_ARCHIVE="+archive,
			"DATA_PASSPHRASE_FILE="+filepath.Join(tmp, "no-such-file"))
		if r.code == 0 || !strings.Contains(r.output, "cannot be read") {
			t.Errorf("exit %d, want a failure naming the file:\n%s", r.code, r.output)
		}
	})
}

// TestDataStaysOutOfGitAndImages checks .gitignore and .dockerignore keep the
// real dataset out of commits and images: the encrypted archive, the
// decrypted Posos files and make data's temporary folder, while the sample
// set stays in.
func TestDataStaysOutOfGitAndImages(t *testing.T) {
	need(t, "git")
	root := repoRoot(t)
	secret := []string{"data/data.tgz.gpg", "data/other.gpg", "data/data.tgz", "data/input_train.csv",
		"data/output_train.csv", "data/input_test.csv", "data/.data.AbC123/data.tgz"}
	kept := []string{"data/README.md", "data/sample/input_train.csv", "data/sample/output_train.csv",
		"data/sample/input_test.csv", "data/sample/intents.csv"}

	ignoredByGit := func(path string) bool {
		// --no-index: the patterns decide, whether the path is tracked or not.
		cmd := exec.Command("git", "-C", root, "check-ignore", "-q", "--no-index", path)
		err := cmd.Run()
		if err == nil {
			return true
		}
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return false
		}
		t.Fatalf("git check-ignore %s: %v", path, err)
		return false
	}
	for _, p := range secret {
		if !ignoredByGit(p) {
			t.Errorf(".gitignore does not ignore %s", p)
		}
	}
	for _, p := range kept {
		if ignoredByGit(p) {
			t.Errorf(".gitignore ignores %s, which belongs in git", p)
		}
	}

	// .dockerignore: the build context of both Dockerfiles. Its patterns
	// (no negations here) match a path or one of its parent folders.
	b, err := os.ReadFile(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf(".dockerignore has a negation (%s): this check does not handle it", line)
		}
		patterns = append(patterns, strings.TrimSuffix(strings.TrimPrefix(line, "/"), "/"))
	}
	ignoredByDocker := func(path string) bool {
		for p := path; p != "." && p != "/"; p = filepath.Dir(p) {
			for _, pat := range patterns {
				if ok, _ := filepath.Match(pat, p); ok {
					return true
				}
			}
		}
		return false
	}
	for _, p := range secret {
		if !ignoredByDocker(p) {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
	for _, p := range kept {
		if ignoredByDocker(p) {
			t.Errorf(".dockerignore excludes %s, which the images are built with", p)
		}
	}
}
