# Which gallery apps are installed in the org, and their status there:
# PROVISIONING_DISABLED (installed, no instance ready), AVAILABLE (an instance
# can be connected) or CONNECTED.
output "gallery" {
  value = {
    for key, app in data.ispm_sources_gallery.org.apps : key => app.status
    if app.status != "NOT_INTEGRATED"
  }
}

# Every Slack instance in the org: is it ready, and if not, which
# prerequisites fail. The checks also carry the fix (remediation) and the
# Okta Admin Console page where to make it (admin_console_url).
output "slack_instances" {
  value = {
    for i in data.ispm_app_eligibility.slack.instances : i.id => {
      label    = i.label
      eligible = i.eligible
      failing  = [for c in i.checks : c.id if c.result == "fail"]
    }
  }
}

# The connection's id in ISPM, for the console or for `terraform import`.
output "connection_id" {
  value = ispm_source_connection.slack.id
}
