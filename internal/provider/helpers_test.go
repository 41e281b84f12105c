package provider

// The shared test helpers of the provider package, and how to write a
// test. The environment they work on (the sandbox, the in-process
// provider, the real terraform binary, the default scenario's ids) is in
// env_test.go. A helper only one file's tests use, about that file's
// subject alone (the hostile proxy, the examples walker, the fakes of the
// unit tests), stays in that file.
//
// An acceptance test has a sandbox of its own and runs in parallel:
//
//	func TestAccSourceConnectionSomething(t *testing.T) {
//		t.Parallel()
//		env := newAccEnv(t) // skips unless TF_ACC=1
//		rec := &diagRecorder{}
//		resource.Test(t, resource.TestCase{
//			ProtoV6ProviderFactories: env.RecordingFactories(rec), // env.Factories() when no warning matters
//			CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
//			Steps: []resource.TestStep{{
//				Config: env.Config(connectionConfig("slack", env.Domain("acme"), "slack", []string{acmeSlack})),
//				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
//					expectNoDiagnostics(rec),
//				}},
//			}},
//		})
//	}
//
// One sandbox per test, never shared. Every test calls t.Parallel, unless
// it must t.Setenv a variable for Terraform itself (TF_LOG): the provider
// reads no process environment, env.Factories and factories(vars) give it
// one of its own. scripts/test.sh also runs the TestAccSmoke… tests on
// Terraform 1.5.7, the oldest supported, and on OpenTofu 1.12.6: they use
// nothing newer, and branch on accCLI(t) where OpenTofu differs
// (smoke_test.go).
//
// Which helper for what:
//   - a configuration: env.Config(body) (the provider block for every org,
//     then body), env.ProviderConfig(orgs, extra...) (some orgs' credentials,
//     extra provider arguments), connectionConfig, connectionsHCL,
//     eligibilityBlock, orgsDataSource; for the terraform binary
//     cliProviderBlock; proxyConfig to put a proxy in front of ISPM.
//   - warnings (terraform-plugin-testing shows only errors): serve the
//     provider with env.RecordingFactories(rec), check with expectWarnings
//     and expectNoDiagnostics in ConfigPlanChecks, or with wantErrorsAt and
//     wantDiagsAt (which also check the attribute) in the next step's
//     PreConfig; rec.Reset() forgets the steps before.
//   - what reached Okta or ISPM: env.oktaRequestsOnly (after
//     env.SB.Org(name).ResetRequestCounts()), env.creates, env.oneSource;
//     planCheckFunc turns any such func() error into a plan check.
//   - the state: checkOf and onlyFailure (ispm_app_eligibility checks),
//     stateMatches and sourcesMatch (the connections of env.installSpare),
//     allStatus, atLeast.
//   - CheckDestroy: env.noSourceFor, env.noAcmeSources.
//   - an ExpectError for text Terraform wraps: wrapped(pattern).
//   - no sandbox (static validation, unit tests): factories(vars), mapEnv,
//     testKeyPEM and testKeyPair.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Configurations.

const orgsDataSource = "\ndata \"ispm_okta_orgs\" \"all\" {}\n"

// requiredProvidersHCL maps "ispm" to this provider's source address, for
// configurations the terraform binary runs.
const requiredProvidersHCL = "terraform {\n  required_providers {\n    ispm = { source = \"ispm-community/ispm\" }\n  }\n}\n"

// cliProviderBlock is the provider block for a sandbox, with the secrets
// as literals (the secrets test passes them as variables instead).
func cliProviderBlock(env *accEnv, extra ...string) string {
	return requiredProvidersHCL + "\n" + env.ProviderConfig([]string{"acme"}, extra...)
}

// proxyConfig is the provider block with the ISPM endpoint replaced.
func (e *accEnv) proxyConfig(endpoint string, extra ...string) string {
	return strings.Replace(e.ProviderConfig(nil, extra...), fmt.Sprintf("endpoint  = %q", e.Info.ISPM.Endpoint), fmt.Sprintf("endpoint  = %q", endpoint), 1)
}

