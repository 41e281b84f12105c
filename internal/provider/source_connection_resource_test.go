package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

// TestAccSmokeSourceConnectionLifecycle creates a connection, adds an
// instance, imports it both ways and destroys it. It also runs on
// Terraform 1.5.7 and OpenTofu, so it uses nothing newer.
func TestAccSmokeSourceConnectionLifecycle(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	apac := env.installReady(t, "acme", "slack", "Slack (APAC)")
	const addr = "ispm_source_connection.slack"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config: env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("okta_org"), knownvalue.StringExact(acme)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("okta_org_id"), knownvalue.StringExact(acmeOrgID)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("CONNECTED")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringExact("Slack")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("powered_by"), knownvalue.StringExact("OIN")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("health").AtMapKey("status"), knownvalue.StringExact("CONNECTED")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("connected_at"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{"id": knownvalue.StringExact(acmeSlack), "label": knownvalue.StringExact("Slack")}),
					})),
				},
				Check: func(*terraform.State) error {
					src, err := env.oneSource(acmeOrgID, "slack")
					if err != nil {
						return err
					}
					if len(src.Instances) != 1 || src.Instances[0].ID != acmeSlack {
						return fmt.Errorf("ISPM's source has instances %+v, want only %s", src.Instances, acmeSlack)
					}
					return nil
				},
			},
			{
				Config: env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack, apac})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instance_ids"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact(acmeSlack), knownvalue.StringExact(apac),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instances"), knownvalue.ListSizeExact(2)),
				},
				Check: func(*terraform.State) error {
					src, err := env.oneSource(acmeOrgID, "slack")
					if err != nil {
						return err
					}
					if len(src.Instances) != 2 {
						return fmt.Errorf("ISPM's source has instances %+v, want %s and %s", src.Instances, acmeSlack, apac)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     acme + "/slack",
				ImportStateVerify: true,
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "acme.okta.com:slack",
				ExpectError:   regexp.MustCompile(`Invalid import ID`),
			},
		},
	})
}

// TestAccSmokeSourceConnectionReadinessPreview: a plan of instances that fail
// prerequisites fails before anything is created, naming each failing
// prerequisite of each instance with its fix; once the instance is fixed in
// Okta, the same kind of config plans and applies.
func TestAccSmokeSourceConnectionReadinessPreview(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	rec := &diagRecorder{}
	const addr = "ispm_source_connection.slack"

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config:      env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlackEU, acmeSlackSandbox})),
				ExpectError: regexp.MustCompile(`Instance 0oa8HmkgHdj4FAgOAPUP \("Slack \(EU workspace\)"\) fails P6 Import New`),
			},
			{
				PreConfig: func() {
					if n := env.creates(); n != 0 {
						t.Fatalf("a failing plan sent %d create request(s) to ISPM", n)
					}
					wantErrorsAt(t, rec, "instance_ids",
						`^Instance 0oa8HmkgHdj4FAgOAPUP \("Slack \(EU workspace\)"\) fails P6 Import New Users and Profile Updates selected\n`+
							`(?s).*lacks IMPORT_NEW_USERS and IMPORT_PROFILE_UPDATES.*`+
							`Evidence: okta_api \(verified through Okta's API\)\.\n\nTo fix it:\n  1\. In the Okta Admin Console open Applications › Applications › Slack \(EU workspace\) › Provisioning\.\n  2\. .*`+
							`Okta Admin Console: http://127\.0\.0\.1:\d+/admin/app/slack/instance/0oa8HmkgHdj4FAgOAPUP/#tab-user-management`,
						`^Instance 0oa8HmkgHdj4FAgOAPUP \("Slack \(EU workspace\)"\) fails P7 Import Groups selected\n`,
						`^Instance 0oaLATg5EewIMeVcOxuf \("Slack \(Sandbox workspace\)"\) fails P5 Provisioning enabled\n(?s).*DISABLED`,
						`^Instance 0oaLATg5EewIMeVcOxuf \("Slack \(Sandbox workspace\)"\) fails P6 Import New Users`,
						`^Instance 0oaLATg5EewIMeVcOxuf \("Slack \(Sandbox workspace\)"\) fails P7 Import Groups`,
					)
					if bad := rec.find(tfprotov6.DiagnosticSeverityError, regexp.MustCompile(`P[1-4]`)); len(bad) > 0 {
						t.Fatalf("unexpected diagnostic: %s", bad[0].Summary)
					}
					// The admin fixes the EU workspace in Okta.
					org := env.SB.Org("acme")
					if err := org.SetImportNewUsers(acmeSlackEU, true); err != nil {
						t.Fatal(err)
					}
					if err := org.SetImportGroups(acmeSlackEU, true); err != nil {
						t.Fatal(err)
					}
					rec.Reset()
				},
				Config: env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlackEU})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
					expectNoDiagnostics(rec),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("CONNECTED")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("instances"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(acmeSlackEU), "label": knownvalue.StringExact("Slack (EU workspace)"),
						}),
					})),
				},
			},
			{
				// On an applied state a plan costs the Okta app listing
				// and nothing per instance.
				PreConfig: func() { env.SB.Org("acme").ResetRequestCounts() },
				Config:    env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlackEU})),
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					env.oktaRequestsOnly("acme", "GET /api/v1/apps"),
				}},
			},
		},
	})
}

