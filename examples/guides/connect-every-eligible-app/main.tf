# Connect every gallery app of an Okta org that has an instance ready for
# ISPM, with all of its ready instances.

terraform {
  # import blocks with for_each need Terraform 1.7.
  required_version = ">= 1.7"

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

variable "excluded_apps" {
  description = "Gallery keys never to connect from here, for example apps another team manages."
  type        = set(string)
  default     = []
}

# The gallery with each app's status in the org. refresh = true has ISPM
# re-read the org from Okta first, so an instance fixed in Okta a minute ago
# counts.
data "ispm_sources_gallery" "org" {
  okta_org = var.okta_org
  refresh  = true
}

# Every connection the org has, whether made here or in the ISPM console.
data "ispm_source_connections" "existing" {
  okta_org = var.okta_org
}

locals {
  existing = { for c in data.ispm_source_connections.existing.connections : c.app_name => c }

  # Each app with an eligible instance, with its eligible instances plus
  # those already connected. Connected instances are kept even when they
  # stop being eligible: the plan then warns about the regression, and ISPM's
  # daily test marks the connection FAILED, instead of Terraform quietly
  # disconnecting them. CONNECTED apps stay in the map for the same reason.
  connectable = {
    for key, app in data.ispm_sources_gallery.org.apps :
    key => setunion(app.eligible_instance_ids, try(local.existing[key].instance_ids, []))
    if contains(["AVAILABLE", "CONNECTED"], app.status) && !contains(var.excluded_apps, key)
  }
}

resource "ispm_source_connection" "app" {
  for_each = local.connectable

  okta_org     = var.okta_org
  app_name     = each.key
  instance_ids = each.value
}

# ISPM allows one connection per org and app: connections made in the
# console are imported into the map above instead of colliding with it. An
# import of a connection already in the state does nothing.
import {
  for_each = {
    for key, c in local.existing : key => c.id
    if contains(keys(local.connectable), key)
  }
  to = ispm_source_connection.app[each.key]
  id = each.value
}

output "connected" {
  value = { for key, c in ispm_source_connection.app : key => sort(c.instance_ids) }
}
