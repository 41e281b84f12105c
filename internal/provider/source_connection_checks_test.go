package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

func pass(id eligibility.CheckID) eligibility.Check {
	return eligibility.Check{ID: id, Title: id.Title(), Result: eligibility.Pass, Evidence: eligibility.EvidenceOktaAPI, Message: "ok"}
}

// verdictWith is a verdict on one org whose instances pass every check but
// those given.
func verdictWith(orgChecks []eligibility.Check, instances map[string][]eligibility.Check) eligibility.Verdict {
	v := eligibility.Verdict{OrgDomain: "acme.okta.com", App: "slack", OrgChecks: []eligibility.Check{pass(eligibility.P1OrgConnected), pass(eligibility.P2LifecycleManagement)}}
	for _, c := range orgChecks {
		for i := range v.OrgChecks {
			if v.OrgChecks[i].ID == c.ID {
				v.OrgChecks[i] = c
			}
		}
	}
	for _, id := range sortedKeys(instances) {
		iv := eligibility.InstanceVerdict{ID: id, Label: "Slack " + id[len(id)-2:]}
		for _, cid := range eligibility.CheckIDs {
			c := pass(cid)
			if cid == eligibility.P1OrgConnected || cid == eligibility.P2LifecycleManagement {
				c = v.OrgChecks[0]
				if cid == eligibility.P2LifecycleManagement {
					c = v.OrgChecks[1]
				}
			}
			for _, o := range instances[id] {
				if o.ID == cid {
					c = o
				}
			}
			iv.Checks = append(iv.Checks, c)
		}
		v.Instances = append(v.Instances, iv)
	}
	return v
}

func sortedKeys(m map[string][]eligibility.Check) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sortedCopy(out...)
}

var p6Fail = eligibility.Check{
	ID: eligibility.P6ImportUsers, Title: eligibility.P6ImportUsers.Title(), Result: eligibility.Fail, Evidence: eligibility.EvidenceOktaAPI,
	Message:         "The app object lacks IMPORT_NEW_USERS",
	Remediation:     []string{"Open the Provisioning tab.", "Select Import New Users and Profile Updates."},
	AdminConsoleURL: "https://acme-admin.okta.com/admin/app/slack/instance/0oa00000000000000001/#tab-user-management",
}

func TestCheckReportNewInstanceEnforce(t *testing.T) {
	v := verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": {p6Fail}})
	diags := checkReport{Verdict: v, Mode: ModeEnforce}.diagnostics()
	if len(diags) != 1 || diags.ErrorsCount() != 1 {
		t.Fatalf("want one error, got %v", diags)
	}
	d := diags[0]
	if want := `Instance 0oa00000000000000001 ("Slack 01") fails P6 Import New Users and Profile Updates selected`; d.Summary() != want {
		t.Errorf("summary %q, want %q", d.Summary(), want)
	}
	for _, want := range []string{
		"The app object lacks IMPORT_NEW_USERS.\n\n",
		"Evidence: okta_api (verified through Okta's API).",
		"To fix it:\n  1. Open the Provisioning tab.\n  2. Select Import New Users and Profile Updates.",
		"Okta Admin Console: https://acme-admin.okta.com/admin/app/slack/instance/0oa00000000000000001/#tab-user-management",
		`set prerequisite_checks = "warn"`,
	} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("detail lacks %q:\n%s", want, d.Detail())
		}
	}
	if p := diagPath(d); !p.Equal(path.Root("instance_ids")) {
		t.Errorf("diagnostic on %s, want instance_ids", p)
	}
}

func TestCheckReportWarnAndErrorsOnly(t *testing.T) {
	v := verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": {p6Fail}})
	diags := checkReport{Verdict: v, Mode: ModeWarn}.diagnostics()
	if len(diags) != 1 || diags.WarningsCount() != 1 || !strings.Contains(diags[0].Detail(), `prerequisite_checks is "warn"`) {
		t.Fatalf("warn mode: want one warning, got %v", diags)
	}
	if diags := (checkReport{Verdict: v, Mode: ModeWarn, ErrorsOnly: true}).diagnostics(); len(diags) != 0 {
		t.Fatalf("errors only in warn mode: want nothing, got %v", diags)
	}
	if diags := (checkReport{Verdict: v, Mode: ModeEnforce, ErrorsOnly: true}).diagnostics(); diags.ErrorsCount() != 1 {
		t.Fatalf("errors only in enforce mode: want the error, got %v", diags)
	}
}

