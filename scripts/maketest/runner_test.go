package maketest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeDocker puts a `docker` command on a PATH of its own: one whose
// `docker info` succeeds (an engine answers) or fails.
func fakeDocker(t *testing.T, engine bool) string {
	t.Helper()
	dir := t.TempDir()
	code := "1"
	if engine {
		code = "0"
	}
	script := "#!/bin/sh\n[ \"$1\" = info ] && exit " + code + "\nexit 3\n"
	if err := os.WriteFile(filepath.Join(dir, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunner(t *testing.T) {
	need(t, "bash", "timeout")
	script := filepath.Join(repoRoot(t), "scripts", "runner.sh")
	// The fake docker first; the rest of PATH for bash and timeout.
	path := func(dir string) string { return "PATH=" + dir + string(os.PathListSeparator) + os.Getenv("PATH") }
	noEngine, engine := fakeDocker(t, false), fakeDocker(t, true)

	for _, tc := range []struct {
		name, runner, path string
		code               int
		stdout, message    string
	}{
		{"auto, no engine", "auto", noEngine, 0, "native", "make train: runner=native (no Docker engine answers)"},
		{"auto, engine", "", engine, 0, "docker", "make train: runner=docker"},
		{"docker, engine", "docker", engine, 0, "docker", "make train: runner=docker (RUNNER=docker)"},
		{"docker, no engine", "docker", noEngine, 1, "", "RUNNER=docker but no Docker engine answers"},
		{"native, engine", "native", engine, 0, "native", "make train: runner=native (RUNNER=native)"},
		{"local", "local", engine, 0, "native", "make train: runner=native (RUNNER=local)"},
		{"unknown", "podman", engine, 2, "", "unknown RUNNER='podman'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("bash", script, "train")
			cmd.Env = environ(path(tc.path), "RUNNER="+tc.runner)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || strings.TrimSpace(stdout.String()) != tc.stdout || !strings.Contains(stderr.String(), tc.message) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
					code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.message)
			}
		})
	}
}

// TestMakeHelp checks that `make help` lists every target users are told about.
func TestMakeHelp(t *testing.T) {
	need(t, "make")
	cmd := exec.Command("make", "--no-print-directory", "-C", repoRoot(t), "help")
	cmd.Env = environ()
	r := run(t, cmd)
	if r.code != 0 {
		t.Fatalf("make help: exit %d\n%s", r.code, r.output)
	}
	for _, target := range []string{"train", "api", "test", "check", "bench", "data", "help", "clean", "docker-check"} {
		if !strings.Contains(r.output, "\n  "+target+" ") {
			t.Errorf("make help does not list %s:\n%s", target, r.output)
		}
	}
}
