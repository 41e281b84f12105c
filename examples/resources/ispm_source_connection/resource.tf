# Connect two Slack instances of the acme Okta org to ISPM. terraform plan
# checks every prerequisite of each instance against Okta and ISPM first and
# fails, naming the fix, if one is not met.
resource "ispm_source_connection" "slack" {
  okta_org = "acme.okta.com"
  app_name = "slack"
  instance_ids = [
    "0oaqd88NE1biWUfTHYt2", # Slack
    "0oa8HmkgHdj4FAgOAPUP", # Slack (EU workspace)
  ]
}

# A custom SCIM app built in Okta, by its generated app name. An instance id
# may also come from the Okta provider in the same run (for example
# okta_app_saml.hr_portal.id): the checks then run at apply, before ISPM is
# asked to connect it.
resource "ispm_source_connection" "hr_portal" {
  okta_org     = "acme.okta.com"
  app_name     = "acme_hrportal_1"
  instance_ids = ["0oaBo6R6IpNoPL9qc3Mw"]

  # Plan anyway when a prerequisite fails (ISPM still refuses the instance
  # at apply); "off" skips the checks.
  prerequisite_checks = "warn"

  timeouts {
    create = "10m"
  }
}

output "slack_connection" {
  value = {
    id     = ispm_source_connection.slack.id
    status = ispm_source_connection.slack.status
    # CONNECTED, or FAILED with a reason after ISPM's daily connection test.
    health = ispm_source_connection.slack.health
  }
}
