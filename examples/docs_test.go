// Package examples holds no code: its test checks that the answers the
// documentation shows are what the server answers.
//
// TestDocumentedAnswers builds the real trainer and api binaries (go build,
// so it depends on no package's internals), trains the two sample versions
// the docs were captured with, serves them on a free port, then replays:
//
//   - the curl examples of README.md and examples/README.md that show a
//     complete answer (those abbreviated with "..." are skipped);
//   - the captured output of the Go example (examples/README.md);
//   - the captured output of the Python client and its module snippet
//     (examples/python/README.md), when python3 and requests are installed;
//   - the curl transcript (examples/curl/README.md) by running requests.sh,
//     which made it, then running it a second time on the same server;
//   - the empty-server part of that transcript on a second server.
//
// Answers are compared as the docs show them: JSON structure, key order,
// spacing, integers (intents, versions, counts), strings and error messages
// exactly; what depends on training or on the clock by shape only:
// probabilities (a string with 8 decimals), every non-integer number,
// the intents of a ranking after the first, timestamps, hashes, task IDs.
package examples

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docURL is the server address the docs show.
const docURL = "http://localhost:4002"

func TestDocumentedAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real trainer and api")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := func(name string) string { return filepath.Join(dir, "bin", name) }
	for _, pkg := range []string{"trainer", "api", "examples/go"} {
		build := exec.Command("go", "build", "-o", bin(filepath.Base(pkg)), "./"+pkg)
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build ./%s: %v\n%s", pkg, err, out)
		}
	}

	// The docs' server: version 1 with the defaults, version 2 (the
	// default, being the newest) with --C 0.3, a data folder holding the
	// sample for POST /train, and a token.
	models := filepath.Join(dir, "exmodels")
	for _, extra := range [][]string{nil, {"--C", "0.3"}} {
		args := append([]string{"train", "--data", filepath.Join(root, "data", "sample"), "--out", models, "-q"}, extra...)
		if out, err := exec.Command(bin("trainer"), args...).CombinedOutput(); err != nil {
			t.Fatalf("trainer %v: %v\n%s", args, err, out)
		}
	}
	data := filepath.Join(dir, "exdata")
	copyDir(t, filepath.Join(root, "data", "sample"), filepath.Join(data, "sample"))
	token := randomToken(t)
	url := startAPI(t, bin("api"), []string{"API_TOKEN=" + token}, "/readyz", "--models", models, "--data-dir", data)

	// Read-only examples first: requests.sh changes the server's state.
	t.Run("README.md", func(t *testing.T) { checkCurlComments(t, root, "README.md", url) })
	t.Run("examples/README.md curl", func(t *testing.T) { checkCurlComments(t, root, "examples/README.md", url) })
	t.Run("examples/README.md Go", func(t *testing.T) { checkGoExample(t, root, bin("go"), url) })
	t.Run("examples/python", func(t *testing.T) { checkPython(t, root, url) })

	// The transcript shows the docs' folders, not the test's.
	paths := strings.NewReplacer(models, "/tmp/exmodels", data, "/tmp/exdata")
	t.Run("examples/curl transcript", func(t *testing.T) {
		got := runRequests(t, root, url, token, filepath.Join(models, "1", "model.bin"))
		doc := transcriptBlocks(t, root, docURL)
		compareTranscripts(t, doc, parseTranscript(paths.Replace(got)), false)
	})
	t.Run("examples/curl transcript, run again", func(t *testing.T) {
		// Same server, after the first run: every command must still do
		// what the docs show (same statuses, errors only where the docs
		// show one), though versions, IDs and lists have grown.
		got := runRequests(t, root, url, token, filepath.Join(models, "1", "model.bin"))
		doc := transcriptBlocks(t, root, docURL)
		compareTranscripts(t, doc, parseTranscript(paths.Replace(got)), true)
	})
	t.Run("examples/curl empty server", func(t *testing.T) {
		empty := filepath.Join(dir, "exempty")
		if err := os.MkdirAll(empty, 0o755); err != nil {
			t.Fatal(err)
		}
		// No model, no token: alive (/healthz) but never ready.
		emptyURL := startAPI(t, bin("api"), nil, "/healthz", "--models", empty, "--data-dir", empty)
		doc := transcriptBlocks(t, root, "http://localhost:4003")
		var got []entry
		for _, e := range doc {
			out, _ := bash(t, root, strings.ReplaceAll(e.cmd, "http://localhost:4003", emptyURL), nil)
			got = append(got, entry{e.cmd, strings.ReplaceAll(out, emptyURL, "http://localhost:4003")})
		}
		compareTranscripts(t, doc, got, false)
	})
}

