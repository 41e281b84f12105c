package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// Instances of the default sandbox scenario (internal/sandbox/scenarios/default.json).
const (
	acmeSlack        = "0oaqd88NE1biWUfTHYt2" // ready, with imported APP_GROUP groups
	acmeSlackEU      = "0oa8HmkgHdj4FAgOAPUP" // push only: import users and groups unchecked
	acmeSlackSandbox = "0oaLATg5EewIMeVcOxuf" // provisioning disabled
	acmeSlackLegacy  = "0oanmMaYeApl2IxgQlZP" // inactive
	acmeOffice365    = "0oaxN0TYhm5PcYZSJeby" // connected to ISPM in the scenario
	acmeZoom         = "0oaq3bt868bEjtyLd1d7" // provisioning disabled
	acmeOrg2Org5     = "0oardqt3r8Cet4BEh1d7" // ready but for Import Groups
	globexSlack      = "0oauIefpM7zly0WdCDY4" // org without Lifecycle Management
	notInstalledID   = "0oa0000000000000none"
)

func eligibilityBlock(name, org, app string, ids ...string) string {
	s := fmt.Sprintf("data \"ispm_app_eligibility\" %q {\n  okta_org = %q\n  app_name = %q\n", name, org, app)
	if len(ids) > 0 {
		s += fmt.Sprintf("  instance_ids = [%q]\n", strings.Join(ids, `", "`))
	}
	return s + "}\n"
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

func TestAccAppEligibilityStatuses(t *testing.T) {
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
		{eligibilityBlock("x", acme, "slak"), `(?s)Unknown app.*"slak" is not in the ISPM Sources Gallery.*Did you mean: slack`},
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
