package modelrepo

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// TestMain lets the test binary act as a writer that is killed (SIGKILL,
// no cleanup) at one step of a publish: see TestKillAtEveryStep.
func TestMain(m *testing.M) {
	if at := os.Getenv("MODELREPO_KILL_AT"); at != "" {
		root := os.Getenv("MODELREPO_ROOT")
		fault = func(s string) error {
			if s == at {
				syscall.Kill(os.Getpid(), syscall.SIGKILL)
				select {} // the signal is on its way
			}
			return nil
		}
		b, err := os.ReadFile(os.Getenv("MODELREPO_MODEL"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		p := Publish{Files: map[string][]byte{ModelFile: b}}
		switch os.Getenv("MODELREPO_POLICY") {
		case "held":
			p.Held = "make_default never"
		case "pin":
			p.Pin = true
		}
		if _, err := New(root).Publish(p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A writer killed at any step of a publish leaves the default as its
// policy says: a held version never becomes the default, a pinned one is
// the default exactly when its folder appeared, and the previous default
// holds otherwise. The leftovers are swept and no number is reused.
func TestKillAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	b := modelBytes(t)
	modelFile := t.TempDir() + "/m.bin"
	if err := os.WriteFile(modelFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []string{"files", "held", "highest", "pin", "rename", "sync"}
	for _, policy := range []string{"held", "pin", "plain"} {
		for _, at := range steps {
			t.Run(policy+"/"+at, func(t *testing.T) {
				r := New(t.TempDir())
				// Versions 1 (the pinned default) and 2 (newer, not pinned).
				for range 2 {
					if _, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}}); err != nil {
						t.Fatal(err)
					}
				}
				pinned := policy != "plain"
				if pinned {
					if err := r.Pin(1); err != nil {
						t.Fatal(err)
					}
				}
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), "MODELREPO_KILL_AT="+at, "MODELREPO_ROOT="+r.Root(),
					"MODELREPO_MODEL="+modelFile, "MODELREPO_POLICY="+policy)
				out, err := cmd.CombinedOutput()
				killed := false
				if ee, ok := err.(*exec.ExitError); ok {
					if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
						killed = true
					}
				}
				// Steps that a policy skips are not reached: the writer ends.
				reached := !(at == "held" && policy != "held") && !(at == "pin" && policy != "pin")
				if killed != reached {
					t.Fatalf("child: killed=%v, want %v (err %v, output %s)", killed, reached, err, out)
				}
				vs, _ := r.Versions()
				appeared := slices.Contains(vs, 3)
				if wantAppeared := !reached || at == "sync"; appeared != wantAppeared {
					t.Fatalf("version 3 appeared=%v after a kill at %s (versions %v)", appeared, at, vs)
				}
				def, err := r.Default()
				if err != nil {
					t.Fatal(err)
				}
				want := 2 // the newest not held, when nothing is pinned
				if pinned {
					want = 1
				}
				if appeared && policy != "held" && (policy == "pin" || !pinned) {
					want = 3
				}
				if def != want {
					t.Fatalf("policy %s, killed at %s: default %d, want %d", policy, at, def, want)
				}
				if _, err := r.Sweep(); err != nil {
					t.Fatal(err)
				}
				entries, _ := os.ReadDir(r.Root())
				for _, e := range entries {
					if name := e.Name(); name != HighestFile && name != PinFile && !isNumber(name) {
						t.Errorf("leftover %s after the sweep", name)
					}
				}
				n, err := r.Publish(Publish{Files: map[string][]byte{ModelFile: b}, Held: "x"})
				if err != nil {
					t.Fatal(err)
				}
				if n <= 2 || (appeared && n <= 3) {
					t.Fatalf("next number %d reuses one", n)
				}
			})
		}
	}
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}
