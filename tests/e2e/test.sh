#!/bin/sh
# `playbook test [--watch]` (docs/authoring.md, "Workflow"): one round
# loads, lints and replays in a few lines with the right exit code, and
# --watch runs a round again on each saved principle or scenario, not
# on other files, until SIGINT.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/test.sh
set -u

NAME="e2e test"
. tests/e2e/lib/common.sh

run "$PB" test -p principles scenarios
expect_rc 0 "the bundled suite"
has "$T/out" "principles: 6 loaded" "what loaded"
has "$T/out" "lint: 0 findings" "lint"
has "$T/out" "scenarios: 14 of 14 pass" "the scenarios"

# a lead's folder, from `new`: the scenario beside the principle
mkdir -p "$T/w"
cd "$T/w" || exit 2
"$PB" new principle refunds >/dev/null
run "$PB" test -p refunds.lua
expect_rc 0 "new principle, as written"
has "$T/out" "scenarios: 1 of 1 pass" "its scenario found beside it"
sed 's/state="done"/state="violated"/' refunds.xml >x && mv x refunds.xml
run "$PB" test -p refunds.lua
expect_rc 1 "an expectation not met"
has "$T/out" "FAIL ./refunds.xml" "names the scenario"
has "$T/out" "refunds.xml:16: expected refunds.check_first is violated, found done" "the expectation, where and what"
sed 's/state="violated"/state="done"/' refunds.xml >x && mv x refunds.xml
cp refunds.lua good.lua
printf 'return principle {\n  id = "refunds",\n  itmes = {},\n}\n' >refunds.lua
run "$PB" test -p refunds.lua
expect_rc 2 "a principle that does not load"
err_at refunds.lua 3 "the load error at its line"
cp good.lua refunds.lua && rm good.lua

# --watch: a round on each save of a .lua or .xml, none for other files
"$PB" test --watch -p refunds.lua >"$T/watch.out" 2>&1 &
pid=$!
waitfor() { # TEXT COUNT: until the output has TEXT COUNT times (30 s)
    i=0
    while [ "$(grep -cF -- "$1" "$T/watch.out")" -lt "$2" ] && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if [ $i -lt 300 ]; then ok; else fail "--watch: no '$1' (x$2) in time"; fi
}
waitfor "watching 1 folder" 1
echo "notes" >notes.txt
sleep 0.5
if [ "$(grep -c "changed; again" "$T/watch.out")" = 0 ]; then ok; else
    fail "--watch ran again for notes.txt"; fi
sed 's/case:has("agent.checked")/case:has("agent.chekced")/' refunds.lua >x && mv x refunds.lua
waitfor "changed; again" 1
waitfor "scenarios: 0 of 1 pass" 1
has "$T/watch.out" "did you mean 'agent.checked'?" "lint in the round"
cp refunds.xml copy.xml
waitfor "changed; again" 2
kill -INT "$pid"
wait "$pid"
rc=$?
expect_rc 0 "--watch stopped by SIGINT"
cd "$OLDPWD" || exit 2

run "$PB" test --watch=yes -p principles
expect_rc 2 "--watch takes no value"
run "$PB" test --help
expect_rc 0 "test --help"
has "$T/out" "usage: playbook test" "the usage"

summary
