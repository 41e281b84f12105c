# Only the Slack connection, and only once ISPM reports it CONNECTED.
list "ispm_source_connection" "acme_slack" {
  provider = ispm

  config {
    okta_org = "acme.okta.com"
    app_name = "slack"
    status   = "CONNECTED"
  }
}