// connectionConfig is an ispm_source_connection block.
func connectionConfig(name, org, app string, ids []string, extra ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"ispm_source_connection\" %q {\n  okta_org     = %q\n  app_name     = %q\n  instance_ids = %s\n", name, org, app, hclStrings(ids))
	for _, l := range extra {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("}\n")
	return b.String()
}

// connectionsHCL declares one ispm_source_connection per app, named by key.
func connectionsHCL(org string, apps []spareApp) string {
	var b strings.Builder
	for _, a := range apps {
		b.WriteString(connectionConfig(a.Key, org, a.Key, []string{a.ID}))
	}
	return b.String()
}

// eligibilityBlock is an ispm_app_eligibility data source.
func eligibilityBlock(name, org, app string, ids ...string) string {
	s := fmt.Sprintf("data \"ispm_app_eligibility\" %q {\n  okta_org = %q\n  app_name = %q\n", name, org, app)
	if len(ids) > 0 {
		s += fmt.Sprintf("  instance_ids = [%q]\n", strings.Join(ids, `", "`))
	}
	return s + "}\n"
}

// hclStrings is a list of strings in HCL.
func hclStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Diagnostics.

// diagRecorder keeps every diagnostic the provider returned for plans,
// applies, reads and imports, so tests can assert on warnings, which
// terraform-plugin-testing does not expose.
type diagRecorder struct {
	mu    sync.Mutex
	diags []*tfprotov6.Diagnostic
}

func (r *diagRecorder) add(ds []*tfprotov6.Diagnostic) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = append(r.diags, ds...)
}

// Reset forgets what was recorded (call it from PreConfig).
func (r *diagRecorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.diags = nil
}

// find returns the recorded diagnostics of severity whose summary and
// detail, joined by a newline, match re.
func (r *diagRecorder) find(sev tfprotov6.DiagnosticSeverity, re *regexp.Regexp) []*tfprotov6.Diagnostic {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tfprotov6.Diagnostic
	for _, d := range r.diags {
		if d.Severity == sev && re.MatchString(d.Summary+"\n"+d.Detail) {
			out = append(out, d)
		}
	}
	return out
}

func (r *diagRecorder) summaries() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []string
	for _, d := range r.diags {
		s = append(s, fmt.Sprintf("%s: %s", severityName(d.Severity), d.Summary))
	}
	return strings.Join(s, "\n")
}

func severityName(s tfprotov6.DiagnosticSeverity) string {
	if s == tfprotov6.DiagnosticSeverityError {
		return "error"
	}
	return "warning"
}

// recordingServer passes every call to the provider and records the
// diagnostics of the resource and data source calls.
type recordingServer struct {
	tfprotov6.ProviderServer
	rec *diagRecorder
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	resp, err := s.ProviderServer.ImportResourceState(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	resp, err := s.ProviderServer.ReadDataSource(ctx, req)
	if resp != nil {
		s.rec.add(resp.Diagnostics)
	}
	return resp, err
}

// RecordingFactories serves the provider like Factories and records its
// diagnostics in rec.
func (e *accEnv) RecordingFactories(rec *diagRecorder) map[string]func() (tfprotov6.ProviderServer, error) {
	out := map[string]func() (tfprotov6.ProviderServer, error){}
	for name, f := range e.Factories() {
		out[name] = func() (tfprotov6.ProviderServer, error) {
			s, err := f()
			if err != nil {
				return nil, err
			}
			return recordingServer{ProviderServer: s, rec: rec}, nil
		}
	}
	return out
}

// expectDiag is a plan check that the provider returned at least one
// diagnostic of the severity matching each pattern.
type expectDiag struct {
	rec      *diagRecorder
	severity tfprotov6.DiagnosticSeverity
	patterns []*regexp.Regexp
}

func expectWarnings(rec *diagRecorder, patterns ...string) plancheck.PlanCheck {
	return expectDiag{rec: rec, severity: tfprotov6.DiagnosticSeverityWarning, patterns: compileAll(patterns)}
}

func (c expectDiag) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, re := range c.patterns {
		if len(c.rec.find(c.severity, re)) == 0 {
			resp.Error = fmt.Errorf("no %s matching %s; the provider returned:\n%s", severityName(c.severity), re, c.rec.summaries())
			return
		}
	}
}