// ---- the server -------------------------------------------------------

// startAPI starts the api binary on a free loopback port with flags and
// env (added to a clean environment), waits until ready (a path) answers
// 200 and returns the server's URL. It is stopped at the end of the test.
func startAPI(t *testing.T, api string, env []string, ready string, flags ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	// Its log goes to a file (read on failure while it runs: no data race).
	log, err := os.Create(filepath.Join(t.TempDir(), "api.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(api, append(flags, "--addr", addr, "--access-log=false")...)
	cmd.Env = cleanEnv(env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	url := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log.Name())
			t.Fatalf("api %v not ready after 30s: %v\n%s", flags, err, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cleanEnv is the test's environment without what the api and the
// examples read, so the docs' defaults apply.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PORT", "MODELS_DIR", "DATA_DIR", "DB_PATH", "API_TOKEN", "API_URL", "MODEL_FILE", "INTENT_API_URL":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func randomToken(t *testing.T) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

func need(t *testing.T, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		if _, err := exec.LookPath(c); err != nil {
			t.Skipf("%s is not installed", c)
		}
	}
}

// bash runs script with bash in dir and returns its output (stdout and
// stderr together, as a terminal shows them) and exit code.
func bash(t *testing.T, dir, script string, env []string) (string, int) {
	t.Helper()
	return bashOut(t, dir, script, env, true)
}

// bashOut is bash, with stdout alone unless combined.
func bashOut(t *testing.T, dir, script string, env []string, combined bool) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = cleanEnv(env...)
	var out []byte
	var err error
	if combined {
		out, err = cmd.CombinedOutput()
	} else {
		out, err = cmd.Output()
	}
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("bash -c %q: %v", script, err)
		}
		code = ee.ExitCode()
	}
	return string(out), code
}

