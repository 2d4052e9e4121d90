package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"intent/internal/serve/jobs"
	"intent/store/sqlite"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// examplesChildEnv selects the child mode of TestExamplesSurviveKill: it
// holds the database path.
const examplesChildEnv = "API_EXAMPLES_CHILD_DB"

// TestExamplesSurviveKill is the test: a child server process
// takes POST /examples from four concurrent clients; once 150 examples were
// answered 201 the parent SIGKILLs it, with requests in flight, reopens
// the database and finds every acknowledged example.
func TestExamplesSurviveKill(t *testing.T) {
	if path := os.Getenv(examplesChildEnv); path != "" {
		examplesChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "intent.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestExamplesSurviveKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), examplesChildEnv+"="+db)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	var base string
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
			base = u
			break
		}
	}
	if base == "" {
		t.Fatal("the child did not start its server")
	}
	go func() {
		for sc.Scan() {
		}
	}()

	var (
		mu     sync.Mutex
		acked  = map[int64]string{}
		killed = make(chan struct{})
		once   sync.Once
		wg     sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for c := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-killed:
					return
				default:
				}
				texts := make([]string, 1+i%3)
				var body []map[string]any
				for j := range texts {
					texts[j] = fmt.Sprintf("client %d request %d item %d", c, i, j)
					body = append(body, map[string]any{"text": texts[j], "intent": i % 5})
				}
				b, _ := json.Marshal(body)
				resp, err := client.Post(base+"/examples", "application/json", strings.NewReader(string(b)))
				if err != nil {
					return // the server is gone
				}
				var added addedJSON
				err = json.NewDecoder(resp.Body).Decode(&added)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusCreated {
					return // cut in the middle of the answer: not acknowledged
				}
				mu.Lock()
				for j, id := range added.IDs {
					acked[id] = texts[j]
				}
				n := len(acked)
				mu.Unlock()
				if n >= 150 {
					once.Do(func() {
						cmd.Process.Kill()
						close(killed)
					})
				}
			}
		})
	}
	wg.Wait()
	err = cmd.Wait()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the child did not die of SIGKILL: %v", err)
	}

	s, err := sqlite.Open(db)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	all, err := s.AllExamples(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	have := map[int64]string{}
	for _, e := range all {
		have[e.ID] = e.Text
	}
	for id, text := range acked {
		if have[id] != text {
			t.Fatalf("acknowledged example %d (%q) lost or changed: %q", id, text, have[id])
		}
	}
	t.Logf("%d examples acknowledged, %d in the database", len(acked), len(all))
}

// examplesChild serves the examples routes on a local port until killed.
func examplesChild(t *testing.T, db string) {
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := jobs.New(context.Background(), jobs.Config{
		Store: st, Versions: newFakeVersions(filepath.Join(filepath.Dir(db), "models")),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("listening http://%s\n", ln.Addr())
	t.Fatal(http.Serve(ln, taskRouter(svc, nil)))
}
