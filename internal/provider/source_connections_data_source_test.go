package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

func TestAccSourceConnectionsDataSource(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	slack, err := env.SB.ISPM().ConsoleCreate(acmeOrgID, "slack", []string{acmeSlack}, "Slack (console)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.SB.ISPM().SetHealth(slack.ID, ispm.Health{Status: ispm.HealthFailed, Reason: ispm.ReasonMissingPermissions, Message: "Provisioning was disabled."}); err != nil {
		t.Fatal(err)
	}
	ids := func(name string, want ...string) statecheck.StateCheck {
		checks := make([]knownvalue.Check, len(want))
		for i, w := range want {
			checks[i] = knownvalue.StringExact(w)
		}
		return statecheck.ExpectKnownValue("data.ispm_source_connections."+name, tfjsonpath.New("ids"), knownvalue.ListExact(checks))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				Config: env.Config(`
data "ispm_source_connections" "all" {}

data "ispm_source_connections" "failed" {
  health = "FAILED"
}

data "ispm_source_connections" "acme_slack" {
  okta_org = "` + acme + `"
  app_name = "slack"
}

data "ispm_source_connections" "globex" {
  okta_org = "oktaorg_globex"
}

data "ispm_source_connections" "connecting" {
  status = "CONNECTING"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					ids("all", "src_office365acme01", slack.ID),
					ids("failed", slack.ID),
					ids("acme_slack", slack.ID),
					ids("globex"),
					ids("connecting"),
					statecheck.ExpectKnownValue("data.ispm_source_connections.acme_slack", tfjsonpath.New("okta_org_id"), knownvalue.StringExact(acmeOrgID)),
					statecheck.ExpectKnownValue("data.ispm_source_connections.all", tfjsonpath.New("okta_org_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.ispm_source_connections.failed", tfjsonpath.New("connections"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"id":           knownvalue.StringExact(slack.ID),
							"okta_org":     knownvalue.StringExact(acme),
							"okta_org_id":  knownvalue.StringExact(acmeOrgID),
							"app_name":     knownvalue.StringExact("slack"),
							"display_name": knownvalue.StringExact("Slack (console)"),
							"powered_by":   knownvalue.StringExact("OIN"),
							"status":       knownvalue.StringExact("CONNECTED"),
							"instance_ids": knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(acmeSlack)}),
							"health": knownvalue.ObjectPartial(map[string]knownvalue.Check{
								"status":  knownvalue.StringExact("FAILED"),
								"reason":  knownvalue.StringExact("MISSING_PERMISSIONS"),
								"message": knownvalue.StringExact("Provisioning was disabled."),
							}),
						}),
					})),
				},
			},
			{
				Config:      env.Config(`data "ispm_source_connections" "x" { status = "ACTIVE" }`),
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{
				Config:      env.Config(`data "ispm_source_connections" "x" { okta_org = "initech.okta.com" }`),
				ExpectError: regexp.MustCompile(`Unknown Okta org`),
			},
			{
				// The post-test destroy runs with the last step's config.
				Config: env.Config(""),
			},
		},
	})
}