func readDoc(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fenced returns the fenced code blocks of a Markdown text with their info
// string ("sh", "console", "text", "python").
func fenced(doc string) (blocks []struct{ lang, body string }) {
	var cur *struct{ lang, body string }
	var body strings.Builder
	for _, line := range strings.Split(doc, "\n") {
		trimmed := strings.TrimSpace(line)
		if !strings.HasPrefix(trimmed, "```") {
			if cur != nil {
				body.WriteString(line + "\n")
			}
			continue
		}
		if cur == nil {
			cur = &struct{ lang, body string }{lang: strings.TrimPrefix(trimmed, "```")}
			body.Reset()
			continue
		}
		cur.body = body.String()
		blocks = append(blocks, *cur)
		cur = nil
	}
	return blocks
}

// ---- curl examples with their answer in a comment ----------------------

// statusAnswer is "400 {...}": a status, then the answer.
var statusAnswer = regexp.MustCompile(`^([1-5][0-9][0-9]) `)

// checkCurlComments replays the curl commands of the sh blocks of a
// Markdown file whose answer follows as a comment, on the same line
// (`curl ...   # {"default":2}` or `# 400 {"error": ...}`) or on the next
// lines (`# {` ... `# }`). Commands that need the token are left to the
// transcript; answers abbreviated with "..." are not compared.
func checkCurlComments(t *testing.T, root, name, url string) {
	need(t, "bash", "curl")
	checked := 0
	for _, b := range fenced(readDoc(t, root, name)) {
		if b.lang != "sh" {
			continue
		}
		lines := strings.Split(b.body, "\n")
		for i := 0; i < len(lines); i++ {
			line := strings.TrimSpace(lines[i])
			if !strings.HasPrefix(line, "curl ") {
				continue
			}
			cmd, answer, inline := strings.Cut(line, " # ")
			if !inline {
				// The answer on the next lines, as the docs write jq's
				// output: "# " then the line.
				var ans []string
				for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "#") {
					i++
					ans = append(ans, strings.TrimPrefix(strings.TrimPrefix(lines[i], "#"), " "))
				}
				answer = strings.Join(ans, "\n")
			}
			cmd, answer = strings.TrimSpace(cmd), strings.TrimSpace(answer)
			status := ""
			if m := statusAnswer.FindStringSubmatch(answer); m != nil {
				status, answer = m[1], answer[len(m[0]):]
			}
			// Not an answer, or one left to the transcript (it needs the
			// token), or abbreviated (".." or "...").
			if !strings.HasPrefix(answer, "{") || strings.Contains(cmd, "Authorization") || strings.Contains(answer, "..") {
				continue
			}
			// The documented answer is its first JSON value; what follows
			// on the line is prose (", Allow: GET, POST", "the process serves").
			want, wantRaw, err := firstJSON(answer)
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				continue // continued on the next lines, abbreviated
			}
			if err != nil {
				t.Errorf("%s: %s: the answer shown is not JSON: %v\n%s", name, cmd, err, answer)
				continue
			}
			script := "B=" + url + "\ncurl -s " + strings.TrimPrefix(strings.ReplaceAll(cmd, docURL, url), "curl ")
			if status != "" {
				script += ` -w "\n%{http_code}"`
			}
			out, code := bashOut(t, root, script, nil, false)
			if code != 0 {
				t.Errorf("%s: %s: exit %d\n%s", name, cmd, code, out)
				continue
			}
			if status != "" {
				body, got := "", strings.TrimSpace(out)
				if i := strings.LastIndex(got, "\n"); i >= 0 {
					body, got = got[:i], got[i+1:]
				}
				if got != status {
					t.Errorf("%s: %s: HTTP %s, the docs show %s", name, cmd, got, status)
				}
				out = body
			}
			gotVal, gotRaw, err := firstJSON(strings.TrimSpace(out))
			if err != nil {
				t.Errorf("%s: %s: the answer is not JSON: %v\n%s", name, cmd, err, out)
				continue
			}
			var diffs []string
			compareJSON(&diffs, "", want, gotVal, false, false)
			if len(diffs) == 0 && skeleton(wantRaw) != skeleton(gotRaw) {
				diffs = append(diffs, "layout differs (spacing or formatting)")
			}
			if len(diffs) > 0 {
				t.Errorf("%s: %s\n  docs show: %s\n  server:    %s\n  %s", name, cmd, wantRaw, gotRaw, strings.Join(diffs, "\n  "))
			}
			checked++
		}
	}
	if checked == 0 {
		t.Errorf("%s: no curl example with an answer found: has the format of the docs changed?", name)
	}
	t.Logf("%s: %d curl answers checked", name, checked)
}

// ---- the Go and Python examples' captured output ------------------------

// entry is one command of a transcript and what it printed.
type entry struct {
	cmd, out string
}

// parseTranscript splits a transcript into its "$ command" entries.
// Lines before the first command and "## Section" lines (requests.sh's)
// are dropped, so are blank lines at the end of an output.
func parseTranscript(s string) []entry {
	var es []entry
	s = strings.ReplaceAll(s, "\r\n", "\n") // HTTP headers, as a terminal shows them
	for _, line := range strings.Split(s, "\n") {
		if c, ok := strings.CutPrefix(line, "$ "); ok {
			es = append(es, entry{cmd: c})
			continue
		}
		if len(es) == 0 || strings.HasPrefix(line, "## ") {
			continue
		}
		es[len(es)-1].out += line + "\n"
	}
	for i := range es {
		es[i].out = strings.TrimRight(es[i].out, "\n")
	}
	return es
}

// checkGoExample replays the captured output of examples/go shown in
// examples/README.md, with the command built once (go run prints "exit
// status N" after a failure; so does this).
func checkGoExample(t *testing.T, root, goBin, url string) {
	need(t, "bash")
	var doc []entry
	for _, b := range fenced(readDoc(t, root, "examples/README.md")) {
		if b.lang == "text" && strings.Contains(b.body, "$ go run ./examples/go") {
			doc = append(doc, parseTranscript(b.body)...)
		}
	}
	if len(doc) == 0 {
		t.Fatal("no captured output of go run ./examples/go in examples/README.md")
	}
	var got []entry
	for _, e := range doc {
		script := strings.Replace(e.cmd, "go run ./examples/go", goBin+" -url "+url, 1)
		out, code := bash(t, root, script, nil)
		if code != 0 {
			out += fmt.Sprintf("exit status %d\n", code)
		}
		got = append(got, entry{e.cmd, strings.TrimRight(out, "\n")})
	}
	compareTranscripts(t, doc, got, false)
}

