#!/bin/sh
# End-to-end tests of `playbook coach`, run as a trainer would run it
# over the team example (docs/examples/team: real chats with an agent
# and a start each), every figure checked against the replays.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/coach.sh
set -u
NAME="e2e coach"
. tests/e2e/lib/common.sh

P="-p principles"
TEAM=docs/examples/team

run "$PB" coach --help
expect_rc 0 "--help"
has "$T/out" "usage: playbook coach AGENT" "help shows the usage"
has "$T/out" "--practice PATH" "help names --practice"

# 1. Text: the agent's figures, against the replays of the same files.
run "$PB" replay $P --format json "$TEAM"
cp "$T/out" "$T/replay.json"
run "$PB" coach "Ben Okafor" $P --practice scenarios "$TEAM"
expect_rc 0 "coach Ben Okafor"
cp "$T/out" "$T/ben.txt"
has "$T/ben.txt" "Coaching: Ben Okafor (Orders)" "names the agent and team"
has "$T/ben.txt" "9 calls, against the team's 37" "counts their calls"
lacks "$T/ben.txt" "$(printf '\033')" "no colour when not a terminal"
cat >"$T/check.py" <<'PY'
import collections, json, re, sys
import xml.etree.ElementTree as ET

rep = json.load(open(sys.argv[1]))["scenarios"]
text = open(sys.argv[2]).read()
NS = "{urn:playbook:scenario:1}"
MISSED = ("open", "waiting", "violated")


def share(n, d):
    return round(100 * n / d) if d else 0


mine = [s for s in rep if s["agent"] == "Ben Okafor"]
assert len(mine) == 9, len(mine)
miss, applied, team_miss, team_applied = (collections.Counter()
                                          for _ in range(4))
missed_in = collections.defaultdict(list)
for s in rep:
    for it in s["checklist"]:
        if not it["must"]:
            continue
        ref = it["principle"] + "." + it["item"]
        team_applied[ref] += 1
        team_miss[ref] += it["state"] in MISSED
        if s["agent"] == "Ben Okafor":
            applied[ref] += 1
            if it["state"] in MISSED:
                miss[ref] += 1
                missed_in[ref].append(s["file"])
o = [s["score"]["overall"]["value"] for s in mine]
t = [s["score"]["overall"]["value"] for s in rep]
assert "mean score              %.2f   team %.2f" % (
    sum(o) / len(o), sum(t) / len(t)) in text, "mean scores"

focus = re.findall(r"^  (\d)\. (\S+): missed in (\d+) of (\d+) calls "
                   r"\((\d+)%\), the team (\d+)%$", text, re.M)
assert focus, "no focus items"
counts = [int(f[2]) for f in focus]
assert counts == sorted(counts, reverse=True), "ranked by misses"
assert max(miss.values()) == counts[0], "the most missed comes first"
for _, ref, m, a, pct, team in focus:
    assert (int(m), int(a)) == (miss[ref], applied[ref]), ref
    assert int(pct) == share(miss[ref], applied[ref]), ref
    assert int(team) == share(team_miss[ref], team_applied[ref]), ref

# Each moment is a call of Ben's that missed the item, in call order.
blocks = re.split(r"^  \d\. ", text, flags=re.M)[1:]
for (_, ref, *_), block in zip(focus, blocks):
    files = re.findall(r"^     (\S+\.xml): (?:violated|still)", block, re.M)
    assert files and files == missed_in[ref][:3], (ref, files)
    # Each practice scenario checks the item in its <expect>.
    for path in re.findall(r"practise: playbook review (\S+)", block):
        root = ET.parse(path).getroot()
        refs = {e.get("ref") for e in root.iter(NS + "item")}
        assert ref in refs, (ref, path)
print("ok")
PY
if python3 "$T/check.py" "$T/replay.json" "$T/ben.txt" >"$T/py" 2>&1; then
    ok; else fail "coach text does not match the replays: $(tail -n 1 "$T/py")"; fi
has "$T/ben.txt" "practise: playbook review scenarios/" "recommends practice"
has "$T/ben.txt" "By month" "a trend per month"
has "$T/ben.txt" "  2026-09      3 calls" "Ben's September calls"

# Without --practice there is nothing to recommend, and it says how to
# get some; with scenarios that check none of the items, it says so.
run "$PB" coach "Ben Okafor" $P "$TEAM"
expect_rc 0 "coach without --practice"
lacks "$T/out" "practise:" "no practice without --practice"
has "$T/out" "(give --practice DIR for scenarios to practise on)" \
    "says how to get practice"
