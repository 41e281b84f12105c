package provider

// The acceptance smoke subset and the CLI it runs on.
//
// scripts/test.sh runs every TestAccSmoke… test three times: on the
// Terraform the whole suite uses, on Terraform 1.5.7 (the oldest
// supported) and on OpenTofu 1.12.6 (scripts/tofu-path.sh). Together they
// cover the readiness data sources (TestAccSmokeAppEligibilityStatuses,
// TestAccSmokeSourcesGallery), a plan blocked by an unready instance
// (TestAccSmokeSourceConnectionReadinessPreview), create, update, import by
// id and by <okta_org>/<app_name> and destroy
// (TestAccSmokeSourceConnectionLifecycle), import blocks
// (TestAccSmokeSourceConnectionImportBlocks), drift made in ISPM and Okta
// between steps (TestAccSmokeSourceConnectionDrift), and the provider
// address each CLI gives the in-process provider (below). A smoke test
// uses nothing newer than Terraform 1.5, or gates the step with tfversion;
// tfversion reads OpenTofu's own version number, and every gate of the
// subset (import blocks 1.5, -generate-config-out 1.6) is met by OpenTofu
// 1.12 as by Terraform 1.12.
//
// Where OpenTofu behaves differently, acceptanceCLI says so and the tests
// branch on it; no assertion is loosened for both CLIs.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// The registry hosts each CLI puts in front of a provider source address
// that names none, as "ispm" is in every configuration of these tests.
const (
	terraformRegistryHost = "registry.terraform.io"
	openTofuRegistryHost  = "registry.opentofu.org"
)

// acceptanceCLI is the CLI the acceptance tests drive (TF_ACC_TERRAFORM_PATH).
type acceptanceCLI struct {
	Path    string
	Product string // "Terraform" or "OpenTofu", as the CLI names itself
	Version string // such as 1.12.6
}

// OpenTofu reports whether the CLI is OpenTofu rather than Terraform.
func (c acceptanceCLI) OpenTofu() bool { return c.Product == "OpenTofu" }

// RegistryHost is the host the CLI gives a provider whose source address
// names no host.
func (c acceptanceCLI) RegistryHost() string {
	if c.OpenTofu() {
		return openTofuRegistryHost
	}
	return terraformRegistryHost
}

// ProviderAddress is the address the CLI gives the in-process provider of
// terraform-plugin-testing: configurations without required_providers get
// the namespace hashicorp.
func (c acceptanceCLI) ProviderAddress(name string) string {
	return c.RegistryHost() + "/hashicorp/" + name
}

func (c acceptanceCLI) String() string {
	return fmt.Sprintf("%s %s (%s)", c.Product, c.Version, c.Path)
}

