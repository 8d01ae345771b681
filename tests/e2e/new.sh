#!/bin/sh
# `playbook new principle NAME [DIR]` (docs/authoring.md, "Starting a
# principle"): the two files it writes work as written, it never
# overwrites, and bad names and places are refused with nothing written.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/new.sh
set -u

NAME="e2e new"
. tests/e2e/lib/common.sh
ROOT=$PWD
mkdir -p "$T/w/leads"
cd "$T/w" || exit 2

run "$PB" new principle refunds
expect_rc 0 "new principle refunds"
has "$T/out" "wrote refunds.lua and refunds.xml" "names both files"
has "$T/out" "playbook replay -p refunds.lua refunds.xml" "says what to run next"
run "$PB" check refunds.lua
expect_rc 0 "the principle loads"
has "$T/out" "refunds: 1 item, 1 detector" "one item, one detector"
run "$PB" replay -p refunds.lua refunds.xml
expect_rc 0 "the first scenario passes with it"
has "$T/out" "Expectations: 3 of 3 met" "every expectation met"
has "$T/out" "refunds.check_first is open at 00:05" "a mid-call expectation in it"
run "$PB" replay -p "$ROOT/principles" -p refunds.lua refunds.xml
expect_rc 0 "beside the default principles too"
# every field the template sets is named in a comment that explains it
for f in id title why items must prompt done detect on words emit; do
    if grep -- '^ *--' refunds.lua | grep -qw -- "$f"; then ok; else
        fail "refunds.lua: no comment explains '$f'"; fi
done

# into a folder
run "$PB" new principle empathy leads
expect_rc 0 "new principle NAME DIR"
if [ -f leads/empathy.lua ] && [ -f leads/empathy.xml ]; then ok; else
    fail "leads/empathy.lua and .xml not written"; fi
run "$PB" replay -p leads/empathy.lua leads/empathy.xml
expect_rc 0 "the folder's pair passes"

# editor support: without the engine's definitions in reach, no
# .luarc.json; with them, one that points at them, never over the
# folder's own
if [ -e .luarc.json ] || [ -e leads/.luarc.json ]; then
    fail ".luarc.json written with no definitions to point at"; else ok; fi
mkdir ed
export PLAYBOOK_PRINCIPLES="$ROOT/principles"
run "$PB" new principle greet ed
expect_rc 0 "new principle with the definitions in reach"
has "$T/out" "wrote ed/.luarc.json: editor support from $ROOT/principles/types" \
    "says where the editor support comes from"
lib=$(sed -n 's/.*"library": \["\([^"]*\)"\].*/\1/p' ed/.luarc.json)
if [ -f "$lib/playbook.lua" ]; then ok; else
    fail "ed/.luarc.json: library '$lib' holds no playbook.lua"; fi
json_ok ed/.luarc.json "ed/.luarc.json switches off what the sandbox lacks" '
off = d["runtime"]["builtin"]
for l in ("basic", "io", "os", "debug", "coroutine", "package"):
    assert off[l] == "disable", l
assert d["runtime"]["version"] == "Lua 5.4"' 
echo '{ "mine": true }' >ed/.luarc.json
run "$PB" new principle other ed
expect_rc 0 "a second principle in the folder"
if [ "$(cat ed/.luarc.json)" = '{ "mine": true }' ]; then ok; else
    fail "the folder's own .luarc.json changed"; fi
lacks "$T/out" ".luarc.json" "says nothing of a .luarc.json it kept"
unset PLAYBOOK_PRINCIPLES

# never overwrites; both or neither
echo "-- mine" >mine.xml
run "$PB" new principle mine
expect_rc 2 "an existing scenario"
has "$T/err" "mine.xml: exists; not overwritten" "names the file"
if [ -e mine.lua ]; then fail "mine.lua written beside a refused mine.xml"
else ok; fi
if [ "$(cat mine.xml)" = "-- mine" ]; then ok; else fail "mine.xml changed"; fi
cp refunds.lua before.lua
run "$PB" new principle refunds
expect_rc 2 "an existing principle"
has "$T/err" "refunds.lua: exists; not overwritten" "names the file"
if cmp -s refunds.lua before.lua; then ok; else fail "refunds.lua changed"; fi

# bad usage
for args in "principle 9lives" "principle a-b" "principle" "thing x" \
            "principle x y z"; do
    # shellcheck disable=SC2086 # the words of the usage
    run "$PB" new $args
    expect_rc 2 "new $args"
    has "$T/err" "see \`playbook new --help\`" "new $args: points to the help"
done
run "$PB" new principle made fresh
expect_rc 0 "a folder that is not there yet is made"
if [ -f fresh/made.lua ] && [ -f fresh/made.xml ]; then ok; else
    fail "fresh/made.lua and .xml not written"; fi
run "$PB" new principle lost nowhere/deeper
expect_rc 2 "a folder whose parent is not there"
has "$T/err" "nowhere/deeper: cannot make the folder: No such file or directory" "names the path"
if [ -e nowhere ]; then fail "nowhere/ made"; else ok; fi
run "$PB" new --help
expect_rc 0 "new --help"
has "$T/out" "usage: playbook new principle NAME [DIR]" "the usage"

summary