// checkPython replays examples/python/README.md: the captured output of
// client.py (each command followed by "(exit N)") and the module snippet
// (the python block, fed to python3 -, with the text block after it).
func checkPython(t *testing.T, root, url string) {
	need(t, "bash", "python3")
	if err := exec.Command("python3", "-c", "import requests").Run(); err != nil {
		t.Skip("the Python package requests is not installed")
	}
	dir := filepath.Join(root, "examples", "python")
	// A closed port for the "cannot reach" example (the docs show 4999).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, closed, _ := net.SplitHostPort(l.Addr().String())
	l.Close()

	blocks := fenced(readDoc(t, root, "examples/python/README.md"))
	var doc []entry
	snippet, snippetOut := "", ""
	for i, b := range blocks {
		switch {
		case b.lang == "text" && strings.Contains(b.body, "$ python3 client.py"):
			doc = append(doc, parseTranscript(b.body)...)
		case b.lang == "python" && i+1 < len(blocks) && blocks[i+1].lang == "text":
			snippet, snippetOut = b.body, strings.TrimRight(blocks[i+1].body, "\n")
		}
	}
	if len(doc) == 0 || snippet == "" {
		t.Fatalf("examples/python/README.md: captured output (%d commands) or module snippet (%q) not found", len(doc), snippet)
	}
	env := []string{"INTENT_API_URL=" + url}
	var got []entry
	for _, e := range doc {
		script := strings.ReplaceAll(e.cmd, "localhost:4999", "localhost:"+closed)
		out, code := bash(t, dir, script, env)
		out = strings.ReplaceAll(out, "localhost:"+closed, "localhost:4999")
		out = strings.ReplaceAll(out, "port="+closed, "port=4999")
		got = append(got, entry{e.cmd, strings.TrimRight(out, "\n") + fmt.Sprintf("\n(exit %d)", code)})
	}
	compareTranscripts(t, doc, got, false)

	cmd := exec.Command("python3", "-")
	cmd.Dir = dir
	cmd.Env = cleanEnv(env...)
	cmd.Stdin = strings.NewReader(snippet)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the module snippet: %v\n%s", err, out)
	}
	compareTranscripts(t, []entry{{"the module snippet", snippetOut}},
		[]entry{{"the module snippet", strings.TrimRight(string(out), "\n")}}, false)
}

// ---- the curl transcript ----------------------------------------------

