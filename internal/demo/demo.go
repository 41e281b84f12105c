package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// modulePath identifies the repository root (its go.mod).
const modulePath = "github.com/ispm-community/terraform-provider-ispm"

// options configure a run.
type options struct {
	// Terraform is the CLI to run; empty means what
	// scripts/terraform-path.sh prints (which may build one).
	Terraform string
	// Root is the repository root; empty means the one holding the
	// working directory.
	Root string
	// Out receives the story; Err the output of the build steps.
	Out, Err io.Writer
}

// demo is one run's state.
type demo struct {
	out io.Writer
	// tf runs the quickstart; okta runs examples/readiness-only, with
	// ISPM not configured.
	tf   *terraform
	okta *terraform
	sb   *sandbox.Sandbox
	info sandbox.Info
	http *http.Client
	step int
}

// run prepares everything, tells the story and cleans up, whatever
// happened.
func run(ctx context.Context, o options) (err error) {
	start := time.Now()
	root := o.Root
	if root == "" {
		if root, err = findRoot(); err != nil {
			return err
		}
	}
	tfBin := o.Terraform
	if tfBin == "" {
		if tfBin, err = terraformPath(ctx, root, o.Err); err != nil {
			return err
		}
	}
	// Terraform runs in a temporary directory: a relative path or a bare
	// name must not depend on it.
	if tfBin, err = exec.LookPath(tfBin); err != nil {
		return fmt.Errorf("the Terraform CLI %q cannot be run: %w", o.Terraform, err)
	}
	if tfBin, err = filepath.Abs(tfBin); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ispm-demo-")
	if err != nil {
		return fmt.Errorf("making a temporary directory: %w", err)
	}
	defer func() {
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = fmt.Errorf("removing the temporary directory %s: %w", tmp, rmErr)
		}
	}()

	fmt.Fprintf(o.Out, "==> Building the provider (go build) into %s\n", tmp)
	binDir := filepath.Join(tmp, "bin")
	build := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(binDir, "terraform-provider-ispm"), ".")
	build.Dir, build.Stdout, build.Stderr = root, o.Err, o.Err
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the provider: %w", err)
	}

	fmt.Fprintln(o.Out, "==> Starting the sandbox: two Okta orgs and ISPM, on loopback ports")
	sb, err := sandbox.New(sandbox.DefaultScenario())
	if err != nil {
		return fmt.Errorf("loading the sandbox scenario: %w", err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		return err
	}
	defer func() {
		if cErr := sb.Close(); cErr != nil && err == nil {
			err = fmt.Errorf("stopping the sandbox: %w", cErr)
		}
	}()
	info := sb.Info()
	acme, ok := orgInfo(info, "acme")
	if !ok {
		return errors.New("the default sandbox scenario has no org named acme")
	}

	rc := filepath.Join(tmp, "terraform.rc")
	if err := os.WriteFile(rc, []byte(cliConfig(binDir)), 0o600); err != nil {
		return err
	}
	work := filepath.Join(tmp, "quickstart")
	if err := copyTerraformFiles(filepath.Join(root, "examples", "quickstart"), work); err != nil {
		return err
	}
	oktaWork := filepath.Join(tmp, "readiness-only")
	if err := copyTerraformFiles(filepath.Join(root, "examples", "readiness-only"), oktaWork); err != nil {
		return err
	}

	cli := map[string]string{
		"TF_CLI_CONFIG_FILE": rc,
		"TF_IN_AUTOMATION":   "1",
		"CHECKPOINT_DISABLE": "1",
	}
	// The provider reads the sandbox's ISPM and the acme org from the
	// environment, as the quickstart's comments tell a real user to do.
	quickstartEnv := merge(cli, info.Env, map[string]string{
		"TF_VAR_okta_org":           acme.Domain,
		"TF_VAR_slack_instance_ids": fmt.Sprintf(`[%q, %q]`, slackReady, slackEU),
	})
	// The last step gets the acme org's OKTA_* variables and nothing of
	// ISPM: the provider is then not configured for ISPM.
	readinessEnv := merge(cli, oktaOnly(info.Env), map[string]string{
		"TF_VAR_okta_org":        acme.Name,
		"TF_VAR_apps":            `["slack"]`,
		"TF_VAR_must_stay_ready": fmt.Sprintf(`{ slack = [%q] }`, slackReady),
	})
	d := &demo{
		out:  o.Out,
		tf:   &terraform{bin: tfBin, dir: work, env: childEnv(os.Environ(), quickstartEnv), out: o.Out},
		okta: &terraform{bin: tfBin, dir: oktaWork, env: childEnv(os.Environ(), readinessEnv), out: o.Out},
		sb:   sb,
		info: info,
		http: &http.Client{Timeout: 10 * time.Second},
	}
	fmt.Fprintf(o.Out, "    Okta org acme:  %s  (OKTA_BASE_URL; its domain %s is the okta_org variable)\n", acme.URL, acme.Domain)
	fmt.Fprintf(o.Out, "    ISPM API:       %s  (ISPM_ENDPOINT)\n", info.ISPM.Endpoint)
	fmt.Fprintf(o.Out, "    Control API:    %s  (changes made \"in the consoles\")\n", info.Control)
	fmt.Fprintf(o.Out, "    Terraform:      %s, in a copy of examples/quickstart at %s\n", tfBin, work)
	fmt.Fprintf(o.Out, "                    and, in step %d, of examples/readiness-only at %s (OKTA_* variables only)\n", totalSteps, oktaWork)
	fmt.Fprintf(o.Out, "    Terraform uses the provider just built (a dev_overrides entry in a CLI config of its own, %s)\n", rc)

	if err := d.story(ctx); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "\n==> Done in %s. The sandbox is stopped and the temporary directory removed.\n", time.Since(start).Round(time.Second))
	return nil
}

// findRoot walks up from the working directory to the repository's go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRepoRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("run the demo from inside the terraform-provider-ispm repository (no go.mod of %s above the working directory)", modulePath)
		}
		dir = parent
	}
}

func isRepoRoot(dir string) bool {
	f, err := os.Open(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := strings.TrimSpace(s.Text()); strings.HasPrefix(line, "module ") {
			return strings.TrimSpace(strings.TrimPrefix(line, "module ")) == modulePath
		}
	}
	return false
}

// terraformPath asks scripts/terraform-path.sh for a Terraform CLI: the one
// on PATH when it is 1.5 or newer, else one it builds into bin/ (its
// progress goes to errOut).
func terraformPath(ctx context.Context, root string, errOut io.Writer) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(root, "scripts", "terraform-path.sh"))
	cmd.Dir, cmd.Stderr = root, errOut
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("finding a Terraform CLI with scripts/terraform-path.sh: %w", err)
	}
	p := strings.TrimSpace(string(out))
	if p == "" {
		return "", errors.New("scripts/terraform-path.sh printed no path")
	}
	return p, nil
}

func orgInfo(info sandbox.Info, name string) (sandbox.OktaOrgInfo, bool) {
	for _, o := range info.OktaOrgs {
		if o.Name == name {
			return o, true
		}
	}
	return sandbox.OktaOrgInfo{}, false
}