// TestAccSourceConnectionPlanErrors: what is wrong with the configuration
// itself fails the plan on the attribute at fault.
func TestAccSourceConnectionPlanErrors(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme, globex := env.Domain("acme"), env.Domain("globex")
	rec := &diagRecorder{}
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: env.Config(body), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		Steps: []resource.TestStep{
			step(connectionConfig("x", acme, "slak", []string{acmeSlack}), `App not in the ISPM Sources Gallery`),
			step(connectionConfig("x", "initech.okta.com", "slack", []string{acmeSlack}), `Unknown Okta org`),
			step(connectionConfig("x", acme, "slack", []string{acmeOffice365}), `fails P3 App instance installed`),
			step(connectionConfig("x", acme, "slack", []string{notInstalledID}), `Instance 0oa0000000000000none fails P3 App`),
			step(connectionConfig("x", acme, "slack", []string{"0oa123"}), `must be an Okta app instance id`),
			step(connectionConfig("x", acme, "slack", []string{}), `Attribute instance_ids set must contain at least 1`),
			step(connectionConfig("x", acme, "Slack App", []string{acmeSlack}), `must be a gallery key`),
			step(connectionConfig("x", acme, "slack", []string{acmeSlack}, `prerequisite_checks = "strict"`), `value must be one of`),
			{
				PreConfig: func() {
					wantErrorsAt(t, rec, "app_name", `(?s)^App not in the ISPM Sources Gallery\n.*"slak".*Did you mean: slack`)
					wantErrorsAt(t, rec, "okta_org", `^Unknown Okta org\n`)
					wantErrorsAt(t, rec, "instance_ids",
						`(?s)^Instance 0oaxN0TYhm5PcYZSJeby \("Microsoft Office 365"\) fails P3 App instance installed\n.*is an instance of the app "office365", not of "slack"`,
						`(?s)^Instance 0oa0000000000000none fails P3 App instance installed\n.*Because of this, P4 App instance active, P5 Provisioning enabled, P6 Import New Users and Profile Updates selected, P7 Import Groups selected cannot pass either`)
					if d := rec.find(tfprotov6.DiagnosticSeverityError, regexp.MustCompile(`fails P[4-7]`)); len(d) > 0 {
						t.Fatalf("a check that follows from P3 was reported on its own: %s", d[0].Summary)
					}
					rec.Reset()
				},
				Config:      env.Config(connectionConfig("x", globex, "slack", []string{globexSlack})),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`fails P2 Org subscribed to Okta Lifecycle Management`),
			},
			{
				PreConfig: func() {
					wantErrorsAt(t, rec, "okta_org", `(?s)^Okta org 127\.0\.0\.1:\d+ fails P2 Org subscribed to Okta Lifecycle Management\n.*401 E0000015`)
					if n := env.creates(); n != 0 {
						t.Fatalf("failing plans sent %d create request(s) to ISPM", n)
					}
				},
				Config:   env.Config(`resource "terraform_data" "noop" {}`),
				PlanOnly: true, ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccSourceConnectionModes: warn turns failures into warnings (ISPM
// still refuses at apply), off skips the checks, a resource's own setting
// overrides the provider's, and unverified checks warn even in enforce.
func TestAccSourceConnectionModes(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	rec := &diagRecorder{}
	reset := func() { rec.Reset() }
	warnEU := connectionConfig("eu", acme, "slack", []string{acmeSlackEU}, `prerequisite_checks = "warn"`)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				PreConfig: reset,
				Config:    env.Config(warnEU),
				PlanOnly:  true, ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					expectWarnings(rec,
						`^Instance 0oa8HmkgHdj4FAgOAPUP \("Slack \(EU workspace\)"\) fails P6 Import New Users(?s).*prerequisite_checks is "warn", so this does not stop the plan`,
						`^Instance 0oa8HmkgHdj4FAgOAPUP \("Slack \(EU workspace\)"\) fails P7 Import Groups`),
				}},
			},
			{
				// ISPM refuses what the warnings announced.
				PreConfig:   reset,
				Config:      env.Config(warnEU),
				ExpectError: regexp.MustCompile(`ISPM refused to connect the instances`),
			},
			{
				PreConfig: func() {
					wantErrorsAt(t, rec, "instance_ids", `(?s)^ISPM refused to connect the instances\n.*Instance 0oa8HmkgHdj4FAgOAPUP fails P6_IMPORT_USERS`)
					reset()
				},
				Config:   env.ProviderConfig(nil, `prerequisite_checks = "off"`) + connectionConfig("eu", acme, "slack", []string{acmeSlackEU}),
				PlanOnly: true, ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{expectNoDiagnostics(rec)}},
			},
			{
				Config: env.ProviderConfig(nil, `prerequisite_checks = "warn"`) +
					connectionConfig("eu", acme, "slack", []string{acmeSlackEU}, `prerequisite_checks = "enforce"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`fails P6 Import New Users`),
			},
			{
				// Without Okta credentials for acme, an instance ISPM's
				// gallery does not list cannot be judged: a warning, even
				// in enforce, never a made-up failure.
				PreConfig: reset,
				Config:    env.ProviderConfig([]string{"globex"}) + connectionConfig("x", acme, "slack", []string{notInstalledID}),
				PlanOnly:  true, ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					expectWarnings(rec, `(?s)^Instance 0oa0000000000000none: P3 App instance installed could not be verified\n.*add an okta_org block`),
					expectNoDiagnostics(rec, `fails P`),
				}},
			},
		},
	})
}

// TestAccSourceConnectionUnknownInstanceIDs: instance ids known only at
// apply (here from terraform_data, as from the Okta provider) are checked
// at apply: a failing one stops the apply before ISPM is called, a ready
// one is connected.
func TestAccSourceConnectionUnknownInstanceIDs(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	apac := env.installReady(t, "acme", "slack", "Slack (APAC)")
	rec := &diagRecorder{}
	config := func(id string) string {
		return env.Config(fmt.Sprintf("resource \"terraform_data\" \"app\" {\n  input = %q\n}\n", id) +
			"resource \"ispm_source_connection\" \"slack\" {\n  okta_org     = \"" + acme + "\"\n  app_name     = \"slack\"\n  instance_ids = [terraform_data.app.output]\n}\n")
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config:      config(acmeSlackEU),
				ExpectError: regexp.MustCompile(`fails P6 Import New Users`),
			},
			{
				PreConfig: func() {
					wantDiagsAt(t, rec, tfprotov6.DiagnosticSeverityWarning, "instance_ids", `^Prerequisites will be checked at apply\n`)
					if n := env.creates(); n != 0 {
						t.Fatalf("the failing apply sent %d create request(s) to ISPM", n)
					}
					rec.Reset()
				},
				Config: config(apac),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ispm_source_connection.slack", plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue("ispm_source_connection.slack", tfjsonpath.New("instance_ids").AtSliceIndex(0)),
					expectWarnings(rec, `^Prerequisites will be checked at apply\n`),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("ispm_source_connection.slack", tfjsonpath.New("instance_ids"),
						knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(apac)})),
					statecheck.ExpectKnownValue("ispm_source_connection.slack", tfjsonpath.New("status"), knownvalue.StringExact("CONNECTED")),
				},
			},
		},
	})
}

// TestAccSmokeSourceConnectionDrift: refresh and plan show what changed outside
// Terraform — a connection deleted or changed in the console (a diff), an
// instance deactivated in Okta and a failed health test (warnings, no diff).
func TestAccSmokeSourceConnectionDrift(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	apac := env.installReady(t, "acme", "slack", "Slack (APAC)")
	rec := &diagRecorder{}
	const addr = "ispm_source_connection.slack"
	config := env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack, apac}))
	sourceID := func() string {
		src, err := env.oneSource(acmeOrgID, "slack")
		if err != nil {
			t.Fatal(err)
		}
		return src.ID
	}
	var firstID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check:  func(*terraform.State) error { firstID = sourceID(); return nil },
			},
			{
				// Deleted in the console: the plan creates it again.
				PreConfig: func() {
					if !env.SB.ISPM().DeleteSource(firstID) {
						t.Fatalf("no source %s to delete", firstID)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				Check: func(*terraform.State) error {
					if id := sourceID(); id == firstID {
						return fmt.Errorf("the connection was not made again: %s", id)
					}
					return nil
				},
			},
			{
				// An instance removed in the console: the plan adds it back.
				PreConfig: func() {
					if _, err := env.SB.ISPM().EditSource(sourceID(), ispmsim.SourceEdit{InstanceIDs: []string{acmeSlack}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: func(*terraform.State) error {
					src, _ := env.oneSource(acmeOrgID, "slack")
					if len(src.Instances) != 2 {
						return fmt.Errorf("instances after the update: %+v", src.Instances)
					}
					return nil
				},
			},
			{
				// An instance deactivated in Okta: a warning, not a diff.
				PreConfig: func() {
					if err := env.SB.Org("acme").Deactivate(apac); err != nil {
						t.Fatal(err)
					}
					rec.Reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					expectWarnings(rec,
						`^Instance `+apac+` \("Slack \(APAC\)"\) of connection src_\w+ no longer meets P4 App instance active\n(?s).*`+
							`is INACTIVE.*ISPM's daily connection test will mark it FAILED \(MISSING_CONFIGURATION\)`),
					expectNoDiagnostics(rec, `^Instance `+acmeSlack),
				}},
			},
			{
				// ISPM's daily test failed: a warning naming the reason.
				PreConfig: func() {
					if _, err := env.SB.ISPM().SetHealth(sourceID(), ispm.Health{Status: ispm.HealthFailed, Reason: ispm.ReasonMissingConfiguration,
						Message: "Instance " + apac + " (Slack (APAC)) was deactivated."}); err != nil {
						t.Fatal(err)
					}
					rec.Reset()
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
					expectWarnings(rec, `^ISPM connection src_\w+ \(slack\) is FAILED: MISSING_CONFIGURATION\n(?s)Instance `+apac+` \(Slack \(APAC\)\) was deactivated\..*What to do: an instance was removed or deactivated`),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("health").AtMapKey("status"), knownvalue.StringExact("FAILED")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("health").AtMapKey("reason"), knownvalue.StringExact("MISSING_CONFIGURATION")),
				},
			},
			{
				// A refresh shows a console change too.
				PreConfig: func() {
					if _, err := env.SB.ISPM().EditSource(sourceID(), ispmsim.SourceEdit{InstanceIDs: []string{apac}}); err != nil {
						t.Fatal(err)
					}
				},
				RefreshState:       true,
				ExpectNonEmptyPlan: true,
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "instance_ids.#", "1"),
					resource.TestCheckTypeSetElemAttr(addr, "instance_ids.*", apac),
				),
			},
		},
	})
}