// runRequests runs examples/curl/requests.sh as the transcript was made,
// and returns its output with the server's URL spelled as in the docs.
func runRequests(t *testing.T, root, url, token, modelFile string) string {
	t.Helper()
	need(t, "bash", "curl", "jq")
	cmd := exec.Command("bash", filepath.Join(root, "examples", "curl", "requests.sh"))
	cmd.Dir = root
	cmd.Env = cleanEnv("API_URL="+url, "API_TOKEN="+token, "MODEL_FILE="+modelFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("requests.sh: %v\n%s\n%s", err, out, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("requests.sh wrote on stderr:\n%s", stderr.String())
	}
	return strings.ReplaceAll(string(out), url, docURL)
}

// transcriptBlocks returns the entries of the console blocks of
// examples/curl/README.md that talk to the server at server.
func transcriptBlocks(t *testing.T, root, server string) []entry {
	t.Helper()
	var es []entry
	for _, b := range fenced(readDoc(t, root, "examples/curl/README.md")) {
		if b.lang != "console" {
			continue
		}
		for _, e := range parseTranscript(b.body) {
			if strings.Contains(e.cmd, server) {
				es = append(es, e)
			}
		}
	}
	if len(es) == 0 {
		t.Fatalf("examples/curl/README.md: no command for %s", server)
	}
	return es
}

// racy commands show a moment of something that runs on its own (a
// training task just queued): their answers are compared by shape only.
var racy = []string{`jq -c "{state, stage, progress}"`}

// compareTranscripts compares the commands of doc and got one by one, then
// their outputs. With again (a second run on a server whose versions, IDs
// and lists have grown) only the outcome is compared: the HTTP status
// when shown, and an error where, and only where, the docs show one.
func compareTranscripts(t *testing.T, doc, got []entry, again bool) {
	t.Helper()
	if len(doc) != len(got) {
		t.Errorf("%d commands in the docs, %d run", len(doc), len(got))
	}
	for i := 0; i < min(len(doc), len(got)); i++ {
		d, g := doc[i], got[i]
		if !again && normalize(d.cmd) != normalize(g.cmd) {
			t.Errorf("command %d:\n  docs show: %s\n  ran:       %s", i+1, d.cmd, g.cmd)
			continue
		}
		if again {
			if dw, gw := outcome(d.out), outcome(g.out); dw != gw {
				t.Errorf("run again, %s\n  docs show: %s\n  got:       %s\n%s", g.cmd, dw, gw, g.out)
			}
			continue
		}
		shape := false
		for _, r := range racy {
			shape = shape || strings.Contains(d.cmd, r)
		}
		if diffs := compareOutput(d.out, g.out, shape); len(diffs) > 0 {
			t.Errorf("$ %s\n  %s\n--- docs show:\n%s\n--- got:\n%s", d.cmd, strings.Join(diffs, "\n  "), d.out, g.out)
		}
	}
}

var httpStatus = regexp.MustCompile(`(?m)^HTTP(/1\.1)? ([0-9]{3})`)

// outcome sums up an output: its HTTP status lines and whether it holds an
// error.
func outcome(out string) string {
	var parts []string
	for _, m := range httpStatus.FindAllStringSubmatch(out, -1) {
		parts = append(parts, "HTTP "+m[2])
	}
	if strings.Contains(out, `"error"`) || strings.HasPrefix(out, "error:") {
		parts = append(parts, "an error")
	}
	if len(parts) == 0 {
		return "success"
	}
	return strings.Join(parts, ", ")
}

// ---- comparing outputs --------------------------------------------------

// segment is a JSON value or a line of text of an output.
type segment struct {
	json any    // the value, when raw is JSON
	raw  string // its text
	text bool
}

// segments splits an output into JSON values (a line starting with { or
// [ that decodes, possibly over several lines) and lines of text.
func segments(out string) []segment {
	var segs []segment
	for out != "" {
		line, rest, _ := strings.Cut(out, "\n")
		if strings.HasPrefix(line, "{") || strings.HasPrefix(line, "[") {
			if v, raw, err := firstJSON(out); err == nil {
				segs = append(segs, segment{json: v, raw: raw})
				out = strings.TrimPrefix(strings.TrimLeft(out[len(raw):], " \t"), "\n")
				continue
			}
		}
		segs = append(segs, segment{raw: line, text: true})
		out = rest
	}
	return segs
}

// compareOutput compares what the docs show with what was printed.
func compareOutput(doc, got string, shape bool) []string {
	ds, gs := segments(doc), segments(got)
	var diffs []string
	if len(ds) != len(gs) {
		return []string{fmt.Sprintf("%d lines or JSON values in the docs, %d printed", len(ds), len(gs))}
	}
	for i := range ds {
		d, g := ds[i], gs[i]
		switch {
		case d.text != g.text:
			diffs = append(diffs, fmt.Sprintf("part %d: the docs show %q, got %q", i+1, d.raw, g.raw))
		case d.text:
			if !sameText(d.raw, g.raw) {
				diffs = append(diffs, fmt.Sprintf("line %q, got %q", d.raw, g.raw))
			}
		default:
			var jd []string
			compareJSON(&jd, "", d.json, g.json, shape, false)
			if len(jd) == 0 && skeleton(d.raw) != skeleton(g.raw) {
				jd = append(jd, "layout differs (spacing or formatting)")
			}
			diffs = append(diffs, jd...)
		}
	}
	return diffs
}

var (
	reTime      = regexp.MustCompile(`[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z`)
	reDate      = regexp.MustCompile(`(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT`)
	reHash      = regexp.MustCompile(`\b[0-9a-f]{64}\b`)
	reTaskID    = regexp.MustCompile(`\b[0-9a-f]{16}\b`)
	reFloat     = regexp.MustCompile(`[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?`)
	reAddr      = regexp.MustCompile(`0x[0-9a-f]+`)
	reProb      = regexp.MustCompile(`^(0\.[0-9]{8}|1\.00000000)$`)
	reJSONStr   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	reJSONNum   = regexp.MustCompile(`-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?`)
	unreachable = "cannot reach "
)

// normalize replaces what depends on the clock, the training run or the
// machine by placeholders.
func normalize(s string) string {
	s = reDate.ReplaceAllString(s, "<date>")
	s = reTime.ReplaceAllString(s, "<time>")
	s = reHash.ReplaceAllString(s, "<hash>")
	s = reTaskID.ReplaceAllString(s, "<id>")
	s = reAddr.ReplaceAllString(s, "<addr>")
	return reFloat.ReplaceAllString(s, "<float>")
}

// sameText compares two lines of text once normalized. A client's
// "cannot reach URL: <reason>" is compared up to the reason, which is the
// HTTP library's and changes with its version.
func sameText(doc, got string) bool {
	if i := strings.Index(doc, unreachable); i >= 0 {
		if j := strings.Index(doc[i:], ": "); j >= 0 {
			return strings.HasPrefix(got, doc[:i+j+2])
		}
	}
	return normalize(doc) == normalize(got)
}

// skeleton is a JSON text with every string and number replaced: equal
// skeletons have the same spacing and layout.
func skeleton(raw string) string {
	s := reJSONStr.ReplaceAllString(raw, "S")
	return reJSONNum.ReplaceAllString(s, "N")
}

// object is a JSON object with its keys in order.
type object struct {
	keys []string
	vals map[string]any
}

// firstJSON decodes the first JSON value of s, keeping the order of
// object keys and numbers as written, and returns it with its text.
func firstJSON(s string) (any, string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, "", err
	}
	return v, s[:dec.InputOffset()], nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		o := object{vals: map[string]any{}}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			o.keys = append(o.keys, k.(string))
			o.vals[k.(string)] = v
		}
		_, err := dec.Token()
		return o, err
	case json.Delim('['):
		a := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token()
		return a, err
	}
	return tok, nil
}

