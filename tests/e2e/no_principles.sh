#!/bin/sh
# No silent empty playbook: every verb that judges against principles,
# run where none can be found, exits 2, prints nothing on stdout, and
# says where it looked and how to point it (docs/authoring.md, "Where
# the principles are").  Without this, a replay outside the repository
# checked nothing and looked like a pass.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/no_principles.sh
set -u

NAME="e2e no principles"
. tests/e2e/lib/common.sh
S=$PWD/scenarios/abcd-3592.xml
W="$T/elsewhere"
mkdir -p "$W/empty"
printf "chat,item,lead,borderline,note\nabcd-3592,listen.hear_out,done,,\n" >"$W/labels.csv"
: >"$W/nothing"

# in_w CMD...: run from $W, with stdin empty.
in_w() {
    run_in "$W/nothing" sh -c 'cd "$1" && shift && exec "$@"' sh "$W" "$@"
}
# refused WHAT PLACE: exit 2, stdout empty, stderr names PLACE and the ways
refused() {
    expect_rc 2 "$1"
    if [ -s "$T/out" ]; then fail "$1: stdout: $(head -n 3 "$T/out")"
    else ok; fi
    has "$T/err" "no principles were loaded" "$1"
    has "$T/err" "$2" "$1: where it looked"
    has "$T/err" "Point to them with -p DIR, or set PLAYBOOK_PRINCIPLES=DIR" \
        "$1: how to point it"
}

unset PLAYBOOK_PRINCIPLES
for verb in "replay $S" "replay --format json $S" "show" "check $S" \
            "stats $S" "followups $W" "review $S" \
            "event case.xml customer.said hello --topic delivery" \
            "live --case live.xml --topic delivery" \
            "calibrate --labels labels.csv $S" "serve --data cases"; do
    # shellcheck disable=SC2086 # the verb's words
    in_w "$PB" $verb
    refused "$verb" "./principles (the default: no -p, no \$PLAYBOOK_PRINCIPLES"
done
if [ -e "$W/case.xml" ] || [ -e "$W/live.xml" ] || [ -e "$W/cases" ]; then
    fail "a verb refused for want of principles left a file behind"
else ok; fi

in_w "$PB" replay -p empty "$S"
refused "-p with no *.lua" "empty (-p): no principle file (*.lua) in it"
in_w env PLAYBOOK_PRINCIPLES=nope "$PB" show
refused "PLAYBOOK_PRINCIPLES naming nothing" \
    "nope (\$PLAYBOOK_PRINCIPLES): no such file or folder"
printf 'return principle {\n  id = "x",\n' >"$W/empty/broken.lua"
in_w "$PB" replay -p empty "$S"
refused "-p whose one file does not load" \
    "empty (-p): what it holds did not load (above)"
err_at "empty/broken.lua" 3 "the file that did not load, with its line"

# with principles found, the same verbs are unaffected
run "$PB" show -p principles
expect_rc 0 "show -p principles"
lacks "$T/err" "no principles were loaded" "show -p principles"

summary
