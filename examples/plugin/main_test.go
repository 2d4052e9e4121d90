package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startAPI builds and starts the real api with an empty models folder, the
// sample set in its data folder, a token, and callbacks allowed to hosts.
func startAPI(t *testing.T, hosts string) (url, token string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "api")
	build := exec.Command("go", "build", "-o", bin, "./api")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./api: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	if err := os.CopyFS(filepath.Join(data, "sample"), os.DirFS(filepath.Join(root, "data", "sample"))); err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(dir, "models")
	if err := os.Mkdir(models, 0o755); err != nil {
		t.Fatal(err)
	}
	addr, token := freeAddr(t), "plugin-example-token"
	var log bytes.Buffer
	cmd := exec.Command(bin, "--models", models, "--data-dir", data, "--addr", addr, "--callback-hosts", hosts, "--access-log=false")
	cmd.Env = append(os.Environ(), "API_TOKEN="+token)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if t.Failed() {
			t.Logf("api log:\n%s", log.String())
		}
	})
	url = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return url, token
		}
		if time.Now().After(deadline) {
			t.Fatalf("the api did not start:\n%s", log.String())
		}
	}
}

// TestPluginAgainstTheRealServer runs the example against the real api: the
// dry run, the training with a callback, TRAINING_START then MODEL_NAME
// with the ids echoed, the deliveries recorded; then a receiver the server
// does not allow.
func TestPluginAgainstTheRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real api, trains the sample")
	}
	listen := freeAddr(t)
	url, token := startAPI(t, listen)
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-api", url, "-token", token, "-listen", listen, "-project", "p-9", "-timeout", "2m"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, errs.String(), out.String())
	}
	got := out.String()
	t.Logf("\n%s", got)
	for _, re := range []string{
		`(?m)^check     usable=true examples=868 intents=16 rejected=0$`,
		`(?m)^train     task [0-9a-f]{16} queued$`,
		`(?s)event     \{"event":"TRAINING_START","plugin_id":"intent-plugin","project_id":"p-9","task_id":"[0-9a-f]{16}","time":"[^"]+"\}\n` +
			`event     \{"event":"MODEL_NAME","model":"default","plugin_id":"intent-plugin","project_id":"p-9","task_id":"[0-9a-f]{16}","time":"[^"]+","version":1\}\n`,
		`(?m)^status    trained$`,
		`(?m)^delivery  TRAINING_START attempt 1: 204 \(delivered\)$`,
		`(?m)^model     default version 1$`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("the output lacks %s", re)
		}
	}

	// Another receiver address: the server refuses the callback, naming the
	// flag, and no task is queued.
	out.Reset()
	errs.Reset()
	if code := run(context.Background(), []string{"-api", url, "-token", token, "-listen", freeAddr(t)}, &out, &errs); code != 1 ||
		!strings.Contains(errs.String(), "is not on this server's allow-list (--callback-hosts)") {
		t.Errorf("a receiver not allowed: exit %d, %s", code, errs.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"-nope"}, &out, &errs); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code := run(context.Background(), []string{"extra"}, &out, &errs); code != 2 {
		t.Errorf("an argument: exit %d", code)
	}
}