// TestAccSmokeSourceConnectionImportBlocks: a console-made connection is adopted
// with an import block by id and by <okta_org>/<app_name>, and
// terraform plan -generate-config-out writes a config that plans clean.
// Each import runs in a fresh working directory of its own.
func TestAccSmokeSourceConnectionImportBlocks(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	const scenarioSource = "src_office365acme01" // connected in the default scenario
	const addr = "ispm_source_connection.office365"
	steps := []resource.TestStep{
		{
			Config:        env.Config(connectionConfig("office365", acme, "office365", []string{acmeOffice365})),
			ResourceName:  addr,
			ImportStateId: scenarioSource,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(scenarioSource)),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("okta_org"), knownvalue.StringExact(acme)),
			}},
		},
		{
			Config:        env.Config(connectionConfig("office365", acmeOrgID, "office365", []string{acmeOffice365})),
			ResourceName:  addr,
			ImportStateId: acmeOrgID + "/office365",
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("okta_org"), knownvalue.StringExact(acmeOrgID)),
			}},
		},
		{
			// Without a resource block: Terraform writes one.
			Config:         env.Config(""),
			ResourceName:   addr,
			ImportStateId:  acme + "/office365",
			GenerateConfig: true,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("instance_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(acmeOffice365)})),
			}},
		},
		{
			Config:        env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack})),
			ResourceName:  "ispm_source_connection.slack",
			ImportStateId: acme + "/slack",
			ExpectError:   regexp.MustCompile(`No such ISPM connection`),
		},
	}
	for _, step := range steps {
		step.ImportState, step.ImportStateKind = true, resource.ImportBlockWithID
		minVersion := tfversion.Version1_5_0
		if step.GenerateConfig {
			// Terraform 1.5 crashes generating config for any resource with
			// computed nested attributes (configschema.Block.Filter).
			minVersion = tfversion.Version1_6_0
		}
		t.Run(step.ImportStateId, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.Factories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(minVersion)},
				Steps:                    []resource.TestStep{step},
			})
		})
	}
	if n := env.creates(); n != 0 {
		t.Fatalf("importing sent %d create request(s) to ISPM", n)
	}
}

