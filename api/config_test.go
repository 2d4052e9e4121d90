package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestConfigPrecedence(t *testing.T) {
	cases := []struct {
		name         string
		args         []string
		getenv       func(string) string
		models, addr string
	}{
		{"defaults", nil, env(), "models", ":4002"},
		{"env over defaults", nil, env("PORT", "8080", "MODELS_DIR", "/models"), "/models", ":8080"},
		{"flags over env", []string{"--models", "m2", "--addr", "127.0.0.1:9"}, env("PORT", "8080", "MODELS_DIR", "/models"), "m2", "127.0.0.1:9"},
		{"one of each", []string{"-addr=:1"}, env("MODELS_DIR", "/models"), "/models", ":1"},
	}
	for _, c := range cases {
		cfg, err := parseConfig(c.args, c.getenv, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.Models != c.models || cfg.Addr != c.addr {
			t.Errorf("%s: models %q addr %q, want %q %q", c.name, cfg.Models, cfg.Addr, c.models, c.addr)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		args   []string
		getenv func(string) string
		msg    string
	}{
		{[]string{"--nope"}, env(), "flag provided but not defined"},
		{[]string{"extra"}, env(), `unexpected argument "extra"`},
		{nil, env("PORT", "http"), `PORT="http" is not a port number`},
		{[]string{"--log-format", "xml"}, env(), "--log-format"},
		{[]string{"--max-query", "0"}, env(), "must be > 0"},
		{[]string{"--read-timeout", "0s"}, env(), "timeouts must be > 0"},
		{[]string{"--log-level", "loud"}, env(), "loud"},
	} {
		err := run(context.Background(), c.args, c.getenv, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.msg) || exitCode(err) != 2 {
			t.Errorf("%v %v: err %v (exit %d), want usage error with %q", c.args, c.getenv("PORT"), err, exitCode(err), c.msg)
		}
	}
}

func TestHelp(t *testing.T) {
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, env(), &bytes.Buffer{}, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Examples:", "Precedence: a flag given on the command line wins over the environment", "-models", "MODELS_DIR", "-check"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if _, err := parseConfig([]string{"-h"}, env(), &bytes.Buffer{}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for addr, want := range map[string]string{
		":4002":          "http://127.0.0.1:4002/healthz",
		"0.0.0.0:80":     "http://127.0.0.1:80/healthz",
		"[::]:4002":      "http://127.0.0.1:4002/healthz",
		"localhost:8080": "http://localhost:8080/healthz",
		"[::1]:1":        "http://[::1]:1/healthz",
	} {
		if got, err := checkURL(addr); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", addr, got, err, want)
		}
	}
	if _, err := checkURL("4002"); err == nil {
		t.Error("no port: no error")
	}
}

func TestCheckFlag(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			t.Errorf("checked %s", r.URL.Path)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().String()[strings.LastIndexByte(srv.Listener.Addr().String(), ':')+1:]
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--check"}, env("PORT", port), &out, &bytes.Buffer{}); err != nil || !strings.HasPrefix(out.String(), "ok") {
		t.Fatalf("healthy server: %v %q", err, out.String())
	}
	status = http.StatusServiceUnavailable
	err := run(context.Background(), []string{"--check", "--addr", srv.Listener.Addr().String()}, env(), &out, &bytes.Buffer{})
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("unhealthy server: %v", err)
	}
	srv.Close()
	if err := run(context.Background(), []string{"--check", "--addr", srv.Listener.Addr().String()}, env(), &out, &bytes.Buffer{}); exitCode(err) != 1 {
		t.Fatalf("no server: %v", err)
	}
}
