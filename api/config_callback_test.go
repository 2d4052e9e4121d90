package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestConfigCallbackHosts(t *testing.T) {
	for _, c := range []struct {
		name   string
		args   []string
		getenv func(string) string
		want   string
	}{
		{"none by default", nil, env(), ""},
		{"env", nil, env("CALLBACK_HOSTS", "hooks.example.com, 127.0.0.1:9000"), "hooks.example.com: 127.0.0.1:9000"},
		{"flag over env", []string{"--callback-hosts", "a.example:443"}, env("CALLBACK_HOSTS", "b.example"), "a.example:443"},
		{"an empty flag over env", []string{"--callback-hosts="}, env("CALLBACK_HOSTS", "b.example"), ""},
	} {
		cfg, err := parseConfig(c.args, c.getenv, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := strings.Join(cfg.CallbackHosts, " "); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	err := run(context.Background(), []string{"--callback-hosts", "http://x.example/hook"}, env(), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--callback-hosts") || exitCode(err) != 2 {
		t.Errorf("a URL as a host: %v (exit %d)", err, exitCode(err))
	}
}
