#!/usr/bin/env bash
# Prints the path of a Terraform CLI for the tests and the demo.
#   scripts/terraform-path.sh          the terraform on PATH (>= 1.5), else one built into bin/
#   scripts/terraform-path.sh 1.5.7    exactly that version, built into bin/ when missing
# Building uses `go install` through the Go module proxy (about five minutes cold);
# no prebuilt binary is downloaded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fallback=1.5.7
want=${1:-}

build() {
	local v=$1 dir="$root/bin/terraform-$1"
	if [ ! -x "$dir/terraform" ]; then
		echo "building Terraform $v into bin/ (go install; takes a few minutes the first time)..." >&2
		mkdir -p "$dir"
		GOBIN="$dir" GOFLAGS=-mod=mod go install "github.com/hashicorp/terraform@v$v" >&2
	fi
	echo "$dir/terraform"
}

if [ -n "$want" ]; then
	if command -v terraform >/dev/null 2>&1 && terraform version -json 2>/dev/null | grep -q "\"terraform_version\": *\"$want\""; then
		command -v terraform
	else
		build "$want"
	fi
	exit 0
fi

if command -v terraform >/dev/null 2>&1; then
	v=$(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p' | head -n1)
	major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}
	if [ -n "$v" ] && { [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 5 ]; }; }; then
		command -v terraform
		exit 0
	fi
fi
build "$fallback"
