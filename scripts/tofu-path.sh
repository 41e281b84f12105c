#!/usr/bin/env bash
# Prints the path of an OpenTofu CLI for the tests.
#   scripts/tofu-path.sh           OpenTofu 1.12.6: the tofu on PATH if it is that version, else one built into bin/
#   scripts/tofu-path.sh 1.12.7    exactly that version, the same way
# OpenTofu is built from source through the Go module proxy; no prebuilt
# binary is downloaded. `go install github.com/opentofu/opentofu/cmd/tofu@v…`
# is refused because OpenTofu's go.mod has a replace directive, so the module
# is downloaded, copied to a writable directory (the module cache is
# read-only) and built there. Cold (empty Go caches, 2 cores) this took
# about ten minutes; later calls reuse bin/tofu-<version>/tofu.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
want=${1:-1.12.6}

if ! [[ $want =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
	echo "tofu-path.sh: \"$want\" is not an OpenTofu version; give one like 1.12.6" >&2
	exit 2
fi

# `tofu version -json` prints {"terraform_version": "1.12.6", ...}.
if command -v tofu >/dev/null 2>&1 && tofu version -json 2>/dev/null | grep -q "\"terraform_version\": *\"$want\""; then
	command -v tofu
	exit 0
fi

dir="$root/bin/tofu-$want"
if [ ! -x "$dir/tofu" ]; then
	echo "building OpenTofu $want into bin/ (go build from the module proxy; takes several minutes the first time)..." >&2
	# On failure `go mod download -json` exits non-zero and puts the reason
	# in the JSON's "Error" field, on stdout.
	info=$(go mod download -json "github.com/opentofu/opentofu@v$want" 2>&1) || true
	src=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Dir": *"\(.*\)",*$/\1/p')
	if [ -z "$src" ] || [ ! -d "$src" ]; then
		reason=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Error": *"\(.*\)",*$/\1/p')
		echo "tofu-path.sh: could not download github.com/opentofu/opentofu@v$want through the Go module proxy: ${reason:-$info}" >&2
		exit 1
	fi
	work=$(mktemp -d)
	trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
	cp -R "$src/." "$work/"
	chmod -R u+w "$work"
	mkdir -p "$dir"
	# Build to a temporary name first so an interrupted build never leaves a
	# half-written binary that later calls would reuse.
	(cd "$work" && go build -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$dir/tofu.partial" ./cmd/tofu) >&2
	if ! "$dir/tofu.partial" version 2>/dev/null | grep -qx "OpenTofu v$want"; then
		echo "tofu-path.sh: the binary built says it is $("$dir/tofu.partial" version 2>&1 | sed -n 1p), not OpenTofu v$want" >&2
		exit 1
	fi
	mv "$dir/tofu.partial" "$dir/tofu"
fi
echo "$dir/tofu"
