# The whole gallery: every SCIM app ISPM can ingest, without org statuses.
data "ispm_sources_gallery" "all" {}

# The OIN apps of one org that have an instance ready to connect. `refresh`
# has ISPM re-read the org from Okta first (the console's "Refresh Data").
data "ispm_sources_gallery" "ready" {
  okta_org          = "acme.okta.com"
  powered_by        = "OIN"
  connection_status = "AVAILABLE"
  refresh           = true
}

output "gallery_keys" {
  value = data.ispm_sources_gallery.all.keys
}

# For each ready app, the instances ISPM found eligible.
output "ready_to_connect" {
  value = {
    for key, app in data.ispm_sources_gallery.ready.apps : key => app.eligible_instance_ids
  }
}
