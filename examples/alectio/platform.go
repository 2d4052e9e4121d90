package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"intent/model/dataset"
)

// client speaks to the server as the Alectio platform does: JSON POSTs to
// the project's base URL, plus the calls that set a project up (datasets,
// project) with the token.
type client struct {
	base  string // http://host:port
	token string
	http  *http.Client
}

// call sends method path with body (JSON-encoded unless it is []byte,
// sent as CSV), and decodes a 2xx answer into out. Any other status is an
// error with the server's message.
func (c *client) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ct = bytes.NewReader(b), "text/csv"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(msg)))
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: the answer is not JSON: %w", method, path, err)
	}
	return nil
}

// uploadCSV uploads examples as a CSV dataset (id, text, label) and
// returns its id; the i-th example is row i.
func (c *client) uploadCSV(ctx context.Context, name string, ex []dataset.Example) (string, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "text", "label"})
	for _, e := range ex {
		w.Write([]string{e.ID, e.Text, e.Label})
	}
	w.Flush()
	var out struct {
		ID   string `json:"id"`
		Rows int    `json:"rows"`
	}
	if err := c.call(ctx, "POST", "/datasets?format=csv&name="+name, b.Bytes(), &out); err != nil {
		return "", err
	}
	if out.Rows != len(ex) {
		return "", fmt.Errorf("dataset %s: the server indexed %d rows, %d were sent", name, out.Rows, len(ex))
	}
	return out.ID, nil
}

// The protocol's payloads, exactly as the SDK sends them.
type (
	trainPayload struct {
		ResumeFrom *string `json:"resume_from"`
		CkptFile   string  `json:"ckpt_file"`
		Labeled    []int   `json:"labeled"`
	}
	testPayload struct {
		CkptFile string `json:"ckpt_file"`
	}
	inferPayload struct {
		CkptFile  string `json:"ckpt_file"`
		Unlabeled []int  `json:"unlabeled"`
	}
	statusAnswer struct {
		Status int `json:"status"`
	}
	testAnswer struct {
		Predictions map[string]json.RawMessage `json:"predictions"`
		Labels      map[string]json.RawMessage `json:"labels"`
		Status      int                        `json:"status"`
	}
	inferAnswer struct {
		Outputs map[string][]float64 `json:"outputs"`
		Status  int                  `json:"status"`
	}
)

// Strategy picks the next rows to label.
type Strategy string

const (
	Margin Strategy = "margin" // smallest gap between the two most probable intents first
	Random Strategy = "random"
)

// Loop is one active-learning loop's outcome.
type Loop struct {
	Checkpoint string
	Labeled    int
	Accuracy   float64 // on the test dataset
	Infer      time.Duration
	Unlabeled  int // rows scored by /infer
}

// Experiment is one project run for a strategy from a seed.
type Experiment struct {
	Strategy Strategy
	Seed     uint64
	Loops    []Loop
}

// Config says how an experiment runs.
type Config struct {
	Start, Batch, Loops int
}

// runProject drives project (base URL /alectio/{project}) over a pool of n
// rows: a random start of cfg.Start labeled rows, then cfg.Loops loops of
// train -> test -> infer -> pick cfg.Batch more.
func (c *client) runProject(ctx context.Context, project string, n int, strat Strategy, seed uint64, cfg Config) (Experiment, error) {
	base := "/alectio/" + project
	rng := rand.New(rand.NewPCG(seed, 0xa1ec7))
	order := rng.Perm(n)
	labeled := slices.Clone(order[:min(cfg.Start, n)])
	exp := Experiment{Strategy: strat, Seed: seed}
	var prev *string
	for loop := 1; loop <= cfg.Loops; loop++ {
		ckpt := "ckpt_" + strconv.Itoa(loop)
		var st statusAnswer
		if err := c.call(ctx, "POST", base+"/train", trainPayload{ResumeFrom: prev, CkptFile: ckpt, Labeled: labeled}, &st); err != nil {
			return exp, err
		}
		if st.Status != 200 {
			return exp, fmt.Errorf("%s/train answered status %d", base, st.Status)
		}
		var ta testAnswer
		if err := c.call(ctx, "POST", base+"/test", testPayload{CkptFile: ckpt}, &ta); err != nil {
			return exp, err
		}
		acc, err := accuracy(ta)
		if err != nil {
			return exp, err
		}
		// The rows not labeled yet, in index order.
		in := make([]bool, n)
		for _, i := range labeled {
			in[i] = true
		}
		var pool []int
		for i := range n {
			if !in[i] {
				pool = append(pool, i)
			}
		}
		start := time.Now()
		var ia inferAnswer
		if err := c.call(ctx, "POST", base+"/infer", inferPayload{CkptFile: ckpt, Unlabeled: pool}, &ia); err != nil {
			return exp, err
		}
		took := time.Since(start)
		if len(ia.Outputs) != len(pool) {
			return exp, fmt.Errorf("%s/infer: %d outputs for %d rows", base, len(ia.Outputs), len(pool))
		}
		exp.Loops = append(exp.Loops, Loop{Checkpoint: ckpt, Labeled: len(labeled), Accuracy: acc, Infer: took, Unlabeled: len(pool)})
		labeled = append(labeled, pick(strat, pool, ia.Outputs, cfg.Batch, rng)...)
		prev = &exp.Loops[len(exp.Loops)-1].Checkpoint
	}
	return exp, nil
}

// accuracy is the share of test rows whose prediction is their label.
func accuracy(ta testAnswer) (float64, error) {
	if len(ta.Labels) == 0 || len(ta.Predictions) != len(ta.Labels) {
		return 0, fmt.Errorf("test: %d predictions for %d labels", len(ta.Predictions), len(ta.Labels))
	}
	right := 0
	for k, l := range ta.Labels {
		if bytes.Equal(ta.Predictions[k], l) {
			right++
		}
	}
	return float64(right) / float64(len(ta.Labels)), nil
}

// pick returns k rows of pool to label next: the smallest margins between
// the two most probable intents (softmax of the decision values), ties by
// index, or k at random.
func pick(strat Strategy, pool []int, outputs map[string][]float64, k int, rng *rand.Rand) []int {
	k = min(k, len(pool))
	if strat == Random {
		out := slices.Clone(pool)
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out[:k]
	}
	type scored struct {
		i      int
		margin float64
	}
	all := make([]scored, len(pool))
	for j, i := range pool {
		all[j] = scored{i, margin(outputs[strconv.Itoa(i)])}
	}
	slices.SortStableFunc(all, func(a, b scored) int {
		switch {
		case a.margin < b.margin:
			return -1
		case a.margin > b.margin:
			return 1
		}
		return a.i - b.i
	})
	out := make([]int, k)
	for j := range out {
		out[j] = all[j].i
	}
	return out
}

// margin is p(1) - p(2) of the softmax of scores (1 when there is a
// single intent).
func margin(scores []float64) float64 {
	if len(scores) < 2 {
		return 1
	}
	top := math.Inf(-1)
	for _, s := range scores {
		top = max(top, s)
	}
	var sum, p1, p2 float64
	for _, s := range scores {
		e := math.Exp(s - top)
		sum += e
		switch {
		case e > p1:
			p1, p2 = e, p1
		case e > p2:
			p2 = e
		}
	}
	return (p1 - p2) / sum
}
