# Every connection ISPM has, made by Terraform or in the console.
data "ispm_source_connections" "all" {}

# The connections of one org whose last ISPM connection test failed.
data "ispm_source_connections" "failed" {
  okta_org = "acme.okta.com"
  health   = "FAILED"
}

output "connection_ids" {
  value = data.ispm_source_connections.all.ids
}

output "failed_connections" {
  value = {
    for c in data.ispm_source_connections.failed.connections :
    c.app_name => "${c.health.reason}: ${coalesce(c.health.message, "no details")}"
  }
}

# With Terraform 1.7 or later, import blocks with for_each over
# `connections` adopt every console-made connection in one apply: see
# examples/resources/ispm_source_connection/adopt-console-connections.
