# Readiness for ISPM from Okta alone: no ISPM account needed.
#
# The provider block below has no ISPM endpoint or token, so the provider
# judges every prerequisite it can from Okta's public API and says which
# ones only ISPM could settle. It reads the org from the environment, as the
# Okta provider does:
#
#   OKTA_ORG_NAME, OKTA_BASE_URL   the org (acme and okta.com for acme.okta.com)
#   OKTA_API_TOKEN                 a read-only admin's API token, or an OAuth
#                                  2.0 service app: OKTA_API_CLIENT_ID,
#                                  OKTA_API_PRIVATE_KEY (and _ID) with the
#                                  scopes okta.apps.read and okta.groups.read
#
# Reading these data sources changes nothing in Okta.

terraform {
  required_version = ">= 1.5"

  required_providers {
    ispm = {
      source = "ispm-community/ispm"
    }
  }
}

provider "ispm" {}

# Every instance of each app, judged: P2-P6 from Okta, P7 from the groups
# Okta imported from the instance, P1 unverified (only ISPM knows it).
data "ispm_app_eligibility" "app" {
  for_each = var.apps

  okta_org = var.okta_org
  app_name = each.value

  # Fail the plan (and so CI) when an instance that must stay ready is not
  # ready as far as Okta can show any more.
  lifecycle {
    postcondition {
      condition     = length(setsubtract(lookup(var.must_stay_ready, each.value, []), self.okta_ready_instance_ids)) == 0
      error_message = "An instance of ${each.value} that must stay ready is not: ${join(", ", setsubtract(lookup(var.must_stay_ready, each.value, []), self.okta_ready_instance_ids))}. See the to_fix output for the fix and the Admin Console link."
    }
  }
}

# The same condition as a check block: a named assertion, evaluated on every
# plan and apply and by HCP Terraform's health assessments, that warns
# instead of failing the run.
check "instances_stay_ready" {
  assert {
    condition = alltrue([
      for app, ids in var.must_stay_ready :
      length(setsubtract(ids, try(data.ispm_app_eligibility.app[app].okta_ready_instance_ids, []))) == 0
    ])
    error_message = "An instance listed in must_stay_ready is no longer ready in Okta; the to_fix output says what to change."
  }
}
