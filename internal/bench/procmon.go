package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// memWatcher polls /proc for processes running one executable (the built
// provider) and keeps the largest peak resident set (VmHWM) any of them
// reached. Terraform starts several provider processes per command; each
// is read until it exits, so a short-lived one may be missed, but those do
// not hold Okta data.
type memWatcher struct {
	exe      string
	interval time.Duration
	stop     chan struct{}
	done     chan struct{}

	mu      sync.Mutex
	peakKB  int64
	pids    map[int]bool      // pid → runs exe
	young   map[int]time.Time // pids not judged yet → first seen
	polls   int               // polls done
	matched int
	// ticks is each matched process's CPU time (user + system) at its
	// last reading, in clock ticks.
	ticks map[int]int64
}

// watchMemory starts polling for processes whose executable is exe.
func watchMemory(exe string, interval time.Duration) *memWatcher {
	w := &memWatcher{exe: exe, interval: interval, stop: make(chan struct{}), done: make(chan struct{}), pids: map[int]bool{}, young: map[int]time.Time{}, ticks: map[int]int64{}}
	go w.loop()
	return w
}

func (w *memWatcher) loop() {
	defer close(w.done)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		w.poll()
		select {
		case <-w.stop:
			w.poll()
			return
		case <-t.C:
		}
	}
}

func (w *memWatcher) poll() {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	defer func() {
		w.mu.Lock()
		w.polls++
		w.mu.Unlock()
	}()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		w.mu.Lock()
		is, seen := w.pids[pid]
		w.mu.Unlock()
		if !seen {
			// A pid is judged once, as reading the link is the costly
			// part, but not too early: a child Terraform has just forked
			// runs Terraform's executable until it execs the provider,
			// and a wrapper script (-provider-env, the memory
			// comparison) runs a shell or env until it execs it.
			target, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
			is = err == nil && target == w.exe
			if !is && err == nil && w.mayExecYet(pid, target) {
				continue
			}
			w.mu.Lock()
			w.pids[pid] = is
			if is {
				w.matched++
			}
			w.mu.Unlock()
		}
		if !is {
			continue
		}
		kb, okMem := readVmHWM(filepath.Join("/proc", e.Name(), "status"))
		ticks, okCPU := readCPUTicks(filepath.Join("/proc", e.Name(), "stat"))
		w.mu.Lock()
		if okMem {
			w.peakKB = max(w.peakKB, kb)
		}
		if okCPU {
			w.ticks[pid] = max(w.ticks[pid], ticks)
		}
		w.mu.Unlock()
	}
}

// settle is how long a new process that does not run the watched
// executable is looked at again before it is judged for good.
const settle = time.Second

// mayExecYet tells whether pid, which runs exe, may still exec the
// watched executable: it is a shell or env (a wrapper script), or it was
// first seen less than settle ago (forked, not yet exec'd).
func (w *memWatcher) mayExecYet(pid int, exe string) bool {
	switch filepath.Base(exe) {
	case "sh", "dash", "bash", "busybox", "env":
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	first, seen := w.young[pid]
	if !seen && w.polls == 0 {
		// Running before the command started: not its child.
		return false
	}
	if !seen {
		w.young[pid] = time.Now()
		return true
	}
	if time.Since(first) < settle {
		return true
	}
	delete(w.young, pid)
	return false
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's CPU times: 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// watchResult is what a watcher saw.
type watchResult struct {
	PeakBytes int64
	Processes int
	// CPU is the processes' CPU time (user + system) at their last
	// reading; a process's last few milliseconds before it exits are not
	// seen.
	CPU time.Duration
}

// Stop ends the polling and reports.
func (w *memWatcher) Stop() watchResult {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	var ticks int64
	for _, t := range w.ticks {
		ticks += t
	}
	return watchResult{PeakBytes: w.peakKB * 1024, Processes: w.matched, CPU: time.Duration(ticks) * time.Second / clockTicks}
}

// readCPUTicks reads a process's user and system CPU time, in clock ticks,
// from /proc/PID/stat.
func readCPUTicks(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	return parseCPUTicks(data)
}

func parseCPUTicks(stat []byte) (int64, bool) {
	// The command name may hold spaces and parentheses: fields start
	// after the last ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(stat[i+1:])
	// f[0] is the state (field 3); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return utime + stime, true
}

// readVmHWM reads the peak resident set size, in kB, from a
// /proc/PID/status file.
func readVmHWM(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	return parseVmHWM(data)
}

func parseVmHWM(status []byte) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.HasPrefix(line, []byte("VmHWM:")) {
			continue
		}
		f := bytes.Fields(line[len("VmHWM:"):])
		if len(f) < 1 {
			return 0, false
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, false
		}
		return kb, true
	}
	return 0, false
}
