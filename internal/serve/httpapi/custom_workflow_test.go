package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/store/sqlite"
)

// The custom-training service workflow of issue 10, end to end through
// the real handlers: samples added with the caller's IDs, a named model
// trained on them asynchronously, queried alone and with all models, a
// stored sample predicted by its ID, the model's file saved, the model
// reset, and the saved state loaded back.
func TestCustomTrainingWorkflow(t *testing.T) {
	root := t.TempDir()
	set := versions.NewSet(writeModels(t, trainTiny(t, "numeric")), 0, quiet)
	must(t, set.Reload(context.Background()))
	db, err := sqlite.Open(filepath.Join(root, "intent.db"))
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := jobs.New(ctx, jobs.Config{Store: db, Log: quiet, Versions: set.Default(), Poll: 50 * time.Millisecond,
		Models: func(ctx context.Context, name string) (jobs.Versions, error) { return set.Create(ctx, name) }})
	must(t, err)
	t.Cleanup(func() { cancel(); svc.Close(); db.Close() })
	h := New(set, Options{Limits: DefaultLimits(), Upload: DefaultUploadLimits(), Token: testToken, Log: quiet, Jobs: svc})
	call := func(method, target, body string) *httptest.ResponseRecorder { return do(t, h, method, target, body) }

	// 1. Samples with the caller's IDs.
	var samples []map[string]any
	for intent, texts := range stringIntents {
		for i, text := range texts {
			samples = append(samples, map[string]any{"id": fmt.Sprintf("%s-%d", strings.Fields(intent)[0], i), "text": text, "intent": intent})
		}
	}
	b, _ := json.Marshal(samples)
	if w := call("POST", "/examples", string(b)); w.Code != 201 {
		t.Fatalf("add samples: %d %s", w.Code, w.Body)
	}
	if w := call("POST", "/examples", `{"id": "weather-0", "text": "x", "intent": "weather"}`); w.Code != 409 {
		t.Fatalf("a duplicate caller ID: %d %s", w.Code, w.Body)
	}
	// 2. Train the named model "custom" on them, asynchronously.
	w := call("POST", "/train", `{"use_examples": true, "model": "custom"}`)
	var queued struct {
		TaskID string `json:"task_id"`
	}
	if w.Code != 202 || json.Unmarshal(w.Body.Bytes(), &queued) != nil {
		t.Fatalf("train: %d %s", w.Code, w.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var st taskJSON
		json.Unmarshal(call("GET", "/status/"+queued.TaskID, "").Body.Bytes(), &st)
		if st.State == "trained" {
			break
		}
		if st.State == "failed" || time.Now().After(deadline) {
			t.Fatalf("task %s: %s %q", queued.TaskID, st.State, st.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// 3. Ask it alone, with all models, and for a stored sample by its ID.
	alone := call("GET", "/intent?query=will+it+rain+tomorrow&model=custom", "").Body.String()
	if !strings.HasPrefix(alone, `{"intent": "weather"`) {
		t.Fatalf("model=custom: %s", alone)
	}
	var all struct {
		Models map[string]json.RawMessage `json:"models"`
	}
	if w := call("GET", "/intent?query=will+it+rain+tomorrow&model=*", ""); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &all) != nil ||
		len(all.Models) != 2 || !strings.Contains(string(all.Models["custom"]), "weather") || !strings.Contains(string(all.Models["default"]), `"intent": `) {
		t.Fatalf("model=*: %d %s", w.Code, w.Body)
	}
	if w := call("GET", "/examples/by-key/weather-1/predict?model=custom", ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"intent": "weather"`) {
		t.Fatalf("predict a stored sample: %d %s", w.Code, w.Body)
	}
	// 4. Save its state, reset it, load the state back.
	saved := call("GET", "/v1/models/custom/versions/1/model.bin", "")
	if saved.Code != 200 || saved.Body.Len() == 0 {
		t.Fatalf("download: %d", saved.Code)
	}
	state := bytes.Clone(saved.Body.Bytes())
	if w := call("DELETE", "/v1/models/custom", ""); w.Code != 200 {
		t.Fatalf("reset: %d %s", w.Code, w.Body)
	}
	if w := call("GET", "/intent?query=will+it+rain+tomorrow&model=custom", ""); w.Code != 404 {
		t.Fatalf("a reset model answered: %d %s", w.Code, w.Body)
	}
	req := httptest.NewRequest("POST", "/v1/models/custom", bytes.NewReader(state))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/octet-stream")
	if w := serve2(h, req); w.Code != 201 {
		t.Fatalf("load the saved state: %d %s", w.Code, w.Body)
	}
	if again := call("GET", "/intent?query=will+it+rain+tomorrow&model=custom", "").Body.String(); again != alone {
		t.Fatalf("the loaded state answers %s, the trained model answered %s", again, alone)
	}
}
