# Every Okta org ISPM knows, whether ISPM can read it (prerequisite P1), and
# whether this provider holds Okta credentials for it, so that its checks are
# verified against Okta itself rather than resting on ISPM's word alone.
data "ispm_okta_orgs" "all" {}

output "okta_orgs" {
  value = {
    for org in data.ispm_okta_orgs.all.orgs : org.domain => {
      ispm_id          = org.id
      connected        = org.connection_state == "CONNECTED"
      okta_credentials = org.okta_credentials
    }
  }
}
