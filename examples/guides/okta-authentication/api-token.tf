# An API token (SSWS), created by an admin with the Read-Only Administrator
# role. Leave api_token out to take it from OKTA_API_TOKEN.
provider "ispm" {
  okta_org {
    org_name  = "acme"
    base_url  = "okta.com"
    api_token = var.okta_api_token
  }
}

variable "okta_api_token" {
  type      = string
  sensitive = true
}
