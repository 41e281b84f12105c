#!/usr/bin/env bash
# The whole test suite: vet, unit and acceptance tests (real Terraform CLI
# against the local sandbox), the smoke subset (TestAccSmoke…) on the oldest
# supported Terraform (1.5.7) and on OpenTofu 1.12.6, every fuzz target for a
# bounded number of executions, and the docs check. Terraform 1.5.7 and
# OpenTofu are built from source into bin/ the first time (about five and
# ten minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> terraform for the acceptance tests"
TF_ACC_TERRAFORM_PATH=$(scripts/terraform-path.sh)
export TF_ACC_TERRAFORM_PATH TF_ACC=1
"$TF_ACC_TERRAFORM_PATH" version | head -n1

# The tests never read the user's Terraform or Okta settings.
export TF_CLI_CONFIG_FILE=/dev/null
unset TF_LOG TF_LOG_PATH TF_ACC_PROVIDER_HOST TF_ACC_PROVIDER_NAMESPACE OKTA_ORG_NAME OKTA_BASE_URL OKTA_API_TOKEN OKTA_API_CLIENT_ID \
	OKTA_API_PRIVATE_KEY OKTA_API_PRIVATE_KEY_ID OKTA_API_SCOPES ISPM_ENDPOINT ISPM_API_TOKEN

echo "==> go vet"
go vet ./...

echo "==> unit and acceptance tests"
go test -race -count=1 -timeout 40m ./...

echo "==> acceptance smoke tests on Terraform 1.5.7 (the oldest supported)"
TF_ACC_TERRAFORM_PATH=$(scripts/terraform-path.sh 1.5.7) \
	go test -count=1 -timeout 20m -run '^TestAccSmoke' ./internal/provider/

# The tests find out themselves that the CLI is OpenTofu and what follows
# from it (internal/provider/smoke_test.go), so nothing else changes here.
echo "==> acceptance smoke tests on OpenTofu 1.12.6"
tofu=$(scripts/tofu-path.sh 1.12.6)
"$tofu" version | sed -n 1p
TF_ACC_TERRAFORM_PATH=$tofu go test -count=1 -timeout 20m -run '^TestAccSmoke' ./internal/provider/

if [ -x scripts/fuzz.sh ]; then
	# The seed corpora already ran as ordinary tests above; this adds a short
	# fuzzing pass bounded by executions, never by seconds.
	echo "==> fuzz targets, a bounded number of executions each"
	scripts/fuzz.sh 2000x
fi

if [ -x scripts/docs.sh ]; then
	echo "==> docs are current"
	scripts/docs.sh check
fi
echo "==> all tests passed"