// TestAccSourceConnectionsAdoptAll adopts every console-made connection of
// an org in one apply: import blocks with for_each over
// ispm_source_connections (Terraform 1.7 or later).
func TestAccSourceConnectionsAdoptAll(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	console := map[string][]string{"slack": {acmeSlack}, "okta_org2org": {acmeOrg2Org3}}
	for app, ids := range console {
		if _, err := env.SB.ISPM().ConsoleCreate(acmeOrgID, app, ids, ""); err != nil {
			t.Fatal(err)
		}
	}
	// The example users copy, as it is.
	example, err := os.ReadFile(filepath.Join(examplesDir, "resources", "ispm_source_connection", "adopt-console-connections", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	vars := config.Variables{"okta_org": config.StringVariable(acme)}
	adopted := func(app string) string { return fmt.Sprintf("ispm_source_connection.adopted[%q]", app) }
	// terraform-plugin-testing's legacy state shim cannot read for_each
	// instances, so the test uses no Check and ends with an empty state.
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		Steps: []resource.TestStep{{
			Config:          env.Config(string(example)),
			ConfigVariables: vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(adopted("slack"), plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction(adopted("okta_org2org"), plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction(adopted("office365"), plancheck.ResourceActionNoop),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(adopted("office365"), tfjsonpath.New("id"), knownvalue.StringExact("src_office365acme01")),
				statecheck.ExpectKnownValue(adopted("slack"), tfjsonpath.New("okta_org"), knownvalue.StringExact(acme)),
				statecheck.ExpectKnownValue(adopted("okta_org2org"), tfjsonpath.New("instance_ids"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(acmeOrg2Org3)})),
			},
		}, {
			// A second apply imports nothing again and changes nothing.
			Config:           env.Config(string(example)),
			ConfigVariables:  vars,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}, {
			Config: env.Config(""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(adopted("slack"), plancheck.ResourceActionDestroy),
			}},
		}},
	})
	if n := env.creates(); n != 0 {
		t.Fatalf("adopting sent %d create request(s) to ISPM", n)
	}
}

