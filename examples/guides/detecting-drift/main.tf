terraform {
  required_providers {
    ispm = {
      source = "ispm-community/ispm"
    }
  }
}

provider "ispm" {}

variable "okta_org" {
  description = "The Okta org, by its Okta domain (acme.okta.com) or its ISPM id."
  type        = string
}

variable "slack_instance_ids" {
  description = "The Slack instances (0oa... ids) to connect."
  type        = set(string)
}

resource "ispm_source_connection" "slack" {
  okta_org     = var.okta_org
  app_name     = "slack"
  instance_ids = var.slack_instance_ids
}

# Every connection of the org, made by Terraform or in the ISPM console.
data "ispm_source_connections" "all" {
  okta_org = var.okta_org
}

# Connections whose last ISPM connection test failed.
data "ispm_source_connections" "failed" {
  okta_org = var.okta_org
  health   = "FAILED"
}

locals {
  managed_ids = [ispm_source_connection.slack.id]
}

# Connections this configuration does not manage: import them, or delete
# them in the console.
output "unmanaged_connections" {
  value = {
    for c in data.ispm_source_connections.all.connections : c.app_name => c.id
    if !contains(local.managed_ids, c.id)
  }
}

# Why each failed connection failed, in ISPM's words.
output "failed_connections" {
  value = {
    for c in data.ispm_source_connections.failed.connections :
    c.app_name => "${coalesce(c.health.reason, "FAILED")}: ${coalesce(c.health.message, "no details")}"
  }
}

# The connected Slack instances that no longer meet a prerequisite in
# Okta, with the prerequisites they fail, as the last refresh found them.
# (readiness is null while prerequisite_checks is "off".)
output "regressed_instances" {
  value = try({
    for r in ispm_source_connection.slack.readiness : r.id => r.failing
    if r.status != "ready"
  }, {})
}
