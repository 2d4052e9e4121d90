package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"intent/internal/errcode"
	"intent/internal/serve/versions"
)

// A training request may carry a callback: the server POSTs JSON events
// to its URL as the task moves (the plugin workflow):
//
//	{"event": "TRAINING_START", "project_id": "p1", "plugin_id": "x", "task_id": "...", "time": "..."}
//	{"event": "MODEL_NAME", ..., "model": "default", "version": 3}
//	{"event": "FAILED", ..., "reason": "the data is not usable: ..."}
//
// TRAINING_START when the data passed its check and training begins;
// then MODEL_NAME once the version is published, or FAILED (a task whose
// data is unusable fails before training: FAILED alone). The caller's ids
// are echoed in every event. Events go in order, from one goroutine per
// task that never holds up the training; each is tried up to
// CallbackTries times with exponential backoff, and every attempt is
// recorded in the task (GET /status shows it as "callback"). Only hosts on
// the server's allow-list (--callback-hosts) are called; redirects are not
// followed.

// CallbackRequest is the "callback" of POST /train.
type CallbackRequest struct {
	URL string                     `json:"url"`
	IDs map[string]json.RawMessage `json:"ids"`
}

// Callback is a validated callback, as the plan stores it.
type Callback struct {
	URL string                     `json:"url"`
	IDs map[string]json.RawMessage `json:"ids,omitempty"`
}

// The events.
const (
	EventTrainingStart = "TRAINING_START"
	EventModelName     = "MODEL_NAME"
	EventFailed        = "FAILED"
)

// Limits of a callback.
const (
	maxCallbackURL = 2048
	maxCallbackIDs = 16
	maxIDValue     = 256
	// CallbackTries is how many times an event is tried.
	CallbackTries = 5
	// DefaultCallbackBackoff is the wait before the second try; it doubles
	// before each next one (2, 4, 8, 16 s: the fifth try about 30 s after
	// the first, plus the attempts' own time, under a minute in all).
	DefaultCallbackBackoff = 2 * time.Second
	// callbackTimeout bounds one attempt: connecting, sending, the answer's
	// headers and up to maxCallbackAnswer bytes of its body.
	callbackTimeout    = 5 * time.Second
	callbackDial       = 3 * time.Second
	maxCallbackAnswer  = 64 << 10
	callbackGrace      = 3 * time.Second // how long Close waits for deliveries under way
	callbackStoreWrite = 5 * time.Second
)

// idKey is what a key of "ids" may be.
var idKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// reservedKeys are the events' own fields, which ids may not shadow.
var reservedKeys = []string{"event", "task_id", "time", "model", "version", "reason"}

// plan validates a callback request (its shape; the allow-list is the
// service's, checked by Service.Plan).
func (c *CallbackRequest) plan() (*Callback, error) {
	bad := func(format string, args ...any) error {
		return errcode.New(errcode.Invalid, "callback: "+format, args...)
	}
	if c.URL == "" {
		return nil, bad(`missing "url": {"url": "https://host/path", "ids": {"project_id": "..."}}`)
	}
	if len(c.URL) > maxCallbackURL {
		return nil, bad(`"url" is over %d bytes`, maxCallbackURL)
	}
	u, err := url.Parse(c.URL)
	switch {
	case err != nil:
		return nil, bad(`"url" %q is not a URL`, errcode.Truncate(c.URL, 100))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, bad(`"url" must be http:// or https://, got %q`, errcode.Truncate(c.URL, 100))
	case u.Host == "" || u.Hostname() == "":
		return nil, bad(`"url" %q names no host`, errcode.Truncate(c.URL, 100))
	case u.User != nil:
		return nil, bad(`"url" may not hold a user or password`)
	case u.Fragment != "":
		return nil, bad(`"url" may not have a #fragment`)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad(`"url" %q has a bad port`, errcode.Truncate(c.URL, 100))
		}
	}
	if len(c.IDs) > maxCallbackIDs {
		return nil, bad(`"ids" has %d entries, at most %d`, len(c.IDs), maxCallbackIDs)
	}
	for k, v := range c.IDs {
		if !idKey.MatchString(k) {
			return nil, bad(`"ids" key %q: use letters, digits and _ (at most 64), not starting with a digit`, errcode.Truncate(k, 40))
		}
		if slices.Contains(reservedKeys, k) {
			return nil, bad(`"ids" key %q is a field of the events themselves (%s)`, k, strings.Join(reservedKeys, ", "))
		}
		if err := checkIDValue(v); err != nil {
			return nil, bad(`"ids".%s %v`, k, err)
		}
	}
	return &Callback{URL: u.String(), IDs: c.IDs}, nil
}

