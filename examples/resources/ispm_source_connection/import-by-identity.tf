# Adopt the connection made in the ISPM console for Microsoft Office 365 in
# acme.okta.com by its identity: ISPM's id of the org (the ispm_okta_orgs
# data source lists it) and the app's catalog key.
terraform {
  # import blocks with identity need Terraform 1.12 or OpenTofu 1.12.
  required_version = ">= 1.12"
}

import {
  to = ispm_source_connection.office365
  identity = {
    okta_org_id = "oktaorg_acme"
    app_name    = "office365"
  }
}

resource "ispm_source_connection" "office365" {
  okta_org     = "acme.okta.com"
  app_name     = "office365"
  instance_ids = ["0oaxN0TYhm5PcYZSJeby"]
}
