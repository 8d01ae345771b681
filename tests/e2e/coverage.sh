#!/bin/sh
# `playbook coverage` (docs/authoring.md, "Coverage"): the counts agree
# with what each call's own replay shows, --mutate finds the item and
# detector no call tests, --min gates, text, JSON and HTML, and bad
# input is refused with nothing written.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/coverage.sh
set -u

NAME="e2e coverage"
. tests/e2e/lib/common.sh
F=tests/fixtures/coverage

# the bundled suite: every count as the replays have it
run "$PB" coverage -p principles -f json scenarios
expect_rc 0 "coverage of the bundled suite"
cp "$T/out" "$T/cov.json"
"$PB" replay -p principles -f json scenarios >"$T/replay.json" 2>/dev/null
json_ok "$T/cov.json" "counts agree with the replays" '
import collections
r = json.load(open(sys.argv[1].replace("cov.json", "replay.json")))["scenarios"]
assert d["calls"] == len(r) == 14
done = collections.Counter(); fired = collections.Counter()
matched = collections.Counter()
for s in r:
    for c in s["checklist"]:
        if c["done_at"] is not None:
            done[c["principle"] + "." + c["item"]] += 1
    for e in s["events"]:
        ev = e.get("evidence")
        if e["detected_by"] and ev:
            fired[(e["detected_by"], ev["line"])] += 1
            if ev["match"] is not None:
                matched[(e["detected_by"], ev["line"], ev["match"])] += 1
got_done = collections.Counter(); got_fired = collections.Counter()
got_matched = collections.Counter()
for p in d["principles"]:
    for i in p["items"]:
        if i["done"]:
            got_done[p["id"] + "." + i["id"]] = i["done"]
    for x in p["detectors"]:
        if x["fired"]:
            got_fired[(p["id"], x["line"])] += x["fired"]
        for m in x["matches"]:
            if m["count"]:
                got_matched[(p["id"], x["line"], m["text"])] += m["count"]
assert got_done == done, (got_done, done)
assert got_fired == fired, (got_fired - fired, fired - got_fired)
assert got_matched == matched, (got_matched - matched, matched - got_matched)
n = d["items"] + d["detectors"] + d["matches"]
assert abs(d["percent"] - 100.0 * (d["items_done"] + d["detectors_fired"] + d["matched"]) / n) < 1e-6
assert d["mutants"] == 0 and d["noticed"] == 0'
run "$PB" coverage -p principles scenarios
expect_rc 0 "text"
has "$T/out" "Coverage over 14 calls:" "the figure"
has "$T/out" "never matched: pattern" "what no call matched"

# mutation: the fixture tests hello and says nothing of bye
run "$PB" coverage --mutate -p "$F" -f json "$F/greet.xml"
expect_rc 0 "--mutate"
json_ok "$T/out" "what dropping each one changes" '
p = d["principles"][0]
items = {i["id"]: i["noticed"] for i in p["items"]}
assert items == {"hello": True, "bye": False}, items
dets = {x["emit"]: x["noticed"] for x in p["detectors"]}
assert dets == {"agent.greeted": True, "agent.farewell": False}, dets
assert (d["mutants"], d["noticed"]) == (4, 2)
m = {x["text"]: x["count"] for x in p["detectors"][0]["matches"]}
assert m == {"hello": 0, "good morning": 1, "hi there": 0}, m'
run "$PB" coverage --mutate -p "$F" "$F/greet.xml"
has "$T/out" "Mutation: 2 of 4 dropped in turn were noticed by some call" "the mutation figure"
has "$T/out" "  bye                           1         0        0  not noticed" "bye, untested"
run "$PB" coverage --mutate -p principles scenarios
expect_rc 0 "--mutate over the bundled suite"
has "$T/out" "dropped in turn were noticed" "the bundled suite's mutation figure"

# what docs/authoring.md ("Coverage") shows is what coverage prints
"$PB" coverage --mutate -p "$F" "$F/greet.xml" >"$T/doc.out" 2>&1
sed -n '/^\$ playbook coverage --mutate -p tests\/fixtures\/coverage/,/^```$/p' \
    docs/authoring.md | sed '1d;$d' >"$T/doc.want"
if [ -s "$T/doc.want" ] && cmp -s "$T/doc.want" "$T/doc.out"; then ok; else
    fail "authoring.md's coverage example differs from the run"; fi

# --min
run "$PB" coverage --min 100 -p "$F" "$F/greet.xml"
expect_rc 1 "below --min"
has "$T/err" "66.7% is below --min 100" "says by how much"
run "$PB" coverage --min 60 -p "$F" "$F/greet.xml"
expect_rc 0 "above --min"
for bad in abc 101 -1 ""; do
    run "$PB" coverage --min "$bad" -p "$F" "$F/greet.xml"
    expect_rc 2 "--min '$bad'"
done

# HTML, whole to -o
run "$PB" coverage --mutate -p principles -f html -o "$T/c.html" scenarios
expect_rc 0 "html"
if python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/c.html"
then ok; else fail "c.html does not parse"; fi
has "$T/c.html" "What the calls exercise" "the page"
has "$T/c.html" "not noticed" "the mutation in the page"
screenshot "$T/c.html" coverage 1100x1400

# bad input: exit 2, nothing written
printf '<scenario xmlns="urn:playbook:scenario:1" id="x">\n<events>\n<event t="1" type="agent.said">hi</event>\n</events>\n<expect><item ref="greet.nope" state="done"/></expect></scenario>\n' >"$T/bad.xml"
run "$PB" coverage -p "$F" -o "$T/no.txt" "$F/greet.xml" "$T/bad.xml"
expect_rc 2 "an expectation naming no item"
has "$T/err" "bad.xml:5:" "names the file and line"
if [ -e "$T/no.txt" ]; then fail "a report was written"; else ok; fi
run "$PB" coverage -p "$F"
expect_rc 2 "no scenario"
has "$T/err" "see \`playbook coverage --help\`" "points to the help"
run "$PB" coverage -f junit -p "$F" "$F/greet.xml"
expect_rc 2 "--format junit"
run "$PB" coverage --help
expect_rc 0 "coverage --help"
has "$T/out" "usage: playbook coverage" "the usage"

summary
