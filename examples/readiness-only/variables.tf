variable "okta_org" {
  description = "The Okta org whose apps are judged: its domain (acme.okta.com), its URL or its org name (acme)."
  type        = string
}

variable "apps" {
  description = "The apps to judge, by catalog key (the Okta app's name: slack, zoomus, or a custom app's generated name such as acme_hrportal_1)."
  type        = set(string)
  default     = ["slack"]
}

variable "must_stay_ready" {
  description = "Instances (Okta app ids, 0oa...) that must stay ready, by app key; the plan fails when one is not."
  type        = map(set(string))
  default     = {}
}
