#!/bin/sh
# The unit tests and the end-to-end suite under valgrind (`make memcheck`,
# docs/hardening.md): no error, no definite or indirect leak, in any
# process.  The e2e scripts get PLAYBOOK as a wrapper that runs the binary
# under valgrind, logging to BUILD/memcheck/log; their time limits are
# stretched and their sweeps shortened.  MEMCHECK_JOBS tests run at once
# (default: one per core): valgrind runs a process on one core.
#
#   sh tests/memcheck.sh BUILD TEST... SCRIPT...
set -u

B=$1
shift
VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite,indirect \
--show-leak-kinds=definite,indirect"
MC=$B/memcheck
ROOT=$(pwd)

# One test, run by the lanes below: sh tests/memcheck.sh BUILD --one TEST
if [ "${1:-}" = --one ]; then
    t=$2 t0=$(date +%s) out=$MC/${2##*/}.out
    HEAVY='many-events|many-fact|many-expectations|many-followups|widest-events'
    HEAVY="$HEAVY|all-attacks|failing-detectors|scans|many-detectors|events-of"
    HEAVY="$HEAVY|within-once|many-principles|many-collects|after-chain"
    case $t in
    *.sh)
        # The corpus rows whose point is size (hundreds of thousands of
        # events, facts, expectations; every attack at once) take minutes
        # each under valgrind and run the code the small rows run.
        # MEMCHECK tells a script what valgrind changes (it keeps the
        # limit on open files its own: serve.sh).
        PLAYBOOK=$ROOT/$MC/playbook MEMCHECK=1 HOSTILE_TIME_SCALE=40 \
            HOSTILE_BATCH=1 \
            HOSTILE_SKIP="$HEAVY" CRASH_KILLS=10 LIVE_KILLS=10 \
            sh "$t" >"$out" 2>&1 ;;
    *)
        # shellcheck disable=SC2086 # VALGRIND is words
        ALLOCFAIL_RUNS=0 $VALGRIND --log-file="$MC/log/unit.%p" "$t" \
            >"$out" 2>&1 ;;
    esac
    rc=$?
    [ $rc = 0 ] || echo "FAILED: $t (see $out)"
    echo "memcheck: $t: $(($(date +%s) - t0)) s"
    exit $((rc != 0))
fi

command -v valgrind >/dev/null 2>&1 || {
    echo "memcheck: no valgrind (apt-get install valgrind)" >&2; exit 1; }
rm -rf "$MC" && mkdir -p "$MC/log" || exit 1
printf '#!/bin/sh\nexec %s --log-file=%s/log/e2e.%%p "%s" "$@"\n' \
    "$VALGRIND" "$ROOT/$MC" "$ROOT/$B/playbook" >"$MC/playbook" &&
    chmod +x "$MC/playbook" || exit 1
ln -s ../tests "$MC/tests" # scripts find the fuzz replayers there

# The scripts first: they are the long ones, so the lanes end together
# on the short unit tests.
start=$(date +%s) bad=0
jobs=${MEMCHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
for t in "$@"; do case $t in *.sh) echo "$t" ;; esac; done >"$MC/order"
for t in "$@"; do case $t in *.sh) ;; *) echo "$t" ;; esac; done >>"$MC/order"
xargs -P "$jobs" -n 1 sh "$0" "$B" --one <"$MC/order" || bad=1

# valgrind's own notes are not findings.
logs=$(ls "$MC/log" | wc -l)
grep -l '^==[0-9]*== ' "$MC"/log/* 2>/dev/null | while read -r f; do
    if grep '^==[0-9]*== ' "$f" | grep -qv \
        -e 'Warning: set address range perms' \
        -e 'Warning: client switching stacks'; then echo "$f"; fi
done >"$MC/errors"
for f in $(head -n 5 "$MC/errors"); do
    echo "--- $f"
    sed -n '1,40p' "$f"
done
echo "memcheck: $logs processes under valgrind, $(wc -l <"$MC/errors")" \
    "with errors or leaks, in $(($(date +%s) - start)) s ($jobs at once)"
[ "$bad" = 0 ] && [ ! -s "$MC/errors" ]
