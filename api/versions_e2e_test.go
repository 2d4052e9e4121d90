package main

import (
	"bytes"
	"context"
	"intent/modelrepo"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The real server, with the default poll interval: a version written by
// the trainer answers within 2 s, the token from API_TOKEN guards a pin
// over real HTTP, and the token never reaches the log.
func TestRunVersionsEndToEnd(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num)
	logs := newLogWatcher()
	var logText bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--models", root, "--addr", "127.0.0.1:0"}, env("API_TOKEN", testToken), io.Discard, io.MultiWriter(logs, &logText))
	}()
	base := "http://" + logs.wait(t, "listening", done)["addr"].(string)
	call := func(method, path, token, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if _, _, err := modelrepo.WriteVersion(root, str, nil, nil); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		if code, _ := call("GET", "/intent?query=cancel+my+order&version=2", "", ""); code == 200 {
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("version 2 not answering 2 s after it was written")
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Logf("version 2 answered %v after it was written", time.Since(start).Round(time.Millisecond))

	if code, body := call("PUT", "/models/default", "", `{"version": 1}`); code != 401 {
		t.Fatalf("pin without the token: %d %s", code, body)
	}
	if code, body := call("PUT", "/models/default", testToken, `{"version": 1}`); code != 200 || !strings.Contains(body, `"pinned":1`) {
		t.Fatalf("pin: %d %s", code, body)
	}
	if code, body := call("GET", "/intent?query=dose", "", ""); code != 200 || !strings.HasPrefix(body, `{"intent": 3`) {
		t.Fatalf("default after pinning 1: %d %s", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logText.String(), testToken) {
		t.Fatal("the token is in the log")
	}
}
