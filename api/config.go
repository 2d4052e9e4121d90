package main

import (
	"errors"
	"flag"
	"fmt"
	"intent/internal/serve/httpapi"
	"intent/internal/serve/jobs"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is everything the command line and the environment decide.
type config struct {
	Models         string
	Addr           string
	Keep           int
	ReloadInterval time.Duration
	Limits         httpapi.Limits
	Upload         httpapi.UploadLimits

	// DataDir and DB are for the examples database and training tasks.
	DataDir string
	DB      string
	dbSet   bool // --db or DB_PATH was given
	// TaskLease: see jobs.Config.Lease.
	TaskLease time.Duration
	// MaxTrainExamples: see jobs.Config.MaxExamples.
	MaxTrainExamples int
	// CallbackHosts: the hosts training callbacks may call
	// (jobs.Config.CallbackHosts); none by default.
	CallbackHosts jobs.CallbackHosts
	// TokenFile names a file holding the API token; token is the token
	// itself (from TokenFile or API_TOKEN). It is never logged.
	TokenFile string
	token     string

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration

	LogFormat string
	LogLevel  slog.Level
	AccessLog bool

	Check bool // probe a running server's /healthz and exit
}

func defaultConfig() config {
	return config{
		Models:            "models",
		Addr:              ":4002",
		Keep:              3,
		ReloadInterval:    500 * time.Millisecond,
		Limits:            httpapi.DefaultLimits(),
		Upload:            httpapi.DefaultUploadLimits(),
		DataDir:           "data",
		TaskLease:         jobs.DefaultLease,
		MaxTrainExamples:  500_000,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ShutdownTimeout:   15 * time.Second,
		LogFormat:         "json",
		LogLevel:          slog.LevelInfo,
		AccessLog:         true,
	}
}

// usageError is a mistake on the command line: the process exits with 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

const usageHead = `api serves intent predictions over HTTP.

Usage:
  api [flags]

Examples:
  api --models models/ --addr :4002
  api --models models/3/model.bin
  PORT=8080 MODELS_DIR=/models api
  api --check          # exit 0 when the server on --addr (or PORT) answers /healthz

  API_TOKEN=$(openssl rand -hex 32) api   # enables uploads, pins, deletions

Precedence: a flag given on the command line wins over the environment
(PORT for --addr, MODELS_DIR for --models, DATA_DIR for --data-dir, DB_PATH
for --db, API_TOKEN for --token-file), which wins over the default.

Endpoints: GET /intent?query=..[&top=K][&version=N], POST /intent
{"queries": [..]}, POST /infer {"texts": [..]}, POST /test {"version": N},
GET /models, GET /models/{n}, GET|PUT|DELETE /models/default,
POST /models, DELETE /models/{n}, POST|GET /examples,
DELETE /examples/{id}, POST /train, GET /status/{task_id}, GET /tasks,
/healthz, /readyz, /metrics (examples and training need a database:
--db, or an existing --data-dir).
Mutating endpoints need "Authorization: Bearer <API_TOKEN>"; with no token
configured they answer 403. Errors are JSON {"error": ".."}: 400 bad input,
401 missing or wrong token, 403 endpoint disabled, 404 unknown version or
route, 405 wrong method, 409 conflict with the server's state, 413 query,
body, batch or upload over its limit, 415 upload media type, 503 no model
loaded.

Flags:
`

// parseConfig reads flags from args and, for flags not given, PORT and
// MODELS_DIR from getenv.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.Models, "models", cfg.Models, "models folder with version subfolders `models/<n>/`, a version folder, or a model file (env MODELS_DIR)")
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen `address` (env PORT sets :PORT)")
	fs.IntVar(&cfg.Keep, "keep", cfg.Keep, "load at most this many of the newest versions; 0 loads all")
	fs.DurationVar(&cfg.ReloadInterval, "reload-interval", cfg.ReloadInterval, "how often to look for new or removed versions; 0 disables hot reload")
	fs.IntVar(&cfg.Limits.MaxQuery, "max-query", cfg.Limits.MaxQuery, "longest query in characters; longer ones get 413")
	fs.Int64Var(&cfg.Limits.MaxBody, "max-body", cfg.Limits.MaxBody, "largest POST body in bytes; larger ones get 413")
	fs.IntVar(&cfg.Limits.MaxBatch, "max-batch", cfg.Limits.MaxBatch, "most queries in one POST /intent or texts in one POST /infer; more get 413")
	fs.Int64Var(&cfg.Upload.MaxBytes, "max-upload", cfg.Upload.MaxBytes, "largest model upload (POST /models) in bytes; larger ones get 413")
	fs.DurationVar(&cfg.Upload.Timeout, "upload-timeout", cfg.Upload.Timeout, "time allowed to receive one model upload (instead of --read-timeout)")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data `folder`: training data paths given to POST /train are confined to it (env DATA_DIR)")
	fs.StringVar(&cfg.DB, "db", "", "examples and tasks database: a SQLite `file`, or a postgres://user:password@host/db URL for a PostgreSQL database several replicas share (env DB_PATH; default <data-dir>/intent.db). Examples and training are enabled when it is given or the data folder exists")
	callbackHosts := fs.String("callback-hosts", "", "comma-separated `hosts` (host or host:port) that a training request's callback URL may name; empty refuses callbacks (env CALLBACK_HOSTS)")
	fs.IntVar(&cfg.MaxTrainExamples, "max-train-examples", cfg.MaxTrainExamples, "most questions a training task may train on (it runs in this process: about 2 KB of memory per question plus the model at GOGC=20, up to twice that at the default 100); larger data is refused with a clear error, train it with trainer train")
	fs.DurationVar(&cfg.TaskLease, "task-lease", cfg.TaskLease, "a running training task whose server shows no sign of life this long is marked failed by any server sharing the database")
	fs.StringVar(&cfg.TokenFile, "token-file", "", "`file` holding the bearer token that mutating endpoints require (env API_TOKEN holds the token itself); without a token they answer 403")
	fs.DurationVar(&cfg.ReadHeaderTimeout, "read-header-timeout", cfg.ReadHeaderTimeout, "time allowed to read request headers")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", cfg.ReadTimeout, "time allowed to read a whole request")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", cfg.WriteTimeout, "time allowed to write a response, from the end of the request headers")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", cfg.IdleTimeout, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "on SIGINT/SIGTERM, how long in-flight requests may take to finish")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log format: json or text")
	fs.TextVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log level: debug, info, warn or error")
	fs.BoolVar(&cfg.AccessLog, "access-log", cfg.AccessLog, "log every request (method, route, status, duration, bytes; never the query text)")
	fs.BoolVar(&cfg.Check, "check", false, "health check: GET /healthz on the local server at --addr and exit 0 if it answers 200, 1 otherwise (for Docker HEALTHCHECK)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Errorf("unexpected argument %q (flags only; see --help)", fs.Arg(0))}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if v := getenv("MODELS_DIR"); v != "" && !given["models"] {
		cfg.Models = v
	}
	if v := getenv("PORT"); v != "" && !given["addr"] {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 65535 {
			return cfg, usageError{fmt.Errorf("PORT=%q is not a port number", v)}
		}
		cfg.Addr = ":" + v
	}
	if v := getenv("DATA_DIR"); v != "" && !given["data-dir"] {
		cfg.DataDir = v
	}
	if v := getenv("DB_PATH"); v != "" && !given["db"] {
		cfg.DB = v
	}
	if v := getenv("CALLBACK_HOSTS"); v != "" && !given["callback-hosts"] {
		*callbackHosts = v
	}
	hosts, err := jobs.ParseCallbackHosts(*callbackHosts)
	if err != nil {
		return cfg, usageError{fmt.Errorf("--callback-hosts: %w", err)}
	}
	cfg.CallbackHosts = hosts
	cfg.dbSet = cfg.DB != ""
	if cfg.DB == "" {
		cfg.DB = filepath.Join(cfg.DataDir, "intent.db")
	}
	if cfg.TokenFile != "" {
		b, err := os.ReadFile(cfg.TokenFile)
		if err != nil {
			return cfg, usageError{fmt.Errorf("--token-file: %w", err)}
		}
		if cfg.token = strings.TrimSpace(string(b)); cfg.token == "" {
			return cfg, usageError{fmt.Errorf("--token-file %s is empty", cfg.TokenFile)}
		}
	} else {
		cfg.token = strings.TrimSpace(getenv("API_TOKEN"))
	}
	return cfg, cfg.validate()
}

