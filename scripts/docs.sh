#!/usr/bin/env bash
# Renders docs/ with tfplugindocs (a go.mod tool; offline: it uses the local
# Terraform CLI, never downloads one).
#   scripts/docs.sh generate   rewrite docs/
#   scripts/docs.sh check      fail when docs/ differs from what the code renders
set -euo pipefail
cd "$(dirname "$0")/.."
tf=$(scripts/terraform-path.sh)
export PATH="$(dirname "$tf"):$PATH"
export TF_CLI_CONFIG_FILE=/dev/null

render() {
	go tool tfplugindocs generate --provider-name ispm --rendered-provider-name ISPM \
		--rendered-website-dir "$1" >/dev/null
}

case "${1:-generate}" in
generate)
	render docs
	echo "docs/ rendered"
	;;
check)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/ispm-docs.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	render "$tmp/docs"
	if ! diff -ru docs "$tmp/docs"; then
		echo "docs/ is out of date with the code: run 'make docs' and commit the result." >&2
		exit 1
	fi
	echo "docs/ is current"
	;;
*)
	echo "usage: $0 generate|check" >&2
	exit 2
	;;
esac