// expectNoDiag is a plan check that the provider returned no diagnostic
// at all (or none matching the patterns, when some are given).
type expectNoDiag struct {
	rec      *diagRecorder
	patterns []*regexp.Regexp
}

func expectNoDiagnostics(rec *diagRecorder, patterns ...string) plancheck.PlanCheck {
	return expectNoDiag{rec: rec, patterns: compileAll(patterns)}
}

func (c expectNoDiag) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if len(c.patterns) == 0 {
		if s := c.rec.summaries(); s != "" {
			resp.Error = fmt.Errorf("expected no diagnostics, the provider returned:\n%s", s)
		}
		return
	}
	for _, re := range c.patterns {
		for _, sev := range []tfprotov6.DiagnosticSeverity{tfprotov6.DiagnosticSeverityError, tfprotov6.DiagnosticSeverityWarning} {
			if found := c.rec.find(sev, re); len(found) > 0 {
				resp.Error = fmt.Errorf("unexpected %s matching %s: %s", severityName(sev), re, found[0].Summary)
				return
			}
		}
	}
}

func compileAll(patterns []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		out[i] = regexp.MustCompile(p)
	}
	return out
}

// wantErrorsAt asserts that each pattern matches an error diagnostic on
// the attribute (summary and detail joined by a newline).
func wantErrorsAt(t *testing.T, rec *diagRecorder, attr string, patterns ...string) {
	t.Helper()
	wantDiagsAt(t, rec, tfprotov6.DiagnosticSeverityError, attr, patterns...)
}

// wantDiagsAt is wantErrorsAt for diagnostics of any severity.
func wantDiagsAt(t *testing.T, rec *diagRecorder, sev tfprotov6.DiagnosticSeverity, attr string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		found := rec.find(sev, regexp.MustCompile(p))
		if len(found) == 0 {
			t.Fatalf("no %s matches %s; the provider returned:\n%s", severityName(sev), p, rec.summaries())
		}
		for _, d := range found {
			if got := attributeName(d); got != attr {
				t.Fatalf("%s %q is on %q, want %q", severityName(sev), d.Summary, got, attr)
			}
		}
	}
}

// attributeName is the root attribute a diagnostic is about, or "".
func attributeName(d *tfprotov6.Diagnostic) string {
	if d.Attribute == nil || len(d.Attribute.Steps()) == 0 {
		return ""
	}
	if name, ok := d.Attribute.Steps()[0].(tftypes.AttributeName); ok {
		return string(name)
	}
	return ""
}

