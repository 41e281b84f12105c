package provider

// The test environment of the provider package: a sandbox (simulated Okta
// orgs and ISPM on loopback, internal/sandbox) per acceptance test, the
// provider served in-process, and the real terraform binary for the tests
// that drive it as a user would. How to write a test, and the helpers that
// build configurations and assert on what the provider did, are in
// helpers_test.go.
//
//   - newAccEnv(t, mutate...) starts a sandbox of the default scenario
//     (internal/sandbox/scenarios/default.json) changed by mutate
//     (withoutSources, or a func of your own), closes it when the test
//     ends, and skips the test unless TF_ACC is set; newAccEnvWithOptions
//     passes sandbox options too (a clock). env.SB drives the running
//     sandbox (faults, console edits, request counts); env.Info holds its
//     addresses and tokens.
//   - env.Factories serves the provider in-process with an empty
//     environment; factories(vars) with the given environment variables.
//   - The constants below name the default scenario's orgs and instances.
//   - env.installReady and env.installSpare install app instances that meet
//     every prerequisite; env.sourcesOf, env.oneSource, env.acmeSources and
//     env.creates read what ISPM holds and received.
//   - newTFDir runs the real terraform binary against the provider built
//     once per test process (dev_overrides, offline), and skips the test
//     unless TF_ACC_TERRAFORM_PATH is set too; waitFor polls the sandbox
//     while a command runs.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// From the default sandbox scenario (internal/sandbox/scenarios/default.json).
const (
	acmeOrgID = "oktaorg_acme" // ISPM's id of the Okta org "acme"

	acmeSlack        = "0oaqd88NE1biWUfTHYt2" // ready, with imported APP_GROUP groups
	acmeSlackEU      = "0oa8HmkgHdj4FAgOAPUP" // push only: import users and groups unchecked
	acmeSlackSandbox = "0oaLATg5EewIMeVcOxuf" // provisioning disabled
	acmeSlackLegacy  = "0oanmMaYeApl2IxgQlZP" // inactive
	acmeOffice365    = "0oaxN0TYhm5PcYZSJeby" // connected to ISPM in the scenario
	acmeZoom         = "0oaq3bt868bEjtyLd1d7" // provisioning disabled
	acmeOrg2Org3     = "0oarbl93dtmzq0jjl1d7" // okta_org2org, ready
	acmeOrg2Org5     = "0oardqt3r8Cet4BEh1d7" // ready but for Import Groups
	globexSlack      = "0oauIefpM7zly0WdCDY4" // org without Lifecycle Management
	notInstalledID   = "0oa0000000000000none"
)

// skipUnlessAcc skips an acceptance test unless TF_ACC is set.
func skipUnlessAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
}

// accEnv is one sandbox (Okta orgs + ISPM) for one acceptance test.
type accEnv struct {
	SB   *sandbox.Sandbox
	Info sandbox.Info
}

// newAccEnv starts a sandbox on loopback for t, with the default scenario
// changed by mutate, and skips the test unless TF_ACC is set.
func newAccEnv(t *testing.T, mutate ...func(*sandbox.Scenario)) *accEnv {
	t.Helper()
	return newAccEnvWithOptions(t, nil, mutate...)
}