// checkIDValue accepts a string of at most maxIDValue characters or a
// number, echoed as given.
func checkIDValue(v json.RawMessage) error {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return errors.New("is empty")
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		if utf8.RuneCountInString(s) > maxIDValue {
			return fmt.Errorf("is over %d characters", maxIDValue)
		}
		return nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return err
		}
		return nil
	}
	return fmt.Errorf("must be a string or a number, got %s", errcode.Truncate(string(v), 40))
}

// CallbackHosts is the allow-list of callback hosts: "host" allows any
// port of host, "host:port" that port only. Empty allows none.
type CallbackHosts []string

// ParseCallbackHosts reads a comma-separated allow-list
// ("hooks.example.com,127.0.0.1:9000,[::1]:8080"), as --callback-hosts
// and CALLBACK_HOSTS give it.
func ParseCallbackHosts(s string) (CallbackHosts, error) {
	var out CallbackHosts
	for e := range strings.SplitSeq(s, ",") {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" {
			continue
		}
		if strings.Contains(e, "/") || strings.Contains(e, "@") {
			return nil, fmt.Errorf("callback host %q: give a host or host:port, not a URL", e)
		}
		host, port := e, ""
		if h, p, err := net.SplitHostPort(e); err == nil {
			host, port = h, p
		} else if strings.HasPrefix(e, "[") && strings.HasSuffix(e, "]") {
			host = e[1 : len(e)-1]
		}
		if host == "" || strings.ContainsAny(host, "[] ") {
			return nil, fmt.Errorf("callback host %q: give a host or host:port", e)
		}
		if port != "" {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				return nil, fmt.Errorf("callback host %q: bad port", e)
			}
		}
		out = append(out, net.JoinHostPort(host, port))
	}
	return out, nil
}

// allows reports whether the URL u may be called.
func (h CallbackHosts) allows(u *url.URL) bool {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, e := range h {
		eh, ep, _ := net.SplitHostPort(e)
		if eh == host && (ep == "" || ep == port) {
			return true
		}
	}
	return false
}

// checkCallback refuses a callback the allow-list does not allow.
func (t *Service) checkCallback(c *Callback) error {
	if c == nil {
		return nil
	}
	if len(t.cfg.CallbackHosts) == 0 {
		return errcode.New(errcode.Invalid, `callback: this server calls no callback URL: its operator allows receivers with --callback-hosts (or CALLBACK_HOSTS)`)
	}
	u, _ := url.Parse(c.URL) // parsed by plan
	if !t.cfg.CallbackHosts.allows(u) {
		return errcode.New(errcode.Invalid, `callback: host %q is not on this server's allow-list (--callback-hosts)`, errcode.Truncate(u.Host, 100))
	}
	return nil
}

// Plan validates req as Request.Plan does, against the service's data
// folder, and its callback against the allow-list.
func (t *Service) Plan(req Request) (Plan, error) {
	p, err := req.Plan(t.cfg.DataDir)
	if err != nil {
		return p, err
	}
	return p, t.checkCallback(p.Callback)
}

// CallbackState is a task's "callback" in GET /status: where events go
// and every delivery attempt so far, oldest first.
type CallbackState struct {
	URL        string     `json:"url"`
	Deliveries []Delivery `json:"deliveries"`
}

// Delivery is one attempt to deliver an event.
type Delivery struct {
	Event   string    `json:"event"`
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Status  int       `json:"status,omitempty"` // the receiver's HTTP status
	Error   string    `json:"error,omitempty"`  // why there was none, or why it is not a success
	// Outcome is "delivered" (a 2xx), "retrying" (another attempt
	// follows), or "failed" (the last: out of tries, or an answer that
	// retrying will not change, such as a 4xx or a redirect).
	Outcome string `json:"outcome"`
}

// event is one event to deliver.
type event struct {
	name   string
	fields [][2]any // after the ids and task_id, in order
}

// notifier delivers a task's events, in order, from its own goroutine.
type notifier struct {
	svc    *Service
	taskID string
	cb     Callback
	events chan event

	mu    sync.Mutex
	state CallbackState
}

// startNotifier starts delivering the events of task id to c; nil when c
// is nil (no callback). Close the notifier (close) once the last event is
// sent.
func (t *Service) startNotifier(id string, c *Callback) *notifier {
	if c == nil {
		return nil
	}
	n := &notifier{svc: t, taskID: id, cb: *c, events: make(chan event, 4), state: CallbackState{URL: c.URL, Deliveries: []Delivery{}}}
	t.senders.Add(1)
	go func() {
		defer t.senders.Done()
		for ev := range n.events {
			n.deliver(ev)
		}
	}()
	return n
}

