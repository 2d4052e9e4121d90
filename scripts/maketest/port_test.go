package maketest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// environNoAPI is environ without PORT and API_URL, which the Makefile and
// scripts/make-test.sh read.
func environNoAPI(extra ...string) []string {
	var env []string
	for _, kv := range environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "PORT" || name == "API_URL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// TestMakeAPIURLFollowsPort: `make test PORT=4003` must ask :4003, and
// `make help` must show the value make test will use.
func TestMakeAPIURLFollowsPort(t *testing.T) {
	need(t, "make")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"default", nil, "http://localhost:4002"},
		{"PORT given", []string{"PORT=4003"}, "http://localhost:4003"},
		{"API_URL given wins", []string{"PORT=4003", "API_URL=http://example.test:9000"}, "http://example.test:9000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command("make", append([]string{"--no-print-directory", "-C", repoRoot(t), "help"}, tc.args...)...)
			cmd.Env = environNoAPI()
			r := run(t, cmd)
			if r.code != 0 {
				t.Fatalf("make help: exit %d\n%s", r.code, r.output)
			}
			if !strings.Contains(r.output, "\n  API_URL       "+tc.want+"\n") {
				t.Errorf("make help %v does not show API_URL %s:\n%s", tc.args, tc.want, r.output)
			}

			// What make test hands to scripts/make-test.sh (-n: printed, not run).
			cmd = exec.Command("make", append([]string{"--no-print-directory", "-n", "-C", repoRoot(t), "test"}, tc.args...)...)
			cmd.Env = environNoAPI()
			r = run(t, cmd)
			if r.code != 0 || !strings.Contains(r.output, "API_URL='"+tc.want+"'") {
				t.Errorf("make -n test %v: exit %d, want API_URL='%s' passed to the script:\n%s", tc.args, r.code, tc.want, r.output)
			}
		})
	}
}

// TestMakeTestScriptUsesPort runs scripts/make-test.sh with PORT set and no
// API_URL (as when it is run by hand) against a stand-in API on that port:
// it must find it there and hand that URL to `trainer predict --api`. The
// Go toolchain and the trainer are stand-ins too, so nothing is built.
func TestMakeTestScriptUsesPort(t *testing.T) {
	need(t, "bash", "curl")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ready"}`))
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	argsFile := filepath.Join(dir, "trainer-args")
	fakeTrainer := filepath.Join(dir, "fake-trainer")
	if err := os.WriteFile(fakeTrainer, []byte("#!/bin/sh\necho \"$@\" >\"$FAKE_TRAINER_ARGS\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// `go build ... -o BIN/trainer ./trainer` copies the fake trainer.
	fakeGo := filepath.Join(dir, "fake-go")
	goScript := "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=$2; shift; done\nmkdir -p \"$(dirname \"$out\")\" && cp \"$FAKE_TRAINER\" \"$out\"\n"
	if err := os.WriteFile(fakeGo, []byte(goScript), 0o755); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "make-test.sh"))
	cmd.Env = environNoAPI("PORT="+port, "GO="+fakeGo, "BIN="+filepath.Join(dir, "bin"), "MODELS="+filepath.Join(dir, "models"),
		"PREDICTIONS="+filepath.Join(dir, "p.csv"), "FAKE_TRAINER="+fakeTrainer, "FAKE_TRAINER_ARGS="+argsFile)
	r := run(t, cmd)
	if r.code != 0 {
		t.Fatalf("make-test.sh: exit %d\n%s", r.code, r.output)
	}
	want := "http://localhost:" + port
	if !strings.Contains(r.output, "using the API that answers at "+want) {
		t.Errorf("make-test.sh did not find the API on PORT=%s:\n%s", port, r.output)
	}
	got, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatalf("the trainer was not run: %v\n%s", err, r.output)
	}
	if !strings.HasPrefix(string(got), "predict --api "+want+" ") {
		t.Errorf("trainer %s; want predict --api %s", strings.TrimSpace(string(got)), want)
	}
}