// newAccEnvWithOptions is newAccEnv with sandbox options (a clock, say).
func newAccEnvWithOptions(t *testing.T, opts []sandbox.Option, mutate ...func(*sandbox.Scenario)) *accEnv {
	t.Helper()
	skipUnlessAcc(t)
	sc := sandbox.DefaultScenario()
	for _, m := range mutate {
		m(&sc)
	}
	sb, err := sandbox.New(sc, opts...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox start: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return &accEnv{SB: sb, Info: sb.Info()}
}

// withoutSources drops the scenario's existing ISPM sources, so that the
// sandbox's sources are exactly what the test's configuration makes.
func withoutSources(sc *sandbox.Scenario) {
	if sc.ISPM != nil {
		sc.ISPM.Sources = nil
	}
}

// org returns the sandbox's info on the named Okta org.
func (e *accEnv) org(name string) sandbox.OktaOrgInfo {
	for _, o := range e.Info.OktaOrgs {
		if o.Name == name {
			return o
		}
	}
	panic("no sandbox org " + name)
}

// Domain is the named org's domain, the okta_org value users write.
func (e *accEnv) Domain(name string) string { return e.org(name).Domain }

// ProviderConfig is a provider block for the sandbox with credentials for
// the named Okta orgs (every org when none is named), plus extra lines.
func (e *accEnv) ProviderConfig(orgs []string, extra ...string) string {
	if orgs == nil {
		for _, o := range e.Info.OktaOrgs {
			orgs = append(orgs, o.Name)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"ispm\" {\n  endpoint  = %q\n  api_token = %q\n", e.Info.ISPM.Endpoint, e.Info.ISPM.APIToken)
	for _, l := range extra {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	for _, name := range orgs {
		o := e.org(name)
		fmt.Fprintf(&b, "  okta_org {\n    org_url   = %q\n    api_token = %q\n  }\n", o.URL, o.APIToken)
	}
	b.WriteString("}\n")
	return b.String()
}

// OktaOnlyConfig is a provider block with no ISPM, only okta_org blocks
// (by org_name and base_url) for the named orgs (every org when none is named), plus extra lines.
func (e *accEnv) OktaOnlyConfig(orgs []string, extra ...string) string {
	if orgs == nil {
		for _, o := range e.Info.OktaOrgs {
			orgs = append(orgs, o.Name)
		}
	}
	var b strings.Builder
	b.WriteString("provider \"ispm\" {\n")
	for _, l := range extra {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	for _, name := range orgs {
		// org_name with a full base_url, so that the org can be named by
		// its name as well as by its domain and URL.
		o := e.org(name)
		fmt.Fprintf(&b, "  okta_org {\n    org_name  = %q\n    base_url  = %q\n    api_token = %q\n  }\n", o.Name, o.URL, o.APIToken)
	}
	b.WriteString("}\n")
	return b.String()
}

// ispmRequests is how many requests the sandbox's ISPM has answered.
func (e *accEnv) ispmRequests() int {
	n := 0
	for _, c := range e.SB.ISPM().RequestCounts() {
		n += c
	}
	return n
}

// Config is the provider block for every org followed by body.
func (e *accEnv) Config(body string) string { return e.ProviderConfig(nil) + "\n" + body }

// Factories serves the provider in-process with an empty environment.
func (e *accEnv) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return factories(nil)
}

// factories serves the provider in-process with the given environment, so
// parallel tests never share or read the real process environment.
func factories(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"ispm": func() (tfprotov6.ProviderServer, error) {
			p := &ispmProvider{version: "test", env: mapEnv(env)}
			return providerserver.NewProtocol6WithError(p)()
		},
	}
}

// mapEnv is an environment of the given variables alone.
func mapEnv(m map[string]string) envFunc { return func(k string) string { return m[k] } }

// installReady installs an instance of app in the sandbox org that meets
// every prerequisite, as an administrator would, and returns its id. ISPM's
// cached gallery does not list it until a refresh, as in production.
func (e *accEnv) installReady(t *testing.T, org, app, label string) string {
	t.Helper()
	st, err := e.SB.Org(org).Install(oktasim.NewApp{Name: app, Label: label, Provisioning: true, ImportNewUsers: true, ImportGroups: true})
	if err != nil {
		t.Fatalf("installing %s in %s: %v", app, org, err)
	}
	return st.ID
}

// spareApps are gallery apps the default scenario's org acme has no
// instance of, with their labels: room for many connections at once.
var spareApps = [][2]string{
	{"google", "Google Workspace"}, {"zscalerbyz", "Zscaler 2.0"}, {"workday", "Workday"}, {"zendesk", "Zendesk"},
	{"cornerstone", "Cornerstone OnDemand"}, {"servicenow_app2", "ServiceNow UD"}, {"dropbox_for_business", "Dropbox Business"},
	{"docusign", "DocuSign"}, {"netsuite", "NetSuite"}, {"pagerduty", "PagerDuty"}, {"atlassian", "Atlassian Cloud"},
	{"amazon_aws", "AWS Account Federation"}, {"amazon_aws_sso", "AWS IAM Identity Center"}, {"segment", "Segment"},
	{"smartsheet", "Smartsheet"}, {"deelhr", "Deel HR"}, {"asana", "Asana"}, {"bamboohr", "BambooHR"}, {"figma", "Figma"},
	{"lucidchart", "Lucidchart"}, {"miro", "Miro"}, {"webex", "Webex"},
}

// spareApp is one app instance installSpare installed: its gallery key
// (also the name connectionsHCL gives its connection) and instance id.
type spareApp struct{ Key, ID string }

// installSpare installs n ready instances of distinct gallery apps in acme
// and has ISPM's gallery read them, as an admin would before connecting.
func (e *accEnv) installSpare(t *testing.T, n int) []spareApp {
	t.Helper()
	if n > len(spareApps) {
		t.Fatalf("only %d spare apps", len(spareApps))
	}
	apps := make([]spareApp, 0, n)
	for _, a := range spareApps[:n] {
		apps = append(apps, spareApp{Key: a[0], ID: e.installReady(t, "acme", a[0], a[1])})
	}
	if err := e.SB.ISPM().Refresh(acmeOrgID); err != nil {
		t.Fatal(err)
	}
	return apps
}

// sourcesOf returns the sandbox's sources for app in the org.
func (e *accEnv) sourcesOf(orgID, app string) []ispm.Source {
	var out []ispm.Source
	for _, s := range e.SB.ISPM().Sources() {
		if s.OktaOrgID == orgID && s.App == app {
			out = append(out, s)
		}
	}
	return out
}

// oneSource returns the only source for app in the org, or an error.
func (e *accEnv) oneSource(orgID, app string) (ispm.Source, error) {
	ss := e.sourcesOf(orgID, app)
	if len(ss) != 1 {
		return ispm.Source{}, fmt.Errorf("the sandbox has %d sources for %s in %s, want exactly 1: %+v", len(ss), app, orgID, ss)
	}
	return ss[0], nil
}

// acmeSources returns the sandbox's sources in acme, by app.
func (e *accEnv) acmeSources() map[string][]ispm.Source {
	out := map[string][]ispm.Source{}
	for _, s := range e.SB.ISPM().Sources() {
		if s.OktaOrgID == acmeOrgID {
			out[s.App] = append(out[s.App], s)
		}
	}
	return out
}

// creates counts the create requests ISPM received.
func (e *accEnv) creates() int { return e.SB.ISPM().RequestCounts()["POST /api/v1/sources"] }

// oktaFaultCounts sums the 5xx answers and dropped connections every Okta
// org of the sandbox served.
func (e *accEnv) oktaFaultCounts() (serverErrors, dropped int64) {
	for _, o := range e.SB.Orgs() {
		for _, c := range o.RequestCounts() {
			serverErrors += c.ServerErrors
			dropped += c.Dropped
		}
	}
	return serverErrors, dropped
}

// The real terraform binary.

var (
	providerBinOnce sync.Once
	providerBinDir  string
	providerBinErr  error
)

// providerBinary builds the provider once per test process and returns the
// directory holding it, for a dev_overrides CLI configuration.
func providerBinary(t *testing.T) string {
	t.Helper()
	providerBinOnce.Do(func() {
		// Shared by every test of the process, so not t.TempDir(): TestMain
		// removes it.
		dir, err := os.MkdirTemp("", "ispm-provider-bin-") //nolint:usetesting // outlives any one test
		if err != nil {
			providerBinErr = err
			return
		}
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-ispm"), ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			providerBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
		providerBinDir = dir
	})
	if providerBinErr != nil {
		t.Fatal(providerBinErr)
	}
	return providerBinDir
}

func TestMain(m *testing.M) {
	// Before any test: which CLI runs (smoke_test.go), and what it needs.
	if err := prepareAccCLI(); err != nil {
		fmt.Fprintln(os.Stderr, "acceptance tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	if providerBinDir != "" {
		_ = os.RemoveAll(providerBinDir)
	}
	os.Exit(code)
}

// cliEnv returns the environment for running the real terraform binary
// against the built provider through dev_overrides, offline.
func cliEnv(t *testing.T) []string {
	t.Helper()
	bin := providerBinary(t)
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	body := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"ispm-community/ispm\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	return env
}

// terraformBinary is TF_ACC_TERRAFORM_PATH; it skips the test unless that
// and TF_ACC are set.
func terraformBinary(t *testing.T) string {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	return tf
}

// tfDir is a Terraform working directory driven with the real terraform
// binary and the built provider (dev_overrides), as a user would.
type tfDir struct {
	t   *testing.T
	tf  string
	dir string
	env []string
}

func newTFDir(t *testing.T, extraEnv ...string) *tfDir {
	t.Helper()
	tf := terraformBinary(t)
	return &tfDir{t: t, tf: tf, dir: t.TempDir(), env: append(cliEnv(t), extraEnv...)}
}

func (d *tfDir) write(config string) {
	d.t.Helper()
	if err := os.WriteFile(filepath.Join(d.dir, "main.tf"), []byte(config), 0o600); err != nil {
		d.t.Fatal(err)
	}
}

// tfResult is one terraform command's outcome.
type tfResult struct {
	args           []string
	stdout, stderr string
	code           int
	elapsed        time.Duration
}

func (r tfResult) String() string {
	return fmt.Sprintf("terraform %s: exit %d after %s\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.elapsed.Round(time.Millisecond), r.stdout, r.stderr)
}

func (d *tfDir) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, d.tf, args...)
	cmd.Dir, cmd.Env = d.dir, d.env
	// Its own process group, as a shell gives a job: Ctrl-C reaches
	// terraform and its provider plugins together.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// run runs terraform with args to the end (at most two minutes).
func (d *tfDir) run(args ...string) tfResult {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, stdout, stderr := d.command(ctx, args...)
	began := time.Now()
	err := cmd.Run()
	res := tfResult{args: args, stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(began)}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		d.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// must runs terraform and fails the test unless it exits with code want.
func (d *tfDir) must(want int, args ...string) tfResult {
	d.t.Helper()
	res := d.run(args...)
	d.t.Logf("terraform %s: exit %d after %s", strings.Join(args, " "), res.code, res.elapsed.Round(time.Millisecond))
	if res.code != want {
		d.t.Fatalf("want exit %d from %s", want, res)
	}
	return res
}

// waitFor polls cond (the sandbox's state, say, while a terraform command
// runs) every few milliseconds until it holds or the limit passes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
