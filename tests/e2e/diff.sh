#!/bin/sh
# `playbook diff OLD NEW SCENARIO...` (docs/authoring.md, "Comparing two
# versions"): the bundled principles against themselves report nothing;
# against a copy with one phrase removed, exactly the calls a replay of
# each version scores differently, each with the event and the phrase
# that decided it; largest change first; git revisions; text, JSON and
# HTML; bad input refused with nothing written.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/diff.sh
set -u

NAME="e2e diff"
. tests/e2e/lib/common.sh
CALLS="scenarios tests/calibration/real-abcd/xml"
ncalls=$(ls scenarios/*.xml tests/calibration/real-abcd/xml/*.xml | wc -l)

# against themselves: nothing
# shellcheck disable=SC2086 # the folders of calls
run "$PB" diff principles principles $CALLS
expect_rc 0 "the bundled principles against themselves"
has "$T/out" "0 of $ncalls calls change" "every call compared, none changed"

# one phrase removed: "that worked", which the customer says in one
# bundled scenario
cp -r principles "$T/one"
sed -i 's/"that worked", //' "$T/one/lib/phrases.lua"
if grep -q '"that worked"' "$T/one/lib/phrases.lua"; then
    fail "the phrase was not removed from the copy"; else ok; fi
# shellcheck disable=SC2086
run "$PB" diff -f json principles "$T/one" $CALLS
expect_rc 1 "a call changes: exit 1"
cp "$T/out" "$T/one.json"

# What each version's own replay says, call by call: the calls whose
# item states or score differ are exactly the ones diff lists.
# shellcheck disable=SC2086
"$PB" replay -p principles -f json $CALLS >"$T/a.json" 2>/dev/null
# shellcheck disable=SC2086
"$PB" replay -p "$T/one" -f json $CALLS >"$T/b.json" 2>/dev/null
python3 - "$T/a.json" "$T/b.json" >"$T/truth.txt" <<'EOF'
import json, sys
def states(p):
    return {s["file"]: ({c["principle"] + "." + c["item"]: c["state"]
                         for c in s["checklist"]},
                        s["score"]["overall"]["value"])
            for s in json.load(open(p))["scenarios"]}
a, b = states(sys.argv[1]), states(sys.argv[2])
assert len(a) == len(b) > 0
for f in sorted(a):
    if a[f] != b[f]:
        print(f)
EOF
if [ -s "$T/truth.txt" ]; then ok; else
    fail "the removed phrase decides no call: the test proves nothing"; fi
json_ok "$T/one.json" "diff lists exactly the calls the replays differ on" '
truth = sorted(open(sys.argv[1].replace("one.json", "truth.txt")).read().split())
got = sorted(c["file"] for c in d["calls"])
assert got == truth, (got, truth)
assert d["compared"] == '"$ncalls"' and d["changed"] == len(truth)
for c in d["calls"]:
    assert c["old_score"] != c["new_score"] or c["items"]
    for it in c["items"]:
        ev = it["event"]
        assert ev and ev["n"] >= 1 and ev["type"] and ev["time"], it
        assert "pattern \"that worked\"" in ev["old_detected"], ev
        assert "that worked" not in ev["new_detected"], ev
        assert "that worked" in ev["text"], ev'

# the text report: the call, the item, the event and the phrase
# shellcheck disable=SC2086
run "$PB" diff principles "$T/one" $CALLS
expect_rc 1 "text report"
has "$T/out" "scenarios/wrong-size-return.xml" "names the call"
has "$T/out" "score 1.00 -> 0.92 (-0.08)" "the score, before and after"
has "$T/out" "follow_up.verify  done -> open" "the item that changes"
has "$T/out" "from event 16 at 74:32:00: customer.said \"They came yesterday" "the event it changes from"
has "$T/out" "old: case.resolved [own.lua:154 pattern \"that worked\"]" "what the old version detected there"
has "$T/out" "new: (nothing detected)" "what the new one did not"

# what docs/authoring.md ("Comparing two versions") shows is what diff
# prints, run as it says
ROOT=$PWD
mkdir -p "$T/doc"
ln -s "$ROOT/principles" "$T/doc/principles"
ln -s "$ROOT/scenarios" "$T/doc/scenarios"
cp -r "$T/one" "$T/doc/new-principles"
(cd "$T/doc" && "$PB" diff principles new-principles scenarios/) >"$T/doc.out" 2>&1
sed -n '/^\$ playbook diff principles new-principles scenarios\/$/,/^```$/p' \
    docs/authoring.md | sed '1d;$d' >"$T/doc.want"
if [ -s "$T/doc.want" ] && cmp -s "$T/doc.want" "$T/doc.out"; then ok; else
    fail "authoring.md's diff example differs from the run: $(diff "$T/doc.want" "$T/doc.out" | head -5)"; fi

# two phrases removed: two calls, the larger change first
cp -r "$T/one" "$T/two"
sed -i 's/"i can help", //' "$T/two/lib/talk.lua"
# shellcheck disable=SC2086
run "$PB" diff -f json principles "$T/two" $CALLS
expect_rc 1 "two phrases removed"
json_ok "$T/out" "largest change first" '
c = d["calls"]
assert len(c) >= 2, len(c)
deltas = [abs(x["new_score"] - x["old_score"]) for x in c]
assert deltas == sorted(deltas, reverse=True), deltas'

# HTML, whole to -o
# shellcheck disable=SC2086
run "$PB" diff -f html -o "$T/d.html" principles "$T/two" $CALLS
expect_rc 1 "html to -o"
if python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/d.html"
then ok; else fail "d.html does not parse"; fi
has "$T/d.html" "wrong-size-return.xml" "the page names the call"
has "$T/d.html" "follow_up.verify" "the page names the item"
screenshot "$T/d.html" diff 1100x900

# git revisions: REV:PATH, checked out and cleaned up
if command -v git >/dev/null 2>&1; then
    mkdir -p "$T/repo" "$T/tmp"
    cp -r principles "$T/repo/"
    (cd "$T/repo" && git init -q && git add -A &&
     git -c user.email=t@e -c user.name=t commit -qm one &&
     sed -i 's/"that worked", //' principles/lib/phrases.lua &&
     git -c user.email=t@e -c user.name=t commit -qam two) >/dev/null 2>&1
    (cd "$T/repo" && TMPDIR="$T/tmp" "$PB" diff HEAD~1:principles \
        HEAD:principles "$OLDPWD/scenarios") >"$T/out" 2>"$T/err"
    rc=$?
    expect_rc 1 "two git revisions"
    has "$T/out" "old: HEAD~1:principles" "names the old revision"
    has "$T/out" "1 of 14 calls change" "the one call the phrase decides"
    if [ -z "$(ls "$T/tmp")" ]; then ok; else
        fail "checked-out revisions left behind: $(ls "$T/tmp")"; fi
    (cd "$T/repo" && TMPDIR="$T/tmp" "$PB" diff HEAD~7:principles \
        principles "$OLDPWD/scenarios") >"$T/out" 2>"$T/err"
    rc=$?
    expect_rc 2 "a revision git does not know"
    has "$T/err" "HEAD~7:principles: git has no such revision and folder" "says which"
    lacks "$T/out" "calls change" "no report"
    if [ -z "$(ls "$T/tmp")" ]; then ok; else
        fail "a failed checkout left files: $(ls "$T/tmp")"; fi
else
    echo "SKIP: git not installed"
fi

# bad input: exit 2, nothing written
cp -r principles "$T/fewer"
rm "$T/fewer/boundaries.lua"
run "$PB" diff -o "$T/no.txt" principles "$T/fewer" scenarios
expect_rc 2 "different principles"
has "$T/err" "hold different principles" "says the two differ"
has "$T/err" "only in principles: boundaries" "names the id only one has"
if [ -e "$T/no.txt" ]; then fail "a report was written"; else ok; fi
printf '<scenario xmlns="urn:playbook:scenario:1" id="x">\n<events>\n<event t="zz" type="agent.said">hi</event>\n</events></scenario>\n' >"$T/bad.xml"
run "$PB" diff -o "$T/no.txt" principles "$T/one" scenarios "$T/bad.xml"
expect_rc 2 "a call that cannot be read"
has "$T/err" "bad.xml:3:" "names the file and line"
if [ -e "$T/no.txt" ]; then fail "a report was written"; else ok; fi
run "$PB" diff principles "$T/nowhere" scenarios
expect_rc 2 "a version that is not there"
has "$T/err" "nowhere: no such file or folder, nor REV:PATH" "says so"
printf 'return principle {\n  id = "listen",\n  itmes = {},\n}\n' >"$T/fewer/boundaries.lua"
run "$PB" diff principles "$T/fewer" scenarios
expect_rc 2 "a version that does not load"
err_at "$T/fewer/boundaries.lua" 3 "the load error at its line"
run "$PB" diff principles principles
expect_rc 2 "no calls"
has "$T/err" "see \`playbook diff --help\`" "points to the help"
run "$PB" diff -f junit principles principles scenarios
expect_rc 2 "--format junit"
run "$PB" diff --help
expect_rc 0 "diff --help"
has "$T/out" "usage: playbook diff OLD NEW" "the usage"

summary
