package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"intent/model/dataset"
)

// TestModelServerLoop drives the loop an annotation platform runs, against
// the real server over HTTP: add labeled examples, start a training task,
// poll its status to "trained", get answers from the new version, pin it
// as the default, and delete the old version.
func TestModelServerLoop(t *testing.T) {
	root, _ := trainSample(t) // version 1, trained on the sample files
	ds, err := dataset.Load(sampleDir, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logs := newLogWatcher()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--models", root, "--addr", "127.0.0.1:0", "--data-dir", dataDir,
			"--db", filepath.Join(dataDir, "intent.db")}, env("API_TOKEN", testToken), io.Discard, logs)
	}()
	base := "http://" + logs.wait(t, "listening", done)["addr"].(string)
	call := func(method, path, body string, out any) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if out != nil && len(b) > 0 {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("%s %s: %v in %s", method, path, err, b)
			}
		}
		return resp.StatusCode
	}

	// 1. Labeled examples over HTTP (the whole sample set, in one request).
	type ex struct {
		Text   string `json:"text"`
		Intent string `json:"intent"`
	}
	var batch []ex
	for _, e := range ds.Examples {
		batch = append(batch, ex{e.Text, e.Label})
	}
	body, _ := json.Marshal(batch)
	var added struct{ IDs []int64 }
	if code := call("POST", "/examples", string(body), &added); code != 201 || len(added.IDs) != len(batch) {
		t.Fatalf("POST /examples: %d, %d ids for %d examples", code, len(added.IDs), len(batch))
	}

	// 2. A training task on the stored examples.
	var task struct {
		TaskID string `json:"task_id"`
	}
	if code := call("POST", "/train", `{"use_examples": true, "make_default": "never"}`, &task); code != 202 || task.TaskID == "" {
		t.Fatalf("POST /train: %d %+v", code, task)
	}

	// 3. Poll until trained.
	var status struct {
		State   string `json:"state"`
		Error   string `json:"error"`
		Version int    `json:"version"`
		Metrics struct {
			Accuracy float64 `json:"accuracy"`
		} `json:"metrics"`
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if code := call("GET", "/status/"+task.TaskID, "", &status); code != 200 {
			t.Fatalf("GET /status: %d", code)
		}
		if status.State == "trained" || status.State == "failed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("task still %s after 2 minutes", status.State)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status.State != "trained" || status.Version != 2 || status.Metrics.Accuracy < 0.8 {
		t.Fatalf("task ended %+v", status)
	}

	// 4. The new version answers (hot reload, no restart).
	var answer struct {
		Intent json.Number `json:"intent"`
	}
	q := "/intent?query=risques+poisson+cru+pendant+la+grossesse+%3F&version=2"
	waitFor(t, "version 2 answering", func() bool { return call("GET", q, "", &answer) == 200 })
	if answer.Intent.String() != "26" {
		t.Fatalf("version 2 predicts %s for the pregnancy question", answer.Intent)
	}

	// 5. Pin it as the default, which "never" left to us.
	var def struct {
		Default int  `json:"default"`
		Pinned  *int `json:"pinned"`
	}
	if code := call("PUT", "/models/default", `{"version": 2}`, &def); code != 200 || def.Default != 2 || def.Pinned == nil || *def.Pinned != 2 {
		t.Fatalf("pin 2: %d %+v", code, def)
	}

	// 6. Delete the old version: it stops answering, the default serves.
	if code := call("DELETE", "/models/1", "", nil); code != 200 {
		t.Fatalf("DELETE /models/1: %d", code)
	}
	if code := call("GET", "/intent?query=x&version=1", "", nil); code != 404 {
		t.Fatalf("deleted version 1 answers %d", code)
	}
	if _, err := os.Stat(filepath.Join(root, "1")); !os.IsNotExist(err) {
		t.Fatalf("version 1 folder still on disk: %v", err)
	}
	var listed struct {
		Default  int `json:"default"`
		Versions []struct {
			Version int    `json:"version"`
			State   string `json:"state"`
		} `json:"versions"`
	}
	call("GET", "/models", "", &listed)
	if listed.Default != 2 || len(listed.Versions) != 1 || listed.Versions[0].State != "available" {
		t.Fatalf("GET /models after the loop: %+v", listed)
	}
	if code := call("GET", "/intent?query=doliprane+enceinte", "", &answer); code != 200 || answer.Intent.String() != "26" {
		t.Fatalf("default answer %d %s", code, answer.Intent)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}
