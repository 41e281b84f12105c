#!/usr/bin/env bash
# Runs every Go fuzz target in the module on top of its committed seed
# corpus (testdata/fuzz/<Target>/).
#   scripts/fuzz.sh [budget]
# The budget is passed to -fuzztime. In CI it is a count of executions
# (default 2000x), so that the run does not depend on how busy the machine
# is: a time budget fails when the baseline-coverage pass over the corpus
# takes longer than the budget. A duration (e.g. 60s) is for `make fuzz`,
# never for CI. Every failure prints the whole output of the failing run.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-2000x}
case "$budget" in
*x) ;;
*)
	if [ -n "${CI:-}" ]; then
		echo "fuzz.sh: CI fuzzes by a count of executions (e.g. 2000x), never for a time ($budget)" >&2
		exit 2
	fi
	;;
esac
found=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	grep -lq '^func Fuzz' "$dir"/*_test.go 2>/dev/null || continue
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		found=$((found + 1))
		echo "--- fuzz $pkg $target ($budget)"
		# -parallel 1: one worker, so a count budget is a plain count and the
		# run needs no spare core.
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" -parallel 1 "$pkg" >"$log" 2>&1; then
			tail -n 1 "$log"
		else
			failed=$((failed + 1))
			echo "FAIL: $pkg $target; its whole output:"
			cat "$log"
		fi
	done
done
echo "fuzzed $found targets, $failed failed"
[ "$failed" -eq 0 ]
