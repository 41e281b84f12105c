# ISPM with one Okta org, authenticated by an API token. Secrets usually come
# from the environment: ISPM_API_TOKEN and OKTA_API_TOKEN.
provider "ispm" {
  endpoint = "https://acme.ispm.okta.com"

  okta_org {
    org_name = "acme"
    base_url = "okta.com"
  }
}
