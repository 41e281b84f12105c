terraform {
  required_providers {
    ispm = {
      source = "ispm-community/ispm"
    }
  }
}

# "enforce" (the default) turns every failing prerequisite of an instance
# about to be connected into a plan error.
provider "ispm" {
  prerequisite_checks = "enforce"
}

variable "okta_org" {
  description = "The Okta org, by its Okta domain (acme.okta.com) or its ISPM id."
  type        = string
}

variable "slack_instance_ids" {
  description = "The Slack instances (0oa... ids) to connect."
  type        = set(string)
}

variable "zoom_instance_ids" {
  description = "The Zoom instances (0oa... ids) to connect once they are ready."
  type        = set(string)
}

# Enforced: the plan fails, naming each instance's failing prerequisite,
# how to fix it and the Okta Admin Console page where to do it.
resource "ispm_source_connection" "slack" {
  okta_org     = var.okta_org
  app_name     = "slack"
  instance_ids = var.slack_instance_ids
}

# Still being set up in Okta: its failures are warnings, so they do not
# hold up the rest of the plan. ISPM itself still refuses an instance that
# fails a prerequisite, so an apply of this connection fails until it is
# fixed.
resource "ispm_source_connection" "zoom" {
  okta_org            = var.okta_org
  app_name            = "zoomus"
  instance_ids        = var.zoom_instance_ids
  prerequisite_checks = "warn"
}