// wrapped compiles a pattern whose spaces match any run of white space, as
// Terraform wraps diagnostic text.
func wrapped(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

// What reached the sandbox.

// planCheckFunc is a plan check made of a function, for assertions on the
// sandbox rather than on the plan.
type planCheckFunc func() error

func (f planCheckFunc) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// oktaRequestsOnly checks that the org's Okta API received requests only
// on the given endpoints since its counters were reset.
func (e *accEnv) oktaRequestsOnly(org string, endpoints ...string) planCheckFunc {
	return func() error {
		for ep, c := range e.SB.Org(org).RequestCounts() {
			if c.Requests > 0 && !slices.Contains(endpoints, ep) {
				return fmt.Errorf("Okta org %s received %d request(s) on %s; want only %s", org, c.Requests, ep, strings.Join(endpoints, ", "))
			}
		}
		return nil
	}
}

// sourcesMatch checks that the sandbox holds exactly one source per app,
// with exactly the app's instance, and nothing else in acme.
func (e *accEnv) sourcesMatch(apps []spareApp) error {
	got := e.acmeSources()
	var problems []string
	for _, a := range apps {
		ss := got[a.Key]
		switch {
		case len(ss) != 1:
			problems = append(problems, fmt.Sprintf("%s has %d sources", a.Key, len(ss)))
		case !slices.Equal(ss[0].InstanceIDs(), []string{a.ID}):
			problems = append(problems, fmt.Sprintf("%s's source %s has instances %v, want [%s]", a.Key, ss[0].ID, ss[0].InstanceIDs(), a.ID))
		}
		delete(got, a.Key)
	}
	for app, ss := range got {
		problems = append(problems, fmt.Sprintf("orphan: %d source(s) for %s (%s)", len(ss), app, ss[0].ID))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("the sandbox's sources do not match the configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// The state.

// stateMatches checks that every connection in the state names the
// sandbox's source for its app with the same instances (apps declared by
// connectionsHCL).
func (e *accEnv) stateMatches(apps []spareApp) func(*terraform.State) error {
	return func(s *terraform.State) error {
		if err := e.sourcesMatch(apps); err != nil {
			return err
		}
		sources := e.acmeSources()
		n := 0
		for addr, rs := range s.RootModule().Resources {
			if rs.Type == "ispm_source_connection" {
				n++
				app := strings.TrimPrefix(addr, "ispm_source_connection.")
				if src := sources[app]; len(src) != 1 || src[0].ID != rs.Primary.ID {
					return fmt.Errorf("%s has id %s; the sandbox's source for %s is %v", addr, rs.Primary.ID, app, src)
				}
				var ids []string
				for k, v := range rs.Primary.Attributes {
					if strings.HasPrefix(k, "instance_ids.") && k != "instance_ids.#" {
						ids = append(ids, v)
					}
				}
				if want := sources[app][0].InstanceIDs(); !slices.Equal(ids, want) {
					return fmt.Errorf("%s has instance_ids %v; the sandbox's source has %v", addr, ids, want)
				}
				if rs.Primary.Attributes["status"] != "CONNECTED" {
					return fmt.Errorf("%s is %s", addr, rs.Primary.Attributes["status"])
				}
			}
		}
		if n != len(apps) {
			return fmt.Errorf("the state holds %d connections, want %d", n, len(apps))
		}
		return nil
	}
}

// checkOf finds check id of instance instanceID in a flattened
// ispm_app_eligibility state and compares it.
func checkOf(resName, instanceID, checkID, result, evidence string, message *regexp.Regexp, wantFix bool) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[resName]
		if !ok {
			return fmt.Errorf("%s not in state", resName)
		}
		a := rs.Primary.Attributes
		for i := 0; a[fmt.Sprintf("instances.%d.id", i)] != ""; i++ {
			if a[fmt.Sprintf("instances.%d.id", i)] != instanceID {
				continue
			}
			for c := 0; a[fmt.Sprintf("instances.%d.checks.%d.id", i, c)] != ""; c++ {
				p := fmt.Sprintf("instances.%d.checks.%d.", i, c)
				if a[p+"id"] != checkID {
					continue
				}
				if a[p+"result"] != result || a[p+"evidence"] != evidence {
					return fmt.Errorf("%s %s: result %s/%s, want %s/%s (%s)", instanceID, checkID, a[p+"result"], a[p+"evidence"], result, evidence, a[p+"message"])
				}
				if message != nil && !message.MatchString(a[p+"message"]) {
					return fmt.Errorf("%s %s: message %q does not match %s", instanceID, checkID, a[p+"message"], message)
				}
				if wantFix {
					if a[p+"remediation.#"] == "0" || a[p+"remediation.#"] == "" {
						return fmt.Errorf("%s %s: no remediation", instanceID, checkID)
					}
					if !strings.Contains(a[p+"admin_console_url"], "/admin/app/") || !strings.Contains(a[p+"admin_console_url"], instanceID) {
						return fmt.Errorf("%s %s: admin_console_url %q is not the instance's Admin Console page", instanceID, checkID, a[p+"admin_console_url"])
					}
				}
				return nil
			}
			return fmt.Errorf("%s has no check %s", instanceID, checkID)
		}
		return fmt.Errorf("%s: no instance %s in state", resName, instanceID)
	}
}

// onlyFailure asserts that instanceID fails exactly the given check on its
// own evidence (every other check passes or follows from it).
func onlyFailure(resName, instanceID, checkID string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a := s.RootModule().Resources[resName].Primary.Attributes
		for i := 0; a[fmt.Sprintf("instances.%d.id", i)] != ""; i++ {
			if a[fmt.Sprintf("instances.%d.id", i)] != instanceID {
				continue
			}
			if a[fmt.Sprintf("instances.%d.eligible", i)] != "false" {
				return fmt.Errorf("%s is eligible", instanceID)
			}
			for c := 0; a[fmt.Sprintf("instances.%d.checks.%d.id", i, c)] != ""; c++ {
				p := fmt.Sprintf("instances.%d.checks.%d.", i, c)
				id, res, cause := a[p+"id"], a[p+"result"], a[p+"cause"]
				switch {
				case id == checkID && res != "fail":
					return fmt.Errorf("%s %s = %s, want fail", instanceID, id, res)
				case id != checkID && res == "fail" && cause != checkID:
					return fmt.Errorf("%s also fails %s (%s)", instanceID, id, a[p+"message"])
				}
			}
			return nil
		}
		return fmt.Errorf("%s: no instance %s", resName, instanceID)
	}
}

// allStatus checks that every app a gallery data source kept has status.
func allStatus(name, status string) resource.TestCheckFunc {
	re := regexp.MustCompile(`^apps\.[^.]+\.status$`)
	return func(s *terraform.State) error {
		for k, v := range s.RootModule().Resources[name].Primary.Attributes {
			if re.MatchString(k) && v != status {
				return fmt.Errorf("%s = %q, want %q", k, v, status)
			}
		}
		return nil
	}
}

// atLeast checks that an attribute is a number of at least n.
func atLeast(n int) resource.CheckResourceAttrWithFunc {
	return func(v string) error {
		var got int
		if _, err := fmt.Sscan(v, &got); err != nil || got < n {
			return fmt.Errorf("got %q, want at least %d", v, n)
		}
		return nil
	}
}

// CheckDestroy.

// noSourceFor is a CheckDestroy asserting that the sandbox has no source
// left for any of the apps.
func (e *accEnv) noSourceFor(orgID string, apps ...string) func(*terraform.State) error {
	return func(*terraform.State) error {
		for _, app := range apps {
			if ss := e.sourcesOf(orgID, app); len(ss) > 0 {
				return fmt.Errorf("destroy left %d source(s) for %s in %s: %s", len(ss), app, orgID, ss[0].ID)
			}
		}
		return nil
	}
}

// noAcmeSources is a CheckDestroy: nothing is left in acme.
func (e *accEnv) noAcmeSources(*terraform.State) error {
	if left := e.acmeSources(); len(left) > 0 {
		var apps []string
		for app := range left {
			apps = append(apps, app)
		}
		sort.Strings(apps)
		return fmt.Errorf("destroy left sources for %s", strings.Join(apps, ", "))
	}
	return nil
}

// Odds and ends.

// sortedCopy returns ss sorted.
func sortedCopy(ss ...string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

// testKeyPEM is a new RSA private key in PEM, PKCS #8 or PKCS #1.
func testKeyPEM(t *testing.T, pkcs8 bool) string {
	t.Helper()
	priv, _ := testKeyPair(t, pkcs8)
	return priv
}

// testKeyPair is a new RSA key pair in PEM: the private key (PKCS #8 or
// PKCS #1) and the public key (PKIX), as an Okta service app holds it.
func testKeyPair(t *testing.T, pkcs8 bool) (privPEM, pubPEM string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	if pkcs8 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), pubPEM
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), pubPEM
}

// diagPath is the attribute a diagnostic is on, or the empty path.
func diagPath(d diag.Diagnostic) path.Path {
	if wp, ok := d.(diag.DiagnosticWithPath); ok {
		return wp.Path()
	}
	return path.Empty()
}
