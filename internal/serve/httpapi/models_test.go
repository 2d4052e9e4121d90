package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"intent/internal/serve/versions"
	"intent/model"
	"intent/modelrepo"
)

const testToken = "s3cret-t0ken-for-tests"

// newModelServer is newTestServer with a token and --keep.
func newModelServer(tb testing.TB, root, token string, keep int) (*server, http.Handler, *syncBuffer) {
	tb.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := versions.New(root, keep, log)
	if err := reg.Reload(context.Background()); err != nil && !versions.IsNotExist(err) {
		tb.Fatal(err)
	}
	s := &server{models: reg, limits: DefaultLimits(), upload: DefaultUploadLimits(),
		auth: newTokenAuth(token), log: log, metrics: newMetrics(reg), accessLog: true}
	return s, s.routes(), logs
}

// do sends a request with the test token and an optional JSON body.
func do(tb testing.TB, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return serve2(h, req)
}

// decode parses a JSON answer, failing on a status other than want.
func decode[T any](tb testing.TB, w *httptest.ResponseRecorder, want int) T {
	tb.Helper()
	var v T
	if w.Code != want {
		tb.Fatalf("status %d, want %d: %s", w.Code, want, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		tb.Fatalf("answer %q: %v", w.Body, err)
	}
	return v
}

// wantError checks an error answer's status and that its message holds msg.
func wantError(tb testing.TB, w *httptest.ResponseRecorder, status int, msg string) {
	tb.Helper()
	var e errorBody
	if w.Code != status || json.Unmarshal(w.Body.Bytes(), &e) != nil || !strings.Contains(e.Error, msg) {
		tb.Fatalf("got %d %s, want %d with %q", w.Code, strings.TrimSpace(w.Body.String()), status, msg)
	}
}

// writeFull stores m as the next version with a report and a validation
// split computed on the tiny set it was trained on.
func writeFull(tb testing.TB, root string, m *model.Model, set map[string][]string) int {
	tb.Helper()
	ex := examples(set)
	rep, _, err := m.Evaluate(context.Background(), ex)
	if err != nil {
		tb.Fatal(err)
	}
	rep.Model = new(m.Meta())
	n, _, err := modelrepo.WriteVersion(root, m, rep, ex)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// damage writes a version folder whose model file fails its checksum.
func damage(tb testing.TB, root string, m *model.Model) int {
	tb.Helper()
	b, _ := m.MarshalBinary()
	b[len(b)/2] ^= 0xff
	n, err := modelrepo.New(root).Publish(modelrepo.Publish{Files: map[string][]byte{modelrepo.ModelFile: b}})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestListModels(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := t.TempDir()
	writeFull(t, root, num, numericIntents) // 1: unloaded by --keep 2
	writeFull(t, root, num, numericIntents) // 2
	damage(t, root, num)                    // 3: failed
	writeFull(t, root, num, numericIntents) // 4: default
	_, h, _ := newModelServer(t, root, "", 2)

	got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200)
	if got.Default == nil || *got.Default != 4 || got.Pinned != nil || got.Keep != 2 {
		t.Fatalf("default %v pinned %v keep %d", got.Default, got.Pinned, got.Keep)
	}
	want := []struct {
		n     int
		state string
	}{{1, "unloaded"}, {2, "available"}, {3, "failed"}, {4, "available"}}
	if len(got.Versions) != len(want) {
		t.Fatalf("versions %+v", got.Versions)
	}
	for i, w := range want {
		v := got.Versions[i]
		if v.Version != w.n || v.State != w.state {
			t.Errorf("entry %d: version %d state %s, want %d %s", i, v.Version, v.State, w.n, w.state)
		}
		if w.state == "failed" {
			if !strings.Contains(v.Error, "checksum") {
				t.Errorf("failed version's error %q", v.Error)
			}
			continue
		}
		if v.CreatedAt == nil || v.DataHash == "" || v.Labels != 3 || v.Metrics == nil || v.Metrics.Accuracy <= 0 || !v.HasValid {
			t.Errorf("version %d: %+v", v.Version, v)
		}
		if v.Default != (v.Version == 4) {
			t.Errorf("version %d default %v", v.Version, v.Default)
		}
		if (v.LoadedAt != nil) != (w.state == "available") {
			t.Errorf("version %d loaded_at %v", v.Version, v.LoadedAt)
		}
	}
	// The raw answer says null, not zero, for what is unknown.
	root2 := writeModels(t, num) // no report
	_, h2, _ := newModelServer(t, root2, "", 0)
	if body := serve(t, h2, "GET", "/models", "").Body.String(); !strings.Contains(body, `"metrics":null`) || !strings.Contains(body, `"pinned":null`) {
		t.Errorf("answer without a report: %s", body)
	}
}

func TestStateLoading(t *testing.T) {
	s := &versions.Snapshot{Loading: 2, Folders: []versions.Folder{{N: 2}}}
	if got := describe(s, &s.Folders[0]).State; got != "loading" {
		t.Fatalf("state %s", got)
	}
}

func TestGetModel(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := t.TempDir()
	writeFull(t, root, num, numericIntents)
	modelrepo.WriteVersion(root, num, nil, nil)
	_, h, _ := newModelServer(t, root, "", 0)

	got := decode[struct {
		versionJSON
		Report *model.Report `json:"report"`
	}](t, serve(t, h, "GET", "/models/1", ""), 200)
	if got.Version != 1 || got.Report == nil || got.Report.Accuracy != got.Metrics.Accuracy || got.Report.NValid != 24 {
		t.Fatalf("GET /models/1: %+v", got)
	}
	if body := serve(t, h, "GET", "/models/2", "").Body.String(); !strings.Contains(body, `"report":null`) {
		t.Errorf("version without a report: %s", body)
	}
	wantError(t, serve(t, h, "GET", "/models/9", ""), 404, "unknown model version 9 (versions: 1, 2)")
	for _, bad := range []string{"abc", "0", "-1", "01", "99999999999999999999"} {
		wantError(t, serve(t, h, "GET", "/models/"+bad, ""), 400, "version must be a positive integer")
	}
	w := serve(t, h, "PUT", "/models/1", "")
	wantError(t, w, 405, "not allowed")
	if a := w.Header().Get("Allow"); a != "DELETE, GET, HEAD" {
		t.Errorf("Allow %q", a)
	}
	w = serve(t, h, "PATCH", "/models/default", "")
	if a := w.Header().Get("Allow"); w.Code != 405 || a != "DELETE, GET, HEAD, PUT" {
		t.Errorf("PATCH /models/default: %d, Allow %q", w.Code, a)
	}
	if w := serve(t, h, "PUT", "/models", ""); w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("PUT /models: %d %q", w.Code, w.Header().Get("Allow"))
	}
}

func TestPinAndUnpin(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, num, str, num)
	damage(t, root, num) // 4
	_, h, _ := newModelServer(t, root, testToken, 0)

	got := decode[defaultJSON](t, do(t, h, "PUT", "/models/default", `{"version": 2}`), 200)
	if *got.Default != 2 || *got.Pinned != 2 {
		t.Fatalf("after pinning 2: %+v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(root, modelrepo.PinFile)); string(b) != "2\n" {
		t.Fatalf("pin file holds %q", b)
	}
	// The pinned version answers by default.
	if body := serve(t, h, "GET", "/intent?query=book+a+flight", "").Body.String(); !strings.HasPrefix(body, `{"intent": "book_flight"`) {
		t.Fatalf("default answer from the pinned string model: %s", body)
	}
	// A new version does not take over a pinned default.
	modelrepo.WriteVersion(root, num, nil, nil) // 5
	s := newTestServerAgain(t, root)
	if d := s.Snapshot().Default; d == nil || d.N != 2 {
		t.Fatalf("after a restart the default is %+v, want the pinned 2", d)
	}

	wantError(t, do(t, h, "PUT", "/models/default", `{"version": 9}`), 404, "unknown model version 9")
	wantError(t, do(t, h, "PUT", "/models/default", `{"version": 4}`), 409, "failed to load")
	wantError(t, do(t, h, "PUT", "/models/default", `{"version": 0}`), 400, "positive integer")
	wantError(t, do(t, h, "PUT", "/models/default", `{}`), 400, `missing "version"`)
	wantError(t, do(t, h, "PUT", "/models/default", `{"version": "2"}`), 400, "request body must be")
	wantError(t, do(t, h, "PUT", "/models/default", `{"version": 2, "x": 1}`), 400, "unknown field")
	wantError(t, do(t, h, "PUT", "/models/default", ``), 400, "empty request body")
	wantError(t, do(t, h, "PUT", "/models/default", `{"version": 2`+strings.Repeat(" ", 1<<20)+`}`), 413, "over")
	if b, _ := os.ReadFile(filepath.Join(root, modelrepo.PinFile)); string(b) != "2\n" {
		t.Fatalf("refused pins changed the pin file to %q", b)
	}
	if got := decode[defaultJSON](t, serve(t, h, "GET", "/models/default", ""), 200); *got.Default != 2 || *got.Pinned != 2 {
		t.Fatalf("GET /models/default: %+v", got)
	}

	got = decode[defaultJSON](t, do(t, h, "DELETE", "/models/default", ""), 200)
	if *got.Default != 5 || got.Pinned != nil {
		t.Fatalf("after unpinning: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(root, modelrepo.PinFile)); !versions.IsNotExist(err) {
		t.Fatalf("pin file still there: %v", err)
	}
	// Unpinning twice is fine.
	decode[defaultJSON](t, do(t, h, "DELETE", "/models/default", ""), 200)
}

// newTestServerAgain is a fresh registry on root: a restarted server.
func newTestServerAgain(tb testing.TB, root string) *versions.Registry {
	tb.Helper()
	reg := versions.New(root, 0, quiet)
	if err := reg.Reload(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return reg
}

func TestPinLoadsAnUnloadedVersion(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := writeModels(t, str, num, num)
	_, h, _ := newModelServer(t, root, testToken, 2)
	if got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200); got.Versions[0].State != "unloaded" {
		t.Fatalf("version 1 with --keep 2: %+v", got.Versions[0])
	}
	decode[defaultJSON](t, do(t, h, "PUT", "/models/default", `{"version": 1}`), 200)
	got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200)
	states := []string{}
	for _, v := range got.Versions {
		states = append(states, v.State)
	}
	// At most 2 in memory: the pinned 1 and the newest 3.
	if strings.Join(states, " ") != "available unloaded available" || *got.Default != 1 {
		t.Fatalf("after pinning 1 with --keep 2: %v, default %d", states, *got.Default)
	}
	// A pin file naming a version that is gone falls back to the newest.
	os.WriteFile(filepath.Join(root, modelrepo.PinFile), []byte("7\n"), 0o644)
	reg := newTestServerAgain(t, root)
	if s := reg.Snapshot(); s.Default.N != 3 || !strings.Contains(s.PinErr, "pinned version 7 does not exist") {
		t.Fatalf("dangling pin: default %d, pin error %q", s.Default.N, s.PinErr)
	}
}

func TestDeleteModel(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num, num, num)
	_, h, logs := newModelServer(t, root, testToken, 0)
	decode[defaultJSON](t, do(t, h, "PUT", "/models/default", `{"version": 2}`), 200)

	wantError(t, do(t, h, "DELETE", "/models/2", ""), 409, "model version 2 is the pinned default")
	wantError(t, do(t, h, "DELETE", "/models/9", ""), 404, "unknown model version 9")
	wantError(t, do(t, h, "DELETE", "/models/x", ""), 400, "positive integer")

	got := decode[deletedJSON](t, do(t, h, "DELETE", "/models/3", ""), 200)
	if got.Deleted != 3 || *got.Default != 2 {
		t.Fatalf("delete 3: %+v", got)
	}
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".highest 1 2 DEFAULT" {
		t.Fatalf("models folder after deleting 3: %v", names)
	}
	wantError(t, serve(t, h, "GET", "/intent?query=x&version=3", ""), 404, "unknown model version 3")
	decode[defaultJSON](t, do(t, h, "DELETE", "/models/default", ""), 200)
	decode[deletedJSON](t, do(t, h, "DELETE", "/models/2", ""), 200)
	if d := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200); *d.Default != 1 || len(d.Versions) != 1 {
		t.Fatalf("after deleting 2: %+v", d)
	}
	if strings.Contains(logs.String(), testToken) {
		t.Fatal("the token is in the log")
	}
}

