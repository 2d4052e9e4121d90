package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"intent/model"
)

// wantAnswer is the exact answer the server must give for p, built here
// independently of the appenders under test.
func wantAnswer(m *model.Model, p model.Prediction) string {
	intent := strconv.Quote(p.Label)
	if m.NumericLabels() {
		intent = strconv.FormatInt(m.LabelInt(p.Class), 10)
	}
	return `{"intent": ` + intent + `, "probability": "` + strconv.FormatFloat(p.Probability, 'f', 8, 64) + `"}`
}

func get(q string, extra ...string) string {
	v := "/intent?query=" + url.QueryEscape(q)
	for _, e := range extra {
		v += "&" + e
	}
	return v
}

func TestIntentExactBytes(t *testing.T) {
	m := trainTiny(t, "numeric")
	s, _ := newTestServer(t, writeModels(t, m))
	h := s.routes()
	q := "risques poisson cru pendant la grossesse ?"
	w := serve(t, h, "GET", get(q), "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	p := m.Predict(q)
	if p.Label != "26" {
		t.Fatalf("tiny model predicts %q for the pregnancy question", p.Label)
	}
	want := wantAnswer(m, p) + "\n"
	if got := w.Body.String(); got != want {
		t.Errorf("body\n got %q\nwant %q", got, want)
	}
	if !strings.HasPrefix(w.Body.String(), `{"intent": 26, "probability": "`) {
		t.Errorf("body %q does not have the documented shape", w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestIntentStringLabels(t *testing.T) {
	m := trainTiny(t, "string")
	s, _ := newTestServer(t, writeModels(t, m))
	q := "please cancel my order"
	w := serve(t, s.routes(), "GET", get(q, "top=3"), "")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got struct {
		Intent  any `json:"intent"`
		Ranking []struct {
			Intent any `json:"intent"`
		} `json:"ranking"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	if got.Intent != `cancel "order"` {
		t.Errorf("intent = %#v, want the string label with its quotes escaped", got.Intent)
	}
	for _, r := range got.Ranking {
		if _, ok := r.Intent.(string); !ok {
			t.Errorf("ranking intent %#v is not a string", r.Intent)
		}
	}
}

func TestIntentTop(t *testing.T) {
	m := trainTiny(t, "numeric")
	s, _ := newTestServer(t, writeModels(t, m))
	h := s.routes()
	q := "dose de doliprane"
	for _, k := range []int{1, 2, 3} {
		w := serve(t, h, "GET", get(q, "top="+strconv.Itoa(k)), "")
		if w.Code != http.StatusOK {
			t.Fatalf("top=%d: status %d: %s", k, w.Code, w.Body)
		}
		top := m.PredictTop(q, k, nil)
		parts := make([]string, len(top))
		for i, p := range top {
			parts[i] = wantAnswer(m, p)
		}
		want := strings.TrimSuffix(wantAnswer(m, top[0]), "}") + `, "ranking": [` + strings.Join(parts, ", ") + "]}\n"
		if got := w.Body.String(); got != want {
			t.Errorf("top=%d\n got %q\nwant %q", k, got, want)
		}
		var resp struct {
			Ranking []struct {
				Probability string `json:"probability"`
			} `json:"ranking"`
		}
		json.Unmarshal(w.Body.Bytes(), &resp)
		if len(resp.Ranking) != k {
			t.Fatalf("top=%d: %d ranked", k, len(resp.Ranking))
		}
		if !slices.IsSortedFunc(resp.Ranking, func(a, b struct {
			Probability string `json:"probability"`
		}) int {
			return strings.Compare(b.Probability, a.Probability)
		}) {
			t.Errorf("ranking not in decreasing probability: %s", w.Body)
		}
	}
}

func TestIntentVersion(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	s, _ := newTestServer(t, writeModels(t, num, str)) // version 1 numeric, 2 string
	h := s.routes()
	cases := []struct {
		target string
		model  *model.Model
	}{
		{get("book a flight"), str},
		{get("book a flight", "version=2"), str},
		{get("book a flight", "version=1"), num},
	}
	for _, c := range cases {
		w := serve(t, h, "GET", c.target, "")
		want := wantAnswer(c.model, c.model.Predict("book a flight")) + "\n"
		if w.Code != http.StatusOK || w.Body.String() != want {
			t.Errorf("%s: %d %q, want %q", c.target, w.Code, w.Body, want)
		}
	}
	w := serve(t, h, "GET", get("x", "version=7"), "")
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "unknown model version 7 (loaded: 1, 2)") {
		t.Errorf("version=7: %d %s", w.Code, w.Body)
	}
}

func TestIntentBatch(t *testing.T) {
	num, str := trainTiny(t, "numeric"), trainTiny(t, "string")
	s, _ := newTestServer(t, writeModels(t, num, str))
	h := s.routes()
	qs := []string{"risques poisson cru pendant la grossesse ?", "effets du vaccin", "doliprane enfant", "grossesse sushis"}
	body, _ := json.Marshal(map[string]any{"queries": qs, "version": 1, "top": 2})
	w := serve(t, h, "POST", "/intent", string(body))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	// Each result is byte for byte the GET answer of its query.
	var parts []string
	for _, q := range qs {
		g := serve(t, h, "GET", get(q, "version=1", "top=2"), "")
		parts = append(parts, strings.TrimSuffix(g.Body.String(), "\n"))
	}
	want := `{"results": [` + strings.Join(parts, ", ") + "]}\n"
	if got := w.Body.String(); got != want {
		t.Errorf("batch\n got %q\nwant %q", got, want)
	}
	// Without options: the default version, no ranking.
	w = serve(t, h, "POST", "/intent", `{"queries": ["book a flight", "weather today"]}`)
	want = `{"results": [` + wantAnswer(str, str.Predict("book a flight")) + ", " + wantAnswer(str, str.Predict("weather today")) + "]}\n"
	if w.Code != http.StatusOK || w.Body.String() != want {
		t.Errorf("default batch: %d\n got %q\nwant %q", w.Code, w.Body, want)
	}
}

func TestErrors(t *testing.T) {
	m := trainTiny(t, "numeric")
	s, _ := newTestServer(t, writeModels(t, m))
	h := s.routes()
	long := strings.Repeat("é", 10_001)
	tooMany, _ := json.Marshal(map[string]any{"queries": slices.Repeat([]string{"q"}, 1001)})
	cases := []struct {
		name, method, target, body string
		status                     int
		msg                        string
	}{
		{"missing query", "GET", "/intent", "", 400, "missing query parameter"},
		{"other parameters only", "GET", "/intent?q=grossesse", "", 400, "missing query parameter"},
		{"empty query", "GET", "/intent?query=", "", 400, "query is empty"},
		{"blank query", "GET", "/intent?query=+%20%09%0A", "", 400, "query is empty"},
		{"invalid UTF-8", "GET", "/intent?query=%FF%FEabc", "", 400, "not valid UTF-8"},
		{"bad escape", "GET", "/intent?query=%zz", "", 400, "not properly URL-encoded"},
		{"bad escape names the parameter", "GET", "/intent?query=%zz", "", 400, "parameter query is not properly URL-encoded"},
		{"bad escape in another parameter", "GET", "/intent?query=x&foo=%zz", "", 400, "parameter foo is not properly URL-encoded"},
		{"bad escape in a parameter name", "GET", "/intent?query=x&%zz=1", "", 400, `parameter name "%zz" is not properly URL-encoded`},
		{"semicolon", "GET", "/intent?query=a;b", "", 400, `parameter "query" holds a semicolon`},
		{"too long", "GET", get(long), "", 413, "has 10001 characters, the limit is 10000"},
		{"top zero", "GET", get("x", "top=0"), "", 400, "top must be between 1 and 3"},
		{"top over labels", "GET", get("x", "top=4"), "", 400, "top must be between 1 and 3"},
		{"top not a number", "GET", get("x", "top=two"), "", 400, "top must be an integer"},
		{"version a label that does not exist", "GET", get("x", "version=latest"), "", 404, `no version labeled "latest" (labels: none)`},
		{"version not a number", "GET", get("x", "version=1x"), "", 400, "version must be a positive integer or a label"},
		{"version zero", "GET", get("x", "version=0"), "", 400, "version must be a positive integer or a label"},
		{"unknown version", "GET", get("x", "version=2"), "", 404, "unknown model version 2"},
		{"bad JSON", "POST", "/intent", `{"queries": [`, 400, "request body must be"},
		{"not an object", "POST", "/intent", `["a"]`, 400, "request body must be"},
		{"unknown field", "POST", "/intent", `{"query": "a"}`, 400, `unknown field "query"`},
		{"trailing data", "POST", "/intent", `{"queries": ["a"]} {}`, 400, "data after the JSON value"},
		{"no queries", "POST", "/intent", `{}`, 400, `missing "queries"`},
		{"empty queries", "POST", "/intent", `{"queries": []}`, 400, `"queries" is empty`},
		{"empty entry", "POST", "/intent", `{"queries": ["a", " "]}`, 400, "queries[1] is empty"},
		{"long entry", "POST", "/intent", `{"queries": ["` + long + `"]}`, 413, "queries[0] has 10001 characters"},
		{"invalid UTF-8 body", "POST", "/intent", "{\"queries\": [\"\xff\"]}", 400, "not valid UTF-8"},
		{"too many queries", "POST", "/intent", string(tooMany), 413, `"queries" has 1001 entries, the limit is 1000`},
		{"body too large", "POST", "/intent", `{"queries": ["` + strings.Repeat("a", 1<<20) + `"]}`, 413, "request body over 1048576 bytes"},
		{"batch top", "POST", "/intent", `{"queries": ["a"], "top": 9}`, 400, "top must be between 1 and 3"},
		{"batch version zero", "POST", "/intent", `{"queries": ["a"], "version": 0}`, 400, "version must be a positive integer"},
		{"batch unknown version", "POST", "/intent", `{"queries": ["a"], "version": 5}`, 404, "unknown model version 5"},
		{"unknown route", "GET", "/predict?query=x", "", 404, "no such endpoint: GET /predict"},
		{"unknown nested route", "GET", "/ui/x/y", "", 404, "no such endpoint"},
		{"root is the web interface", "POST", "/", "", 405, "method POST not allowed on / (allowed: GET, HEAD)"},
		{"wrong method", "DELETE", "/intent", "", 405, "method DELETE not allowed on /intent (allowed: GET, HEAD, POST)"},
		{"wrong method healthz", "POST", "/healthz", "", 405, "allowed: GET, HEAD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := serve(t, h, c.method, c.target, c.body)
			if w.Code != c.status {
				t.Errorf("status %d, want %d: %s", w.Code, c.status, w.Body)
			}
			var e errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, c.msg) {
				t.Errorf("body %s: want an error containing %q (%v)", w.Body, c.msg, err)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	// The limit itself is allowed.
	if w := serve(t, h, "GET", get(strings.Repeat("é", 10_000)), ""); w.Code != http.StatusOK {
		t.Errorf("query of exactly 10000 characters: %d %s", w.Code, w.Body)
	}
}

func TestMethodNotAllowedSetsAllow(t *testing.T) {
	s, _ := newTestServer(t, t.TempDir())
	h := s.routes()
	for target, want := range map[string]string{"/intent": "GET, HEAD, POST", "/healthz": "GET, HEAD", "/metrics": "GET, HEAD"} {
		w := serve(t, h, "PUT", target, "")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != want {
			t.Errorf("PUT %s: %d Allow %q, want 405 Allow %q", target, w.Code, w.Header().Get("Allow"), want)
		}
	}
}

func TestNoModel(t *testing.T) {
	for name, source := range map[string]string{"missing folder": t.TempDir() + "/nothing", "empty folder": t.TempDir()} {
		s, _ := newTestServer(t, source)
		h := s.routes()
		for _, c := range []struct{ method, target, body string }{
			{"GET", get("grossesse"), ""},
			{"POST", "/intent", `{"queries": ["grossesse"]}`},
			{"GET", "/readyz", ""},
		} {
			w := serve(t, h, c.method, c.target, c.body)
			if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"error":"no model loaded`) {
				t.Errorf("%s: %s %s: %d %s", name, c.method, c.target, w.Code, w.Body)
			}
		}
		if w := serve(t, h, "GET", "/healthz", ""); w.Code != http.StatusOK {
			t.Errorf("%s: healthz %d", name, w.Code)
		}
	}
}

func TestHealthAndReady(t *testing.T) {
	s, _ := newTestServer(t, writeModels(t, trainTiny(t, "numeric"), trainTiny(t, "string")))
	h := s.routes()
	if w := serve(t, h, "GET", "/healthz", ""); w.Code != 200 || w.Body.String() != `{"status": "ok"}`+"\n" {
		t.Errorf("healthz: %d %q", w.Code, w.Body)
	}
	w := serve(t, h, "GET", "/readyz", "")
	if w.Code != 200 || w.Body.String() != `{"status":"ready","default_version":2,"versions":[1,2]}`+"\n" {
		t.Errorf("readyz: %d %q", w.Code, w.Body)
	}
	if w := serve(t, h, "HEAD", "/readyz", ""); w.Code != 200 {
		t.Errorf("HEAD readyz: %d", w.Code)
	}
}

func TestMetrics(t *testing.T) {
	s, _ := newTestServer(t, writeModels(t, trainTiny(t, "numeric")))
	h := s.routes()
	serve(t, h, "GET", get("grossesse"), "")
	serve(t, h, "GET", get("grossesse"), "")
	serve(t, h, "GET", "/intent", "")
	serve(t, h, "GET", "/nowhere/secret-path", "")
	serve(t, h, "BREW", "/intent", "")
	w := serve(t, h, "GET", "/metrics", "")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	for _, want := range []string{
		`intent_http_requests_total{code="200",method="GET",route="/intent"} 2`,
		`intent_http_requests_total{code="400",method="GET",route="/intent"} 1`,
		`intent_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`intent_http_requests_total{code="405",method="OTHER",route="/intent"} 1`,
		`intent_http_request_duration_seconds_bucket{code="200",method="GET",route="/intent",le="+Inf"} 2`,
		`intent_http_request_duration_seconds_count{code="200",method="GET",route="/intent"} 2`,
		`intent_http_requests_in_flight 1`,
		`intent_models_loaded 1`,
		`intent_models_failed 0`,
		`intent_http_panics_total 0`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	info := false
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "intent_model_info{") {
			info = strings.Contains(line, `default="true"`) && strings.Contains(line, `version="1"`) &&
				strings.Contains(line, `labels="3"`) && strings.HasSuffix(line, " 1")
		}
	}
	if !info {
		t.Errorf("no intent_model_info for version 1 as default in\n%s", body)
	}
	if strings.Contains(body, "secret-path") || strings.Contains(body, "grossesse") {
		t.Error("a path or a question leaked into the metrics")
	}
}

func TestAccessLogKeepsQuestionsOut(t *testing.T) {
	s, logs := newTestServer(t, writeModels(t, trainTiny(t, "numeric")))
	h := s.routes()
	serve(t, h, "GET", get("ma question très personnelle sur la grossesse"), "")
	serve(t, h, "POST", "/intent", `{"queries": ["autre question personnelle"]}`)
	out := logs.String()
	if strings.Contains(out, "personnelle") || strings.Contains(out, "question") {
		t.Errorf("the log holds question text:\n%s", out)
	}
	var n int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e struct {
			Msg, Method, Route string
			Status             int
			Bytes              int
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "request" {
			n++
			if e.Route != "/intent" || e.Status != 200 || e.Bytes == 0 {
				t.Errorf("access log line %s", line)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d access log lines, want 2:\n%s", n, out)
	}
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uo\te`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "é日本\u2028\u2029", "bad\xffutf8", "<&>"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: %s is not JSON: %v", s, got, err)
			continue
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); back != want {
			t.Errorf("%q: round trip gives %q", s, back)
		}
	}
}

func FuzzIntentQuery(f *testing.F) {
	s, _ := newTestServer(f, writeModels(f, trainTiny(f, "numeric")))
	h := s.routes()
	empty, _ := newTestServer(f, f.TempDir())
	none := empty.routes()
	for _, seed := range []string{"query=grossesse", "query=%FF", "query=", "query=a&top=3", "query=a&top=-1", "version=1&query=x",
		"query=%", "query=a;b", "top=99999999999999999999&query=a", "query=\x00", "query=" + strings.Repeat("a", 10_001)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for i, hd := range []http.Handler{h, none} {
			req, _ := http.NewRequest("GET", "/intent", nil)
			req.URL.RawQuery = raw
			w := serve2(hd, req)
			switch {
			case w.Code == http.StatusServiceUnavailable && i == 1:
			case w.Code >= 500:
				t.Fatalf("%q: status %d: %s", raw, w.Code, w.Body)
			}
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%q: invalid JSON %q", raw, w.Body)
			}
			if w.Code == http.StatusOK {
				var a struct {
					Intent      *int   `json:"intent"`
					Probability string `json:"probability"`
				}
				if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || a.Intent == nil {
					t.Fatalf("%q: answer %s: %v", raw, w.Body, err)
				}
				if p, err := strconv.ParseFloat(a.Probability, 64); err != nil || p < 0 || p > 1 {
					t.Fatalf("%q: probability %q", raw, a.Probability)
				}
			}
		}
	})
}

// TestHeadIsGetWithoutBody: HEAD is allowed wherever GET is, with the
// status and headers of GET and no body, through a real server.
func TestHeadIsGetWithoutBody(t *testing.T) {
	s, _ := newTestServer(t, writeModels(t, trainTiny(t, "numeric")))
	srv := httptest.NewServer(s.routes())
	defer srv.Close()
	for _, target := range []string{"/intent?query=grossesse", "/intent", "/intent?query=%zz", "/models", "/models/1", "/models/9", "/models/default", "/metrics", "/healthz"} {
		get, err := http.Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		getBody, _ := io.ReadAll(get.Body)
		get.Body.Close()
		head, err := http.Head(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		headBody, _ := io.ReadAll(head.Body)
		head.Body.Close()
		if head.StatusCode != get.StatusCode || len(headBody) != 0 || len(getBody) == 0 {
			t.Errorf("HEAD %s: %d with %d bytes; GET: %d with %d bytes", target, head.StatusCode, len(headBody), get.StatusCode, len(getBody))
		}
		for _, k := range []string{"Content-Type", "Allow", "Cache-Control"} {
			if head.Header.Get(k) != get.Header.Get(k) {
				t.Errorf("HEAD %s: %s %q, GET %q", target, k, head.Header.Get(k), get.Header.Get(k))
			}
		}
		if cl := head.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(getBody)) && target != "/metrics" {
			t.Errorf("HEAD %s: Content-Length %s, GET body %d bytes", target, cl, len(getBody))
		}
	}
	// Only where GET is: HEAD /infer is still 405.
	if w := serve(t, s.routes(), "HEAD", "/infer", ""); w.Code != 405 {
		t.Errorf("HEAD /infer: %d", w.Code)
	}
}

// The fast path of GET /intent answers exactly as the router does.
func TestFastIntentAgreesWithRouter(t *testing.T) {
	s, _ := newTestServer(t, writeModels(t, trainTiny(t, "numeric"), trainTiny(t, "string")))
	fast := s.routes()
	router, _ := s.router()
	slow := s.middleware(router)
	for _, target := range []string{
		"/intent?query=book+a+flight", "/intent?query=dose&top=3", "/intent?query=dose&version=1",
		"/intent?query=%zz", "/intent?query=a;b", "/intent", "/intent?query=+", "/intent?top=x&query=a",
		"/intent?version=9&query=a", "/intent/", "/intent?query=caf%C3%A9&top=99",
	} {
		for _, method := range []string{"GET", "HEAD"} {
			a := serve(t, fast, method, target, "")
			b := serve(t, slow, method, target, "")
			if a.Code != b.Code || a.Body.String() != b.Body.String() || a.Header().Get("Content-Type") != b.Header().Get("Content-Type") {
				t.Errorf("%s %s: fast %d %q, router %d %q", method, target, a.Code, a.Body, b.Code, b.Body)
			}
		}
	}
}

// A model with an out-of-scope rule answers its fallback in the same
// format: a number when the intents are numbers, a string otherwise; a
// ranking still lists the model's intents.
func TestIntentOutOfScope(t *testing.T) {
	num, err := trainTiny(t, "numeric").WithOOS(&model.OOS{Threshold: 1, Label: "-1", Fitted: "fixed"})
	if err != nil {
		t.Fatal(err)
	}
	str, err := trainTiny(t, "string").WithOOS(&model.OOS{Threshold: 1, Label: "none", Fitted: "fixed"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(t, writeModels(t, num, str))
	h := s.routes()
	// A question the tiny model is not certain of (threshold 1 catches any
	// probability below 1).
	var q string
	var p model.Prediction
	for _, c := range []string{"une question sans rapport", "le", "dose", "enfant"} {
		if p = num.Predict(c); p.Class == model.FallbackClass {
			q = c
			break
		}
	}
	if q == "" {
		t.Fatal("the tiny model is certain of every candidate question")
	}
	want := fmt.Sprintf(`{"intent": -1, "probability": "%.8f"}`+"\n", p.Probability)
	if got := serve(t, h, "GET", "/intent?version=1&query="+url.QueryEscape(q), "").Body.String(); got != want {
		t.Fatalf("numeric fallback: %q, want %q", got, want)
	}
	if got := serve(t, h, "GET", "/intent?version=2&query=what+is+up", "").Body.String(); !strings.HasPrefix(got, `{"intent": "none", "probability": "`) {
		t.Fatalf("string fallback: %q", got)
	}
	got := serve(t, h, "GET", "/intent?version=1&top=2&query="+url.QueryEscape(q), "").Body.String()
	if !strings.HasPrefix(got, `{"intent": -1, `) || strings.Count(got, `"intent": -1`) != 1 || !strings.Contains(got, `"ranking": [{"intent": `) {
		t.Fatalf("ranking with a fallback: %q", got)
	}
	w := serve(t, h, "POST", "/infer", `{"texts": ["what is up"], "version": 2}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"intent": "none"`) {
		t.Fatalf("/infer with a fallback: %d %s", w.Code, w.Body)
	}
}

// A version beyond --keep answers /intent, the batch and /infer: it is
// loaded on demand.
func TestVersionsBeyondKeepAnswer(t *testing.T) {
	num := trainTiny(t, "numeric")
	root := writeModels(t, num, num, num)
	s, h, _ := newModelServer(t, root, testToken, 1)
	if got := s.models.Snapshot().Numbers(); len(got) != 1 || got[0] != 3 {
		t.Fatalf("loaded %v with --keep 1", got)
	}
	if w := serve(t, h, "GET", "/intent?query=dose&version=1", ""); w.Code != 200 {
		t.Fatalf("/intent version 1: %d %s", w.Code, w.Body)
	}
	if w := serve(t, h, "POST", "/intent", `{"queries": ["dose"], "version": 2}`); w.Code != 200 {
		t.Fatalf("batch version 2: %d %s", w.Code, w.Body)
	}
	if w := serve(t, h, "POST", "/infer", `{"texts": ["dose"], "version": 1}`); w.Code != 200 {
		t.Fatalf("/infer version 1: %d %s", w.Code, w.Body)
	}
	if got := s.models.Snapshot().Numbers(); len(got) > 2 {
		t.Fatalf("%d versions in memory with --keep 1: %v", len(got), got)
	}
}
