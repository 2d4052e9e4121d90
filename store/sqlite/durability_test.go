package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"intent/store"
)

// durabilityEnv selects the child mode of TestNoExampleLostWhenKilled: it
// holds the database path.
const durabilityEnv = "STORE_DURABILITY_CHILD_DB"

// TestNoExampleLostWhenKilled starts a child process (this test binary,
// re-executed) that adds examples as fast as it can and prints the ids of
// each batch once AddExamples returned, which is when the server answers
// 201. The parent kills it with SIGKILL in the middle of its writes, reopens
// the database and checks that every acknowledged example is there, intact.
func TestNoExampleLostWhenKilled(t *testing.T) {
	if path := os.Getenv(durabilityEnv); path != "" {
		durabilityChild(path)
		return
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "intent.db")
	for round := range 3 {
		acked := killChildAfter(t, path, 50+round*75)
		s, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		var check string
		if err := s.r.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Fatalf("round %d: integrity_check = %q, %v", round, check, err)
		}
		all, err := s.AllExamples(context.Background())
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		have := make(map[int64]store.Example, len(all))
		for _, e := range all {
			have[e.ID] = e
		}
		for id, text := range acked {
			e, ok := have[id]
			if !ok {
				t.Fatalf("round %d: acknowledged example %d lost (%d acknowledged, %d in the database)", round, id, len(acked), len(all))
			}
			if e.Text != text {
				t.Fatalf("round %d: example %d is %q, want %q", round, id, e.Text, text)
			}
		}
		t.Logf("round %d: %d acknowledged, %d in the database", round, len(acked), len(all))
	}
}

// killChildAfter runs the child on path, SIGKILLs it after n
// acknowledgements and returns every acknowledged id with its text.
func killChildAfter(t *testing.T, path string, n int) map[int64]string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoExampleLostWhenKilled$", "-test.count=1")
	cmd.Env = append(os.Environ(), durabilityEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[int64]string{}
	sc := bufio.NewScanner(out)
	lines, killed := 0, false
	for sc.Scan() {
		// "ack <id>=<text>\t<id>=<text>..."
		rest, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		for _, f := range strings.Split(rest, "\t") {
			id, text, _ := strings.Cut(f, "=")
			n, err := strconv.ParseInt(id, 10, 64)
			if err != nil {
				t.Fatalf("child printed %q", sc.Text())
			}
			acked[n] = text
		}
		if lines++; lines == n && !killed {
			// Lines printed after this but before the signal lands are
			// acknowledged too: keep reading until the pipe closes.
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended after %d acknowledgements without being killed: %v", lines, err)
	}
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child did not die of SIGKILL: %v", err)
	}
	return acked
}

// durabilityChild adds batches of 1 to 3 examples forever, printing each
// batch's ids after its commit.
func durabilityChild(path string) {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pid := os.Getpid()
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		batch := make([]store.Example, 1+i%3)
		for j := range batch {
			batch[j] = store.Example{Text: fmt.Sprintf("pid %d batch %d item %d %s", pid, i, j, strings.Repeat("x", i%200)), Intent: strconv.Itoa(i % 7)}
		}
		ids, err := s.AddExamples(context.Background(), batch)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		w.WriteString("ack ")
		for j, id := range ids {
			if j > 0 {
				w.WriteByte('\t')
			}
			fmt.Fprintf(w, "%d=%s", id, batch[j].Text)
		}
		w.WriteByte('\n')
		w.Flush()
	}
}
