package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccSmokeSourcesGallery(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(fmt.Sprintf(`
data "ispm_sources_gallery" "all" {}
data "ispm_sources_gallery" "custom" {
  powered_by = "CUSTOM"
}
data "ispm_sources_gallery" "acme" {
  okta_org = %[1]q
}
data "ispm_sources_gallery" "available" {
  okta_org          = %[1]q
  connection_status = "AVAILABLE"
}
data "ispm_sources_gallery" "sl" {
  okta_org   = "oktaorg_acme"
  name_regex = "^sla"
}
data "ispm_sources_gallery" "collab" {
  category = "communication"
}
`, acme)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrWith("data.ispm_sources_gallery.all", "keys.#", atLeast(20)),
				resource.TestCheckNoResourceAttr("data.ispm_sources_gallery.all", "apps.slack.status"),
				resource.TestCheckNoResourceAttr("data.ispm_sources_gallery.all", "okta_org_id"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.custom", "keys.#", "1"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.custom", "keys.0", "acme_hrportal_1"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "okta_org_id", "oktaorg_acme"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.slack.status", "AVAILABLE"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.slack.instance_ids.#", "4"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.slack.eligible_instance_ids.#", "1"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.slack.eligible_instance_ids.0", acmeSlack),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.office365.status", "CONNECTED"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.office365.source_id", "src_office365acme01"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.google.status", "NOT_INTEGRATED"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.zoomus.status", "PROVISIONING_DISABLED"),
				resource.TestCheckResourceAttrSet("data.ispm_sources_gallery.acme", "apps.slack.refreshed_at"),
				allStatus("data.ispm_sources_gallery.available", "AVAILABLE"),
				resource.TestCheckResourceAttrWith("data.ispm_sources_gallery.available", "keys.#", atLeast(2)),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.sl", "keys.#", "1"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.sl", "keys.0", "slack"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.collab", "apps.slack.key", "slack"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.collab", "apps.zoomus.categories.0", "Communication"),
				resource.TestCheckNoResourceAttr("data.ispm_sources_gallery.collab", "apps.google.key"),
			),
		}},
	})
}

// TestAccSourcesGalleryRefresh shows ISPM's cached status until refresh.
func TestAccSourcesGalleryRefresh(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	cfg := func(refresh bool) string {
		return env.Config(fmt.Sprintf("data \"ispm_sources_gallery\" \"acme\" {\n  okta_org = %q\n  refresh = %t\n}\n", env.Domain("acme"), refresh))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: cfg(false),
			Check:  resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.zoomus.status", "PROVISIONING_DISABLED"),
		}, {
			// Zoom gets provisioning and imports in Okta; the gallery's cache lags...
			PreConfig: func() {
				org := env.SB.Org("acme")
				for _, f := range []func(string, bool) error{org.SetProvisioning, org.SetImportNewUsers, org.SetImportGroups} {
					if err := f(acmeZoom, true); err != nil {
						t.Fatal(err)
					}
				}
			},
			Config: cfg(false),
			Check:  resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.zoomus.status", "PROVISIONING_DISABLED"),
		}, {
			// ...until the data source asks ISPM to refresh.
			Config: cfg(true),
			Check:  resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.zoomus.status", "AVAILABLE"),
		}},
	})
}

func TestAccSourcesGalleryBadInput(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	for cfg, want := range map[string]string{
		`connection_status = "AVAILABLE"`:                    `(?s)connection_status.*okta_org`,
		`okta_org = "nowhere.okta.com"`:                      `No Okta org "nowhere.okta.com"`,
		`name_regex = "(unclosed"`:                           `(?s)Invalid name_regex.*not a valid regular expression`,
		`powered_by = "PARTNER"`:                             `powered_by value must be one of`,
		`connection_status = "READY"` + "\nokta_org = \"x\"": `connection_status value must be one of`,
	} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: env.Factories(),
			Steps: []resource.TestStep{{
				Config:      env.Config("data \"ispm_sources_gallery\" \"g\" {\n" + cfg + "\n}\n"),
				ExpectError: wrapped(want),
			}},
		})
	}
}
