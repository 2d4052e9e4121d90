package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"intent/internal/serve/alectio"
	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/internal/testmodel/testrepo"
	"intent/model/dataset"
	"intent/model/tune"
	"intent/store"
	"intent/store/sqlite"
)

// openapi.json describes every route (openapi.go serves it). The tests
// here hold it to the server:
//
//   - TestOpenAPIRoutes: the routes of a real server (New with named
//     models and the job runner, its router walked) and the document's
//     paths and methods are the same, both ways;
//   - TestOpenAPIDocument: the document is well formed (references, path
//     parameters, operation ids, only schema keywords the validator of
//     openapi_schema_test.go checks);
//   - TestOpenAPISecurity: exactly the operations marked with the bearer
//     scheme answer 401 without a token (and 403 on a server without one);
//   - TestOpenAPIAnswers: the answers of a run of real requests (every kind
//     of error included) match the schema of their route, method and status;
//   - TestOpenAPIShapes: the properties of the schemas of JSON bodies the
//     handlers decode or encode with Go structs are those structs' fields.
//
// Adding a route: describe it under "paths" in openapi.json, with its
// parameters, request body, answers and errors (the schemas under
// components), and add a request of it to TestOpenAPIAnswers.

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// loadOpenAPI parses the embedded document.
func loadOpenAPI(t *testing.T) *openAPIDoc {
	t.Helper()
	doc, err := parseOpenAPI(openAPI)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// routeVar matches a variable of a route template, {name} or {name:regexp}.
var routeVar = regexp.MustCompile(`\{([^{}:]+)(:[^{}]*)?\}`)

// normalizeTemplate drops the patterns of a template's variables.
func normalizeTemplate(tpl string) string { return routeVar.ReplaceAllString(tpl, "{$1}") }

// templateVars lists the variables of a template, in order.
func templateVars(tpl string) []string {
	var out []string
	for _, m := range routeVar.FindAllStringSubmatch(tpl, -1) {
		out = append(out, m[1])
	}
	return out
}

// operations lists the document's operations as "METHOD /path" (the
// method upper case, as the router names it).
func (d *openAPIDoc) operations() map[string]map[string]any {
	out := map[string]map[string]any{}
	paths, _ := d.root["paths"].(map[string]any)
	for path, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range httpMethods {
			if op, ok := item[m].(map[string]any); ok {
				out[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return out
}

// openAPIEnv is the server the api command builds (New over a set of
// models and the job runner), on real folders: versions 1 and 2 of the
// numeric tiny model (each with a report and a validation split) and the
// named model "travel" (string intents), unless empty; the sample in the
// data folder; a SQLite database.
type openAPIEnv struct {
	h      http.Handler
	router *mux.Router // the router New built, for walking
	data   string
}

// routerHookMu serializes the builds that capture their router.
var routerHookMu sync.Mutex

func newOpenAPIEnv(t *testing.T, token string, empty bool, callbackHosts ...string) *openAPIEnv {
	t.Helper()
	root := t.TempDir()
	models := filepath.Join(root, "models")
	must(t, os.Mkdir(models, 0o755))
	if !empty {
		num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
		writeFull(t, models, num, numericIntents)
		writeFull(t, models, num, numericIntents)
		writeFull(t, filepath.Join(models, versions.NamedDir, "travel"), str, stringIntents)
	}
	set := versions.NewSet(models, 0, quiet)
	must(t, set.Reload(context.Background()))
	e := &openAPIEnv{data: filepath.Join(root, "data")}
	copyDir(t, testrepo.SampleDir(), filepath.Join(e.data, "sample"))
	db, err := sqlite.Open(filepath.Join(root, "intent.db"))
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := jobs.New(ctx, jobs.Config{Store: db, DataDir: e.data, Log: quiet, Versions: set.Default(),
		Poll: 50 * time.Millisecond, CallbackHosts: callbackHosts, CallbackBackoff: 5 * time.Millisecond,
		Models: func(ctx context.Context, name string) (jobs.Versions, error) { return set.Create(ctx, name) }})
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); svc.Close(); db.Close() })

	routerHookMu.Lock()
	defer routerHookMu.Unlock()
	capture := func(r *mux.Router) { e.router = r }
	routerBuilt.Store(&capture)
	defer routerBuilt.Store(nil)
	e.h = New(set, Options{Limits: DefaultLimits(), Upload: DefaultUploadLimits(), Token: token, Log: quiet, Jobs: svc})
	if e.router == nil {
		t.Fatal("New built no router (routerBuilt was not called)")
	}
	return e
}

// servedRoutes walks a router: "METHOD /template" for every method of
// every route.
func servedRoutes(t *testing.T, r *mux.Router) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := r.Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		if err != nil {
			return nil // not a path route
		}
		methods, err := route.GetMethods()
		if err != nil {
			methods = []string{"ANY"} // a route without a method matcher
		}
		for _, m := range methods {
			out[m+" "+normalizeTemplate(tpl)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOpenAPIRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	served := servedRoutes(t, newOpenAPIEnv(t, testToken, false).router)
	documented := doc.operations()
	for _, r := range sortedKeys(served) {
		if _, ok := documented[r]; !ok {
			t.Errorf("%s is served but internal/serve/httpapi/openapi.json does not describe it: add it under \"paths\" "+
				"(its parameters, request body, answers and errors; HEAD wherever GET is) and a request of it to TestOpenAPIAnswers", r)
		}
	}
	for _, r := range sortedKeys(documented) {
		if !served[r] {
			t.Errorf("openapi.json describes %s, which the server does not serve: remove it, or fix its path or method", r)
		}
	}
	if len(served) < 50 {
		t.Errorf("only %d routes served: the walk missed some", len(served))
	}
}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc.root["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", v)
	}
	if info, _ := doc.root["info"].(map[string]any); info["title"] == nil || info["version"] == nil {
		t.Errorf("info needs a title and a version: %v", info)
	}
	// Every reference leads somewhere.
	var refs func(v any, at string)
	refs = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := doc.resolve(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for _, k := range sortedKeys(v) {
				refs(v[k], at+"/"+k)
			}
		case []any:
			for i, x := range v {
				refs(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	refs(doc.root, "#")
	// Every schema uses only what the validator checks: the components'
	// and every "schema" of a parameter, body, answer or header.
	var schemas func(v any, at string)
	schemas = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(v) {
				if k == "schema" || at == "#/components/schemas" {
					for _, e := range doc.checkSchemaKeywords(v[k], at+"/"+k) {
						t.Error(e)
					}
					continue
				}
				schemas(v[k], at+"/"+k)
			}
		case []any:
			for i, x := range v {
				schemas(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	schemas(doc.root, "#")

	ids := map[string]string{}
	paths, _ := doc.root["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item := paths[path].(map[string]any)
		for k := range item {
			if k != "parameters" && k != "summary" && k != "description" && !slices.Contains(httpMethods, k) {
				t.Errorf("%s: unexpected key %q", path, k)
			}
		}
		want := templateVars(path)
		for _, m := range httpMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(m) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s: no operationId", where)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s: operationId %q is also %s's", where, id, other)
			}
			ids[id] = where
			// The path's variables are declared as path parameters, at
			// the path or the operation, and nothing else is.
			var declared []string
			for _, list := range []any{item["parameters"], op["parameters"]} {
				list, _ := list.([]any)
				for _, p := range list {
					p, err := doc.deref(p.(map[string]any))
					if err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
					if p["in"] == "path" {
						declared = append(declared, fmt.Sprint(p["name"]))
						if p["required"] != true {
							t.Errorf("%s: path parameter %v must be required", where, p["name"])
						}
					}
				}
			}
			slices.Sort(declared)
			w := slices.Sorted(slices.Values(want))
			if !slices.Equal(declared, w) {
				t.Errorf("%s: path parameters %v declared, the path has %v", where, declared, w)
			}
			responses, _ := op["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s: no responses", where)
			}
			for _, code := range sortedKeys(responses) {
				if !regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`).MatchString(code) {
					t.Errorf("%s: response %q is not a status", where, code)
				}
				r, err := doc.deref(responses[code].(map[string]any))
				if err != nil {
					t.Errorf("%s %s: %v", where, code, err)
					continue
				}
				if r["description"] == nil {
					t.Errorf("%s %s: no description", where, code)
				}
				if content, ok := r["content"].(map[string]any); ok && content["application/json"] != nil {
					if content["application/json"].(map[string]any)["schema"] == nil {
						t.Errorf("%s %s: JSON without a schema", where, code)
					}
				}
			}
			// HEAD is GET without a body, wherever GET is.
			if m == "get" && item["head"] == nil {
				t.Errorf("%s: no head operation", where)
			}
		}
	}
}

// pathSamples are values for the variables of the documented paths.
var pathSamples = map[string]string{
	"n": "1", "name": "default", "label": "stable", "id": "1", "key": "k1",
	"task_id": "0123456789abcdef", "file": "app.js", "project": "p1",
}

func fillPath(t *testing.T, path string) string {
	return routeVar.ReplaceAllStringFunc(path, func(v string) string {
		name := routeVar.FindStringSubmatch(v)[1]
		s, ok := pathSamples[name]
		if !ok {
			t.Errorf("%s: no sample value for {%s}: add one to pathSamples (openapi_test.go)", path, name)
			return "x"
		}
		return s
	})
}

// secured reports whether an operation requires the bearer token.
func secured(op map[string]any) bool {
	sec, _ := op["security"].([]any)
	for _, s := range sec {
		if _, ok := s.(map[string]any)["bearer"]; ok {
			return true
		}
	}
	return false
}

func TestOpenAPISecurity(t *testing.T) {
	doc := loadOpenAPI(t)
	withToken := newOpenAPIEnv(t, testToken, false)
	noToken := newOpenAPIEnv(t, "", false)
	ops := doc.operations()
	n := 0
	for _, key := range sortedKeys(ops) {
		method, path, _ := strings.Cut(key, " ")
		target := fillPath(t, path)
		w := serve(t, withToken.h, method, target, "")
		switch {
		case secured(ops[key]):
			n++
			if w.Code != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d, want 401 (the document marks it with the bearer scheme)", method, target, w.Code)
			}
			if w := serve(t, noToken.h, method, target, ""); w.Code != http.StatusForbidden {
				t.Errorf("%s %s on a server without a token: %d, want 403", method, target, w.Code)
			}
		case w.Code == http.StatusUnauthorized:
			t.Errorf("%s %s needs the token: mark it with \"security\": [{\"bearer\": []}] and its 401 and 403 answers", method, target)
		}
	}
	if n < 20 {
		t.Errorf("only %d operations need the token", n)
	}
}

// answerChecker sends requests through a server and checks each answer
// against the document: its route and method are described, its status is
// one the operation lists, its Content-Type one the answer lists, and a
// JSON body matches the answer's schema. The JSON body of a request that
// succeeded is checked against the operation's request body too.
type answerChecker struct {
	t     *testing.T
	h     http.Handler
	doc   *openAPIDoc
	token string
	seen  map[string]bool // "METHOD /template status"
}

func newAnswerChecker(t *testing.T, doc *openAPIDoc, h http.Handler) *answerChecker {
	return &answerChecker{t: t, h: h, doc: doc, token: testToken, seen: map[string]bool{}}
}

// match finds the documented path of a request path: the template that
// matches with the fewest variables (/models/default before /models/{n}).
func (c *answerChecker) match(path string) (string, map[string]any) {
	paths, _ := c.doc.root["paths"].(map[string]any)
	best, bestVars := "", -1
	for tpl := range paths {
		parts := routeVar.Split(tpl, -1)
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		if !regexp.MustCompile("^" + strings.Join(parts, "[^/]+") + "$").MatchString(path) {
			continue
		}
		if n := len(templateVars(tpl)); bestVars < 0 || n < bestVars {
			best, bestVars = tpl, n
		}
	}
	if best == "" {
		return "", nil
	}
	return best, paths[best].(map[string]any)
}

// anyStatus, as the status a request wants, takes any.
const anyStatus = -1

// do sends a request with the token (when set) and, when body is not
// empty, Content-Type application/json; want is the expected status.
func (c *answerChecker) do(want int, method, target, body string) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(want, req, []byte(body))
}

// send sends a prepared request and checks the answer. The request gets
// the token unless it has an Authorization header ("none": it is sent
// without one) or c.token is empty.
func (c *answerChecker) send(want int, req *http.Request, body []byte) *httptest.ResponseRecorder {
	c.t.Helper()
	if c.token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if req.Header.Get("Authorization") == "none" {
		req.Header.Del("Authorization")
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	where := req.Method + " " + req.URL.RequestURI()
	if want != anyStatus && w.Code != want {
		c.t.Errorf("%s: %d, want %d: %s", where, w.Code, want, truncate(w.Body.String(), 300))
	}
	for _, e := range c.check(req, body, w) {
		c.t.Errorf("%s → %d: %s", where, w.Code, e)
	}
	return w
}

// check compares one exchange with the document.
func (c *answerChecker) check(req *http.Request, reqBody []byte, w *httptest.ResponseRecorder) []string {
	tpl, item := c.match(req.URL.Path)
	if item == nil {
		return []string{"no path of the document matches " + req.URL.Path}
	}
	op, ok := item[strings.ToLower(req.Method)].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("the document has no %s operation on %s", req.Method, tpl)}
	}
	status := fmt.Sprint(w.Code)
	c.seen[req.Method+" "+tpl+" "+status] = true
	responses, _ := op["responses"].(map[string]any)
	raw, ok := responses[status]
	if !ok {
		raw, ok = responses[status[:1]+"XX"]
	}
	if !ok {
		raw, ok = responses["default"]
	}
	if !ok {
		return []string{fmt.Sprintf("status %s is not among the answers documented for %s %s (%s)", status, req.Method, tpl, strings.Join(sortedKeys(responses), ", "))}
	}
	resp, err := c.doc.deref(raw.(map[string]any))
	if err != nil {
		return []string{err.Error()}
	}
	var errs []string
	content, _ := resp["content"].(map[string]any)
	switch {
	case req.Method == http.MethodHead:
		// No body: net/http drops what the handler writes (the recorder
		// keeps it).
	case len(content) == 0:
		if w.Body.Len() > 0 {
			errs = append(errs, fmt.Sprintf("the document gives status %s no content, the server answered %q", status, truncate(w.Body.String(), 100)))
		}
	default:
		mt, _, err := mime.ParseMediaType(w.Header().Get("Content-Type"))
		if err != nil {
			errs = append(errs, fmt.Sprintf("Content-Type %q: %v", w.Header().Get("Content-Type"), err))
			break
		}
		media := mediaFor(content, mt)
		if media == nil {
			errs = append(errs, fmt.Sprintf("Content-Type %s is not among the documented ones (%s)", mt, strings.Join(sortedKeys(content), ", ")))
			break
		}
		if mt == "application/json" {
			v, err := decodeJSONValue(w.Body.Bytes())
			if err != nil {
				errs = append(errs, fmt.Sprintf("the answer is not JSON: %v", err))
				break
			}
			for _, e := range c.doc.validate(media["schema"], v, "$") {
				errs = append(errs, "answer "+e)
			}
		}
	}
	// The request body of a success matches the documented one.
	if w.Code < 300 && len(bytes.TrimSpace(reqBody)) > 0 {
		mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		rb, _ := op["requestBody"].(map[string]any)
		rc, _ := rb["content"].(map[string]any)
		switch media := mediaFor(rc, mt); {
		case rb == nil:
			errs = append(errs, "a body was sent and accepted, and the document has no requestBody")
		case media == nil:
			errs = append(errs, fmt.Sprintf("request Content-Type %s is not among the documented ones (%s)", mt, strings.Join(sortedKeys(rc), ", ")))
		case rc[mt] != nil && mt == "application/json":
			v, err := decodeJSONValue(reqBody)
			if err != nil {
				errs = append(errs, fmt.Sprintf("the request body is not JSON: %v", err))
			} else {
				for _, e := range c.doc.validate(media["schema"], v, "$") {
					errs = append(errs, "request "+e)
				}
			}
		}
	}
	return errs
}

// mediaFor is the Media Type Object of content for the media type mt: its
// own, else the range type/* or */*.
func mediaFor(content map[string]any, mt string) map[string]any {
	main, _, _ := strings.Cut(mt, "/")
	for _, k := range []string{mt, main + "/*", "*/*"} {
		if m, ok := content[k].(map[string]any); ok {
			return m
		}
	}
	return nil
}

// routerError checks an answer of the router itself (no route, or not its
// method): the Error schema.
func (c *answerChecker) routerError(w *httptest.ResponseRecorder, want int) {
	c.t.Helper()
	if w.Code != want {
		c.t.Errorf("router: %d, want %d", w.Code, want)
	}
	v, err := decodeJSONValue(w.Body.Bytes())
	if err != nil {
		c.t.Fatalf("router: %v", err)
	}
	for _, e := range c.doc.validate(map[string]any{"$ref": "#/components/schemas/Error"}, v, "$") {
		c.t.Errorf("router %d: %s", want, e)
	}
	c.seen[fmt.Sprintf("router %d", want)] = true
}

// jsonField reads a field of a JSON answer.
func jsonField[T any](t *testing.T, w *httptest.ResponseRecorder, field string) T {
	t.Helper()
	var m map[string]json.RawMessage
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil || json.Unmarshal(m[field], &v) != nil {
		t.Fatalf("no %q in %s", field, truncate(w.Body.String(), 300))
	}
	return v
}

func TestOpenAPIAnswers(t *testing.T) {
	doc := loadOpenAPI(t)
	rc := newReceiver(t)
	e := newOpenAPIEnv(t, testToken, false, rc.host())
	c := newAnswerChecker(t, doc, e.h)
	num := trainTiny(t, "numeric")
	modelFile, err := num.MarshalBinary()
	must(t, err)
	upload := func(want int, target, contentType string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", target, bytes.NewReader(modelFile))
		req.Header.Set("Content-Type", contentType)
		return c.send(want, req, modelFile)
	}

	// Predictions.
	c.do(200, "GET", "/intent?query=doliprane+enfant", "")
	c.do(200, "GET", "/intent?query=doliprane&top=3&version=1", "")
	c.do(200, "GET", "/intent?query=book+a+flight&model=*", "")
	c.do(200, "HEAD", "/intent?query=doliprane", "")
	c.do(400, "GET", "/intent", "")
	c.do(404, "GET", "/intent?query=x&version=9", "")
	c.do(413, "GET", "/intent?query="+strings.Repeat("a", 10001), "")
	c.do(200, "POST", "/intent", `{"queries": ["doliprane enfant", "vaccin et grossesse"], "top": 2}`)
	c.do(200, "POST", "/intent", `{"queries": ["doliprane enfant"], "version": 1}`)
	c.do(400, "POST", "/intent", `{"queries": []}`)
	c.do(200, "POST", "/infer", `{"texts": ["doliprane enfant", "sushis"]}`)
	c.do(200, "POST", "/infer", `{"texts": ["book a flight"], "model": "travel"}`)
	c.do(404, "POST", "/infer", `{"texts": ["x"], "model": "nope"}`)
	c.do(200, "POST", "/test", "")
	c.do(200, "POST", "/test", `{"version": 1}`)
	c.do(404, "POST", "/test", `{"version": 9}`)

	// Versions of the default model.
	c.do(200, "GET", "/models", "")
	c.do(200, "HEAD", "/models", "")
	c.do(200, "GET", "/models/1", "")
	c.do(200, "GET", "/models/default", "")
	c.do(400, "GET", "/models/x", "")
	c.do(404, "GET", "/models/9", "")
	c.do(200, "PUT", "/models/default", `{"version": 1}`)
	c.do(409, "DELETE", "/models/1", "")
	c.do(200, "DELETE", "/models/default", "")
	n := jsonField[int](t, upload(201, "/models", "application/octet-stream"), "version")
	c.do(200, "GET", fmt.Sprintf("/models/%d", n), "") // no report: "report": null
	c.do(200, "DELETE", fmt.Sprintf("/models/%d", n), "")
	upload(415, "/models", "text/plain")
	c.do(200, "GET", "/models/1/reliability", "")
	c.do(200, "GET", "/compare?a=1&b=2&limit=5", "")
	c.do(400, "GET", "/compare?a=1", "")

	// Named models.
	c.do(200, "GET", "/v1/models", "")
	c.do(200, "GET", "/v1/models/travel", "")
	c.do(200, "GET", "/v1/models/travel/default", "")
	c.do(200, "PUT", "/v1/models/travel/labels/stable", `{"version": 1}`)
	c.do(200, "GET", "/v1/models/travel/labels", "")
	c.do(200, "GET", "/intent?query=book+a+flight&model=travel&version=stable", "")
	c.do(200, "GET", "/v1/models/travel/versions/1", "")
	c.do(200, "GET", "/v1/models/travel/versions/1/model.bin", "")
	c.do(200, "DELETE", "/v1/models/travel/labels/stable", "")
	c.do(404, "DELETE", "/v1/models/travel/labels/stable", "")
	c.do(200, "PUT", "/v1/models/travel/default", `{"version": 1}`)
	c.do(200, "DELETE", "/v1/models/travel/default", "")
	upload(201, "/v1/models/fresh", "application/octet-stream")
	c.do(200, "DELETE", "/v1/models/fresh/versions/1", "")
	c.do(200, "DELETE", "/v1/models/fresh", "")
	c.do(404, "GET", "/v1/models/nope", "")
	upload(400, "/v1/models/Bad", "application/octet-stream")

	// Examples.
	id := jsonField[[]int64](t, c.do(201, "POST", "/examples", `{"text": "doliprane pour enfant", "intent": 3, "id": "k1"}`), "ids")[0]
	var list []map[string]any
	for _, ex := range examples(numericIntents) {
		list = append(list, map[string]any{"text": ex.Text, "intent": ex.Label, "source": "tiny"})
	}
	b, _ := json.Marshal(list)
	c.do(201, "POST", "/examples", string(b))
	unlabeled := jsonField[[]int64](t, c.do(201, "POST", "/examples", `{"examples": [{"text": "une question à étiqueter", "intent": null, "key": 42}]}`), "ids")[0]
	c.do(409, "POST", "/examples", `{"text": "x", "intent": 3, "id": "k1"}`)
	c.do(400, "POST", "/examples", `{"text": ""}`)
	c.do(413, "POST", "/examples", "["+strings.Repeat(`{"text": "a", "intent": 3},`, 1000)+`{"text": "a", "intent": 3}]`)
	c.do(200, "GET", "/examples", "")
	c.do(200, "GET", "/examples?labeled=any&limit=2", "")
	c.do(400, "GET", "/examples?labeled=maybe", "")
	c.do(200, "GET", fmt.Sprintf("/examples/%d", id), "")
	c.do(200, "GET", fmt.Sprintf("/examples/%d", unlabeled), "")
	c.do(200, "GET", "/examples/by-key/k1", "")
	c.do(404, "GET", "/examples/999999", "")
	c.do(400, "GET", "/examples/x", "")
	c.do(200, "PATCH", "/examples/by-key/k1", `{"intent": 26}`)
	c.do(200, "PATCH", fmt.Sprintf("/examples/%d", id), `{"intent": "3"}`)
	c.do(200, "GET", fmt.Sprintf("/examples/%d/predict", id), "")
	c.do(200, "GET", "/examples/by-key/k1/predict?top=2&version=2", "")
	c.do(204, "DELETE", "/examples/by-key/k1", "")
	c.do(204, "DELETE", fmt.Sprintf("/examples/%d", unlabeled), "")
	c.do(404, "DELETE", "/examples/999999", "")
	c.do(200, "DELETE", "/examples?source=nothing", "")
	c.do(400, "DELETE", "/examples", "")

	// Datasets and the data report.
	c.do(200, "GET", "/datasets", "")
	c.do(200, "POST", "/check", `{"dataset": "sample", "use_examples": false}`)
	c.do(200, "POST", "/check", "")
	c.do(400, "POST", "/check", `{"data": "nope"}`)
	req := httptest.NewRequest("POST", "/datasets?name=questions.csv&label_col=intent", strings.NewReader("text,intent\ndoliprane,3\nvaccin,26\n,3\nsushis,\n"))
	req.Header.Set("Content-Type", "text/csv")
	ds := jsonField[string](t, c.send(201, req, nil), "id")
	c.do(200, "GET", "/datasets/"+ds, "")
	c.do(200, "GET", "/datasets/"+ds+"/rows?limit=4", "")
	c.do(400, "GET", "/datasets/"+ds+"/rows?page=2", "")
	c.do(200, "GET", "/datasets", "")
	c.do(200, "POST", "/check", fmt.Sprintf(`{"dataset": %q, "use_examples": false}`, ds))
	c.do(200, "DELETE", "/datasets/"+ds, "")
	c.do(404, "GET", "/datasets/"+ds, "")
	c.do(400, "POST", "/datasets?name=empty.csv", "")

	// The Alectio protocol, on two uploaded datasets of the tiny set.
	csv := "text,intent\n"
	for _, label := range sortedKeys(numericIntents) {
		for _, text := range numericIntents[label] {
			csv += text + "," + label + "\n"
		}
	}
	var sets [2]string
	for i := range sets {
		req := httptest.NewRequest("POST", "/datasets?name=tiny.csv", strings.NewReader(csv))
		sets[i] = jsonField[string](t, c.send(201, req, nil), "id")
	}
	c.do(201, "POST", "/alectio/projects", fmt.Sprintf(`{"name": "p1", "train_dataset": %q, "test_dataset": %q, "options": {"c": 1}}`, sets[0], sets[1]))
	c.do(409, "POST", "/alectio/projects", fmt.Sprintf(`{"name": "p1", "train_dataset": %q, "test_dataset": %q}`, sets[0], sets[1]))
	c.do(400, "POST", "/alectio/projects", `{"name": "p2"}`)
	c.do(200, "GET", "/alectio/projects", "")
	c.do(200, "POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_1", "labeled": [0, 1, 2, 8, 9, 10, 16, 17]}`)
	c.do(409, "POST", "/alectio/p1/train", `{"resume_from": null, "ckpt_file": "ckpt_1", "labeled": [0, 8, 16]}`)
	c.do(200, "POST", "/alectio/p1/test", `{"ckpt_file": "ckpt_1"}`)
	c.do(404, "POST", "/alectio/p1/test", `{"ckpt_file": "ckpt_9"}`)
	c.do(200, "POST", "/alectio/p1/infer", `{"ckpt_file": "ckpt_1", "unlabeled": [3, 4, 11]}`)
	c.do(400, "POST", "/alectio/p1/infer", `{"ckpt_file": "ckpt_1", "unlabeled": [1000]}`)
	c.do(200, "GET", "/alectio/p1/labels?ckpt_file=ckpt_1", "")
	c.do(200, "GET", "/alectio/p1", "")
	c.do(404, "GET", "/alectio/p9", "")
	c.do(409, "DELETE", "/datasets/"+sets[0], "")
	req = httptest.NewRequest("POST", "/alectio/p1/train", strings.NewReader(`{"ckpt_file": "ckpt_2", "labeled": [0]}`))
	req.Header.Set("Authorization", "none")
	c.send(401, req, nil)
	c.do(200, "DELETE", "/alectio/p1", "")

	// The labeling queue.
	c.do(201, "POST", "/label/pool", `{"texts": ["doliprane et alcool", "vaccin enceinte", "poisson cru"], "source": "test"}`)
	c.do(200, "POST", "/label/pool", `{"texts": ["poisson cru"]}`)
	items := jsonField[[]queueItemJSON](t, c.do(200, "GET", "/label/queue?limit=2", ""), "items")
	c.do(201, "POST", fmt.Sprintf("/label/queue/%d", items[0].ID), `{"intent": 3}`)
	c.do(204, "DELETE", fmt.Sprintf("/label/queue/%d", items[1].ID), "")
	c.do(404, "DELETE", fmt.Sprintf("/label/queue/%d", items[1].ID), "")
	c.do(400, "GET", "/label/queue?strategy=best", "")
	c.do(200, "DELETE", "/label/pool", "")

	// Training: a task with a callback, trained; one whose data is not
	// usable, failed. Every status polled is checked.
	must(t, os.WriteFile(filepath.Join(e.data, "one.csv"), []byte("text,intent\nun,1\ndeux,1\ntrois,1\n"), 0o644))
	train := fmt.Sprintf(`{"use_examples": true, "make_default": "never", "callback": {"url": %q, "ids": {"project_id": "p1", "plugin_id": 7}}}`, rc.srv.URL+"/events")
	trained := jsonField[string](t, c.do(202, "POST", "/train", train), "task_id")
	failed := jsonField[string](t, c.do(202, "POST", "/train", `{"data": "one.csv", "use_examples": false}`), "task_id")
	for _, task := range []string{trained, failed} {
		deadline := time.Now().Add(time.Minute)
		for {
			w := c.do(200, "GET", "/status/"+task, "")
			if st := store.State(jsonField[string](t, w, "state")); st.Finished() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("task %s: not finished after a minute", task)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// The callback's events, and its deliveries in the status.
	deadline := time.Now().Add(30 * time.Second)
	for len(rc.events()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := rc.names(); got != "TRAINING_START MODEL_NAME" {
		t.Errorf("callback events: %s", got)
	}
	cb, err := doc.resolve("#/paths/~1train/post/callbacks/events/{$request.body#~1callback~1url}/post/requestBody/content/application~1json/schema")
	must(t, err)
	for i, raw := range rc.raw {
		v, err := decodeJSONValue([]byte(raw))
		must(t, err)
		for _, e := range doc.validate(cb, v, fmt.Sprintf("event[%d]", i)) {
			t.Errorf("callback: %s", e)
		}
	}
	for time.Now().Before(deadline) {
		var s struct {
			Callback *jobs.CallbackState `json:"callback"`
		}
		json.Unmarshal(c.do(200, "GET", "/status/"+trained, "").Body.Bytes(), &s)
		if s.Callback != nil && len(s.Callback.Deliveries) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.do(200, "GET", "/tasks", "")
	c.do(200, "GET", "/tasks?state=failed&limit=1", "")
	c.do(400, "GET", "/tasks?state=bogus", "")
	c.do(404, "GET", "/status/0123456789abcdef", "")
	c.do(400, "POST", "/train", `{"data": "../etc"}`)
	c.do(413, "POST", "/train", `{"data": "`+strings.Repeat("a", 64<<10)+`"}`)

	// The web interface and operations.
	c.do(200, "GET", "/healthz", "")
	c.do(200, "GET", "/readyz", "")
	c.do(200, "GET", "/metrics", "")
	c.do(200, "GET", "/openapi.json", "")
	c.do(200, "HEAD", "/openapi.json", "")
	etag := c.do(200, "GET", "/", "").Header().Get("ETag")
	req = httptest.NewRequest("GET", "/", nil)
	req.Header.Set("If-None-Match", etag)
	c.send(304, req, nil)
	c.do(200, "GET", "/ui/app.js", "")
	c.do(200, "GET", "/ui/style.css", "")
	c.do(200, "GET", "/ui/icon.svg", "")
	c.do(404, "GET", "/ui/nope.js", "")

	// Without the token, or on a server without one, or without a model.
	req = httptest.NewRequest("POST", "/examples", strings.NewReader(`{"text": "a", "intent": 3}`))
	req.Header.Set("Authorization", "none")
	if w := c.send(401, req, nil); !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("401 without WWW-Authenticate: %v", w.Header())
	}
	c.h = newOpenAPIEnv(t, "", true).h
	c.do(403, "POST", "/examples", `{"text": "a", "intent": 3}`)
	c.do(503, "GET", "/intent?query=x", "")
	c.do(503, "POST", "/intent", `{"queries": ["x"]}`)
	c.do(503, "GET", "/readyz", "")

	// Every GET route, with the variables of pathSamples, and its HEAD:
	// whatever they answer is documented, HEAD as GET.
	c.h = e.h
	for _, key := range sortedKeys(doc.operations()) {
		if path, ok := strings.CutPrefix(key, "GET "); ok {
			target := fillPath(t, path)
			get := c.do(anyStatus, "GET", target, "")
			if head := c.do(anyStatus, "HEAD", target, ""); head.Code != get.Code {
				t.Errorf("HEAD %s: %d, GET: %d", target, head.Code, get.Code)
			}
		}
	}

	// The router's own answers: no such route, not its method.
	c.routerError(serve(t, e.h, "GET", "/nope", ""), 404)
	w := serve(t, e.h, "DELETE", "/intent", "")
	c.routerError(w, 405)
	if w.Header().Get("Allow") == "" {
		t.Error("405 without Allow")
	}

	// Every kind of error was seen, and the routes the document must
	// describe best.
	statuses := map[string]bool{}
	for k := range c.seen {
		statuses[k[strings.LastIndexByte(k, ' ')+1:]] = true
	}
	for _, s := range []string{"200", "201", "202", "204", "304", "400", "401", "403", "404", "405", "409", "413", "415", "503"} {
		if !statuses[s] {
			t.Errorf("no answer with status %s was checked", s)
		}
	}
	for _, k := range []string{"GET /intent 200", "POST /intent 200", "POST /infer 200", "POST /test 200", "GET /models 200",
		"GET /models/{n} 200", "GET /v1/models 200", "GET /examples 200", "POST /examples 201", "POST /train 202",
		"GET /status/{task_id} 200", "GET /tasks 200"} {
		if !c.seen[k] {
			t.Errorf("%s was not checked", k)
		}
	}
	var unchecked []string
	for _, op := range sortedKeys(doc.operations()) {
		if !slices.ContainsFunc(sortedKeys(c.seen), func(s string) bool { return strings.HasPrefix(s, op+" ") }) {
			unchecked = append(unchecked, op)
		}
	}
	if len(unchecked) > 0 {
		t.Errorf("operations without a checked answer: %s", strings.Join(unchecked, ", "))
	}
	t.Logf("%d answers (operation and status) checked", len(c.seen))
}

// TestOpenAPIShapes checks that the schemas of the bodies the handlers
// read and write with Go structs have exactly those structs' JSON fields
// as properties (the hand-written answers, such as /intent's, are
// checked by TestOpenAPIAnswers only).
func TestOpenAPIShapes(t *testing.T) {
	doc := loadOpenAPI(t)
	const s = "#/components/schemas/"
	// A nested shape is named by its parent's field (jobs.Plan{}.Options),
	// so that the check follows a change of the field's type.
	for _, c := range []struct {
		schema string
		value  any      // a struct, or a field of one: a struct, a pointer to one or a slice of them
		except []string // fields of the struct the schema leaves out
	}{
		{s + "Error", errorBody{}, nil},
		{s + "BatchRequest", batchRequest{}, nil},
		{s + "InferRequest", inferRequest{}, nil},
		{s + "TestRequest", testRequest{}, nil},
		{s + "TestAnswer", testJSON{}, nil},
		{s + "VersionRequest", versionBody{}, nil},
		{s + "Version", versionJSON{}, []string{"report"}},
		{s + "VersionDetail", versionJSON{}, nil},
		{s + "Headline", versions.Headline{}, nil},
		{s + "Models", modelsJSON{}, nil},
		{s + "DefaultState", defaultJSON{}, nil},
		{s + "VersionDeleted", deletedJSON{}, nil},
		{s + "NamedModel", namedJSON{}, nil},
		{s + "Reliability", reliabilityJSON{}, nil},
		{s + "Reliability/properties/bins/items", reliabilityJSON{}.Bins, nil},
		{s + "Compare", compareJSON{}, nil},
		{s + "CompareSide", compareSideJSON{}, nil},
		{s + "CompareSide/properties/per_class/items", compareSideJSON{}.PerClass, nil},
		{s + "Compare/properties/questions/items", compareJSON{}.Questions, nil},
		{s + "ExampleInput", exampleInput{}, nil},
		{s + "ExamplesAdded", addedJSON{}, nil},
		{s + "Example", exampleJSON{}, nil},
		{s + "ExamplesPage", examplesPageJSON{}, nil},
		{s + "Deleted", deletedCountJSON{}, nil},
		{s + "IntentRequest", intentBody{}, nil},
		{s + "Datasets", datasetsJSON{}, nil},
		{s + "Datasets/properties/datasets/items", datasetsJSON{}.Datasets, nil},
		{s + "Dataset", datasetJSON{}, nil},
		{s + "DatasetRows/properties/rows/items", rowJSON{}, nil},
		{s + "Report", dataset.Report{}, nil},
		{s + "PoolRequest", poolRequest{}, nil},
		{s + "PoolAdded", poolAddedJSON{}, nil},
		{s + "Queue", queueJSON{}, nil},
		{s + "Queue/properties/items/items", queueJSON{}.Items, nil},
		{s + "Queue/properties/items/items/properties/top/items", queueItemJSON{}.Top, nil},
		{s + "TrainRequest", jobs.Request{}, nil},
		{s + "TrainRequest/properties/options", jobs.Request{}.Options, nil},
		{s + "SearchRequest", jobs.Request{}.Search, nil},
		{s + "SearchRequest/properties/space", jobs.SearchRequest{}.Space, nil},
		{s + "CallbackRequest", jobs.Request{}.Callback, nil},
		{s + "Queued", queuedJSON{}, nil},
		{s + "Task", taskJSON{}, nil},
		{s + "Tasks", tasksJSON{}, nil},
		{s + "Plan", jobs.Plan{}, nil},
		{s + "Plan/properties/options", jobs.Plan{}.Options, nil},
		{s + "Plan/properties/callback", jobs.Plan{}.Callback, nil},
		{s + "Plan/properties/search", jobs.Plan{}.Search, nil},
		{s + "Plan/properties/search/properties/space", tune.Options{}.Space, nil},
		{s + "CallbackState", jobs.CallbackState{}, nil},
		{s + "CallbackState/properties/deliveries/items", jobs.CallbackState{}.Deliveries, nil},
		{s + "DataReport", jobs.DataReport{}, nil},
		{s + "DataReport/properties/first_rejected/items", jobs.DataReport{}.FirstRejected, nil},
		{s + "Metrics", jobs.Metrics{}, nil},
		{s + "SearchResult", jobs.SearchResult{}, nil},
		{s + "SearchResult/properties/best", jobs.SearchResult{}.Best, nil},
		{s + "Ready", readyBody{}, nil},
		{s + "AlectioProjectRequest", alectio.Spec{}, nil},
		{s + "AlectioProjectRequest/properties/options", alectio.Spec{}.Options, nil},
		{s + "AlectioProject", projectJSON{}, nil},
		{s + "AlectioProject/properties/options", projectJSON{}.Options, nil},
		{s + "AlectioProject/properties/checkpoints/items", projectJSON{}.Checkpoints, nil},
		{s + "AlectioTrainRequest", alectio.TrainRequest{}, nil},
	} {
		schema, err := doc.resolve(c.schema)
		if err != nil {
			t.Errorf("%s: %v", c.schema, err)
			continue
		}
		props, _ := schema.(map[string]any)["properties"].(map[string]any)
		got := sortedKeys(props)
		want := slices.DeleteFunc(jsonFields(reflectType(c.value)), func(f string) bool { return slices.Contains(c.except, f) })
		if !slices.Equal(got, want) {
			t.Errorf("%s has properties %v; the Go type %T has the JSON fields %v: describe every field in openapi.json",
				c.schema, got, c.value, want)
		}
	}
}

// reflectType is the type of v, or of its elements for a slice.
func reflectType(v any) reflect.Type {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// jsonFields lists the names encoding/json gives the fields of struct t
// (embedded structs' fields included), sorted.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			out = append(out, jsonFields(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
