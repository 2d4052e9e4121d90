package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigTokenAndData(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte("from-file\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte(" \n"), 0o600)

	cases := []struct {
		name            string
		args            []string
		getenv          func(string) string
		token, data, db string
	}{
		{"defaults", nil, env(), "", "data", filepath.Join("data", "intent.db")},
		{"env", nil, env("API_TOKEN", "from-env", "DATA_DIR", "/d", "DB_PATH", "/x.db"), "from-env", "/d", "/x.db"},
		{"db follows data dir", []string{"--data-dir", "/srv"}, env(), "", "/srv", filepath.Join("/srv", "intent.db")},
		{"flags over env", []string{"--token-file", tokenFile, "--data-dir", "d2", "--db", "y.db"},
			env("API_TOKEN", "from-env", "DATA_DIR", "/d", "DB_PATH", "/x.db"), "from-file", "d2", "y.db"},
	}
	for _, c := range cases {
		cfg, err := parseConfig(c.args, c.getenv, &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.token != c.token || cfg.DataDir != c.data || cfg.DB != c.db {
			t.Errorf("%s: token %q data %q db %q, want %q %q %q", c.name, cfg.token, cfg.DataDir, cfg.DB, c.token, c.data, c.db)
		}
	}
	cfg, _ := parseConfig(nil, env(), &bytes.Buffer{})
	if cfg.ReloadInterval != 500*time.Millisecond || cfg.Upload.MaxBytes != 512<<20 {
		t.Errorf("defaults: reload %v, max upload %d", cfg.ReloadInterval, cfg.Upload.MaxBytes)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--token-file", filepath.Join(dir, "none")}, "--token-file"},
		{[]string{"--token-file", empty}, "is empty"},
		{[]string{"--max-upload", "0"}, "--max-upload"},
		{[]string{"--upload-timeout", "0s"}, "--upload-timeout"},
	} {
		_, err := parseConfig(c.args, env(), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.msg) || exitCode(err) != 2 {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}
