package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

func TestAccSmokeAppEligibilityStatuses(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(
				eligibilityBlock("google", acme, "google") +
					eligibilityBlock("zoomus", acme, "zoomus") +
					eligibilityBlock("slack", acme, "slack") +
					eligibilityBlock("office365", "oktaorg_acme", "office365")),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.google", "status", "NOT_INTEGRATED"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.google", "instances.#", "0"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.google", "display_name", "Google Workspace"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.zoomus", "status", "PROVISIONING_DISABLED"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.zoomus", "eligible_instance_ids.#", "0"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "status", "AVAILABLE"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "instances.#", "4"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "eligible_instance_ids.#", "1"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "eligible_instance_ids.0", acmeSlack),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "okta_verified", "true"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "okta_org_id", "oktaorg_acme"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.office365", "status", "CONNECTED"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.office365", "powered_by", "OIN"),
				checkOf("data.ispm_app_eligibility.slack", acmeSlack, "P6_IMPORT_USERS", "pass", "okta_api", nil, false),
				checkOf("data.ispm_app_eligibility.slack", acmeSlack, "P7_IMPORT_GROUPS", "pass", "ispm_api", nil, false),
			),
		}},
	})
}

func TestAccAppEligibilityEachFailingPrerequisite(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	// Isolate P6 on the EU workspace: Import Groups on, Import Users still off.
	if err := env.SB.Org("acme").SetImportGroups(acmeSlackEU, true); err != nil {
		t.Fatal(err)
	}
	if err := env.SB.ISPM().Refresh("oktaorg_acme"); err != nil {
		t.Fatal(err)
	}
	acme := env.Domain("acme")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(
				eligibilityBlock("p3", acme, "slack", notInstalledID) +
					eligibilityBlock("p4", acme, "slack", acmeSlackLegacy) +
					eligibilityBlock("p5", acme, "slack", acmeSlackSandbox) +
					eligibilityBlock("p6", acme, "slack", acmeSlackEU) +
					eligibilityBlock("p7", acme, "okta_org2org", acmeOrg2Org5) +
					eligibilityBlock("p2", env.Domain("globex"), "slack", globexSlack)),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkOf("data.ispm_app_eligibility.p3", notInstalledID, "P3_INSTALLED", "fail", "okta_api", regexp.MustCompile(`not|no app`), false),
				onlyFailure("data.ispm_app_eligibility.p3", notInstalledID, "P3_INSTALLED"),
				checkOf("data.ispm_app_eligibility.p4", acmeSlackLegacy, "P4_ACTIVE", "fail", "okta_api", regexp.MustCompile(`INACTIVE`), true),
				onlyFailure("data.ispm_app_eligibility.p4", acmeSlackLegacy, "P4_ACTIVE"),
				checkOf("data.ispm_app_eligibility.p5", acmeSlackSandbox, "P5_PROVISIONING", "fail", "okta_api", regexp.MustCompile(`DISABLED|disabled|not enabled`), true),
				checkOf("data.ispm_app_eligibility.p6", acmeSlackEU, "P6_IMPORT_USERS", "fail", "okta_api", regexp.MustCompile(`IMPORT_NEW_USERS`), true),
				onlyFailure("data.ispm_app_eligibility.p6", acmeSlackEU, "P6_IMPORT_USERS"),
				checkOf("data.ispm_app_eligibility.p7", acmeOrg2Org5, "P7_IMPORT_GROUPS", "fail", "ispm_api", regexp.MustCompile(`Import Groups`), true),
				onlyFailure("data.ispm_app_eligibility.p7", acmeOrg2Org5, "P7_IMPORT_GROUPS"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.p2", "org_checks.1.id", "P2_LIFECYCLE_MANAGEMENT"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.p2", "org_checks.1.result", "fail"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.p2", "org_checks.1.evidence", "okta_api"),
				resource.TestMatchResourceAttr("data.ispm_app_eligibility.p2", "org_checks.1.message", regexp.MustCompile(`E0000015`)),
				resource.TestCheckResourceAttrSet("data.ispm_app_eligibility.p2", "org_checks.1.remediation.0"),
				checkOf("data.ispm_app_eligibility.p2", globexSlack, "P2_LIFECYCLE_MANAGEMENT", "fail", "okta_api", nil, false),
			),
		}},
	})
}

func TestAccAppEligibilityUnverifiedImportGroups(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(eligibilityBlock("legacy", env.Domain("acme"), "slack", acmeSlackLegacy)),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkOf("data.ispm_app_eligibility.legacy", acmeSlackLegacy, "P7_IMPORT_GROUPS", "unverified", "inferred",
					regexp.MustCompile(`no public API field for Import Groups`), false),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.legacy", "eligible_instance_ids.#", "0"),
			),
		}},
	})
}

