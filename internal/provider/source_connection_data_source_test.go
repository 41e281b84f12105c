package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccSourceConnectionDataSource(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	const scenarioSource = "src_office365acme01"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
data "ispm_source_connection" "by_id" {
  id = "` + scenarioSource + `"
}

data "ispm_source_connection" "by_app" {
  okta_org = "oktaorg_acme"
  app_name = "office365"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("okta_org"), knownvalue.StringExact(acme)),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("app_name"), knownvalue.StringExact("office365")),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("okta_org_id"), knownvalue.StringExact(acmeOrgID)),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("display_name"), knownvalue.StringExact("Microsoft Office 365")),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("status"), knownvalue.StringExact("CONNECTED")),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("created_at"), knownvalue.StringExact("2026-01-15T10:00:00Z")),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("health").AtMapKey("status"), knownvalue.StringExact("CONNECTED")),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("instance_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(acmeOffice365)})),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_id", tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"id": knownvalue.StringExact(acmeOffice365), "label": knownvalue.StringExact("Microsoft Office 365")}),
					})),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_app", tfjsonpath.New("id"), knownvalue.StringExact(scenarioSource)),
					statecheck.ExpectKnownValue("data.ispm_source_connection.by_app", tfjsonpath.New("okta_org"), knownvalue.StringExact(acmeOrgID)),
				},
			},
			{
				Config:      env.Config(`data "ispm_source_connection" "x" { id = "src_nope" }`),
				ExpectError: regexp.MustCompile(`No such ISPM connection`),
			},
			{
				Config:      env.Config("data \"ispm_source_connection\" \"x\" {\n  okta_org = \"" + acme + "\"\n  app_name = \"slack\"\n}\n"),
				ExpectError: regexp.MustCompile(`has no ISPM connection for the app "slack"`),
			},
			{
				Config:      env.Config("data \"ispm_source_connection\" \"x\" {\n  id       = \"" + scenarioSource + "\"\n  app_name = \"office365\"\n}\n"),
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				Config:      env.Config(`data "ispm_source_connection" "x" { app_name = "office365" }`),
				ExpectError: regexp.MustCompile(`Invalid Attribute Combination`),
			},
			{
				// The post-test destroy runs with the last step's config.
				Config: env.Config(""),
			},
		},
	})
}
