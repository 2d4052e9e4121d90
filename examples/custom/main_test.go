package main

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The example against the real api binary, on an empty models folder.
func TestCustomWorkflowAgainstTheAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the api")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	dir := t.TempDir()
	bin := filepath.Join(dir, "api")
	build := exec.Command("go", "build", "-o", bin, "./api")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./api: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var log bytes.Buffer
	cmd := exec.Command(bin, "--models", filepath.Join(dir, "models"), "--db", filepath.Join(dir, "intent.db"), "--addr", addr, "--access-log=false")
	cmd.Env = append(os.Environ(), "API_TOKEN=custom-token")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	base := "http://" + addr
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the api did not start:\n%s", log.String())
		}
	}
	var out bytes.Buffer
	if err := run(client{base: base, token: "custom-token", hc: &http.Client{Timeout: 30 * time.Second}}, "custom", &out); err != nil {
		t.Fatalf("%v\n%s\napi log:\n%s", err, out.String(), log.String())
	}
	for _, want := range []string{"added 12 samples", "trained: model custom version 1", `"intent": "weather"`, "reset custom", "loaded the saved state"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
