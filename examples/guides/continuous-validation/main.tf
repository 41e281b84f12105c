terraform {
  # check blocks need Terraform 1.5.
  required_version = ">= 1.5"

  required_providers {
    ispm = {
      source = "ispm-community/ispm"
    }
  }
}

provider "ispm" {}

variable "okta_org" {
  description = "The Okta org, by its Okta domain (acme.okta.com) or its ISPM id."
  type        = string
}

variable "slack_instance_ids" {
  description = "The Slack instances (0oa... ids) connected to ISPM."
  type        = set(string)
}

resource "ispm_source_connection" "slack" {
  okta_org     = var.okta_org
  app_name     = "slack"
  instance_ids = var.slack_instance_ids
}

# Runs on every plan and apply, and in HCP Terraform's health assessments.
# A failed assertion is a warning: it never blocks a run.
check "slack_instances_stay_ready" {
  # A data source scoped to the check: a failure to read it is a warning too.
  data "ispm_app_eligibility" "slack" {
    okta_org     = var.okta_org
    app_name     = "slack"
    instance_ids = var.slack_instance_ids
  }

  assert {
    condition = length(data.ispm_app_eligibility.slack.eligible_instance_ids) == length(var.slack_instance_ids)
    error_message = join("\n", [
      for i in data.ispm_app_eligibility.slack.instances :
      "${coalesce(i.label, i.id)} (${i.id}) fails ${join(", ", [for c in i.checks : c.id if c.result == "fail"])}"
      if !i.eligible
    ])
  }

  # Unverified means neither Okta nor ISPM could settle a prerequisite, for
  # example Import Groups on an app ISPM has not re-read yet.
  assert {
    condition = alltrue(flatten([
      for i in data.ispm_app_eligibility.slack.instances : [for c in i.checks : c.result != "unverified"]
    ]))
    error_message = "Some Slack prerequisites could not be verified; see the ispm_app_eligibility checks for which and why."
  }
}

# ISPM tests every connection daily; health is null before the first test.
check "slack_connection_healthy" {
  assert {
    condition     = try(ispm_source_connection.slack.health.status, "CONNECTED") != "FAILED"
    error_message = "ISPM's last test of the Slack connection failed: ${coalesce(try(ispm_source_connection.slack.health.message, null), "no details")}"
  }
}
