# Several orgs: one okta_org block each. The OKTA_* environment variables
# apply only to a single org, so each block carries its own credentials.
provider "ispm" {
  okta_org {
    org_url   = "https://acme.okta.com"
    api_token = var.acme_okta_api_token
  }

  okta_org {
    org_url        = "https://acme-emea.okta-emea.com"
    client_id      = var.emea_client_id
    private_key    = var.emea_private_key
    private_key_id = var.emea_private_key_id
  }
}

variable "acme_okta_api_token" {
  type      = string
  sensitive = true
}

variable "emea_client_id" {
  type = string
}

variable "emea_private_key" {
  type      = string
  sensitive = true
}

variable "emea_private_key_id" {
  type = string
}
