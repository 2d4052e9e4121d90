package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"intent/internal/serve/httpapi"
	"intent/internal/serve/jobs"
	"intent/internal/serve/versions"
	"intent/store/backend"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

// run is the whole program: main only adds signals and the exit code. It
// returns when ctx ends (after a graceful shutdown) or on a fatal error.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.Check {
		return healthcheck(ctx, cfg.Addr, stdout)
	}
	log := newLogger(cfg, stderr)

	set := versions.NewSet(cfg.Models, cfg.Keep, log)
	reg := set.Default()
	if err := loadModels(ctx, reg, cfg, log); err != nil {
		return err
	}
	// Named models (models/named/<name>/) load after the default one.
	if err := set.Reload(ctx); err != nil && !versions.IsNotExist(err) {
		log.Warn("models reload failed", slog.String("error", err.Error()))
	}
	if cfg.token == "" {
		log.Warn("no API_TOKEN: mutating endpoints (uploads, pins, deletions, examples, training) answer 403 until one is set")
	}
	// Bind before serving, so a port in use is an error now, not a log line.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	opts := httpapi.Options{Limits: cfg.Limits, Upload: cfg.Upload, Token: cfg.token, AccessLog: cfg.AccessLog, Log: log}
	// Examples and training tasks need a database: enabled when one is
	// named or the data folder exists (a server started anywhere does not
	// create a data folder out of nowhere). It is opened, and the tasks a
	// previous process left unfinished marked, only once the port is ours:
	// a second server that cannot bind must not touch the first one's.
	if st, err := os.Stat(cfg.DataDir); cfg.dbSet || err == nil && st.IsDir() {
		// A postgres:// URL is a database shared with other replicas; any
		// other value a SQLite file (store/backend).
		db, err := backend.Open(ctx, cfg.DB)
		if err != nil {
			ln.Close()
			return err
		}
		defer db.Close()
		log.Info("database opened", slog.String("backend", backend.Kind(cfg.DB)), slog.String("db", backend.Redact(cfg.DB)))
		svc, err := jobs.New(ctx, jobs.Config{Store: db, DataDir: cfg.DataDir, Log: log, Versions: reg, Lease: cfg.TaskLease, MaxExamples: cfg.MaxTrainExamples, CallbackHosts: cfg.CallbackHosts,
			Models: func(ctx context.Context, name string) (jobs.Versions, error) { return set.Create(ctx, name) }})
		if err != nil {
			ln.Close()
			return err
		}
		defer svc.Close() // before db.Close: deferred calls run last first
		opts.Jobs = svc
	} else {
		log.Info("examples and training disabled: no data folder and no --db", slog.String("data_dir", cfg.DataDir))
	}

	srv := &http.Server{
		Handler:           httpapi.New(set, opts),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.ReloadInterval > 0 {
		wg.Go(func() { watch(ctx, set, cfg.ReloadInterval, log) })
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("models", cfg.Models))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// loadModels loads the versions present at start. A models folder that is
// missing or empty is not fatal (the server answers 503 until a version
// appears); a model file named directly that cannot be loaded is.
func loadModels(ctx context.Context, reg *versions.Registry, cfg config, log *slog.Logger) error {
	start := time.Now()
	err := reg.Reload(ctx)
	if err != nil && !versions.IsNotExist(err) {
		return err
	}
	s := reg.Snapshot()
	if s.Default != nil {
		log.Info("models loaded", slog.Int("default_version", s.Default.N), slog.Int("versions", len(s.Versions)),
			slog.Int("failed", len(s.Failed)), slog.Duration("took", time.Since(start)))
		return nil
	}
	if st, statErr := os.Stat(cfg.Models); statErr == nil && !st.IsDir() && len(s.Failed) > 0 {
		return s.Failed[0].Err
	}
	reason := "no version folder"
	if err != nil {
		reason = err.Error()
	} else if len(s.Failed) > 0 {
		reason = s.Failed[len(s.Failed)-1].Err.Error()
	}
	log.Warn("no model loaded: /intent answers 503 until a version appears",
		slog.String("models", cfg.Models), slog.String("reason", reason),
		slog.Bool("hot_reload", cfg.ReloadInterval > 0))
	return nil
}

// watch reloads the registry every interval until ctx ends, so versions
// written by the trainer are served without a restart.
func watch(ctx context.Context, reg *versions.Set, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := reg.Reload(ctx); err != nil && ctx.Err() == nil && !versions.IsNotExist(err) {
				log.Warn("model reload failed", slog.String("error", err.Error()))
			}
		}
	}
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// healthcheck asks the local server's /healthz and fails unless it answers
// 200: the image's HEALTHCHECK, which has no curl.
func healthcheck(ctx context.Context, addr string, stdout io.Writer) error {
	url, err := checkURL(addr)
	if err != nil {
		return usageError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %s answered %s", url, resp.Status)
	}
	fmt.Fprintf(stdout, "ok: %s answered %s\n", url, resp.Status)
	return nil
}

// exitCode maps run's error to the process exit status: 0 ok, 2 bad
// usage, 1 anything else.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.As(err, new(usageError)):
		return 2
	}
	return 1
}