func TestCheckReportRegressionIsAWarning(t *testing.T) {
	p5 := eligibility.Check{ID: eligibility.P5Provisioning, Title: eligibility.P5Provisioning.Title(), Result: eligibility.Fail,
		Evidence: eligibility.EvidenceOktaAPI, Message: "Okta reports the provisioning connection as DISABLED."}
	v := verdictWith(nil, map[string][]eligibility.Check{
		"0oa00000000000000001": {p5},
		"0oa00000000000000002": {p6Fail},
	})
	diags := checkReport{Verdict: v, Mode: ModeEnforce, Existing: map[string]bool{"0oa00000000000000001": true}, SourceID: "src_1"}.diagnostics()
	if diags.ErrorsCount() != 1 || diags.WarningsCount() != 1 {
		t.Fatalf("want an error for the new instance and a warning for the connected one, got %v", diags)
	}
	for _, d := range diags {
		switch d.Severity() {
		case diag.SeverityWarning:
			if want := `Instance 0oa00000000000000001 ("Slack 01") of connection src_1 no longer meets P5 Provisioning enabled`; d.Summary() != want {
				t.Errorf("summary %q, want %q", d.Summary(), want)
			}
			if !strings.Contains(d.Detail(), "will mark it FAILED (MISSING_PERMISSIONS)") {
				t.Errorf("regression detail does not name the health reason:\n%s", d.Detail())
			}
		case diag.SeverityError:
			if !strings.HasPrefix(d.Summary(), "Instance 0oa00000000000000002") {
				t.Errorf("error %q is not about the added instance", d.Summary())
			}
		}
	}
}

func TestCheckReportRootCausesOnly(t *testing.T) {
	p3 := eligibility.Check{ID: eligibility.P3Installed, Title: eligibility.P3Installed.Title(), Result: eligibility.Fail,
		Evidence: eligibility.EvidenceOktaAPI, Message: "No such app instance."}
	var followers []eligibility.Check
	for _, id := range []eligibility.CheckID{eligibility.P4Active, eligibility.P5Provisioning, eligibility.P6ImportUsers, eligibility.P7ImportGroups} {
		followers = append(followers, eligibility.Check{ID: id, Title: id.Title(), Result: eligibility.Fail, Evidence: eligibility.EvidenceInferred, Cause: eligibility.P3Installed})
	}
	v := verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": append([]eligibility.Check{p3}, followers...)})
	diags := checkReport{Verdict: v, Mode: ModeEnforce}.diagnostics()
	if len(diags) != 1 {
		t.Fatalf("want the P3 failure alone, got %v", diags)
	}
	if !strings.Contains(diags[0].Detail(), "Because of this, P4 App instance active, P5 Provisioning enabled, P6 Import New Users and Profile Updates selected, P7 Import Groups selected cannot pass either") {
		t.Errorf("detail does not name the checks that follow:\n%s", diags[0].Detail())
	}
}

func TestCheckReportOrgChecksOnce(t *testing.T) {
	p2 := eligibility.Check{ID: eligibility.P2LifecycleManagement, Title: eligibility.P2LifecycleManagement.Title(), Result: eligibility.Fail,
		Evidence: eligibility.EvidenceOktaAPI, Message: "401 E0000015", Remediation: []string{"Ask your account team."}}
	p5 := eligibility.Check{ID: eligibility.P5Provisioning, Title: eligibility.P5Provisioning.Title(), Result: eligibility.Fail, Cause: eligibility.P2LifecycleManagement}
	v := verdictWith([]eligibility.Check{p2}, map[string][]eligibility.Check{
		"0oa00000000000000001": {p2, p5},
		"0oa00000000000000002": {p2, p5},
	})
	diags := checkReport{Verdict: v, Mode: ModeEnforce}.diagnostics()
	if len(diags) != 1 || diags.ErrorsCount() != 1 {
		t.Fatalf("want one org-level error, got %v", diags)
	}
	d := diags[0]
	if want := "Okta org acme.okta.com fails P2 Org subscribed to Okta Lifecycle Management"; d.Summary() != want {
		t.Errorf("summary %q, want %q", d.Summary(), want)
	}
	if p := diagPath(d); !p.Equal(path.Root("okta_org")) {
		t.Errorf("diagnostic on %s, want okta_org", p)
	}
	if !strings.Contains(d.Detail(), `P5 Provisioning enabled of instance 0oa00000000000000001 ("Slack 01"), P5 Provisioning enabled of instance 0oa00000000000000002`) {
		t.Errorf("detail does not name the instance checks that follow:\n%s", d.Detail())
	}
	// Of a connection whose instances were all connected: a warning.
	diags = checkReport{Verdict: v, Mode: ModeEnforce, SourceID: "src_1",
		Existing: map[string]bool{"0oa00000000000000001": true, "0oa00000000000000002": true}}.diagnostics()
	if len(diags) != 1 || diags.WarningsCount() != 1 || !strings.Contains(diags[0].Summary(), "of connection src_1 no longer meets P2") {
		t.Fatalf("want one regression warning, got %v", diags)
	}
}

