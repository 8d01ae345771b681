#!/bin/sh
# `playbook lint` (docs/authoring.md, "Lint"): each kind of finding at
# its line, types resolved across files and lib files, text and JSON,
# --strict, the bundled principles clean, `check` showing the findings
# that need no other file, and bad input refused with nothing changed.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/lint.sh
set -u

NAME="e2e lint"
. tests/e2e/lib/common.sh
F=tests/fixtures/lint

# the bundled principles: nothing to say, strict or not
run "$PB" lint -p principles --strict
expect_rc 0 "lint of the bundled principles, --strict"
has "$T/out" "0 findings" "the bundled principles are clean"
run "$PB" lint principles
expect_rc 0 "lint PATH"

# one finding of each kind, at its line
run "$PB" lint "$F/fees.lua"
expect_rc 0 "findings are not failures without --strict"
for want in \
    "fees.lua:8: event type 'agent.disclosed_fees' is read, but no detector emits it and no tool records it [type-never-recorded]" \
    "fees.lua:10: fact 'fee_amuont' is read, but no item collects it and no principle names it elsewhere: only a case file could give it (did you mean 'fee_amount'?) [fact-never-collected]" \
    "fees.lua:11: item 'never': applies always returns false, so it is never listed [never-applies]" \
    "fees.lua:14: item 'by_hand': waits for 'never', which never applies, so it never waits [after-never-applies]" \
    "fees.lua:14: item 'by_hand': done always returns false and it collects nothing, so only the agent can check it [never-done]" \
    "fees.lua:19: event type 'agent.siad' is read, but no detector emits it and no tool records it (did you mean 'agent.said'?) [type-never-recorded]" \
    "fees.lua:21: pattern '(%a+ )*charge': it repeats a group" \
    "fees.lua:22: pattern 'fee' is also on line 20: this one never decides [shadowed]" \
    "fees.lua:25: phrase 'I will look into it': 'look into' (line 24) matches wherever it does" \
    "fees.lua:28: example 'we can waive the FEE' is also on line 27 [shadowed]" \
    "10 findings"; do
    has "$T/out" "$want" "fees.lua"
done
# what a lib file names, or a tool records, is not a finding
lacks "$T/out" "x.from_lib" "a type the lib file names"
lacks "$T/out" "fact 'fee_amount'" "a fact a detector returns"
lacks "$T/out" "type 'fees.quoted'" "a type the file's own detector emits"

# a type one file reads and another emits: lint them together
run "$PB" lint "$F/reader.lua"
has "$T/out" "reader.lua:5: event type 'fees.quoted' is read" "alone, reader.lua reads what nothing emits"
run "$PB" lint "$F/reader.lua" "$F/fees.lua"
lacks "$T/out" "reader.lua" "beside fees.lua, nothing to say of reader.lua"
run "$PB" lint -p "$F/reader.lua" -p "$F/fees.lua"
lacks "$T/out" "reader.lua" "the same with -p"

# --strict
run "$PB" lint --strict "$F/fees.lua"
expect_rc 1 "--strict with findings"
run "$PB" lint --strict "$F/reader.lua" "$F/fees.lua"
expect_rc 1 "--strict, fees.lua's findings"

# JSON
run "$PB" lint --format json "$F/fees.lua"
expect_rc 0 "--format json"
json_ok "$T/out" "the JSON findings" '
f = d["findings"]
assert d["count"] == len(f) == 10, d["count"]
assert all(set(x) == {"file", "line", "principle", "code", "message", "local"} for x in f)
assert [x["line"] for x in f] == sorted(x["line"] for x in f)
codes = {x["code"] for x in f}
assert codes == {"type-never-recorded", "fact-never-collected", "never-applies",
                 "after-never-applies", "never-done", "pattern-never-matches",
                 "shadowed"}, codes
loc = {x["code"]: x["local"] for x in f}
assert not loc["type-never-recorded"] and not loc["fact-never-collected"]
assert loc["shadowed"] and loc["never-applies"]
assert all(x["principle"] == "fees" for x in f)'

# check: the findings that need no other file, as warnings; exit 0
run "$PB" check "$F/fees.lua"
expect_rc 0 "check with warnings"
has "$T/out" "fees.lua:22: warning: pattern 'fee' is also on line 20" "check shows a shadowed pattern"
has "$T/out" "fees.lua:11: warning: item 'never': applies always returns false" "check shows an applies that says no"
lacks "$T/out" "agent.disclosed_fees" "check leaves types to lint (another file may emit them)"
run "$PB" check principles
lacks "$T/out" "warning:" "check of the bundled principles: no warning"

# bad input: exit 2, file:line, nothing changed
mkdir -p "$T/bad"
printf 'return principle {\n  id = "x",\n  items = { { id = "a", mst = true } },\n}\n' >"$T/bad/typo.lua"
sum=$(cksum <"$T/bad/typo.lua")
run "$PB" lint "$T/bad/typo.lua"
expect_rc 2 "a principle that does not load"
err_at "$T/bad/typo.lua" 3 "names the file and line"
if [ "$(cksum <"$T/bad/typo.lua")" = "$sum" ]; then ok; else
    fail "lint changed the file it read"; fi
run "$PB" lint "$T/nowhere"
expect_rc 2 "a path that is not there"
run "$PB" lint --format html "$F/fees.lua"
expect_rc 2 "--format html"
has "$T/err" "see \`playbook lint --help\`" "points to the help"
run "$PB" lint --strict=yes "$F/fees.lua"
expect_rc 2 "--strict takes no value"
run "$PB" lint --help
expect_rc 0 "lint --help"
has "$T/out" "usage: playbook lint" "the usage"
has "$T/out" "type-never-recorded" "the help names each kind"

# what docs/authoring.md ("Lint") shows is what lint and check print
"$PB" lint principles "$F/fees.lua" >"$T/lint.txt" 2>&1
"$PB" check "$F/fees.lua" >>"$T/lint.txt" 2>&1
grep -E '^(tests/fixtures/lint/|ok  tests/fixtures/lint/)' docs/authoring.md >"$T/doc.txt"
if [ -s "$T/doc.txt" ]; then ok; else fail "authoring.md shows no lint output"; fi
while IFS= read -r line; do
    if grep -qxF -- "$line" "$T/lint.txt"; then ok; else
        fail "authoring.md shows a line lint does not print: $line"; fi
done <"$T/doc.txt"

summary
