// Command custom drives the custom-training workflow against a running
// api: add samples with your own IDs, train a named model on them
// asynchronously, ask it alone and with every model, predict a stored
// sample by its ID, save the model's state, reset the model, and load the
// state back.
//
//	go run ./examples/custom -api http://localhost:4002 -token "$API_TOKEN" -model custom
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"
)

// samples: three intents, each sample with the caller's own ID.
var samples = []map[string]string{
	{"id": "t1", "text": "book a flight to paris", "intent": "travel"}, {"id": "t2", "text": "i need a plane ticket", "intent": "travel"},
	{"id": "t3", "text": "reserve a flight to berlin", "intent": "travel"}, {"id": "t4", "text": "fly me to rome tomorrow", "intent": "travel"},
	{"id": "w1", "text": "will it rain tomorrow", "intent": "weather"}, {"id": "w2", "text": "weather forecast for paris", "intent": "weather"},
	{"id": "w3", "text": "is it sunny outside", "intent": "weather"}, {"id": "w4", "text": "do i need an umbrella", "intent": "weather"},
	{"id": "o1", "text": "cancel my order", "intent": "orders"}, {"id": "o2", "text": "where is my parcel", "intent": "orders"},
	{"id": "o3", "text": "i want to return an item", "intent": "orders"}, {"id": "o4", "text": "track my order please", "intent": "orders"},
}

type client struct {
	base, token string
	hc          *http.Client
}

// call sends a request and returns the status and body; a non-2xx status
// is an error unless it is among ok.
func (c client) call(method, path, contentType string, body []byte, ok ...int) (int, []byte, error) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	if resp.StatusCode/100 != 2 {
		for _, s := range ok {
			if s == resp.StatusCode {
				return resp.StatusCode, b, nil
			}
		}
		return resp.StatusCode, b, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	return resp.StatusCode, b, nil
}

func run(c client, name string, out io.Writer) error {
	body, _ := json.Marshal(samples)
	if _, _, err := c.call("POST", "/examples", "application/json", body, 409); err != nil {
		return err
	}
	fmt.Fprintf(out, "added %d samples with our own IDs\n", len(samples))
	_, b, err := c.call("POST", "/train", "application/json", []byte(`{"use_examples": true, "model": "`+name+`"}`))
	if err != nil {
		return err
	}
	var task struct {
		TaskID string `json:"task_id"`
	}
	json.Unmarshal(b, &task)
	fmt.Fprintf(out, "training task %s\n", task.TaskID)
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		_, b, err := c.call("GET", "/status/"+task.TaskID, "", nil)
		if err != nil {
			return err
		}
		var st struct {
			State   string `json:"state"`
			Error   string `json:"error"`
			Version int    `json:"version"`
		}
		json.Unmarshal(b, &st)
		if st.State == "trained" {
			fmt.Fprintf(out, "trained: model %s version %d\n", name, st.Version)
			break
		}
		if st.State == "failed" || time.Now().After(deadline) {
			return fmt.Errorf("task %s: %s %s", task.TaskID, st.State, st.Error)
		}
	}
	q := url.QueryEscape("will it rain tomorrow")
	_, alone, err := c.call("GET", "/intent?query="+q+"&model="+name, "", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s alone: %s", name, alone)
	_, all, err := c.call("GET", "/intent?query="+q+"&model=*", "", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "every model: %s", all)
	_, p, err := c.call("GET", "/examples/by-key/w3/predict?model="+name, "", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "stored sample w3: %s", p)
	_, b, err = c.call("GET", "/v1/models/"+name, "", nil)
	if err != nil {
		return err
	}
	var versions struct {
		Default int `json:"default"`
	}
	json.Unmarshal(b, &versions)
	_, state, err := c.call("GET", fmt.Sprintf("/v1/models/%s/versions/%d/model.bin", name, versions.Default), "", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "saved the state of version %d (%d bytes)\n", versions.Default, len(state))
	if _, _, err := c.call("DELETE", "/v1/models/"+name, "", nil); err != nil {
		return err
	}
	fmt.Fprintf(out, "reset %s\n", name)
	if _, _, err := c.call("POST", "/v1/models/"+name, "application/octet-stream", state); err != nil {
		return err
	}
	_, again, err := c.call("GET", "/intent?query="+q+"&model="+name, "", nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "loaded the saved state: %s", again)
	if !bytes.Equal(again, alone) {
		return fmt.Errorf("the loaded state answers %s, the trained model answered %s", again, alone)
	}
	return nil
}

func main() {
	api := flag.String("api", "http://localhost:4002", "the api's base URL")
	token := flag.String("token", os.Getenv("API_TOKEN"), "bearer token (default $API_TOKEN)")
	name := flag.String("model", "custom", "the named model to train")
	flag.Parse()
	c := client{base: *api, token: *token, hc: &http.Client{Timeout: 30 * time.Second}}
	if err := run(c, *name, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "custom:", err)
		os.Exit(1)
	}
}
