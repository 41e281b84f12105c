# Every connection of acme.okta.com to ISPM, made in the console or by
# Terraform. With Terraform 1.14 or later,
#   terraform query -generate-config-out=adopted.tf
# writes an import block (by identity) and a resource block for each, and
# terraform apply adopts them all.
list "ispm_source_connection" "acme" {
  provider         = ispm
  include_resource = true
  # Terraform stops at 100 results unless told otherwise.
  limit = 1000

  config {
    okta_org = "acme.okta.com"
  }
}