func TestAccAppEligibilityWithoutOktaCredentials(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig([]string{"acme"}) + `
data "ispm_okta_orgs" "all" {}
` + eligibilityBlock("slack", "oktaorg_acme", "slack") + eligibilityBlock("office365", env.Domain("acme"), "office365"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.#", "2"),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.0.okta_credentials", "true"),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.1.id", "oktaorg_globex"),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.1.okta_credentials", "false"),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.1.connection_state", "CONNECTED"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "okta_verified", "true"),
			),
		}, {
			// Only acme's credentials: globex is judged on ISPM's evidence alone.
			Config: env.ProviderConfig([]string{"acme"}) + eligibilityBlock("globex", env.Domain("globex"), "slack"),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.globex", "okta_verified", "false"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.globex", "org_checks.1.result", "unverified"),
				resource.TestMatchResourceAttr("data.ispm_app_eligibility.globex", "org_checks.1.message", regexp.MustCompile(`no Okta credentials`)),
				resource.TestMatchResourceAttr("data.ispm_app_eligibility.globex", "org_checks.1.remediation.0", regexp.MustCompile(`okta_org block`)),
				checkOf("data.ispm_app_eligibility.globex", globexSlack, "P3_INSTALLED", "pass", "ispm_api", nil, false),
			),
		}},
	})
}

func TestAccAppEligibilityBadInput(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, func(sc *sandbox.Scenario) {})
	if err := env.SB.ISPM().SetOrgConnectionState("oktaorg_globex", ispm.OrgDisconnected); err != nil {
		t.Fatal(err)
	}
	acme := env.Domain("acme")
	cases := []struct {
		config string
		want   string
	}{
		{eligibilityBlock("x", acme, "slak"), `(?s)App not in the ISPM Sources Gallery.*"slak" is not in the ISPM Sources Gallery.*Did you mean: slack`},
		{eligibilityBlock("x", "initech.okta.com", "slack"), `(?s)Unknown Okta org.*No Okta org "initech.okta.com".*oktaorg_acme`},
		{eligibilityBlock("x", env.Domain("globex"), "slack"), `(?s)Okta org not connected to ISPM.*DISCONNECTED.*Settings`},
		{eligibilityBlock("x", acme, "slack", acmeOffice365), `(?s)Instance of another app.*is an instance of "office365", not of "slack"`},
		{eligibilityBlock("x", acme, "slack", "slack-prod"), `(?s)instance_ids.*must be an Okta app instance id`},
	}
	for _, tc := range cases {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps:                    []resource.TestStep{{Config: env.Config(tc.config), ExpectError: regexp.MustCompile(tc.want)}},
		})
	}
}

// TestAccDataSourcesShareOneListing proves the Okta app listing is read once
// per org per provider process, however many data sources ask.
func TestAccDataSourcesShareOneListing(t *testing.T) {
	t.Parallel()
	listings := func(many bool) (apps, groups int64) {
		env := newAccEnv(t)
		acme := env.Domain("acme")
		body := eligibilityBlock("one", acme, "slack")
		if many {
			body = `data "ispm_okta_orgs" "all" {}
data "ispm_sources_gallery" "acme" { okta_org = "` + acme + `" }
`
			for i, app := range []string{"slack", "office365", "zoomus", "okta_org2org", "acme_hrportal_1", "google"} {
				body += eligibilityBlock(fmt.Sprintf("a%d", i), acme, app)
				body += eligibilityBlock(fmt.Sprintf("b%d", i), "oktaorg_acme", app)
			}
			body += eligibilityBlock("legacy", acme, "slack", acmeSlackLegacy)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps:                    []resource.TestStep{{Config: env.Config(body)}},
		})
		counts := env.SB.Org("acme").RequestCounts()
		return counts["GET /api/v1/apps"].Requests, counts["GET /api/v1/groups"].Requests
	}
	oneApps, oneGroups := listings(false)
	manyApps, manyGroups := listings(true)
	if oneApps == 0 {
		t.Fatal("the Okta app listing was never read")
	}
	if manyApps != oneApps {
		t.Fatalf("GET /api/v1/apps: %d requests for 1 data source, %d for 15: the listing must be read once per org per provider process", oneApps, manyApps)
	}
	if manyGroups > oneApps {
		t.Fatalf("GET /api/v1/groups: %d requests, more than one search per provider process (%d processes)", manyGroups, oneApps)
	}
	t.Logf("apps listings: %d (one data source) vs %d (15); group searches %d vs %d", oneApps, manyApps, oneGroups, manyGroups)
}
