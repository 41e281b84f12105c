# Adopt every connection made in the ISPM console for one Okta org in a
# single apply: import blocks with for_each over ispm_source_connections.
# After the apply Terraform manages them like any other connection; a
# connection already in the state is not imported again.

terraform {
  # import blocks with for_each need Terraform 1.7.
  required_version = ">= 1.7"
}

variable "okta_org" {
  description = "The Okta org, by its Okta domain (acme.okta.com) or its ISPM id."
  type        = string
}

data "ispm_source_connections" "console" {
  okta_org = var.okta_org
}

locals {
  # One entry per app: ISPM allows one connection per org and app.
  connections = { for c in data.ispm_source_connections.console.connections : c.app_name => c }
}

import {
  for_each = local.connections
  to       = ispm_source_connection.adopted[each.key]
  id       = each.value.id
}

resource "ispm_source_connection" "adopted" {
  for_each = local.connections

  okta_org     = each.value.okta_org
  app_name     = each.value.app_name
  instance_ids = each.value.instance_ids
}