// compareJSON appends to diffs how got differs from doc. Object keys and
// their order, array lengths, integers, booleans, nulls and strings must be
// equal, except what depends on training or the clock (see normalize and
// the package doc), compared by shape. With shape every scalar is; loose
// is for the intents of a ranking after the first.
func compareJSON(diffs *[]string, path string, doc, got any, shape, loose bool) {
	bad := func(format string, args ...any) {
		*diffs = append(*diffs, fmt.Sprintf("%s: ", orRoot(path))+fmt.Sprintf(format, args...))
	}
	key := path[strings.LastIndex(path, ".")+1:]
	switch d := doc.(type) {
	case object:
		g, ok := got.(object)
		if !ok {
			bad("an object in the docs, got %s", describe(got))
			return
		}
		if strings.Join(d.keys, ",") != strings.Join(g.keys, ",") {
			bad("keys %v in the docs, got %v", d.keys, g.keys)
			return
		}
		for _, k := range d.keys {
			compareJSON(diffs, path+"."+k, d.vals[k], g.vals[k], shape, false)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			bad("an array in the docs, got %s", describe(got))
			return
		}
		if len(d) != len(g) {
			bad("%d elements in the docs, got %d", len(d), len(g))
			return
		}
		for i := range d {
			compareJSON(diffs, path+"["+strconv.Itoa(i)+"]", d[i], g[i], shape, key == "ranking" && i > 0)
		}
	case json.Number:
		g, ok := got.(json.Number)
		if !ok {
			if _, isStr := got.(string); loose && isStr {
				return
			}
			bad("a number in the docs, got %s", describe(got))
			return
		}
		if shape || loose || strings.ContainsAny(string(d), ".eE") {
			return // depends on training or the clock: any number
		}
		if d != g {
			bad("%s in the docs, got %s", d, g)
		}
	case string:
		g, ok := got.(string)
		if !ok {
			if _, isNum := got.(json.Number); loose && isNum {
				return
			}
			bad("a string in the docs, got %s", describe(got))
			return
		}
		switch {
		case shape:
		case key == "probability" && reProb.MatchString(d):
			if !reProb.MatchString(g) {
				bad("a probability with 8 decimals, got %q", g)
			}
		case normalize(d) != normalize(g):
			bad("%q in the docs, got %q", d, g)
		}
	default: // bool, nil
		if shape {
			if fmt.Sprintf("%T", d) != fmt.Sprintf("%T", got) {
				bad("%v in the docs, got %v", d, got)
			}
			return
		}
		if d != got {
			bad("%v in the docs, got %v", d, got)
		}
	}
}

func orRoot(path string) string {
	if path == "" {
		return "answer"
	}
	return strings.TrimPrefix(path, ".")
}

func describe(v any) string {
	switch x := v.(type) {
	case object:
		return "an object"
	case []any:
		return "an array"
	case json.Number:
		return "the number " + string(x)
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}