mkdir "$T/drills"
cp scenarios/billing-dispute.xml "$T/drills/"
run "$PB" coach "Ben Okafor" $P --practice "$T/drills" "$TEAM"
expect_rc 0 "coach with one practice scenario"
has "$T/out" "practise: none of the 1 scenarios checks it; write one" \
    "an item no practice scenario checks"

# 2. HTML: well-formed XHTML, nothing runnable, a chart, a screenshot.
run "$PB" coach "Ben Okafor" $P --practice scenarios --format html \
    -o "$T/ben.html" "$TEAM"
expect_rc 0 "coach --format html"
if python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == '{http://www.w3.org/1999/xhtml}html', root.tag
text = ''.join(root.itertext())
for want in ('Coaching: Ben Okafor', 'Work on', 'Going well',
             'Month by month', 'playbook review'):
    assert want in text, want
svg = root.findall('.//{http://www.w3.org/2000/svg}svg')
assert svg, 'no chart'
" "$T/ben.html" >"$T/py" 2>&1; then ok; else
    fail "coach HTML: $(tail -n 1 "$T/py")"; fi
lacks "$T/ben.html" "<script" "no script in the page"
# A month without calls is a gap on the axis, not a shorter step.
mkdir "$T/gap"
for f in abcd-jx04 abcd-jx08 abcd-jx12 abcd-kitL13 abcd-kitL17; do
    cp "$TEAM/$f.xml" "$T/gap/"; done
run "$PB" coach "Ben Okafor" $P --format html -o "$T/gap.html" "$T/gap"
expect_rc 0 "coach over September and November"
if python3 -c "
import sys, xml.etree.ElementTree as ET
S = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
svg = [s for s in root.iter(S + 'svg') if s.get('class') == 'ch'][0]
labels = [t.text for t in svg.iter(S + 'text') if t.text and t.text.startswith('2026')]
assert labels == ['2026-09', '2026-10', '2026-11'], labels
assert len(svg.findall(S + 'circle')) == 6, 'two months, three lines'
" "$T/gap.html" >"$T/py" 2>&1; then ok; else
    fail "coach month axis: $(tail -n 1 "$T/py")"; fi
screenshot "$T/ben.html" coach 1100x2600

# 3. Bad input: exit 2 and a clear message.
run "$PB" coach "Nobody" $P "$TEAM"
expect_rc 2 "an agent with no calls"
has "$T/err" 'no call of "Nobody" among the 37 files' "says so"
has "$T/err" '"Ana Ruiz", "Ben Okafor", "Chloe Martin", "Dev Patel"' \
    "lists the agents that have calls"
if [ -s "$T/out" ]; then fail "a page for an agent with no calls"; else ok; fi
run "$PB" coach "Ben Okafor" $P scenarios
expect_rc 2 "calls without an agent"
has "$T/err" "none of them names an agent" "says the calls name no agent"
mkdir "$T/mix"
cp "$TEAM"/abcd-jx0*.xml scenarios/late-delivery.xml "$T/mix/"
run "$PB" coach "Ben Okafor" $P "$T/mix"
expect_rc 0 "calls with and without agents"
has "$T/out" "calls, against the team's 7" "calls without an agent count for the team"
printf '<scenario xmlns="urn:playbook:scenario:1" id="x">\n<events>\n' \
    >"$T/mix/broken.xml"
run "$PB" coach "Ben Okafor" $P "$T/mix"
expect_rc 2 "an unreadable call"
has "$T/err" "broken.xml:" "names the file"
has "$T/out" "Coaching: Ben Okafor" "the others are still counted"
run "$PB" coach "" $P "$TEAM"
expect_rc 2 "an empty agent name"
run "$PB" coach "Ben Okafor"
expect_rc 2 "no calls given"
has "$T/err" "no call given" "says what is missing"
run "$PB" coach "Ben Okafor" $P --format json "$TEAM"
expect_rc 2 "--format json"
run "$PB" coach "Ben Okafor" $P --practice "$T/none" "$TEAM"
expect_rc 2 "a practice folder that is not there"

# A hostile agent name reaches the terminal escaped and the page as text.
sed 's/agent="Ben Okafor"/agent="Ben \&#x202e; \&lt;b\&gt;"/' \
    "$TEAM/abcd-jx04.xml" >"$T/hostile.xml"
name=$(printf 'Ben \342\200\256 <b>')
run "$PB" coach "$name" $P --format html -o "$T/h.html" "$T/hostile.xml"
expect_rc 0 "a hostile agent name"
lacks "$T/h.html" "<b>" "the name is escaped in HTML"
has "$T/h.html" "Coaching: Ben" "and shown"
run "$PB" coach "$name" $P "$T/hostile.xml"
lacks "$T/out" "$(printf '\342\200\256')" "no bidi control reaches the terminal"
has "$T/out" "Coaching: Ben" "the name is shown"
summary
