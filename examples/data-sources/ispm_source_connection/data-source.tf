# A connection by its id in ISPM ...
data "ispm_source_connection" "by_id" {
  id = "src_4f9a2c81d0e7b6a3"
}

# ... or by Okta org and app: ISPM allows one connection per org and app.
data "ispm_source_connection" "slack" {
  okta_org = "acme.okta.com"
  app_name = "slack"
}

output "slack_connection" {
  value = {
    id           = data.ispm_source_connection.slack.id
    instance_ids = data.ispm_source_connection.slack.instance_ids
    healthy      = try(data.ispm_source_connection.slack.health.status == "CONNECTED", false)
  }
}
