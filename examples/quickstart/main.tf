# Quickstart: connect Slack to Okta ISPM as code.
#
# The provider reads its settings from the environment, so this file holds no
# secret and no address:
#
#   ISPM_ENDPOINT, ISPM_API_TOKEN   the ISPM API and a token for it
#   OKTA_ORG_NAME, OKTA_BASE_URL    the Okta org whose apps are checked
#   OKTA_API_TOKEN                  read access to its apps and groups (or an
#                                   OAuth 2.0 service app: OKTA_API_CLIENT_ID,
#                                   OKTA_API_PRIVATE_KEY, OKTA_API_PRIVATE_KEY_ID)
#
# `make demo` runs this directory against the local sandbox; see README.md.

terraform {
  required_version = ">= 1.5"

  required_providers {
    ispm = {
      source = "ispm-community/ispm"
    }
  }
}

# Everything comes from the environment variables above. Failing
# prerequisites fail the plan (prerequisite_checks = "enforce", the default).
provider "ispm" {}

# The Sources Gallery as ISPM shows it for the org: every SCIM app it can
# ingest, with the app's status there.
data "ispm_sources_gallery" "org" {
  okta_org = var.okta_org
}

# Slack's readiness, checked live against Okta: every prerequisite (P1-P7) of
# every Slack instance in the org, with how each was verified and how to fix
# a failure.
data "ispm_app_eligibility" "slack" {
  okta_org = var.okta_org
  app_name = "slack"
}

# The connection itself. `terraform plan` checks every prerequisite of every
# instance listed here before anything is created, and fails with one
# diagnostic per problem (what is wrong, how to fix it, and the Okta Admin
# Console page where to do it) instead of letting ISPM refuse it at apply.
resource "ispm_source_connection" "slack" {
  okta_org     = var.okta_org
  app_name     = "slack"
  instance_ids = var.slack_instance_ids
}
