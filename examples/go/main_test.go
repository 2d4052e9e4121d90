package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI answers like the api command: GET /intent with one answer, POST
// /intent with {"results": [...]}, 404 for an unknown version. The
// requests it got are read once the command has returned.
func fakeAPI(t *testing.T) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	answer := func(q string, top int) map[string]any {
		a := map[string]any{"intent": 26, "probability": "0.73356545"}
		if strings.Contains(q, "doliprane") {
			a = map[string]any{"intent": 3, "probability": "0.91000000"}
		}
		if top > 0 {
			rk := []map[string]any{{"intent": a["intent"], "probability": a["probability"]}}
			for i := 1; i < top; i++ {
				rk = append(rk, map[string]any{"intent": 40 + i, "probability": fmt.Sprintf("0.0%d000000", i)})
			}
			a["ranking"] = rk
		}
		return a
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodGet:
			q := r.URL.Query()
			if q.Get("version") == "99" {
				w.WriteHeader(http.StatusNotFound)
				io.WriteString(w, `{"error":"unknown model version 99 (loaded: 1)"}`)
				return
			}
			top := 0
			fmt.Sscan(q.Get("top"), &top)
			json.NewEncoder(w).Encode(answer(q.Get("query"), top))
		case http.MethodPost:
			var req struct {
				Queries []string `json:"queries"`
				Top     int      `json:"top"`
			}
			json.NewDecoder(r.Body).Decode(&req)
			var res []map[string]any
			for _, q := range req.Queries {
				res = append(res, answer(q, req.Top))
			}
			json.NewEncoder(w).Encode(map[string]any{"results": res})
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestOneQuestionUsesGET(t *testing.T) {
	srv, seen := fakeAPI(t)
	code, out, errs := runCmd(t, "", "-url", srv.URL, "risques poisson cru pendant la grossesse ?")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if want := "26\t0.73356545\trisques poisson cru pendant la grossesse ?\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if len(*seen) != 1 || !strings.HasPrefix((*seen)[0], "GET /intent?query=") {
		t.Errorf("requests = %q", *seen)
	}
}

func TestTopAndVersionAreSent(t *testing.T) {
	srv, seen := fakeAPI(t)
	code, out, errs := runCmd(t, "", "-url", srv.URL, "-top", "3", "-version", "2", "grossesse")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	want := "26\t0.73356545\tgrossesse\n\t41\t0.01000000\n\t42\t0.02000000\n"
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if got := (*seen)[0]; !strings.Contains(got, "top=3") || !strings.Contains(got, "version=2") {
		t.Errorf("request = %q", got)
	}
}

func TestStdinLinesUseOneBatch(t *testing.T) {
	srv, seen := fakeAPI(t)
	code, out, errs := runCmd(t, "grossesse\n\n  combien de doliprane par jour ?  \n", "-url", srv.URL)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	want := "26\t0.73356545\tgrossesse\n3\t0.91000000\tcombien de doliprane par jour ?\n"
	if out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	if len(*seen) != 1 || (*seen)[0] != "POST /intent" {
		t.Errorf("requests = %q", *seen)
	}
}

func TestServerErrorIsPrinted(t *testing.T) {
	srv, _ := fakeAPI(t)
	code, out, errs := runCmd(t, "", "-url", srv.URL, "-version", "99", "grossesse")
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	if want := "error: HTTP 404: unknown model version 99 (loaded: 1)\n"; errs != want {
		t.Errorf("stderr = %q, want %q", errs, want)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, _ := runCmd(t, "", "-nope"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if code, _, errs := runCmd(t, "\n  \n"); code != 2 || !strings.Contains(errs, "no question") {
		t.Errorf("no question: exit %d, stderr %q", code, errs)
	}
}

func TestUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	code, _, errs := runCmd(t, "", "-url", "http://"+addr, "grossesse")
	if code != 1 || !strings.Contains(errs, "error: ") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestRealAPI builds the trainer and the api of this repository, trains on
// data/sample, serves the model on a free port and runs the example
// against it.
func TestRealAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real trainer and api")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, cmd := range []string{"trainer", "api"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, cmd), "./"+cmd)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build ./%s: %v\n%s", cmd, err, out)
		}
	}
	models := filepath.Join(dir, "models")
	train := exec.Command(filepath.Join(dir, "trainer"), "train", "--data", filepath.Join(root, "data/sample"), "--out", models, "-q")
	if out, err := train.CombinedOutput(); err != nil {
		t.Fatalf("trainer train: %v\n%s", err, out)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var apiLog bytes.Buffer
	api := exec.Command(filepath.Join(dir, "api"), "--models", models, "--addr", addr)
	api.Stdout, api.Stderr = &apiLog, &apiLog
	if err := api.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		api.Process.Signal(os.Interrupt)
		api.Wait()
	})
	url := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("api not ready after 30s: %v\n%s", err, apiLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	code, out, errs := runCmd(t, "", "-url", url, "-top", "2", "risques poisson cru pendant la grossesse ?")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if !strings.HasPrefix(out, "26\t") || strings.Count(out, "\n") != 2 {
		t.Errorf("stdout = %q, want the pregnancy intent 26 and one more ranked intent", out)
	}

	code, out, errs = runCmd(t, "risques poisson cru pendant la grossesse ?\ncombien de doliprane par jour maximum\n", "-url", url)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "26\t") {
		t.Errorf("stdout = %q", out)
	}

	code, _, errs = runCmd(t, "", "-url", url, "-version", "99", "grossesse")
	if code != 1 || !strings.Contains(errs, "HTTP 404") {
		t.Errorf("unknown version: exit %d, stderr %q", code, errs)
	}
}
