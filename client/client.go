package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxBatch is how many queries Intents sends per request; it matches the
// server's default --max-batch.
const MaxBatch = 1000

// Client calls one intent API server.
type Client struct {
	base string
	hc   *http.Client
}

// New returns a client of the server at baseURL (for example
// "http://localhost:4002"). A nil httpClient means one with a 30-second
// timeout and enough idle connections for concurrent callers.
func New(baseURL string, httpClient *http.Client) *Client {
	if httpClient == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 64
		httpClient = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), hc: httpClient}
}

// Result is the answer for one question.
type Result struct {
	Intent      string  // the predicted intent, as text ("26")
	Probability float64 // its calibrated probability
	Ranking     []Ranked
	Raw         json.RawMessage // the answer as the server sent it
}

// Ranked is one entry of a ranking (Options.Top).
type Ranked struct {
	Intent      string
	Probability float64
}

// Options select a model version and ask for a ranking. The zero value
// asks the default version for the best intent only.
type Options struct {
	Top     int // when > 0, Result.Ranking lists that many intents
	Version int // when > 0, the model version to ask
}

// Error is a non-2xx answer of the server.
type Error struct {
	StatusCode int
	Message    string // the server's {"error": ...}, or the start of the body
}

func (e *Error) Error() string {
	return fmt.Sprintf("intent api: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// Intent asks the intent of one question with the default options.
func (c *Client) Intent(ctx context.Context, query string) (Result, error) {
	return c.IntentWith(ctx, query, Options{})
}

// IntentWith asks the intent of one question (GET /intent).
func (c *Client) IntentWith(ctx context.Context, query string, opt Options) (Result, error) {
	v := url.Values{"query": {query}}
	if opt.Top > 0 {
		v.Set("top", strconv.Itoa(opt.Top))
	}
	if opt.Version > 0 {
		v.Set("version", strconv.Itoa(opt.Version))
	}
	var a answer
	if err := c.do(ctx, http.MethodGet, "/intent?"+v.Encode(), nil, &a); err != nil {
		return Result{}, err
	}
	return a.result()
}

// Intents asks the intents of many questions (POST /intent), in order. It
// sends MaxBatch questions per request.
func (c *Client) Intents(ctx context.Context, queries []string) ([]Result, error) {
	return c.IntentsWith(ctx, queries, Options{})
}

// IntentsWith is Intents with options.
func (c *Client) IntentsWith(ctx context.Context, queries []string, opt Options) ([]Result, error) {
	out := make([]Result, 0, len(queries))
	for len(queries) > 0 {
		n := min(len(queries), MaxBatch)
		req := batchRequest{Queries: queries[:n]}
		if opt.Top > 0 {
			req.Top = &opt.Top
		}
		if opt.Version > 0 {
			req.Version = &opt.Version
		}
		body, err := json.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("intent api: %w", err)
		}
		var resp struct {
			Results []answer `json:"results"`
		}
		if err := c.do(ctx, http.MethodPost, "/intent", body, &resp); err != nil {
			return nil, err
		}
		if len(resp.Results) != n {
			return nil, fmt.Errorf("intent api: asked %d questions, got %d answers", n, len(resp.Results))
		}
		for _, a := range resp.Results {
			r, err := a.result()
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		queries = queries[n:]
	}
	return out, nil
}

// Ready returns nil when the server answers /readyz with 200 (a model is
// loaded), an *Error when it answers otherwise.
func (c *Client) Ready(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/readyz", nil, nil)
}

// WaitReady polls Ready every interval until it succeeds or ctx ends, and
// returns the last error then.
func (c *Client) WaitReady(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last error
	for {
		err := c.Ready(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() == nil || last == nil {
			last = err // not the error of a call cut short by ctx
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("intent api not ready: %w (last error: %v)", ctx.Err(), last)
		case <-t.C:
		}
	}
}

type batchRequest struct {
	Queries []string `json:"queries"`
	Top     *int     `json:"top,omitempty"`
	Version *int     `json:"version,omitempty"`
}

// answer is one answer on the wire; intent is a number or a string.
type answer struct {
	Intent      json.RawMessage `json:"intent"`
	Probability string          `json:"probability"`
	Ranking     []struct {
		Intent      json.RawMessage `json:"intent"`
		Probability string          `json:"probability"`
	} `json:"ranking"`
	raw json.RawMessage
}

func (a *answer) UnmarshalJSON(b []byte) error {
	type plain answer
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = answer(p)
	a.raw = append(json.RawMessage(nil), b...)
	return nil
}

func (a answer) result() (Result, error) {
	r := Result{Raw: a.raw}
	var err error
	if r.Intent, r.Probability, err = decodePair(a.Intent, a.Probability); err != nil {
		return Result{}, err
	}
	for _, e := range a.Ranking {
		var k Ranked
		if k.Intent, k.Probability, err = decodePair(e.Intent, e.Probability); err != nil {
			return Result{}, err
		}
		r.Ranking = append(r.Ranking, k)
	}
	return r, nil
}

func decodePair(intent json.RawMessage, prob string) (string, float64, error) {
	var s string
	switch {
	case len(intent) == 0:
		return "", 0, errors.New("intent api: answer without an intent")
	case intent[0] == '"':
		if err := json.Unmarshal(intent, &s); err != nil {
			return "", 0, fmt.Errorf("intent api: intent: %w", err)
		}
	default:
		var n json.Number
		if err := json.Unmarshal(intent, &n); err != nil {
			return "", 0, fmt.Errorf("intent api: intent %s is neither a number nor a string", intent)
		}
		s = n.String()
	}
	p, err := strconv.ParseFloat(prob, 64)
	if err != nil {
		return "", 0, fmt.Errorf("intent api: probability %q: %w", prob, err)
	}
	return s, p, nil
}

// do sends one request and decodes a 2xx JSON answer into out (unless nil).
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	endpoint, _, _ := strings.Cut(path, "?") // never the question in an error
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return fmt.Errorf("intent api: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would repeat the URL and its question
		}
		return fmt.Errorf("intent api: %s %s%s: %w", method, c.base, endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("intent api: %s %s: read answer: %w", method, endpoint, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{StatusCode: resp.StatusCode}
		var eb struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			e.Message = eb.Error
		} else {
			e.Message = strings.TrimSpace(string(data[:min(len(data), 200)]))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("intent api: %s %s: decode answer: %w", method, endpoint, err)
	}
	return nil
}
