package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// From the default sandbox scenario (internal/sandbox/scenarios/default.json).
const (
	acmeOrgID    = "oktaorg_acme"         // ISPM's id of the Okta org "acme"
	acmeOrg2Org3 = "0oarbl93dtmzq0jjl1d7" // okta_org2org, ready
)

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

func hclStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

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

// creates counts the create requests ISPM received.
func (e *accEnv) creates() int { return e.SB.ISPM().RequestCounts()["POST /api/v1/sources"] }

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

// sortedCopy returns ss sorted.
func sortedCopy(ss ...string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

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
