# An org whose production integrations already use much of Okta's rate
# limits: the provider keeps to 30% of each bucket, and gives a request more
# retries and time when Okta or ISPM is busy.
provider "ispm" {
  endpoint = "https://acme.ispm.okta.com"

  okta_max_api_capacity = 30
  max_retries           = 8
  request_timeout       = 60

  okta_org {
    org_url = "https://acme.okta.com"
    # api_token from OKTA_API_TOKEN
  }
}