func TestDeleteLeftoversAreSwept(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num)
	left := filepath.Join(root, ".deleted-4-123")
	os.MkdirAll(left, 0o755)
	newTestServerAgain(t, root)
	if _, err := os.Stat(left); !versions.IsNotExist(err) {
		t.Fatalf("leftover of an interrupted deletion still there: %v", err)
	}
}

func TestSingleModelRefusesChanges(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num)
	_, h, _ := newModelServer(t, filepath.Join(root, "1", modelrepo.ModelFile), testToken, 0)
	wantError(t, do(t, h, "PUT", "/models/default", `{"version": 1}`), 409, "serves a single model")
	wantError(t, do(t, h, "DELETE", "/models/1", ""), 409, "serves a single model")
	b, _ := num.MarshalBinary()
	req := httptest.NewRequest("POST", "/models", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+testToken)
	wantError(t, serve2(h, req), 409, "serves a single model")
	if got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200); len(got.Versions) != 1 || got.Versions[0].State != "available" {
		t.Fatalf("GET /models on a single file: %+v", got)
	}
}

// upload sends a model upload with the token.
func upload(tb testing.TB, h http.Handler, contentType string, body []byte) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest("POST", "/models", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return serve2(h, req)
}

// multipartBody builds a multipart/form-data body from fields.
func multipartBody(tb testing.TB, fields ...string) (string, []byte) {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		w, _ := mw.CreateFormFile(fields[i], fields[i]+".bin")
		w.Write([]byte(fields[i+1]))
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func TestUploadModel(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	root := filepath.Join(t.TempDir(), "models") // created by the first upload
	s, h, _ := newModelServer(t, root, testToken, 0)
	wantError(t, serve(t, h, "GET", "/intent?query=x", ""), 503, "no model loaded")

	b, _ := num.MarshalBinary()
	w := upload(t, h, "application/octet-stream", b)
	got := decode[versionJSON](t, w, 201)
	if got.Version != 1 || got.State != "available" || !got.Default || got.Labels != 3 || w.Header().Get("Location") != "/models/1" {
		t.Fatalf("raw upload: %+v, Location %q", got, w.Header().Get("Location"))
	}
	stored, _ := os.ReadFile(filepath.Join(root, "1", modelrepo.ModelFile))
	if !bytes.Equal(stored, b) {
		t.Fatal("stored model file differs from the upload")
	}
	if w := serve(t, h, "GET", "/intent?query=posologie+doliprane", ""); w.Code != 200 {
		t.Fatalf("/intent after the upload: %d %s", w.Code, w.Body)
	}

	// Multipart, with a report and a validation split: /test works on it.
	sb, _ := str.MarshalBinary()
	ex := examples(stringIntents)
	rep, _, _ := str.Evaluate(context.Background(), ex)
	rb, _ := json.Marshal(rep)
	var valid bytes.Buffer
	for _, e := range ex[:5] {
		json.NewEncoder(&valid).Encode(map[string]string{"id": e.ID, "text": e.Text, "label": e.Label})
	}
	ct, body := multipartBody(t, "model", string(sb), "report", string(rb), "valid", valid.String())
	got = decode[versionJSON](t, upload(t, h, ct, body), 201)
	if got.Version != 2 || got.Metrics == nil || !got.HasValid {
		t.Fatalf("multipart upload: %+v", got)
	}
	tr := decode[testJSON](t, serve(t, h, "POST", "/test", `{"version": 2}`), 200)
	if tr.N != 5 || len(tr.Predictions) != 5 {
		t.Fatalf("/test on the uploaded version: %+v", tr)
	}

	// Refused uploads store nothing.
	bad := append([]byte(nil), b...)
	bad[len(bad)/3] ^= 1
	wantError(t, upload(t, h, "application/octet-stream", bad), 400, "checksum mismatch")
	wantError(t, upload(t, h, "", []byte("not a model")), 400, "not a valid model file")
	wantError(t, upload(t, h, "application/octet-stream", nil), 400, "empty upload")
	wantError(t, upload(t, h, "text/plain", b), 415, "Content-Type text/plain")
	wantError(t, upload(t, h, "application/json", b), 415, "application/octet-stream")
	wantError(t, upload(t, h, "application/x-www-form-urlencoded", []byte("x")), 400, "not a valid model file")
	wantError(t, upload(t, h, "multipart/form-data; boundary=", b), 400, "")
	ct, body = multipartBody(t, "report", "{}")
	wantError(t, upload(t, h, ct, body), 400, `missing or empty multipart field "model"`)
	ct, body = multipartBody(t, "model", string(b), "extra", "x")
	wantError(t, upload(t, h, ct, body), 400, `unknown multipart field "extra"`)
	ct, body = multipartBody(t, "model", string(b), "report", "{nope")
	wantError(t, upload(t, h, ct, body), 400, `"report" is not valid JSON`)
	ct, body = multipartBody(t, "model", string(b), "valid", "{\"id\": 1}\n")
	wantError(t, upload(t, h, ct, body), 400, `"valid" line 1`)
	s.upload.MaxBytes = 1000
	h = s.routes()
	wantError(t, upload(t, h, "application/octet-stream", b), 413, "upload over 1000 bytes")
	ct, body = multipartBody(t, "model", string(b))
	wantError(t, upload(t, h, ct, body), 413, "upload over 1000 bytes")

	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".highest 1 2" {
		t.Fatalf("models folder after refused uploads: %v", names)
	}
}

// failingBody fails the test when more than a few bytes are read from it.
type failingBody struct {
	tb   testing.TB
	read int
}

func (b *failingBody) Read(p []byte) (int, error) {
	b.read += len(p)
	if b.read > 16 {
		b.tb.Errorf("the handler read %d bytes of a body it should have refused", b.read)
		return 0, io.ErrUnexpectedEOF
	}
	return len(p), nil
}

func (b *failingBody) Close() error { return nil }

// uploadsLeft lists the .upload-* entries of root.
func uploadsLeft(tb testing.TB, root string) []string {
	tb.Helper()
	entries, _ := os.ReadDir(root)
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".upload-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// chunkedUpload builds an upload request whose body has no Content-Length.
func chunkedUpload(body io.Reader, contentType string) *http.Request {
	req := httptest.NewRequest("POST", "/models", struct{ io.Reader }{body})
	req.ContentLength = -1
	req.TransferEncoding = []string{"chunked"}
	req.Header.Set("Authorization", "Bearer "+testToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

func TestUploadContentLengthOverLimitIsNotRead(t *testing.T) {
	root := t.TempDir()
	s, _, _ := newModelServer(t, root, testToken, 0)
	s.upload.MaxBytes = 1000
	h := s.routes()
	for _, ct := range []string{"application/octet-stream", "multipart/form-data; boundary=x"} {
		req := httptest.NewRequest("POST", "/models", nil)
		req.Body = &failingBody{tb: t}
		req.ContentLength = 600 << 20
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", ct)
		w := serve2(h, req)
		wantError(t, w, 413, "upload over 1000 bytes")
		if w.Header().Get("Connection") != "close" {
			t.Errorf("413 without Connection: close")
		}
	}
	if left := uploadsLeft(t, root); len(left) != 0 {
		t.Fatalf("upload folders left: %v", left)
	}
}

func TestUploadChunkedOverLimit(t *testing.T) {
	num := trainTiny(t, "numeric")
	b, _ := num.MarshalBinary()
	root := t.TempDir()
	s, _, _ := newModelServer(t, root, testToken, 0)
	s.upload.MaxBytes = int64(len(b)) - 1
	h := s.routes()
	wantError(t, serve2(h, chunkedUpload(bytes.NewReader(b), "application/octet-stream")), 413, "upload over")
	ct, body := multipartBody(t, "model", string(b))
	wantError(t, serve2(h, chunkedUpload(bytes.NewReader(body), ct)), 413, "upload over")
	if left := uploadsLeft(t, root); len(left) != 0 {
		t.Fatalf("upload folders left: %v", left)
	}
	// At the limit exactly, chunked, it is stored.
	s.upload.MaxBytes = int64(len(b))
	h = s.routes()
	decode[versionJSON](t, serve2(h, chunkedUpload(bytes.NewReader(b), "")), 201)
	if left := uploadsLeft(t, root); len(left) != 0 {
		t.Fatalf("upload folders left after a success: %v", left)
	}
}

func TestUploadStalledDoesNotBlockOthers(t *testing.T) {
	num := trainTiny(t, "numeric")
	b, _ := num.MarshalBinary()
	root := t.TempDir()
	s, h, _ := newModelServer(t, root, testToken, 0)

	pr, pw := io.Pipe()
	stalled := make(chan *httptest.ResponseRecorder, 1)
	go func() { stalled <- serve2(h, chunkedUpload(pr, "application/octet-stream")) }()
	if _, err := pw.Write(b[:100]); err != nil { // received, then nothing more
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(uploadsLeft(t, root)) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(uploadsLeft(t, root)) != 1 {
		t.Fatal("the stalled upload has no upload folder")
	}
	// A sweep leaves the folder of an upload being received alone.
	if _, err := s.models.Repo().Sweep(); err != nil {
		t.Fatal(err)
	}
	if len(uploadsLeft(t, root)) != 1 {
		t.Fatal("a sweep removed the folder of an upload being received")
	}

	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- upload(t, h, "application/octet-stream", b) }()
	select {
	case w := <-done:
		if got := decode[versionJSON](t, w, 201); got.Version != 1 {
			t.Fatalf("second upload: %+v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an upload waited for a stalled one")
	}

	pw.CloseWithError(errors.New("client gone"))
	wantError(t, <-stalled, 400, "cannot read the upload")
	if left := uploadsLeft(t, root); len(left) != 0 {
		t.Fatalf("upload folders left: %v", left)
	}
}

// TestUploadMemory streams 64 MiB through a pipe: what the server
// allocates while receiving stays far below the body size.
func TestUploadMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB upload")
	}
	const size = 64 << 20
	root := t.TempDir()
	s, _, _ := newModelServer(t, root, testToken, 0)
	s.upload.MaxBytes = size - 1 // refused once all of it is on disk: no decode
	h := s.routes()

	pr, pw := io.Pipe()
	go func() {
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	wantError(t, serve2(h, chunkedUpload(pr, "application/octet-stream")), 413, "upload over")
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("64 MiB upload: %d KiB allocated, heap in use %d -> %d KiB", alloc>>10, before.HeapInuse>>10, after.HeapInuse>>10)
	if alloc > 4<<20 {
		t.Fatalf("receiving 64 MiB allocated %d bytes", alloc)
	}
	if left := uploadsLeft(t, root); len(left) != 0 {
		t.Fatalf("upload folders left: %v", left)
	}
}

// A held version is listed as held, answers when asked by number, and is
// not the default until pinned.
func TestHeldVersionListed(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num)
	b, _ := num.MarshalBinary()
	if _, err := modelrepo.New(root).Publish(modelrepo.Publish{Files: map[string][]byte{modelrepo.ModelFile: b}, Held: "make_default never"}); err != nil {
		t.Fatal(err)
	}
	_, h, _ := newModelServer(t, root, testToken, 0)
	got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200)
	if got.Default == nil || *got.Default != 1 || len(got.Versions) != 2 || !got.Versions[1].Held ||
		got.Versions[1].HeldReason != "make_default never" || got.Versions[0].Held {
		t.Fatalf("GET /models: %+v", got)
	}
	if w := serve(t, h, "GET", "/intent?query=dose&version=2", ""); w.Code != 200 {
		t.Fatalf("the held version asked by number: %d %s", w.Code, w.Body)
	}
	if w := do(t, h, "PUT", "/models/default", `{"version": 2}`); w.Code != 200 {
		t.Fatalf("pin the held version: %d %s", w.Code, w.Body)
	}
	if got := decode[modelsJSON](t, serve(t, h, "GET", "/models", ""), 200); *got.Default != 2 {
		t.Fatalf("after pinning 2 the default is %d", *got.Default)
	}
}
