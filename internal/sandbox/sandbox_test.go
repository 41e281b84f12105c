package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

func start(t *testing.T, sc sandbox.Scenario, opts ...sandbox.Option) *sandbox.Sandbox {
	t.Helper()
	sb, err := sandbox.New(sc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb
}

// The default scenario's documented states (README, "Default scenario").
func TestDefaultScenarioHasEveryReadinessState(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.New(sandbox.DefaultScenario())
	if err != nil {
		t.Fatal(err)
	}
	acme := sb.Org("acme")
	type want struct {
		name, status, connection        string
		prov, importUsers, importGroups bool
		groups                          int
	}
	wants := map[string]want{
		"Slack":                     {"slack", "ACTIVE", "ENABLED", true, true, true, 3},
		"Slack (EU workspace)":      {"slack", "ACTIVE", "ENABLED", true, false, false, 0},
		"Slack (Sandbox workspace)": {"slack", "ACTIVE", "DISABLED", false, false, false, 0},
		"Slack (Legacy)":            {"slack", "INACTIVE", "ENABLED", true, true, true, 0},
		"Microsoft Office 365":      {"office365", "ACTIVE", "ENABLED", true, true, true, 2},
		"Zoom":                      {"zoomus", "ACTIVE", "DISABLED", false, false, false, 0},
		"Okta Org2Org (3)":          {"okta_org2org", "ACTIVE", "ENABLED", true, true, true, 0},
		"Okta Org2Org (5)":          {"okta_org2org", "ACTIVE", "ENABLED", true, true, false, 0},
		"Okta Workflows":            {"okta_flow_sso", "ACTIVE", "UNKNOWN", true, true, false, 0},
		"Salesforce.com":            {"salesforce", "ACTIVE", "UNKNOWN", true, true, true, 1},
		"Box":                       {"boxnet", "ACTIVE", "UNKNOWN", false, false, false, 0},
		"HR Portal":                 {"acme_hrportal_1", "ACTIVE", "UNKNOWN", true, true, true, 2},
		"Intranet":                  {"acme_intranet_1", "ACTIVE", "UNKNOWN", false, false, false, 0},
		"Employee Handbook":         {"bookmark", "ACTIVE", "UNKNOWN", false, false, false, 0},
		"Expense Reports":           {"oidc_client", "ACTIVE", "UNKNOWN", false, false, false, 0},
		"acme.local":                {"active_directory", "ACTIVE", "UNKNOWN", true, true, true, 2},
	}
	seen := map[string]bool{}
	for _, st := range acme.Instances() {
		w, ok := wants[st.Label]
		if !ok {
			t.Errorf("unexpected app %q", st.Label)
			continue
		}
		seen[st.Label] = true
		got := want{st.Name, st.Status, st.Connection, st.ProvisioningEnabled, st.ImportNewUsers, st.ImportGroups, st.AppGroups}
		if got != w {
			t.Errorf("%s: %+v, want %+v", st.Label, got, w)
		}
		if st.Name == "google" {
			t.Errorf("google must not be installed")
		}
		if len(st.ID) != 20 || !strings.HasPrefix(st.ID, "0oa") || st.LastUpdated.IsZero() {
			t.Errorf("%s: id %q, lastUpdated %v", st.Label, st.ID, st.LastUpdated)
		}
	}
	if len(seen) != len(wants) {
		t.Errorf("%d of %d documented apps found", len(seen), len(wants))
	}
	globex := sb.Org("globex")
	if globex.LifecycleManagement() || acme.LifecycleManagement() != true || len(globex.Instances()) == 0 {
		t.Errorf("globex has no Lifecycle Management; acme has")
	}
	// The default scenario is the same on every call.
	a, _ := json.Marshal(sandbox.DefaultScenario())
	b, _ := json.Marshal(sandbox.DefaultScenario())
	if string(a) != string(b) {
		t.Error("DefaultScenario differs between calls")
	}
}

func TestStartInfoAndClose(t *testing.T) {
	t.Parallel()
	sb := start(t, sandbox.DefaultScenario())
	info := sb.Info()
	if len(info.OktaOrgs) != 2 || info.Control != sb.URL()+"/_sandbox" || sb.ControlURL() != info.Control {
		t.Fatalf("info: %+v", info)
	}
	acme := info.OktaOrgs[0]
	u, err := url.Parse(acme.URL)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Path != "" || acme.Domain != u.Host {
		t.Errorf("acme URL %q, domain %q", acme.URL, acme.Domain)
	}
	if acme.Name != "acme" || acme.APIToken != "sandbox-acme-token" || !acme.LifecycleManagement || info.OktaOrgs[1].LifecycleManagement {
		t.Errorf("orgs: %+v", info.OktaOrgs)
	}
	if info.Env["OKTA_ORG_NAME"] != "acme" || info.Env["OKTA_BASE_URL"] != acme.URL || info.Env["OKTA_API_TOKEN"] != "sandbox-acme-token" {
		t.Errorf("env: %v", info.Env)
	}
	if sb.Org("acme").URL() != acme.URL || sb.Org("nope") != nil || len(sb.Orgs()) != 2 {
		t.Errorf("org accessors")
	}
	req, _ := http.NewRequest(http.MethodGet, acme.URL+"/api/v1/apps", nil)
	req.Header.Set("Authorization", "SSWS "+acme.APIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("acme listing: %v", err)
	}
	resp.Body.Close()

	if err := sb.Start("127.0.0.1:0"); err == nil {
		t.Error("a second Start should fail")
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Error("the org still answers after Close")
	}
}

func TestStartRefusesNonLoopbackAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		sb, err := sandbox.New(sandbox.DefaultScenario())
		if err != nil {
			t.Fatal(err)
		}
		if err := sb.Start(addr); err == nil {
			_ = sb.Close()
			t.Errorf("Start(%q) succeeded", addr)
		}
	}
	sb2, _ := sandbox.New(sandbox.DefaultScenario())
	if err := sb2.Start("localhost:0"); err != nil {
		t.Errorf("localhost: %v", err)
	}
	_ = sb2.Close()
}

