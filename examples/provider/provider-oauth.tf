# Two Okta orgs: one through an OAuth 2.0 service app (private_key_jwt, no
# DPoP), one through an API token. Plans warn instead of failing.
provider "ispm" {
  endpoint            = "https://acme.ispm.okta.com"
  prerequisite_checks = "warn"

  okta_org {
    org_url        = "https://acme.okta.com"
    client_id      = var.okta_client_id
    private_key    = file("okta-service-app.pem")
    private_key_id = "kid-2026-01"
    scopes         = ["okta.apps.read", "okta.groups.read"]
  }

  okta_org {
    org_url   = "https://acme-emea.okta-emea.com"
    api_token = var.okta_emea_token
  }
}

variable "okta_client_id" {
  type = string
}

variable "okta_emea_token" {
  type      = string
  sensitive = true
}
