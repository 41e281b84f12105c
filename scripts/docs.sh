#!/usr/bin/env bash
# Renders docs/ with tfplugindocs (a go.mod tool) from the provider's own
# schema (internal/docschema), templates/ and examples/. Given the schema,
# tfplugindocs runs no Terraform CLI and downloads nothing.
#   scripts/docs.sh generate   rewrite docs/
#   scripts/docs.sh check      fail when docs/ differs from what the code renders
set -euo pipefail
cd "$(dirname "$0")/.."
# Keep any Terraform the tool might start away from the user's CLI
# configuration and logging.
export TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
unset TF_LOG TF_LOG_PATH

# The schema comes from the provider itself: a CLI's providers schema -json
# would leave out what it does not know yet (resource identity needs
# Terraform 1.12, list resources 1.14).
render() {
	local schema
	schema=$(mktemp "${TMPDIR:-/tmp}/ispm-schema.XXXXXX")
	go run ./internal/docschema >"$schema"
	go tool tfplugindocs generate --provider-name ispm --rendered-provider-name ISPM \
		--rendered-website-dir docs --providers-schema "$schema" >/dev/null
	rm -f "$schema"
}

case "${1:-generate}" in
generate)
	render
	echo "docs/ rendered"
	;;
check)
	# tfplugindocs renders only inside the provider directory (an absolute
	# --rendered-website-dir is joined to it too), so render over docs/ and
	# put the committed files back afterwards, whatever happens.
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/ispm-docs.XXXXXX")
	cp -R docs "$tmp/committed"
	restore() {
		rm -rf docs
		cp -R "$tmp/committed" docs
		rm -rf "$tmp"
	}
	trap restore EXIT
	render
	if ! diff -ru "$tmp/committed" docs; then
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
