package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	// Training holds one large matrix, almost free of pointers: a garbage
	// collection costs little, while letting the heap grow to twice the
	// live data (GOGC=100) does. A million questions peaked at 3.1 GB with
	// the default, 1.9 GB at 20. GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
