package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"intent/internal/serve/httpapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := httpapi.Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(httpapi.ExitCode(err))
	}
}
