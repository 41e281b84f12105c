# An OAuth 2.0 service app: client credentials with private_key_jwt, DPoP
# not required. The key may also come from OKTA_API_PRIVATE_KEY (the PEM
# text itself, not a path).
provider "ispm" {
  okta_org {
    org_url        = "https://acme.okta.com"
    client_id      = "0oa8f5j3ecb5w2Fzk1d7"
    private_key    = file("${path.module}/ispm-provider.pem")
    private_key_id = "ispm-provider-2026-01"
    scopes         = ["okta.apps.read", "okta.groups.read"]
  }
}
