#!/bin/sh
# Runs libFuzzer targets built in build/fuzz (make fuzz does it all).
#
#   sh tests/fuzz/run.sh BUILD SECONDS JOBS TARGET...
#
# Each target runs for SECONDS (-max_total_time) from the repository
# root, starting from its seed corpus tests/fuzz/corpus/TARGET (read
# only) and its scratch corpus BUILD/corpus/TARGET, where new inputs go
# (never committed).  Crashes, leaks, timeouts and out-of-memory inputs
# land in tests/fuzz/crashes/TARGET/; tests/fuzz/TARGET.dict, when
# there is one, is the format's dictionary.  JOBS targets run at a
# time.  The last status line of each run (executions, cov, ft) is
# printed, the whole log kept in BUILD/logs/TARGET.log.  Exit 1 when any
# target stopped on a finding.  FUZZ_FLAGS adds libFuzzer flags (e.g.
# "-fork=1 -ignore_crashes=1" to go on after a crash).
B=${1:?build folder}
SECS=${2:?seconds}
JOBS=${3:-1}
shift 3

mkdir -p "$B/logs" || exit 1
. tests/fuzz/seeds.sh
# As the replay build has them (replay.c): see a returned frame's memory.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=1}
export ASAN_OPTIONS
one() { # TARGET
    t=$1
    mkdir -p "$B/corpus/$t" "tests/fuzz/crashes/$t"
    # A dictionary of the format's words, when there is one.
    opts=""
    [ -f "tests/fuzz/$t.dict" ] && opts="-dict=tests/fuzz/$t.dict"
    start=$(date +%s)
    "$B/tests/fuzz/$t" -max_total_time="$SECS" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="tests/fuzz/crashes/$t/" $opts ${FUZZ_FLAGS:-} \
        "$B/corpus/$t" "tests/fuzz/corpus/$t" $(fuzz_seed_dirs "$t") \
        >"$B/logs/$t.log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    last=$(grep -E '^#[0-9]+' "$B/logs/$t.log" | tail -n 1)
    echo "$t: exit $rc after ${secs}s: $last"
    [ "$rc" = 0 ] || grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: )|artifact_prefix' \
        "$B/logs/$t.log" | head -n 5 | sed 's/^/    /'
    return $rc
}

status=0 running=0 pids=""
for t in "$@"; do
    one "$t" &
    pids="$pids $!"
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        for p in $pids; do wait "$p" || status=1; done
        pids="" running=0
    fi
done
for p in $pids; do wait "$p" || status=1; done
exit $status
