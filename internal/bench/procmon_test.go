package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestHelperProcess is the wrapped provider of TestWatchMemorySeesThroughAWrapper:
// it runs only as that test's child and lives until its stdin closes.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("BENCH_WRAPPED_HELPER") != "1" {
		t.Skip("the child process of TestWatchMemorySeesThroughAWrapper")
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// TestWatchMemorySeesThroughAWrapper: a process that first runs a wrapper
// script (sh, then env) and then execs the watched binary is counted once
// it runs the binary, although the watcher saw it as a shell first.
func TestWatchMemorySeesThroughAWrapper(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "wrapper")
	body := "#!/bin/sh\nread line\nexec env BENCH_WRAPPED_HELPER=1 " + shellQuote(exe) + " -test.run='^TestHelperProcess$'\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(script)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	defer stdin.Close()

	// Polled by hand: the first poll certainly sees the script blocked
	// in read, still a shell.
	// The test process runs exe too: only the child's pid counts.
	w := &memWatcher{exe: exe, pids: map[int]bool{}, young: map[int]time.Time{}, ticks: map[int]int64{}}
	child := cmd.Process.Pid
	w.poll()
	if w.pids[child] {
		t.Fatalf("the wrapper was taken for %s before it exec'd it", exe)
	}
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !w.pids[child]; {
		if time.Now().After(deadline) {
			t.Fatal("the watcher never saw the wrapped binary: the wrapper's pid was judged once, as a shell")
		}
		time.Sleep(5 * time.Millisecond)
		w.poll()
	}
	if w.matched < 2 { // this process and the child
		t.Errorf("the wrapped binary was seen but not counted: %d processes matched", w.matched)
	}
}