// cliVersionLine is the first line of `terraform version` and `tofu
// version`. Their -json output cannot tell the two apart: both print only
// "terraform_version", "platform" and "provider_selections" (Terraform adds
// "terraform_outdated", but only sometimes).
var cliVersionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\d+\.\d+\.\d+\S*)$`)

// parseCLIVersion reads the product and version from `<cli> version`.
func parseCLIVersion(out string) (product, version string, err error) {
	m := cliVersionLine.FindStringSubmatch(out)
	if m == nil {
		first, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
		return "", "", fmt.Errorf("its `version` output does not start with \"Terraform v…\" or \"OpenTofu v…\" (first line: %q)", first)
	}
	return m[1], m[2], nil
}

// detectCLI runs `<path> version` and `<path> version -json` in the
// environment the tests give terraform-plugin-testing, and says which CLI
// it is. It fails when terraform-plugin-testing could not read the CLI's
// version, rather than leaving every test to fail with "unable to parse
// version".
func detectCLI(path string) (acceptanceCLI, error) {
	run := func(args ...string) (string, error) {
		cmd := exec.Command(path, args...)
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("%s %s: %v %s", path, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return stdout.String(), nil
	}
	text, err := run("version")
	if err != nil {
		return acceptanceCLI{}, err
	}
	product, version, err := parseCLIVersion(text)
	if err != nil {
		return acceptanceCLI{}, fmt.Errorf("cannot tell which CLI %s is: %w", path, err)
	}
	cli := acceptanceCLI{Path: path, Product: product, Version: version}
	js, err := run("version", "-json")
	if err != nil {
		return acceptanceCLI{}, err
	}
	var v struct {
		TerraformVersion string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(js), &v); err != nil || v.TerraformVersion != version {
		first, _, _ := strings.Cut(strings.TrimSpace(js), "\n")
		hint := ""
		if strings.Contains(js, "CLI configuration file") {
			// OpenTofu writes CLI configuration warnings to stdout, ahead
			// of the JSON; Terraform writes them to stderr.
			hint = fmt.Sprintf("; TF_CLI_CONFIG_FILE=%q cannot be read, and %s prints that warning into its JSON output: set TF_CLI_CONFIG_FILE=/dev/null (make test does)", os.Getenv("TF_CLI_CONFIG_FILE"), product)
		}
		return acceptanceCLI{}, fmt.Errorf("%s: `version -json` does not print the JSON terraform-plugin-testing reads (first line: %q)%s", cli, first, hint)
	}
	return cli, nil
}

var (
	accCLIOnce  sync.Once
	accCLIValue acceptanceCLI
	accCLIErr   error
)

// accCLIPath is the CLI terraform-plugin-testing runs: TF_ACC_TERRAFORM_PATH,
// else the terraform on PATH (where it looks when the variable is unset).
func accCLIPath() (string, error) {
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p, nil
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		return "", fmt.Errorf("TF_ACC_TERRAFORM_PATH is not set and there is no terraform on PATH: set it to a Terraform or OpenTofu binary (make test does)")
	}
	return p, nil
}

// currentCLI detects the acceptance CLI once per test process.
func currentCLI() (acceptanceCLI, error) {
	accCLIOnce.Do(func() {
		path, err := accCLIPath()
		if err != nil {
			accCLIErr = err
			return
		}
		accCLIValue, accCLIErr = detectCLI(path)
	})
	return accCLIValue, accCLIErr
}

// accCLI is the CLI the acceptance tests drive; it fails the test when
// that cannot be told.
func accCLI(t *testing.T) acceptanceCLI {
	t.Helper()
	cli, err := currentCLI()
	if err != nil {
		t.Fatalf("which CLI runs the acceptance tests: %v", err)
	}
	return cli
}

// prepareAccCLI runs before any acceptance test (TestMain). On OpenTofu it
// points terraform-plugin-testing at OpenTofu's registry host:
// terraform-plugin-testing serves the in-process provider as
// registry.terraform.io/-/ispm and registry.terraform.io/hashicorp/ispm,
// while OpenTofu looks for registry.opentofu.org/hashicorp/ispm and refuses
// the "-" namespace on any other host, so without this every `tofu init`
// fails. A TF_ACC_PROVIDER_HOST the user set is kept.
func prepareAccCLI() error {
	if os.Getenv(resource.EnvTfAcc) == "" {
		return nil
	}
	cli, err := currentCLI()
	if err != nil {
		return err
	}
	if cli.OpenTofu() && os.Getenv(resource.EnvTfAccProviderHost) == "" {
		return os.Setenv(resource.EnvTfAccProviderHost, openTofuRegistryHost)
	}
	return nil
}

// TestAccSmokeProviderAddress: the CLI reaches the in-process provider at
// the address it gives "ispm" itself, registry.terraform.io/hashicorp/ispm
// on Terraform and registry.opentofu.org/hashicorp/ispm on OpenTofu, for a
// data source and a resource alike.
func TestAccSmokeProviderAddress(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	cli := accCLI(t)
	want := cli.ProviderAddress("ispm")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(eligibilityBlock("slack", env.Domain("acme"), "slack") +
				connectionConfig("slack", env.Domain("acme"), "slack", []string{acmeSlack})),
			PlanOnly: true, ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
				providerAddressIs(want, "ispm_source_connection.slack", "data.ispm_app_eligibility.slack"),
			}},
		}},
	})
}

// providerAddressIs is a plan check that the named resources (in the plan's
// changes or its prior state) belong to the provider at address want.
type providerAddressCheck struct {
	want  string
	addrs []string
}

func providerAddressIs(want string, addrs ...string) plancheck.PlanCheck {
	return providerAddressCheck{want: want, addrs: addrs}
}

func (c providerAddressCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	got := map[string]string{}
	for _, rc := range req.Plan.ResourceChanges {
		got[rc.Address] = rc.ProviderName
	}
	if ps := req.Plan.PriorState; ps != nil && ps.Values != nil && ps.Values.RootModule != nil {
		for _, r := range ps.Values.RootModule.Resources {
			got[r.Address] = r.ProviderName
		}
	}
	for _, a := range c.addrs {
		p, ok := got[a]
		switch {
		case !ok:
			resp.Error = fmt.Errorf("%s is neither in the plan nor in its prior state", a)
			return
		case p != c.want:
			resp.Error = fmt.Errorf("%s belongs to provider %q, want %q", a, p, c.want)
			return
		}
	}
}

// TestParseCLIVersion: the two CLIs are told apart by the first line of
// their `version` output, and anything else is refused rather than taken
// for Terraform.
func TestParseCLIVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		out, product, version string
	}{
		{"Terraform v1.11.4\non linux_amd64\n", "Terraform", "1.11.4"},
		{"Terraform v1.5.7\non linux_amd64\n\nYour version of Terraform is out of date!\n", "Terraform", "1.5.7"},
		{"OpenTofu v1.12.6\non linux_amd64\n", "OpenTofu", "1.12.6"},
		{"OpenTofu v1.12.6-dev\non linux_amd64\n", "OpenTofu", "1.12.6-dev"},
		// OpenTofu prints CLI configuration warnings ahead of the version.
		{"\nWarning: Unable to open CLI configuration file\n\nThe CLI configuration file at \"/x\" does not exist.\nOpenTofu v1.12.6\non linux_amd64\n", "OpenTofu", "1.12.6"},
	}
	for _, tc := range cases {
		product, version, err := parseCLIVersion(tc.out)
		if err != nil || product != tc.product || version != tc.version {
			t.Errorf("parseCLIVersion(%q) = %q, %q, %v; want %q, %q", tc.out, product, version, err, tc.product, tc.version)
		}
	}
	for _, out := range []string{"", "{\"terraform_version\": \"1.12.6\"}\n", "Pulumi v3.0.0\n", "terraform v1.11.4\n"} {
		if product, version, err := parseCLIVersion(out); err == nil {
			t.Errorf("parseCLIVersion(%q) = %q, %q; want an error", out, product, version)
		}
	}
}
