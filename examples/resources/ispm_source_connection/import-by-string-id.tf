# Adopt the connection made in the ISPM console for Slack in acme.okta.com.
# The id may also be the connection's id in ISPM.
import {
  to = ispm_source_connection.slack
  id = "acme.okta.com/slack"
}