func TestParallelSandboxesAreIndependent(t *testing.T) {
	t.Parallel()
	a := start(t, sandbox.DefaultScenario())
	b := start(t, sandbox.DefaultScenario())
	slack := a.Org("acme").Instances()[0].ID
	if err := a.Org("acme").Deactivate(slack); err != nil {
		t.Fatal(err)
	}
	if st, _ := b.Org("acme").Instance(slack); st.Status != "ACTIVE" {
		t.Error("a change in one sandbox leaked into another")
	}
	if a.Org("acme").URL() == b.Org("acme").URL() {
		t.Error("two sandboxes share a port")
	}
}

func TestSandboxClockReachesTheOrgs(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	sb := start(t, sandbox.DefaultScenario(), sandbox.WithClock(func() time.Time { return fixed }))
	org := sb.Org("acme")
	slack := org.Instances()[0].ID
	if err := org.Deactivate(slack); err != nil {
		t.Fatal(err)
	}
	if st, _ := org.Instance(slack); !st.LastUpdated.Equal(fixed) {
		t.Errorf("lastUpdated %v, want the injected clock's %v", st.LastUpdated, fixed)
	}
}

func TestSetOktaFaultsReachesEveryOrg(t *testing.T) {
	t.Parallel()
	sb := start(t, sandbox.DefaultScenario())
	if err := sb.SetOktaFaults(oktasim.Faults{LatencyMS: 5}); err != nil {
		t.Fatal(err)
	}
	for _, org := range sb.Orgs() {
		if org.Faults().LatencyMS != 5 {
			t.Errorf("%s: %+v", org.Name(), org.Faults())
		}
	}
	if err := sb.SetOktaFaults(oktasim.Faults{ErrorRate: 3}); err == nil {
		t.Error("invalid faults were accepted")
	}
}

func TestSyntheticApps(t *testing.T) {
	t.Parallel()
	const n = 1000
	sc := sandbox.Scenario{OktaOrgs: []oktasim.OrgSpec{{
		Name: "big", APITokens: []oktasim.APIToken{{Token: "t"}}, SyntheticApps: &oktasim.SyntheticApps{Count: n, Seed: 3},
	}}}
	sb := start(t, sc)
	org := sb.Org("big")
	states := org.Instances()
	if len(states) != n {
		t.Fatalf("%d apps", len(states))
	}
	kinds := map[string]int{}
	for _, st := range states {
		switch {
		case st.Status == "INACTIVE":
			kinds["inactive"]++
		case !st.ProvisioningEnabled:
			kinds["no provisioning"]++
		case !st.ImportNewUsers:
			kinds["import unchecked"]++
		case !st.ImportGroups:
			kinds["import groups off"]++
		default:
			kinds["ready"]++
		}
	}
	for _, k := range []string{"inactive", "no provisioning", "import unchecked", "import groups off", "ready"} {
		if kinds[k] < n/50 {
			t.Errorf("only %d apps are %s: %v", kinds[k], k, kinds)
		}
	}
	// Deterministic for a seed.
	again, err := oktasim.NewOrg(sc.OktaOrgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if a := again.Instances(); a[n-1] != states[n-1] || a[17] != states[17] {
		t.Error("synthetic apps differ between runs with the same seed")
	}
	// Listing them takes pages of 200.
	req, _ := http.NewRequest(http.MethodGet, org.URL()+"/api/v1/apps", nil)
	req.Header.Set("Authorization", "SSWS t")
	pages := 0
	for next := org.URL() + "/api/v1/apps"; next != ""; pages++ {
		req.URL, _ = url.Parse(next)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %v", pages, err)
		}
		resp.Body.Close()
		next = ""
		for _, l := range resp.Header.Values("Link") {
			if strings.HasSuffix(l, `rel="next"`) {
				next = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
			}
		}
	}
	if pages != n/200 {
		t.Errorf("%d pages, want %d", pages, n/200)
	}
}

func BenchmarkNewSynthetic5000(b *testing.B) {
	sc := sandbox.Scenario{OktaOrgs: []oktasim.OrgSpec{{
		Name: "big", APITokens: []oktasim.APIToken{{Token: "t"}}, SyntheticApps: &oktasim.SyntheticApps{Count: 5000, Seed: 1},
	}}}
	for b.Loop() {
		if _, err := sandbox.New(sc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewAndStartDefault(b *testing.B) {
	for b.Loop() {
		sb, err := sandbox.New(sandbox.DefaultScenario())
		if err != nil {
			b.Fatal(err)
		}
		if err := sb.Start("127.0.0.1:0"); err != nil {
			b.Fatal(err)
		}
		_ = sb.Close()
	}
}
