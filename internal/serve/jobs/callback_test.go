package jobs

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestParseCallbackHosts(t *testing.T) {
	h, err := ParseCallbackHosts(" Hooks.Example.com, 127.0.0.1:9000,[::1]:8080 ,[::2],, ")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(h, " "); got != "hooks.example.com: 127.0.0.1:9000 [::1]:8080 [::2]:" {
		t.Errorf("parsed %q", got)
	}
	for _, c := range []struct {
		url   string
		allow bool
	}{
		{"https://hooks.example.com/x", true},
		{"http://HOOKS.example.com:8443/x", true}, // no port in the entry: any port
		{"http://127.0.0.1:9000/cb", true},
		{"http://127.0.0.1:9001/cb", false},
		{"http://127.0.0.1/cb", false}, // port 80
		{"http://[::1]:8080/", true},
		{"http://[::2]:1/", true},
		{"http://evil.example.com/", false},
		{"http://hooks.example.com.evil.com/", false},
	} {
		u, _ := url.Parse(c.url)
		if got := h.allows(u); got != c.allow {
			t.Errorf("%s: allowed %v, want %v", c.url, got, c.allow)
		}
	}
	if h, _ := ParseCallbackHosts(""); len(h) != 0 || h.allows(&url.URL{Scheme: "http", Host: "x"}) {
		t.Errorf("an empty list allows: %v", h)
	}
	for _, bad := range []string{"http://x.com", "x.com/path", "user@x.com", "x.com:0", "x.com:99999", "x.com:port", ":80"} {
		if _, err := ParseCallbackHosts(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCallbackRequestPlan(t *testing.T) {
	ok := &CallbackRequest{URL: "http://127.0.0.1:9/cb?x=1", IDs: map[string]json.RawMessage{"project_id": json.RawMessage(`"p1"`), "plugin_id": json.RawMessage(`7`)}}
	if c, err := ok.plan(); err != nil || c.URL != ok.URL || len(c.IDs) != 2 {
		t.Errorf("plan: %+v, %v", c, err)
	}
	long := strings.Repeat("x", maxIDValue+1)
	for _, c := range []struct {
		req CallbackRequest
		msg string
	}{
		{CallbackRequest{}, `missing "url"`},
		{CallbackRequest{URL: "ftp://x/y"}, "must be http:// or https://"},
		{CallbackRequest{URL: "http:///y"}, "names no host"},
		{CallbackRequest{URL: "http://u:p@x/y"}, "user or password"},
		{CallbackRequest{URL: "http://x/y#f"}, "#fragment"},
		{CallbackRequest{URL: "http://x:0/y"}, "bad port"},
		{CallbackRequest{URL: "http://x/" + strings.Repeat("a", maxCallbackURL)}, "over 2048 bytes"},
		{CallbackRequest{URL: "http://x/", IDs: map[string]json.RawMessage{"1a": json.RawMessage(`"v"`)}}, `key "1a"`},
		{CallbackRequest{URL: "http://x/", IDs: map[string]json.RawMessage{"event": json.RawMessage(`"v"`)}}, `"event" is a field of the events`},
		{CallbackRequest{URL: "http://x/", IDs: map[string]json.RawMessage{"a": json.RawMessage(`{"b":1}`)}}, "a string or a number"},
		{CallbackRequest{URL: "http://x/", IDs: map[string]json.RawMessage{"a": json.RawMessage(`null`)}}, "a string or a number"},
		{CallbackRequest{URL: "http://x/", IDs: map[string]json.RawMessage{"a": json.RawMessage(`"` + long + `"`)}}, "over 256 characters"},
	} {
		if _, err := c.req.plan(); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: %v, want an error with %q", c.req, err, c.msg)
		}
	}
	many := CallbackRequest{URL: "http://x/", IDs: map[string]json.RawMessage{}}
	for i := range maxCallbackIDs + 1 {
		many.IDs["k"+strings.Repeat("x", i)] = json.RawMessage(`1`)
	}
	if _, err := many.plan(); err == nil || !strings.Contains(err.Error(), "at most 16") {
		t.Errorf("17 ids: %v", err)
	}
}

func TestEventBody(t *testing.T) {
	n := &notifier{taskID: "00000000000000aa", cb: Callback{URL: "http://x/", IDs: map[string]json.RawMessage{
		"project_id": json.RawMessage(`"p1"`), "plugin_id": json.RawMessage(`7`)}}}
	b := string(n.body(event{name: EventModelName, fields: [][2]any{{"model", "default"}, {"version", 3}}}))
	i := strings.Index(b, `"time":"`)
	if i < 0 {
		t.Fatalf("no time: %s", b)
	}
	j := i + 8 + strings.IndexByte(b[i+8:], '"')
	b = b[:i+8] + "T" + b[j:]
	if want := `{"event":"MODEL_NAME","plugin_id":7,"project_id":"p1","task_id":"00000000000000aa","time":"T","model":"default","version":3}`; b != want {
		t.Errorf("body\n %s\nwant\n %s", b, want)
	}
}