// TestAccSourceConnectionConcurrentApply connects eight apps in one apply
// (Terraform runs them in parallel) while ISPM loses the answers of the
// first creates: every create is retried with its idempotency key, and
// each app ends with exactly one source.
func TestAccSourceConnectionConcurrentApply(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	apps := []string{"asana", "atlassian", "bamboohr", "dropbox_for_business", "figma", "miro", "pagerduty", "zendesk"}
	var body strings.Builder
	for _, app := range apps {
		id := env.installReady(t, "acme", app, "")
		body.WriteString(connectionConfig(app, acme, app, []string{id}))
	}
	if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"POST"}, PathPrefix: "/api/v1/sources", DropResponseNext: 3}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noSourceFor(acmeOrgID, apps...),
		Steps: []resource.TestStep{{
			Config: env.Config(body.String()),
			Check: func(*terraform.State) error {
				for _, app := range apps {
					if _, err := env.oneSource(acmeOrgID, app); err != nil {
						return err
					}
				}
				if n := len(env.SB.ISPM().Sources()); n != len(apps)+1 {
					return fmt.Errorf("the sandbox has %d sources, want %d (the scenario's office365 and one per app)", n, len(apps)+1)
				}
				if n := env.creates(); n != len(apps)+3 {
					return fmt.Errorf("ISPM received %d creates, want %d (one per app, three retried)", n, len(apps)+3)
				}
				return nil
			},
		}},
	})
}

