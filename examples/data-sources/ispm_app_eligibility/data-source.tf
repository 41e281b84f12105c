# Every prerequisite (P1-P7) of every Slack instance in the org, checked live
# against Okta and ISPM. Reading it changes nothing in Okta or ISPM.
data "ispm_app_eligibility" "slack" {
  okta_org = "acme.okta.com"
  app_name = "slack"
}

output "slack_status" {
  # NOT_INTEGRATED, PROVISIONING_DISABLED, AVAILABLE or CONNECTED.
  value = data.ispm_app_eligibility.slack.status
}

# What stands between each instance and a connection: the failing checks,
# with the steps that fix them and the Admin Console page where to take them.
output "slack_blockers" {
  value = {
    for i in data.ispm_app_eligibility.slack.instances : i.id => [
      for c in i.checks : {
        check       = c.id
        message     = c.message
        remediation = c.remediation
        page        = c.admin_console_url
      } if c.result == "fail"
    ] if !i.eligible
  }
}

# Checks that rest on inference rather than on a direct answer from Okta's
# API, such as Import Groups, which Okta does not expose.
output "slack_inferred_checks" {
  value = distinct(flatten([
    for i in data.ispm_app_eligibility.slack.instances : [
      for c in i.checks : c.id if c.evidence != "okta_api"
    ]
  ]))
}
