#!/bin/sh
# Runs every test binary and the end-to-end suite against build folder $1.
B=${1:-build/release}
passed=0 failed=0
for t in "$B"/tests/test_*; do
    case "$t" in *.o|*.d) continue ;; esac
    [ -x "$t" ] || continue
    if "$t"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAILED: $t" >&2; fi
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    if PLAYBOOK="$PWD/$B/playbook" sh "$t"; then passed=$((passed + 1)); else
        failed=$((failed + 1)); echo "FAILED: $t" >&2; fi
done
echo "suites ($B): $passed passed, $failed failed"
[ "$failed" = 0 ]