// TestAccSourceConnectionLostCreateAnswerIsAdopted: a create whose answer
// was lost fails the apply; the next apply sends the same idempotency key
// and adopts the source ISPM made instead of making a second one.
func TestAccSourceConnectionLostCreateAnswerIsAdopted(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	// Two lost answers: Go's transport itself resends a request carrying an
	// Idempotency-Key once when a reused connection drops.
	if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"POST"}, PathPrefix: "/api/v1/sources", DropResponseNext: 2}); err != nil {
		t.Fatal(err)
	}
	config := env.ProviderConfig(nil, "max_retries = 0") + connectionConfig("slack", acme, "slack", []string{acmeSlack})
	var orphan string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`the next terraform apply adopts it`),
			},
			{
				PreConfig: func() {
					env.SB.ISPM().ClearFaults()
					src, err := env.oneSource(acmeOrgID, "slack")
					if err != nil {
						t.Fatalf("the lost create should have made one source: %v", err)
					}
					orphan = src.ID
				},
				Config: config,
				Check: func(s *terraform.State) error {
					if got := s.RootModule().Resources["ispm_source_connection.slack"].Primary.ID; got != orphan {
						return fmt.Errorf("state has %s, want the source the lost create made, %s", got, orphan)
					}
					_, err := env.oneSource(acmeOrgID, "slack")
					return err
				},
			},
		},
	})
}

// TestAccSourceConnectionExistingConnection: a connection made in the
// console for the same org and app cannot be created again; the error
// says how to import it.
func TestAccSourceConnectionExistingConnection(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	src, err := env.SB.ISPM().ConsoleCreate(acmeOrgID, "slack", []string{acmeSlack}, "")
	if err != nil {
		t.Fatal(err)
	}
	apac := env.installReady(t, "acme", "slack", "Slack (APAC)")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{
				// Same instances: it might be this resource's own lost
				// create, so only ISPM's 409 at apply settles it.
				Config:      env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack})),
				ExpectError: regexp.MustCompile(`terraform import ispm_source_connection\.NAME ` + src.ID),
			},
			{
				Config:      env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack, apac})),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)ISPM already has a connection for this app.*id = "` + src.ID + `"`),
			},
		},
	})
	if n := env.creates(); n != 1 {
		t.Fatalf("ISPM received %d creates, want 1 (refused with 409)", n)
	}
}

// TestAccSourceConnectionWaitFailureTaints: when the create succeeds but
// the connection does not become CONNECTED within the timeout, the
// connection is kept in state, tainted, rather than orphaned in ISPM.
func TestAccSourceConnectionWaitFailureTaints(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, func(sc *sandbox.Scenario) { sc.ISPM.ConnectDelay = ispmsim.Duration(time.Hour) })
	acme := env.Domain("acme")
	const addr = "ispm_source_connection.slack"
	config := env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack}, `timeouts {
    create = "1s"
  }`))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`ISPM connection did not become CONNECTED`),
			},
			{
				PreConfig: func() {
					src, err := env.oneSource(acmeOrgID, "slack")
					if err != nil {
						t.Fatal(err)
					}
					if src.Status != ispm.SourceConnecting {
						t.Fatalf("source %s is %s, want CONNECTING", src.ID, src.Status)
					}
				},
				Config:   config,
				PlanOnly: true, ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
			},
		},
	})
}

// TestAccSourceConnectionOktaOrgForms: okta_org is kept as written, and
// naming the same org another way changes nothing in ISPM, while naming
// another org replaces the connection.
func TestAccSourceConnectionOktaOrgForms(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	const addr = "ispm_source_connection.slack"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noSourceFor(acmeOrgID, "slack"),
		Steps: []resource.TestStep{
			{
				Config: env.Config(connectionConfig("slack", acmeOrgID, "slack", []string{acmeSlack})),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("okta_org"), knownvalue.StringExact(acmeOrgID)),
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{
				Config: env.Config(connectionConfig("slack", "HTTP://"+strings.ToUpper(acme)+"/", "slack", []string{acmeSlack})),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("CONNECTED")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				Config:   env.Config(connectionConfig("slack", env.Domain("globex"), "slack", []string{globexSlack}, `prerequisite_checks = "off"`)),
				PlanOnly: true, ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace),
				}},
			},
		},
	})
	if n := env.creates(); n != 1 {
		t.Fatalf("ISPM received %d creates, want 1", n)
	}
}
