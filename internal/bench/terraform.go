package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Executable names Terraform's dev_overrides look for, and registry
// addresses: the provider, and the do-nothing provider with the same
// resource schema that measures the plugin framework's floor.
const (
	providerBinary = "terraform-provider-ispm"
	providerSource = "ispm-community/ispm"
	floorBinary    = "terraform-provider-floor"
	floorSource    = "ispm-community/floor"
)

// moduleRoot finds the directory holding the project's go.mod, from dir
// upwards.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module github.com/ispm-community/terraform-provider-ispm")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod of terraform-provider-ispm above %s; run the benchmark from the repository (make bench)", dir)
		}
	}
}

// buildProviders compiles the provider and the floor provider into dir
// and returns the binaries' paths.
func buildProviders(ctx context.Context, root, dir string) (provider, floor string, err error) {
	build := func(name, pkg string) (string, error) {
		out := filepath.Join(dir, name)
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", out, pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("building %s (go build %s in %s) failed: %w\n%s", name, pkg, root, err, b)
		}
		return out, nil
	}
	if provider, err = build(providerBinary, "."); err != nil {
		return "", "", err
	}
	if floor, err = build(floorBinary, "./internal/bench/floorprovider"); err != nil {
		return "", "", err
	}
	return provider, floor, nil
}

// findTerraform returns the Terraform CLI: the given path, else the one
// scripts/terraform-path.sh picks (the terraform on PATH when it is 1.5 or
// newer, else one it builds into bin/).
func findTerraform(ctx context.Context, root, given string) (string, error) {
	if given != "" {
		p, err := exec.LookPath(given)
		if err != nil {
			return "", fmt.Errorf("the Terraform CLI %q given with -terraform cannot be run: %w", given, err)
		}
		return p, nil
	}
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "terraform-path.sh"))
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/terraform-path.sh found no Terraform CLI: %w; put terraform 1.5 or newer on PATH or pass -terraform", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// cliConfig is a Terraform CLI configuration whose dev_overrides point the
// provider's address at the freshly built binary; the user's own
// ~/.terraformrc is never read or touched.
func cliConfig(providerDir string) string {
	return fmt.Sprintf(`provider_installation {
  dev_overrides {
    %q = %q
    %q = %q
  }
  direct {}
}
`, providerSource, providerDir, floorSource, providerDir)
}

// terraformEnv is the environment of every Terraform command: the caller's,
// without anything that could point the provider or Terraform elsewhere.
func terraformEnv(base []string, cliConfigPath string) []string {
	drop := []string{"TF_CLI_CONFIG_FILE=", "TERRAFORM_CONFIG=", "TF_LOG", "TF_CLI_ARGS", "TF_DATA_DIR=", "TF_WORKSPACE=",
		"TF_PLUGIN_CACHE_DIR=", "TF_INPUT=", "TF_IN_AUTOMATION=", "CHECKPOINT_DISABLE=", "OKTA_", "ISPM_", "TF_VAR_"}
	var env []string
	for _, kv := range base {
		keep := true
		for _, d := range drop {
			if strings.HasPrefix(kv, d) {
				keep = false
				break
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	return append(env, "TF_CLI_CONFIG_FILE="+cliConfigPath, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
}

// wrapWithEnv moves the binary at exe into a "real" directory beside it
// and puts in its place a script that starts it with env added, so the
// variables reach the provider process and not Terraform. It returns the
// real binary's path, the executable the provider processes run.
func wrapWithEnv(exe string, env []string) (string, error) {
	realDir := filepath.Join(filepath.Dir(exe), "real")
	if err := os.MkdirAll(realDir, 0o755); err != nil {
		return "", err
	}
	real := filepath.Join(realDir, filepath.Base(exe))
	if err := os.Rename(exe, real); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\nexec env")
	for _, kv := range env {
		b.WriteString(" " + shellQuote(kv))
	}
	b.WriteString(" " + shellQuote(real) + " \"$@\"\n")
	if err := os.WriteFile(exe, []byte(b.String()), 0o755); err != nil {
		return "", err
	}
	return real, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// terraform runs Terraform commands and measures them.
type terraform struct {
	bin         string
	env         []string
	providerExe string
	parallelism int
}

// cmdResult is one Terraform command's outcome.
type cmdResult struct {
	Wall          time.Duration
	PeakRSS       int64
	ProviderProcs int
	// ProviderCPU and TerraformCPU are CPU time (user + system) of the
	// provider processes and of Terraform itself.
	ProviderCPU  time.Duration
	TerraformCPU time.Duration
	Err          error
	// Tail is the end of the command's output, for errors.
	Tail string
}

// run executes terraform args in dir, writing its output to logPath, and
// watches the provider processes it starts.
func (t *terraform) run(ctx context.Context, dir, logPath string, args ...string) cmdResult {
	args = append(args, "-no-color", "-input=false")
	if t.parallelism > 0 && (args[0] == "plan" || args[0] == "apply" || args[0] == "destroy") {
		args = append(args, fmt.Sprintf("-parallelism=%d", t.parallelism))
	}
	log, err := os.Create(logPath)
	if err != nil {
		return cmdResult{Err: fmt.Errorf("cannot write the command's log: %w", err)}
	}
	defer log.Close()
	var tail tailBuffer
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Dir = dir
	cmd.Env = t.env
	cmd.Stdout = multiWriter{log, &tail}
	cmd.Stderr = multiWriter{log, &tail}
	// On interruption Terraform gets SIGINT, as from Ctrl-C, and a grace
	// period to stop its providers.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 15 * time.Second

	var w *memWatcher
	if t.providerExe != "" {
		w = watchMemory(t.providerExe, 15*time.Millisecond)
	}
	start := time.Now()
	err = cmd.Run()
	res := cmdResult{Wall: time.Since(start)}
	if w != nil {
		wr := w.Stop()
		res.PeakRSS, res.ProviderProcs, res.ProviderCPU = wr.PeakBytes, wr.Processes, wr.CPU
	}
	if cmd.ProcessState != nil {
		res.TerraformCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("terraform %s exited with status %d (log: %s)", args[0], ee.ExitCode(), logPath)
		} else {
			err = fmt.Errorf("terraform %s: %w", args[0], err)
		}
		res.Err, res.Tail = err, tail.String()
	}
	return res
}

type multiWriter []interface{ Write([]byte) (int, error) }

func (m multiWriter) Write(p []byte) (int, error) {
	for _, w := range m {
		if _, err := w.Write(p); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// tailBuffer keeps the last few kilobytes written to it.
type tailBuffer struct{ b []byte }

const tailSize = 4096

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*tailSize {
		t.b = append([]byte(nil), t.b[len(t.b)-tailSize:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	if len(t.b) > tailSize {
		return string(t.b[len(t.b)-tailSize:])
	}
	return string(t.b)
}