func (c config) validate() error {
	bad := func(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }
	switch {
	case c.Models == "":
		return bad("--models is empty")
	case c.Addr == "":
		return bad("--addr is empty")
	case c.Keep < 0:
		return bad("--keep %d must be >= 0", c.Keep)
	case c.ReloadInterval < 0:
		return bad("--reload-interval %v must be >= 0", c.ReloadInterval)
	case c.Limits.MaxQuery <= 0, c.Limits.MaxBody <= 0, c.Limits.MaxBatch <= 0, c.Upload.MaxBytes <= 0:
		return bad("--max-query, --max-body, --max-batch and --max-upload must be > 0")
	case c.Upload.Timeout <= 0:
		return bad("--upload-timeout must be > 0")
	case c.DataDir == "":
		return bad("--data-dir is empty")
	case c.MaxTrainExamples < 1:
		return bad("--max-train-examples %d must be at least 1", c.MaxTrainExamples)
	case c.TaskLease < 300*time.Millisecond:
		return bad("--task-lease %v must be at least 300ms (heartbeats come every third of it)", c.TaskLease)
	case c.LogFormat != "json" && c.LogFormat != "text":
		return bad("--log-format %q: want json or text", c.LogFormat)
	}
	for _, d := range []time.Duration{c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout, c.ShutdownTimeout} {
		if d <= 0 {
			return bad("timeouts must be > 0")
		}
	}
	return nil
}

// checkURL is the /healthz URL of the server listening on addr, reached
// through loopback when addr names no host or every interface.
func checkURL(addr string) (string, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", fmt.Errorf("--addr %q has no port", addr)
	}
	host, port := addr[:i], addr[i+1:]
	switch host {
	case "", "0.0.0.0", "[::]", "::":
		host = "127.0.0.1"
	}
	return "http://" + host + ":" + port + "/healthz", nil
}