func TestCheckReportUnverifiedIsAWarning(t *testing.T) {
	p7 := eligibility.Check{ID: eligibility.P7ImportGroups, Title: eligibility.P7ImportGroups.Title(), Result: eligibility.Unverified,
		Evidence: eligibility.EvidenceInferred, Message: "No evidence settles it."}
	v := verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": {p7}})
	diags := checkReport{Verdict: v, Mode: ModeEnforce}.diagnostics()
	if len(diags) != 1 || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	if want := `Instance 0oa00000000000000001 ("Slack 01"): P7 Import Groups selected could not be verified`; diags[0].Summary() != want {
		t.Errorf("summary %q, want %q", diags[0].Summary(), want)
	}
	if !strings.Contains(diags[0].Detail(), "Evidence: inferred (inferred from indirect evidence, not verified directly).") {
		t.Errorf("detail does not explain the evidence:\n%s", diags[0].Detail())
	}
}

func TestVerdictOktaVerified(t *testing.T) {
	ready := verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": nil})
	if !ready.OktaVerified() {
		t.Error("every check passed on Okta's evidence: ready")
	}
	byISPM := pass(eligibility.P5Provisioning)
	byISPM.Evidence = eligibility.EvidenceISPMAPI
	if (verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": {byISPM}})).OktaVerified() {
		t.Error("P5 rests on ISPM's word: not Okta's verdict")
	}
	if (verdictWith(nil, map[string][]eligibility.Check{"0oa00000000000000001": {p6Fail}})).OktaVerified() {
		t.Error("P6 fails: not ready")
	}
	if (eligibility.Verdict{}).OktaVerified() {
		t.Error("no instance: not ready")
	}
}

func TestCreateIdempotencyKey(t *testing.T) {
	k := createIdempotencyKey("oktaorg_acme", "slack", []string{"0oaB", "0oaA"})
	if k != createIdempotencyKey("oktaorg_acme", "slack", []string{"0oaA", "0oaB"}) {
		t.Error("the key depends on the order of the instances")
	}
	for name, other := range map[string]string{
		"org":       createIdempotencyKey("oktaorg_globex", "slack", []string{"0oaA", "0oaB"}),
		"app":       createIdempotencyKey("oktaorg_acme", "zoomus", []string{"0oaA", "0oaB"}),
		"instances": createIdempotencyKey("oktaorg_acme", "slack", []string{"0oaA"}),
		"split":     createIdempotencyKey("oktaorg_acm", "eslack", []string{"0oaA", "0oaB"}),
	} {
		if other == k {
			t.Errorf("another %s gives the same key", name)
		}
	}
	if len(k) > 255 || strings.ContainsAny(k, " \t\n") {
		t.Errorf("key %q is not a valid Idempotency-Key", k)
	}
}

func TestParseImportID(t *testing.T) {
	for _, tc := range []struct {
		in, source, org, app string
	}{
		{"src_office365acme01", "src_office365acme01", "", ""},
		{" src_x ", "src_x", "", ""},
		{"acme.okta.com/slack", "", "acme.okta.com", "slack"},
		{"oktaorg_acme/acme_hrportal_1", "", "oktaorg_acme", "acme_hrportal_1"},
		{"https://acme.okta.com/slack", "", "https://acme.okta.com", "slack"},
		{"127.0.0.1:8443/okta_org2org", "", "127.0.0.1:8443", "okta_org2org"},
	} {
		source, org, app, err := parseImportID(tc.in)
		if err != nil || source != tc.source || org != tc.org || app != tc.app {
			t.Errorf("parseImportID(%q) = %q, %q, %q, %v; want %q, %q, %q", tc.in, source, org, app, err, tc.source, tc.org, tc.app)
		}
	}
	for _, bad := range []string{"", "acme.okta.com:slack", "/slack", "acme.okta.com/", "https:///slack", "acme.okta.com/Slack App", "src x"} {
		if _, _, _, err := parseImportID(bad); err == nil || !strings.Contains(err.Error(), "acme.okta.com/slack or oktaorg_acme/slack") {
			t.Errorf("parseImportID(%q) = %v; want an error listing the accepted forms", bad, err)
		}
	}
}

