package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// The test binary doubles as the command, so the tests can run it as a real
// process and signal it without building it first.
func TestMain(m *testing.M) {
	if os.Getenv("ISPM_SANDBOX_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lockedBuffer collects a process's stderr while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type process struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stderr *lockedBuffer
}

func startCommand(t *testing.T, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "ISPM_SANDBOX_TEST_RUN_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stdout: bufio.NewReader(out), stderr: &lockedBuffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return p
}

func (p *process) firstLine(t *testing.T) sandbox.Info {
	t.Helper()
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := p.stdout.ReadString('\n')
		ch <- result{line, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("reading the first line: %v; stderr: %s", r.err, p.stderr.String())
		}
		var info sandbox.Info
		dec := json.NewDecoder(strings.NewReader(r.line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&info); err != nil {
			t.Fatalf("the first line is not the sandbox JSON: %v\n%s", err, r.line)
		}
		return info
	case <-time.After(30 * time.Second):
		t.Fatalf("no first line after 30s; stderr: %s", p.stderr.String())
	}
	return sandbox.Info{}
}

func (p *process) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, _ = io.Copy(io.Discard, p.stdout)
		done <- p.cmd.Wait()
	}()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(15 * time.Second):
		t.Fatalf("the command did not stop; stderr: %s", p.stderr.String())
	}
	return -1
}

func TestCommandPrintsItsAddressesAndStopsOnSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			p := startCommand(t, "-addr", "127.0.0.1:0")
			info := p.firstLine(t)
			if len(info.OktaOrgs) != 2 || info.OktaOrgs[0].Name != "acme" || !strings.HasPrefix(info.Control, "http://127.0.0.1:") {
				t.Fatalf("first line: %+v", info)
			}
			for _, k := range []string{"OKTA_ORG_NAME", "OKTA_BASE_URL", "OKTA_API_TOKEN"} {
				if info.Env[k] == "" {
					t.Errorf("env has no %s: %v", k, info.Env)
				}
			}
			req, _ := http.NewRequest(http.MethodGet, info.OktaOrgs[0].URL+"/api/v1/apps", nil)
			req.Header.Set("Authorization", "SSWS "+info.OktaOrgs[0].APIToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("the org from the first line: %v", err)
			}
			resp.Body.Close()
			resp, err = http.Get(info.Control)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("the control API from the first line: %v", err)
			}
			resp.Body.Close()
			// Human guidance follows the JSON line.
			rest, _ := p.stdout.ReadString('\n')
			rest2, _ := p.stdout.ReadString('\n')
			if strings.TrimSpace(rest) != "" || !strings.Contains(rest2, "sandbox is running") {
				t.Errorf("guidance: %q %q", rest, rest2)
			}

			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := p.wait(t); code != 0 {
				t.Errorf("exit code %d after %v; stderr: %s", code, sig, p.stderr.String())
			}
			if !strings.Contains(p.stderr.String(), "stopped") {
				t.Errorf("stderr: %q", p.stderr.String())
			}
			if _, err := http.Get(info.Control); err == nil {
				t.Error("the control API still answers after shutdown")
			}
		})
	}
}

func TestCommandRefusesABadScenario(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(p, []byte(`{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "rate_limits": {"apps": "lots"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	proc := startCommand(t, "-scenario", p)
	if code := proc.wait(t); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if s := proc.stderr.String(); !strings.Contains(s, p) || !strings.Contains(s, `rate_limits: field "apps" must be a whole number`) {
		t.Errorf("stderr: %s", s)
	}
}

func TestRunArguments(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"-addr", "127.0.0.1"}, "not host:port"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-nope"}, "flag provided but not defined"},
		{[]string{"-scenario", filepath.Join(t.TempDir(), "absent.json")}, "cannot read the scenario"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(ctx, tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
			t.Errorf("run(%q) = %v (stderr %q), want %q", tc.args, err, stderr.String(), tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("run(%q) printed %q before failing", tc.args, stdout.String())
		}
	}
}

func TestRunServesUntilTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-v"}, pw, &stderr)
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	var info sandbox.Info
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, info.OktaOrgs[0].URL+"/api/v1/apps?limit=1", nil)
	req.Header.Set("Authorization", "SSWS "+info.OktaOrgs[0].APIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the context ended")
	}
	// -v logs requests, never the token.
	logs := stderr.String()
	if !strings.Contains(logs, `endpoint="GET /api/v1/apps"`) || strings.Contains(logs, info.OktaOrgs[0].APIToken) {
		t.Errorf("request log: %s", logs)
	}
}
