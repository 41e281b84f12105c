variable "okta_org" {
  description = "The Okta org that hosts the apps, by its Okta domain (for example acme.okta.com) or its ISPM id."
  type        = string
}

variable "slack_instance_ids" {
  description = "The Slack instances (Okta app ids, 0oa...) to connect to ISPM. The slack_instances output lists the candidates."
  type        = set(string)

  validation {
    condition     = length(var.slack_instance_ids) > 0
    error_message = "List at least one Slack instance id; the slack_instances output shows every Slack instance in the org."
  }
}
