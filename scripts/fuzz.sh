#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a short time (default 5s
# each) on top of its committed seed corpus (testdata/fuzz/<Target>/).
#   scripts/fuzz.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-5s}
found=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	grep -lq '^func Fuzz' "$dir"/*_test.go 2>/dev/null || continue
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		found=$((found + 1))
		echo "--- fuzz $pkg $target ($dur)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" "$pkg" 2>&1 | tail -n 3
	done
done
echo "fuzzed $found targets"
