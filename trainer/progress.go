package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress shows what the trainer is doing: a line redrawn in place on a
// terminal, plain timestamped lines otherwise (logs, CI, pipes).
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	quiet bool
	start time.Time
	stage string
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, tty: tty, quiet: quiet, start: time.Now()}
}

func (p *progress) elapsed() string { return fmt.Sprintf("%5.1fs", time.Since(p.start).Seconds()) }

// step announces a new phase.
func (p *progress) step(format string, a ...any) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, "%s  %s\n", p.elapsed(), fmt.Sprintf(format, a...))
	p.stage = ""
}

// update is the model.Progress callback; it may be called from several
// goroutines at once.
func (p *progress) update(stage string, done, total int) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		if stage == p.stage && done < total && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		p.stage = stage
		fmt.Fprintf(p.w, "\r\033[K%s  %-10s %s %d/%d", p.elapsed(), stage, bar(done, total, 30), done, total)
		p.drawn = true
		return
	}
	// Plain output: one line when a stage starts and one when it ends.
	if stage != p.stage {
		p.stage = stage
		fmt.Fprintf(p.w, "%s  %s: started (%d units)\n", p.elapsed(), stage, total)
	}
	if done == total {
		fmt.Fprintf(p.w, "%s  %s: done\n", p.elapsed(), stage)
	}
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func bar(done, total, width int) string {
	if total <= 0 {
		total = 1
	}
	n := done * width / total
	b := make([]byte, width+2)
	b[0], b[width+1] = '[', ']'
	for i := 0; i < width; i++ {
		if i < n {
			b[i+1] = '#'
		} else {
			b[i+1] = '.'
		}
	}
	return string(b)
}