func TestHealthFailure(t *testing.T) {
	src := &ispm.Source{ID: "src_1", App: "slack", Health: &ispm.Health{Status: ispm.HealthConnected}}
	if _, _, failed := healthFailure(src); failed {
		t.Error("a CONNECTED health is no failure")
	}
	if _, _, failed := healthFailure(&ispm.Source{ID: "src_1"}); failed {
		t.Error("an untested source is no failure")
	}
	checked := time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC)
	for reason, want := range map[ispm.HealthReason]string{
		ispm.ReasonFailedAuthentication: "reconnect the org",
		ispm.ReasonMissingPermissions:   "Turn provisioning back on",
		ispm.ReasonMissingConfiguration: "remove it from instance_ids",
	} {
		src.Health = &ispm.Health{Status: ispm.HealthFailed, Reason: reason, Message: "Something changed", LastCheckedAt: checked}
		summary, detail, failed := healthFailure(src)
		if !failed || summary != "ISPM connection src_1 (slack) is FAILED: "+string(reason) {
			t.Errorf("%s: summary %q", reason, summary)
		}
		for _, w := range []string{"Something changed.", "2026-03-01T04:00:00Z", want} {
			if !strings.Contains(detail, w) {
				t.Errorf("%s: detail lacks %q:\n%s", reason, w, detail)
			}
		}
	}
}

// memPrivate is private state in memory.
type memPrivate map[string][]byte

func (m memPrivate) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) {
	return m[key], nil
}

func (m memPrivate) SetKey(_ context.Context, key string, value []byte) diag.Diagnostics {
	if len(value) == 0 {
		delete(m, key)
	} else {
		m[key] = value
	}
	return nil
}

func TestTrustedRoundTrip(t *testing.T) {
	ctx := context.Background()
	enabled := eligibility.ProvisioningFacts{Connection: eligibility.ConnectionEnabled}
	facts := eligibility.OktaAppFacts{Credentials: true, Instances: []eligibility.OktaInstanceFacts{
		{ID: "0oa1", State: eligibility.AppFound, App: eligibility.AppObject{ID: "0oa1", LastUpdated: "2026-01-01T00:00:00.000Z"}, Provisioning: enabled},
		{ID: "0oa2", State: eligibility.AppFound, App: eligibility.AppObject{ID: "0oa2", LastUpdated: "2026-01-01T00:00:00.000Z"},
			Provisioning: eligibility.ProvisioningFacts{Connection: eligibility.ConnectionDisabled}},
		{ID: "0oa3", State: eligibility.AppFound, App: eligibility.AppObject{ID: "0oa3", LastUpdated: "2026-01-01T00:00:00.000Z"}, Provisioning: enabled},
	}}
	m := trustedFrom(facts, []string{"0oa1", "0oa2"})
	if len(m) != 1 || m["0oa1"].LastUpdated != "2026-01-01T00:00:00.000Z" {
		t.Fatalf("want only the enabled, planned instance remembered, got %+v", m)
	}
	p := memPrivate{}
	if diags := writeTrusted(ctx, p, m); diags.HasError() {
		t.Fatal(diags)
	}
	got := readTrusted(ctx, p)
	if !got["0oa1"].Usable() || got["0oa1"].Provisioning.Connection != eligibility.ConnectionEnabled {
		t.Fatalf("read back %+v", got)
	}
	if diags := writeTrusted(ctx, p, nil); diags.HasError() || len(p) != 0 {
		t.Fatalf("writing nothing should remove the key, have %v", p)
	}
	p[privateTrustedKey] = []byte(`{not json`)
	if got := readTrusted(ctx, p); got != nil {
		t.Errorf("unreadable private state should be ignored, got %+v", got)
	}
	if got := readTrusted(ctx, nil); got != nil {
		t.Errorf("no private state, got %+v", got)
	}
}

// fakeISPM answers the calls a test scripts; other calls panic.
type fakeISPM struct {
	ispm.Client
	gets     []*ispm.Source
	getErr   error
	getCalls int
}

func (f *fakeISPM) GetSource(_ context.Context, id string) (*ispm.Source, error) {
	f.getCalls++
	if f.getErr != nil {
		return nil, f.getErr
	}
	s := f.gets[min(f.getCalls, len(f.gets))-1]
	return s, nil
}

