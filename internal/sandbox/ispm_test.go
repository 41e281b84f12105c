package sandbox_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract/contracttest"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// Slack instances of the default scenario's acme org.
const (
	slackReady    = "0oaqd88NE1biWUfTHYt2"
	slackNoImport = "0oa8HmkgHdj4FAgOAPUP"
	office365     = "0oaxN0TYhm5PcYZSJeby"
)

func startDefault(t *testing.T) (*sandbox.Sandbox, *ispm.RESTClient) {
	t.Helper()
	sb := start(t, sandbox.DefaultScenario())
	return sb, ispmClientOf(t, sb)
}

// ispmClientOf is the provider's ISPM client for sb, with every request
// and answer checked against the contract.
func ispmClientOf(t *testing.T, sb *sandbox.Sandbox) *ispm.RESTClient {
	t.Helper()
	info := sb.Info()
	v := contracttest.New(t)
	c, err := ispm.NewClient(ispm.Config{
		Endpoint: info.Env["ISPM_ENDPOINT"], APIToken: info.Env["ISPM_API_TOKEN"],
		HTTPClient: httpx.NewClient(httpx.Options{Base: v.Transport(nil, contracttest.Both)}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInfoAnnouncesISPM(t *testing.T) {
	t.Parallel()
	sb, _ := startDefault(t)
	b, err := json.Marshal(sb.Info())
	if err != nil {
		t.Fatal(err)
	}
	var line struct {
		Env  map[string]string `json:"env"`
		ISPM struct {
			Endpoint string `json:"endpoint"`
			APIToken string `json:"api_token"`
		} `json:"ispm"`
	}
	if err := json.Unmarshal(b, &line); err != nil {
		t.Fatal(err)
	}
	if line.ISPM.Endpoint != sb.URL() || line.ISPM.APIToken == "" ||
		line.Env["ISPM_ENDPOINT"] != line.ISPM.Endpoint || line.Env["ISPM_API_TOKEN"] != line.ISPM.APIToken {
		t.Fatalf("first line: %s", b)
	}
}

func TestISPMFollowsTheSandboxOktaOrgs(t *testing.T) {
	t.Parallel()
	sb, c := startDefault(t)
	ctx := context.Background()
	acme := sb.Org("acme")

	org, err := c.FindOrgByDomain(ctx, acme.URL())
	if err != nil || org.ID != "oktaorg_acme" || org.Domain != acme.Domain() {
		t.Fatalf("acme in ISPM: %+v %v", org, err)
	}
	if _, err := c.FindOrgByDomain(ctx, sb.Org("globex").Domain()); err != nil {
		t.Fatalf("globex in ISPM: %v", err)
	}

	st, err := c.GetAppStatus(ctx, "oktaorg_acme", "slack")
	if err != nil || st.Status != ispm.StatusAvailable {
		t.Fatalf("slack: %+v %v", st, err)
	}
	if st, _ := c.GetAppStatus(ctx, "oktaorg_acme", "office365"); st.Status != ispm.StatusConnected || st.SourceID == "" {
		t.Fatalf("the scenario's Office 365 source: %+v", st)
	}
	custom, err := c.GetCatalogEntry(ctx, "acme_hrportal_1", "oktaorg_acme")
	if err != nil || custom.PoweredBy != ispm.PoweredByCustom || custom.OrgStatus.Status != ispm.StatusAvailable {
		t.Fatalf("custom app: %+v %v", custom, err)
	}
	if st, _ := c.GetAppStatus(ctx, "oktaorg_globex", "slack"); st.Status != ispm.StatusProvisioningDisabled {
		t.Fatalf("globex has no Lifecycle Management: %+v", st)
	}

	// Fix the Slack instance whose imports are off, through the Okta side.
	if err := acme.SetImportNewUsers(slackNoImport, true); err != nil {
		t.Fatal(err)
	}
	if err := acme.SetImportGroups(slackNoImport, true); err != nil {
		t.Fatal(err)
	}
	fresh, err := c.RefreshAppStatus(ctx, "oktaorg_acme", "slack")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range fresh.Instances {
		if in.ID == slackNoImport && !in.Eligible {
			t.Fatalf("after the fix and a refresh: %+v", in)
		}
	}
	src, err := c.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{slackReady, slackNoImport}, IdempotencyKey: "wiring-test"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.GetSource(ctx, src.ID); err != nil || got.Status != ispm.SourceConnected || got.Health.Status != ispm.HealthConnected {
		t.Fatalf("connected source: %+v %v", got, err)
	}

	// Deactivate it in Okta; ISPM's next health test sees it.
	if err := acme.Deactivate(slackReady); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(sb.URL()+"/_sandbox/ispm/health-checks", "application/json", strings.NewReader(`{"source_id":"`+src.ID+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, err := c.GetSource(ctx, src.ID)
	if err != nil || got.Health.Status != ispm.HealthFailed || got.Health.Reason != ispm.ReasonMissingConfiguration {
		t.Fatalf("after deactivation: %+v %v", got.Health, err)
	}
	if n := sb.ISPM().RequestCounts()["POST /api/v1/sources"]; n != 1 {
		t.Fatalf("%d creates counted", n)
	}
}

func TestScenarioISPMSection(t *testing.T) {
	t.Parallel()
	base := sandbox.DefaultScenario()
	orgs, err := json.Marshal(base.OktaOrgs)
	if err != nil {
		t.Fatal(err)
	}
	// Without an ispm section every Okta org is connected.
	sc, err := sandbox.ParseScenario([]byte(`{"okta_orgs":` + string(orgs) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.ISPM().Orgs(); len(got) != 2 {
		t.Fatalf("orgs without a section: %+v", got)
	}
	// Only acme connected: globex is an org ISPM does not know (P1).
	sc, err = sandbox.ParseScenario([]byte(`{"okta_orgs":` + string(orgs) + `,"ispm":{"orgs":[{"okta_org":"acme"}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if sb, err = sandbox.New(sc); err != nil || len(sb.ISPM().Orgs()) != 1 {
		t.Fatalf("one connected org: %v", err)
	}
	_, err = sandbox.ParseScenario([]byte(`{"okta_orgs":` + string(orgs) + `,"ispm":{"orgs":[{"okta_org":"initech"}]}}`))
	if err == nil || !strings.Contains(err.Error(), `"initech"`) {
		t.Fatalf("an unknown Okta org in the ispm section: %v", err)
	}
}
