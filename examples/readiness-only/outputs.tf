# The instances ready as far as Okta can show, by app: nothing Okta can
# check fails. Feed it to for_each, or to ispm_source_connection once ISPM is
# configured.
output "ready" {
  value = { for app, d in data.ispm_app_eligibility.app : app => d.okta_ready_instance_ids }
}

# What to fix, per app and instance: each failing check with its numbered
# steps and the Okta Admin Console page where to take them.
output "to_fix" {
  value = {
    for app, d in data.ispm_app_eligibility.app : app => {
      for i in d.instances : i.id => {
        label = i.label
        failing = {
          for c in i.checks : c.id => {
            fix     = c.remediation
            console = c.admin_console_url
          } if c.result == "fail"
        }
      } if !i.okta_ready
    }
  }
}

# What Okta cannot decide, per app and instance (P1 without ISPM; P7 when
# Okta lists no groups imported from the instance), with why.
output "unverified" {
  value = {
    for app, d in data.ispm_app_eligibility.app : app => {
      for i in d.instances : i.id => {
        for c in i.checks : c.id => c.message if c.result == "unverified"
      }
    }
  }
}