func TestWaitConnected(t *testing.T) {
	connecting := &ispm.Source{ID: "src_1", Status: ispm.SourceConnecting}
	connected := &ispm.Source{ID: "src_1", Status: ispm.SourceConnected}

	f := &fakeISPM{gets: []*ispm.Source{connecting, connecting, connected}}
	src, err := waitConnected(context.Background(), f, connecting, time.Millisecond, time.Minute, "create")
	if err != nil || src.Status != ispm.SourceConnected || f.getCalls != 3 {
		t.Fatalf("got %+v, %v after %d reads; want CONNECTED after 3", src, err, f.getCalls)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	f = &fakeISPM{gets: []*ispm.Source{connecting}}
	src, err = waitConnected(ctx, f, connecting, time.Millisecond, 20*time.Millisecond, "create")
	if err == nil || src.ID != "src_1" || !strings.Contains(err.Error(), "timeouts.create") || !strings.Contains(err.Error(), "marked tainted") {
		t.Fatalf("a source that never connects: got %+v, %v", src, err)
	}

	f = &fakeISPM{getErr: &ispm.APIError{Kind: ispm.KindNotFound, StatusCode: 404}}
	if _, err := waitConnected(context.Background(), f, connecting, time.Millisecond, time.Minute, "update"); err == nil || !strings.Contains(err.Error(), "disappeared") {
		t.Fatalf("a deleted source: got %v", err)
	}

	f = &fakeISPM{getErr: errors.New("connection refused")}
	if _, err := waitConnected(context.Background(), f, connecting, time.Millisecond, time.Minute, "update"); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("a read that fails: got %v", err)
	}

	// A state from a newer ISPM ends the wait at once instead of running
	// out the timeout.
	paused := &ispm.Source{ID: "src_1", Status: ispm.SourceStatus("PAUSED")}
	f = &fakeISPM{gets: []*ispm.Source{paused}}
	src, err = waitConnected(context.Background(), f, connecting, time.Millisecond, time.Hour, "create")
	if err == nil || f.getCalls != 1 || src.Status != "PAUSED" || !strings.Contains(err.Error(), `"PAUSED"`) || !strings.Contains(err.Error(), "marked tainted") {
		t.Fatalf("an unknown state: got %+v, %v after %d reads", src, err, f.getCalls)
	}
}

// TestNotFromOktaWarningsAreCapped: the first detailedInstances instances
// whose verdict did not come from Okta get a warning each, the rest one
// count naming a few of them, across every verdict of a gallery.
func TestNotFromOktaWarningsAreCapped(t *testing.T) {
	t.Parallel()
	verdict := func(app string, n int) eligibility.Verdict {
		v := eligibility.Verdict{App: app, OrgDomain: "acme.okta.com"}
		for i := range n {
			v.Instances = append(v.Instances, eligibility.InstanceVerdict{ID: fmt.Sprintf("0oa%s%03d", app, i),
				NotFromOkta: &eligibility.Substitute{Reason: "Okta answered 503.", Evidence: "ISPM's word"}})
		}
		v.Instances = append(v.Instances, eligibility.InstanceVerdict{ID: "0oaFROMOKTA"})
		return v
	}
	var diags diag.Diagnostics
	var n notFromOkta
	n.add(&diags, verdict("slack", 15), path.Empty())
	n.add(&diags, verdict("zoomus", 15), path.Empty())
	n.flush(&diags, path.Empty())
	if got := diags.WarningsCount(); got != detailedInstances+1 {
		t.Fatalf("%d warnings for 30 instances, want %d detailed and one count", got, detailedInstances)
	}
	last := diags[len(diags)-1]
	if !strings.HasPrefix(last.Summary(), "10 more instances: Okta did not verify") || !strings.Contains(last.Detail(), "0oazoomus005 (zoomus in acme.okta.com)") ||
		!strings.Contains(last.Detail(), "and 5 more") {
		t.Errorf("the count: %s: %s", last.Summary(), last.Detail())
	}
	for _, d := range diags {
		if strings.Contains(d.Summary()+d.Detail(), "0oaFROMOKTA") {
			t.Errorf("an instance Okta answered for is warned about: %s", d.Summary())
		}
	}
	diags = nil
	addNotFromOkta(&diags, verdict("slack", 3), path.Empty())
	if got := diags.WarningsCount(); got != 3 {
		t.Errorf("3 instances: %d warnings, want 3 and no count", got)
	}
}
