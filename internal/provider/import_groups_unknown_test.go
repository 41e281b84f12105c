package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

const recordedOrg2Org5 = sandbox.RecordedOrg2Org5

// recordedListingOnly replaces the scenario with one Okta org, "recorded",
// built from a recorded app object alone, as an org loaded from real
// listings is: nothing states its hidden "Import Groups" setting.
func recordedListingOnly(t *testing.T) func(*sandbox.Scenario) {
	t.Helper()
	sc, err := sandbox.RecordedListingScenario("")
	if err != nil {
		t.Fatal(err)
	}
	return func(s *sandbox.Scenario) { *s = sc }
}

// TestAccImportGroupsNotStated: an instance of a recorded listing, ready in
// Okta, whose "Import Groups" setting the scenario does not state. With
// ISPM configured it is eligible, P7 passing on ISPM's word; without ISPM,
// Okta shows no APP_GROUP evidence, so P7 is unverified (neither pass nor
// fail) and the instance is ready only as far as Okta can show.
func TestAccImportGroupsNotStated(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, recordedListingOnly(t))
	ds := "data.ispm_app_eligibility.org2org"
	body := eligibilityBlock("org2org", env.Domain("recorded"), "okta_org2org")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(body),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr(ds, "status", "AVAILABLE"),
				resource.TestCheckResourceAttr(ds, "eligible_instance_ids.#", "1"),
				resource.TestCheckResourceAttr(ds, "eligible_instance_ids.0", recordedOrg2Org5),
				checkOf(ds, recordedOrg2Org5, "P7_IMPORT_GROUPS", "pass", "ispm_api", regexp.MustCompile(`ISPM reports Import Groups selected`), false),
				checkOf(ds, recordedOrg2Org5, "P6_IMPORT_USERS", "pass", "okta_api", nil, false),
			),
		}},
	})

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.OktaOnlyConfig([]string{"recorded"}) + eligibilityBlock("org2org", "recorded", "okta_org2org"),
			Check: resource.ComposeAggregateTestCheckFunc(
				checkOf(ds, recordedOrg2Org5, "P7_IMPORT_GROUPS", "unverified", "inferred", regexp.MustCompile(`ISPM is not configured`), true),
				checkOf(ds, recordedOrg2Org5, "P6_IMPORT_USERS", "pass", "okta_api", nil, false),
				resource.TestCheckResourceAttr(ds, "eligible_instance_ids.#", "0"),
				resource.TestCheckResourceAttr(ds, "okta_ready_instance_ids.#", "1"),
				resource.TestCheckResourceAttr(ds, "okta_ready_instance_ids.0", recordedOrg2Org5),
			),
		}},
	})
}
