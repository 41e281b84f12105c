package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// providerAddress is the provider's source address, the key of its
// dev_overrides entry.
const providerAddress = "ispm-community/ispm"

// cliConfig is a Terraform CLI configuration that takes the provider from
// dir (a fresh build) and every other provider from its registry as usual.
func cliConfig(dir string) string {
	return fmt.Sprintf(`# Written by make demo for its own Terraform runs only (TF_CLI_CONFIG_FILE).
provider_installation {
  dev_overrides {
    %q = %q
  }
  direct {}
}
`, providerAddress, dir)
}

// droppedEnv reports whether a variable of the caller's environment must
// not reach the demo's Terraform runs: their own Terraform settings (TF_LOG,
// TF_CLI_ARGS, TF_VAR_…, a CLI config) and credentials of real Okta orgs or
// ISPM tenants.
func droppedEnv(key string) bool {
	for _, p := range []string{"TF_", "OKTA_", "ISPM_", "CHECKPOINT_"} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// childEnv is base without the variables droppedEnv names, plus set.
func childEnv(base []string, set map[string]string) []string {
	out := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if droppedEnv(k) {
			continue
		}
		if _, ours := set[k]; ours {
			continue
		}
		out = append(out, kv)
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out = append(out, k+"="+set[k])
	}
	return out
}

// merge is the union of sets, a later one winning.
func merge(sets ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}

// oktaOnly keeps the OKTA_* variables of env: an Okta org's settings
// without the ISPM ones.
func oktaOnly(env map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		if strings.HasPrefix(k, "OKTA_") {
			out[k] = v
		}
	}
	return out
}

// copyTerraformFiles copies the .tf files of src into dst (made if
// missing): the configuration, without anything a previous run may have left
// beside it (.terraform, state, lock file).
func copyTerraformFiles(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("reading the example: %w", err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s holds no .tf file", src)
	}
	return nil
}

// terraform runs the Terraform CLI in one working directory.
type terraform struct {
	bin string
	dir string
	env []string
	// out receives every command line and Terraform's output, indented.
	out io.Writer
	// shownOverrideWarning is set once Terraform's dev_overrides warning
	// has been shown; later copies of it are dropped from the display.
	shownOverrideWarning bool
}

// result is a finished Terraform command.
type result struct {
	Code   int
	Output string
}

// run runs terraform with args, showing the command and its output, and
// returns its exit code. An error means it could not run or was
// interrupted; a non-zero exit is not an error here.
func (t *terraform) run(ctx context.Context, args ...string) (result, error) {
	fmt.Fprintf(t.out, "    $ terraform %s\n", strings.Join(args, " "))
	var buf bytes.Buffer
	show := &displayWriter{w: t.out, prefix: "    ", hideOverrideWarning: t.shownOverrideWarning}
	w := io.MultiWriter(&buf, show)
	err := t.exec(ctx, w, args...)
	show.flush()
	fmt.Fprintln(t.out)
	if show.sawOverrideWarning {
		t.shownOverrideWarning = true
	}
	res := result{Output: buf.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && ctx.Err() == nil:
		res.Code = exit.ExitCode()
		return res, nil
	case err != nil:
		return res, fmt.Errorf("terraform %s: %w", args[0], err)
	}
	return res, nil
}

// quiet runs terraform with args without showing anything, for reading
// values (terraform output -json).
func (t *terraform) quiet(ctx context.Context, args ...string) (string, error) {
	var buf bytes.Buffer
	if err := t.exec(ctx, &buf, args...); err != nil {
		return "", fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, buf.String())
	}
	return buf.String(), nil
}

// output decodes the output name of the working directory's state.
func (t *terraform) output(ctx context.Context, name string, v any) error {
	out, err := t.quiet(ctx, "output", "-no-color", "-json", name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		return fmt.Errorf("decoding terraform output %s: %w", name, err)
	}
	return nil
}

func (t *terraform) exec(ctx context.Context, w io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, t.bin, args...)
	cmd.Dir, cmd.Env = t.dir, t.env
	// One writer for both streams: Go then copies them through one pipe,
	// so diagnostics (stderr) stay where Terraform printed them.
	cmd.Stdout, cmd.Stderr = w, w
	// On Ctrl-C, let Terraform stop its provider and release its state
	// lock before it is killed.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 20 * time.Second
	return cmd.Run()
}

// displayWriter indents Terraform's output and drops the repeats of its
// dev_overrides warning, which every command prints: it says the provider
// is a local build, which the demo announces once.
type displayWriter struct {
	mu                  sync.Mutex
	w                   io.Writer
	prefix              string
	hideOverrideWarning bool
	sawOverrideWarning  bool
	partial             []byte
	// skipping holds the lines of a warning being dropped, in case it does
	// not end as expected and must be shown after all.
	skipping []string
}

const (
	overrideWarningStart = "Warning: Provider development overrides are in effect"
	overrideWarningEnd   = "releases."
	// overrideWarningMax bounds the warning's length; a longer block is
	// not the warning and is shown.
	overrideWarningMax = 12
)

func (d *displayWriter) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.partial = append(d.partial, p...)
	for {
		i := bytes.IndexByte(d.partial, '\n')
		if i < 0 {
			break
		}
		d.line(string(d.partial[:i]))
		d.partial = d.partial[i+1:]
	}
	return len(p), nil
}

func (d *displayWriter) line(l string) {
	trimmed := strings.TrimSpace(l)
	switch {
	case d.skipping != nil:
		d.skipping = append(d.skipping, l)
		if trimmed == overrideWarningEnd || strings.HasSuffix(trimmed, " "+overrideWarningEnd) {
			d.skipping = nil
			return
		}
		if len(d.skipping) > overrideWarningMax {
			lines := d.skipping
			d.skipping = nil
			for _, s := range lines {
				d.emit(s)
			}
		}
		return
	case trimmed == overrideWarningStart:
		d.sawOverrideWarning = true
		if d.hideOverrideWarning {
			d.skipping = []string{l}
			return
		}
	}
	d.emit(l)
}

func (d *displayWriter) emit(l string) {
	if strings.TrimSpace(l) == "" {
		fmt.Fprintln(d.w)
		return
	}
	fmt.Fprintf(d.w, "%s%s\n", d.prefix, l)
}

// flush shows what is left: a last line without a newline, or a dropped
// block that never ended.
func (d *displayWriter) flush() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, s := range d.skipping {
		d.emit(s)
	}
	d.skipping = nil
	if len(d.partial) > 0 {
		d.emit(string(d.partial))
		d.partial = nil
	}
}
