# A connection can be imported by its id in ISPM (the ispm_source_connections
# data source lists them) ...
terraform import ispm_source_connection.slack src_4f9a2c81d0e7b6a3

# ... or by <okta_org>/<app_name>, where okta_org is the org's Okta domain or
# its ISPM id. ISPM allows one connection per org and app.
terraform import ispm_source_connection.slack acme.okta.com/slack