// send queues an event; it never blocks the training (a task sends at
// most three).
func (n *notifier) send(name string, fields ...[2]any) {
	if n == nil {
		return
	}
	select {
	case n.events <- event{name: name, fields: fields}:
	default:
		n.svc.log.Error("callback event dropped: the queue is full", slog.String("task", n.taskID), slog.String("event", name))
	}
}

// close ends the notifier once its queued events are delivered.
func (n *notifier) close() {
	if n != nil {
		close(n.events)
	}
}

// body is the event's JSON: event, the caller's ids (by name), task_id,
// time, then its own fields.
func (n *notifier) body(ev event) []byte {
	var b bytes.Buffer
	put := func(k string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(v)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('{')
	put("event", ev.name)
	keys := make([]string, 0, len(n.cb.IDs))
	for k := range n.cb.IDs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		put(k, n.cb.IDs[k])
	}
	put("task_id", n.taskID)
	put("time", time.Now().UTC().Format(time.RFC3339Nano))
	for _, f := range ev.fields {
		put(f[0].(string), f[1])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// deliver tries ev until it is delivered, refused for good, or out of
// tries, recording every attempt.
func (n *notifier) deliver(ev event) {
	ctx := n.svc.sendCtx
	// The allow-list is checked again: a task queued before a restart may
	// meet a server with another one.
	if u, err := url.Parse(n.cb.URL); err != nil || !n.svc.cfg.CallbackHosts.allows(u) {
		n.record(Delivery{Event: ev.name, Attempt: 1, At: time.Now().UTC(), Outcome: "failed",
			Error: "not sent: the host is not on this server's allow-list (--callback-hosts)"})
		return
	}
	body := n.body(ev)
	wait := n.svc.cfg.CallbackBackoff
	for attempt := 1; attempt <= CallbackTries; attempt++ {
		d := Delivery{Event: ev.name, Attempt: attempt, At: time.Now().UTC()}
		retry := n.post(ctx, body, &d)
		switch {
		case d.Outcome == "delivered":
		case retry && attempt < CallbackTries && ctx.Err() == nil:
			d.Outcome = "retrying"
		default:
			d.Outcome = "failed"
		}
		n.record(d)
		if d.Outcome != "retrying" {
			if d.Outcome == "failed" {
				n.svc.log.Warn("callback event not delivered", slog.String("task", n.taskID), slog.String("event", ev.name),
					slog.Int("attempts", attempt), slog.Int("status", d.Status), slog.String("error", d.Error))
			}
			return
		}
		sleep(ctx, wait)
		wait *= 2
	}
}

// post makes one attempt, filling d's status, error and, on a 2xx, its
// outcome; it reports whether another attempt may succeed.
func (n *notifier) post(ctx context.Context, body []byte, d *Delivery) (retry bool) {
	ctx, cancel := context.WithTimeout(ctx, callbackTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.cb.URL, bytes.NewReader(body))
	if err != nil {
		d.Error = err.Error()
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "intent-api callback")
	resp, err := n.svc.callbacks.Do(req)
	if err != nil {
		d.Error = deliveryError(err)
		return true
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxCallbackAnswer))
	resp.Body.Close()
	d.Status = resp.StatusCode
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		d.Outcome = "delivered"
		return false
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		d.Error = "a redirect (not followed: callback URLs are called as given)"
		return false
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return true
	}
	return false // another 4xx: the receiver refuses this event
}

// deliveryError is a short reason for a failed request, without the
// event's body.
func deliveryError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %v", callbackTimeout)
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled: the server is shutting down"
	}
	return err.Error()
}

// record appends an attempt to the task's callback state and saves it.
func (n *notifier) record(d Delivery) {
	n.mu.Lock()
	n.state.Deliveries = append(n.state.Deliveries, d)
	b, err := json.Marshal(n.state)
	n.mu.Unlock()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(n.svc.sendCtx), callbackStoreWrite)
	defer cancel()
	if err := n.svc.db.SetCallback(ctx, n.taskID, b); err != nil {
		n.svc.log.Warn("callback delivery not recorded", slog.String("task", n.taskID), slog.String("error", err.Error()))
	}
}

// newCallbackClient is the HTTP client of the deliveries: short timeouts,
// no proxy (the allow-list names the hosts called), no redirects.
func newCallbackClient() *http.Client {
	dialer := &net.Dialer{Timeout: callbackDial}
	return &http.Client{
		Timeout: callbackTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   callbackDial,
			ResponseHeaderTimeout: callbackTimeout,
			MaxIdleConns:          4,
			IdleConnTimeout:       30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// modelName is the name MODEL_NAME gives the model a plan trains.
func (p Plan) modelName() string {
	if p.Model != "" {
		return p.Model
	}
	return versions.DefaultName
}
