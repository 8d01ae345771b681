#!/bin/sh
# The fuzz targets' corpora, replayed without libFuzzer (docs/fuzzing.md):
# every seed in tests/fuzz/corpus/TARGET and every reproducer in
# tests/fuzz/crashes/TARGET, through the replay build of each
# tests/fuzz/fuzz_*.c that `make check` leaves next to $PLAYBOOK
# (BUILD/tests/fuzz/TARGET: release, or ASan+UBSan under SAN=1).
#
# A reproducer of an engine bug that is reported but not yet fixed is
# listed in tests/fuzz/crashes/known.txt ("TARGET/FILE  what it
# shows"): while it still fails it counts as a known bug, not a
# failure.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/fuzz_corpus.sh
set -u

NAME="e2e fuzz corpus"
. tests/e2e/lib/common.sh

. tests/fuzz/seeds.sh
FUZZ_BIN=$(dirname "$PB")/tests/fuzz
KNOWN=tests/fuzz/crashes/known.txt
LIMIT=${FUZZ_REPLAY_LIMIT:-120} # seconds per replay run

# try CMD...: like run_limited, but a sanitizer report only sets rc (to
# 1 if the command exited 0): the caller judges, a known bug is no failure.
try() {
    if command -v timeout >/dev/null 2>&1; then
        timeout "$LIMIT" "$@" >"$T/out" 2>"$T/err"
    else
        "$@" >"$T/out" 2>"$T/err"
    fi
    rc=$?
    if [ "$rc" = 0 ] &&
        grep -q -e 'Sanitizer' -e 'runtime error:' "$T/err"; then
        rc=1
    fi
}
is_known() { # TARGET/FILE
    [ -f "$KNOWN" ] && grep -v '^#' "$KNOWN" | awk '{ print $1 }' |
        grep -qxF -- "$1"
}

ntargets=0
for src in tests/fuzz/fuzz_*.c; do
    [ -f "$src" ] || continue
    t=$(basename "$src" .c)
    bin=$FUZZ_BIN/$t
    ntargets=$((ntargets + 1))
    if [ ! -x "$bin" ]; then
        fail "$t: no replay binary $bin (make check builds it)"
        continue
    fi

    # The seeds: one run over the folder, each file again on failure to
    # name the culprit.
    seeds=tests/fuzz/corpus/$t
    n=$(find "$seeds" -type f ! -name '.*' 2>/dev/null | wc -l)
    if [ "$n" -gt 0 ]; then ok; else fail "$t: no seeds in $seeds"; fi
    # shellcheck disable=SC2046 # folder names are words
    run_limited "$LIMIT" "$bin" "$seeds" $(fuzz_seed_dirs "$t")
    if [ "$rc" = 0 ]; then
        ok
    else
        fail "$t: seed corpus: exit $rc"
        for f in "$seeds"/* $(fuzz_seed_dirs "$t"); do
            run_limited "$LIMIT" "$bin" "$f"
            [ "$rc" = 0 ] || fail "$t: seed ${f#tests/fuzz/}: exit $rc"
        done
    fi

    # The reproducers, one process each.
    for f in tests/fuzz/crashes/"$t"/*; do
        [ -f "$f" ] || continue
        id=$t/$(basename "$f")
        try "$bin" "$f"
        if [ "$rc" = 0 ]; then
            ok
            # Some show only under ASan: a release build proves nothing.
            if is_known "$id" && grep -q __asan_init "$bin"; then
                echo "NOTE: $id passes now: drop it from $KNOWN" >&2
            fi
        elif is_known "$id"; then
            known_bug "$id: $(grep -F -- "$id" "$KNOWN" | head -n 1 |
                sed 's/^[^ ]*  *[^ ]*  *//' | cut -c 1-100)"
        else
            fail "$id: exit $rc: $(grep -m 1 -e '^SUMMARY' -e 'fuzz: ' \
                -e 'ERROR' "$T/err" | cut -c 1-160)"
        fi
    done
done
if [ "$ntargets" -ge 4 ]; then ok; else
    fail "only $ntargets fuzz targets in tests/fuzz"; fi

summary
