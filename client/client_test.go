package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeServer answers like the api command does, from canned bodies.
func fakeServer(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return New(srv.URL+"/", srv.Client())
}

func TestIntentNumeric(t *testing.T) {
	c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/intent" {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		if q := r.URL.Query().Get("query"); q != "poisson cru & grossesse ?" {
			t.Errorf("query = %q", q)
		}
		if r.URL.Query().Has("top") || r.URL.Query().Has("version") {
			t.Errorf("unexpected options in %s", r.URL.RawQuery)
		}
		io.WriteString(w, `{"intent": 26, "probability": "0.73356545"}`+"\n")
	})
	r, err := c.Intent(context.Background(), "poisson cru & grossesse ?")
	if err != nil {
		t.Fatal(err)
	}
	if r.Intent != "26" || r.Probability != 0.73356545 || r.Ranking != nil {
		t.Errorf("got %+v", r)
	}
	if string(r.Raw) != `{"intent": 26, "probability": "0.73356545"}` {
		t.Errorf("raw = %s", r.Raw)
	}
}

func TestIntentWithOptionsAndStringIntent(t *testing.T) {
	c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("top") + "," + r.URL.Query().Get("version"); got != "2,3" {
			t.Errorf("top,version = %s", got)
		}
		io.WriteString(w, `{"intent": "book_flight", "probability": "0.60000000", "ranking": [{"intent": "book_flight", "probability": "0.60000000"}, {"intent": "cancel \"it\"", "probability": "0.25000000"}]}`)
	})
	r, err := c.IntentWith(context.Background(), "fly me", Options{Top: 2, Version: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []Ranked{{"book_flight", 0.6}, {`cancel "it"`, 0.25}}
	if r.Intent != "book_flight" || r.Probability != 0.6 || len(r.Ranking) != 2 || r.Ranking[0] != want[0] || r.Ranking[1] != want[1] {
		t.Errorf("got %+v", r)
	}
}

func TestErrorCarriesStatusAndMessage(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		msg    string
	}{
		{400, `{"error": "query is empty"}`, "query is empty"},
		{503, `{"error":"no model loaded"}`, "no model loaded"},
		{502, "<html>bad gateway</html>", "<html>bad gateway</html>"},
	} {
		c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		})
		_, err := c.Intent(context.Background(), "secret question")
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%d: error %v is not an *Error", tc.status, err)
		}
		if e.StatusCode != tc.status || e.Message != tc.msg {
			t.Errorf("got %d %q, want %d %q", e.StatusCode, e.Message, tc.status, tc.msg)
		}
		if err := c.Ready(context.Background()); !errors.As(err, &e) || e.StatusCode != tc.status {
			t.Errorf("Ready: %v", err)
		}
	}
}

func TestTransportErrorDoesNotLeakTheQuestion(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	_, err := New(srv.URL, nil).Intent(context.Background(), "very private question")
	if err == nil || strings.Contains(err.Error(), "private") {
		t.Fatalf("err = %v", err)
	}
}

func TestIntentsBatchesInOrder(t *testing.T) {
	var calls atomic.Int32
	c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/intent" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		var req struct {
			Queries []string `json:"queries"`
			Top     *int     `json:"top"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Error(err)
		}
		if len(req.Queries) > MaxBatch || req.Top != nil {
			t.Errorf("batch of %d, top %v", len(req.Queries), req.Top)
		}
		// Echo each question's number as its intent.
		var b strings.Builder
		b.WriteString(`{"results": [`)
		for i, q := range req.Queries {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`{"intent": ` + strings.TrimPrefix(q, "q") + `, "probability": "0.50000000"}`)
		}
		b.WriteString("]}\n")
		io.WriteString(w, b.String())
	})
	qs := make([]string, 2*MaxBatch+5)
	for i := range qs {
		qs[i] = "q" + strconv.Itoa(i)
	}
	rs, err := c.Intents(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || len(rs) != len(qs) {
		t.Fatalf("%d calls, %d results", calls.Load(), len(rs))
	}
	for i, r := range rs {
		if r.Intent != strconv.Itoa(i) || r.Probability != 0.5 {
			t.Fatalf("result %d = %+v", i, r)
		}
	}
}

func TestIntentsRejectsShortAnswer(t *testing.T) {
	c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"results": [{"intent": 1, "probability": "1.00000000"}]}`)
	})
	if _, err := c.Intents(context.Background(), []string{"a", "b"}); err == nil || !strings.Contains(err.Error(), "2 questions, got 1") {
		t.Fatalf("err = %v", err)
	}
}

func TestWaitReady(t *testing.T) {
	var n atomic.Int32
	c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error": "no model loaded"}`)
			return
		}
		io.WriteString(w, `{"status": "ready"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx, time.Millisecond); err != nil || n.Load() != 3 {
		t.Fatalf("err %v after %d polls", err, n.Load())
	}
}

func TestWaitReadyGivesUp(t *testing.T) {
	c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error": "no model loaded"}`)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := c.WaitReady(ctx, time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no model loaded") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadAnswers(t *testing.T) {
	for _, body := range []string{
		`{"probability": "0.5"}`,
		`{"intent": true, "probability": "0.5"}`,
		`{"intent": 1, "probability": "half"}`,
		`not json`,
	} {
		c := fakeServer(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
		if _, err := c.Intent(context.Background(), "x"); err == nil {
			t.Errorf("%s: no error", body)
		}
	}
}
