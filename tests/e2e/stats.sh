#!/bin/sh
# End-to-end tests of `playbook stats`, run as a team lead would run it.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/stats.sh
#
# Every figure of the JSON is recomputed in Python from what `playbook
# replay --format json` says about the same scenarios, so the statistics
# cannot drift from the checklists they summarise.  The example output in
# docs/stats.md must be what the bundled scenarios give today; after a
# deliberate change, regenerate it with
#   PLAYBOOK=... UPDATE_DOCS=1 sh tests/e2e/stats.sh
set -u

NAME="e2e stats"
. tests/e2e/lib/common.sh

P="-p principles"
DOC=docs/stats.md

# 1. Text over the bundled scenarios: every root cause, with its count
#    (taken from the facts as each case ended, per the replay JSON).
run "$PB" replay $P --format json scenarios/
cp "$T/out" "$T/replay.json"
python3 - "$T/replay.json" >"$T/causes" <<'EOF' || fail "replay JSON unreadable"
import collections, json, sys
d = json.load(open(sys.argv[1]))
n = collections.Counter(s["facts"].get("root_cause", "").strip() or "(none)"
                        for s in d["scenarios"])
for cause, count in sorted(n.items()):
    print(cause, count)
EOF
[ -s "$T/causes" ] || fail "no root causes in the bundled scenarios"

run "$PB" stats $P scenarios/
expect_rc 0 "stats scenarios/"
cp "$T/out" "$T/stats.txt"
ncases=$(ls scenarios/*.xml | wc -l | tr -d ' ')
has "$T/stats.txt" "Team statistics: $ncases cases" "case count in text"
while read -r cause count; do
    # The row of the root-cause table: name, then its count.
    if awk -v c="$cause" -v n="$count" '
        /^Root causes/ { t = 1; next }
        t && /^$/ { exit }
        t && $1 == c && $2 == n { found = 1 }
        END { exit !found }' "$T/stats.txt"; then ok; else
        fail "root cause $cause: no row with count $count in text"
    fi
done <"$T/causes"
for section in "Overall" "Root causes" "Adherence by principle" \
    "Most-missed musts" "Violations" "Adherence by item"; do
    has "$T/stats.txt" "$section" "text section"
done
lacks "$T/stats.txt" "$(printf '\033')" "no colour when not a terminal"

# 2. JSON: parses, and every number matches a recomputation from the
#    replay JSON of the same files: the bundled scenarios and the team
#    example (agents, months).
run "$PB" replay $P --format json scenarios/ docs/examples/team/
cp "$T/out" "$T/replay.json"
run "$PB" stats $P --format json scenarios/ docs/examples/team/
expect_rc 0 "stats --format json"
cp "$T/out" "$T/stats.json"
cat >"$T/recompute.py" <<'EOF'
import collections, datetime, json, sys

rep = json.load(open(sys.argv[1]))["scenarios"]
st = json.load(open(sys.argv[2]))
STATES = ("open", "waiting", "done", "skipped", "violated", "error")


def close(a, b, what):
    if a is None or b is None:
        assert a is None and b is None, (what, a, b)
    else:
        assert abs(a - b) < 1e-8, (what, a, b)


def rate(n, d):
    return n / d if d else None


def pooled(musts, done, violations):
    # The score rule of pb_case_score, once over summed counts.
    if musts:
        return max(done - violations, 0) / musts
    return 0 if violations else 1


n = len(rep)
assert st["cases"] == n and st["unreadable"] == 0, st["cases"]

# Items: final states over the cases where the item is listed.
count = collections.defaultdict(collections.Counter)
must = {}
for s in rep:
    for it in s["checklist"]:
        ref = it["principle"] + "." + it["item"]
        count[ref][it["state"]] += 1
        must[ref] = it["must"]
for it in st["items"]:
    ref = it["ref"]
    assert ref == it["principle"] + "." + it["item"], ref
    for k in STATES:
        assert it[k] == count[ref][k], (ref, k, it[k], count[ref][k])
    assert it["applied"] == sum(count[ref].values()), ref
    missed = sum(count[ref][k] for k in ("open", "waiting", "violated"))
    assert it["missed"] == (missed if it["must"] else 0), ref
    if ref in must:
        assert it["must"] == must[ref], ref
assert set(count) <= {it["ref"] for it in st["items"]}

# Principles and overall: mean of case scores, pooled counts.
for p in st["principles"]:
    sc = [s["score"]["principles"][p["id"]] for s in rep
          if p["id"] in s["score"]["principles"]]
    assert p["cases"] == len(sc), p["id"]
    for k in ("musts", "done", "violations"):
        assert p[k] == sum(x[k] for x in sc), (p["id"], k)
    close(p["mean"], rate(sum(x["value"] for x in sc), len(sc)), p["id"])
    close(p["pooled"], pooled(p["musts"], p["done"], p["violations"])
          if sc else None, p["id"])
o = [s["score"]["overall"] for s in rep]
for k in ("musts", "done", "violations"):
    assert st["score"][k] == sum(x[k] for x in o), k
close(st["score"]["mean"], sum(x["value"] for x in o) / n, "mean")
close(st["score"]["pooled"], pooled(st["score"]["musts"],
      st["score"]["done"], st["score"]["violations"]), "pooled")


# Resolution from the timeline: resolved by case.resolved, undone by a
# later followup.done outcome=not_fixed; first contact: never not fixed.
def resolution(s):
    ever = now = not_fixed = False
    for e in s["events"]:
        if e["type"] == "case.resolved":
            ever = now = True
        elif (e["type"] == "followup.done"
              and e["attrs"].get("outcome") == "not_fixed"):
            now, not_fixed = False, True
    return now, ever and not not_fixed


res = [resolution(s) for s in rep]
r = st["resolution"]
assert r["resolved"] == sum(a for a, b in res), r
assert r["first_contact"] == sum(b for a, b in res), r
close(r["resolved_rate"], r["resolved"] / n, "resolved_rate")
close(r["first_contact_rate"], r["first_contact"] / n, "fcr")

# Contacts: the first, and one for each contact.ended that the agent or
# the customer follows.
def contacts(s):
    n, ended = 1, False
    for e in s["events"]:
        if e["type"] == "contact.ended":
            ended = True
        elif e["type"].startswith(("agent.", "customer.")):
            n += ended
            ended = False
    return n


con = [contacts(s) for s in rep]
assert r["contacts"] == sum(con), r
assert r["repeat_contacts"] == sum(con) - n, r


# Groups: root causes as the cases ended, agents, months of started_at.
def month(s):
    v = s["facts"].get("started_at")
    if v is None:
        return None
    t = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m")


keys = {
    "root_causes": ("root_cause",
                    lambda s: s["facts"].get("root_cause", "").strip() or None),
    "agents": ("agent", lambda s: s["agent"]),
    "months": ("month", month),
}
for list_name, (key, of) in keys.items():
    g = collections.defaultdict(lambda: [0, 0, 0, 0, []])
    for s, (a, b), k in zip(rep, res, con):
        c = g[of(s)]
        c[0] += 1
        c[1] += a
        c[2] += b
        c[3] += k
        c[4].append(s)
    if list_name == "root_causes":   # by contacts, cases, name; none last
        want = sorted(g, key=lambda c: (-g[c][3], -g[c][0], c is None,
                                        c or ""))
    else:                            # by name, none last
        want = sorted(g, key=lambda c: (c is None, c or ""))
    assert [c[key] for c in st[list_name]] == want, (list_name, want)
    for c in st[list_name]:
        k, a, b, m, cases = g[c[key]]
        assert (c["cases"], c["resolved"], c["first_contact"],
                c["contacts"]) == (k, a, b, m), c
        assert c["repeat_contacts"] == m - k, c
        close(c["share"], k / n, c)
        close(c["resolved_rate"], a / k, c)
        close(c["first_contact_rate"], b / k, c)
        o = [x["score"]["overall"] for x in cases]
        close(c["score"]["mean"], sum(x["value"] for x in o) / k, c)
        for p in c.get("principles", []):
            sc = [x["score"]["principles"][p["id"]] for x in cases
                  if p["id"] in x["score"]["principles"]]
            assert p["cases"] == len(sc), (c[key], p["id"])
            for f in ("musts", "done", "violations"):
                assert p[f] == sum(x[f] for x in sc), (c[key], p["id"], f)
            close(p["mean"], rate(sum(x["value"] for x in sc), len(sc)),
                  (c[key], p["id"]))
assert len(st["agents"]) == 5 and len(st["months"]) == 4, "the team example"

# Rankings: by count, then the larger share, then the name.
items = {it["ref"]: it for it in st["items"]}
for key, field in (("most_missed", "missed"), ("violations", "violated")):
    cand = [it for it in st["items"] if it[field] > 0]
    want = sorted(cand, key=lambda it: (-it[field],
                                        -it[field] / it["applied"],
                                        it["ref"]))
    got = st[key]
    assert [x["ref"] for x in got] == [it["ref"] for it in want], key
    for x in got:
        it = items[x["ref"]]
        k = x["missed"] if key == "most_missed" else x["cases"]
        assert k == it[field] and x["applied"] == it["applied"], x
        close(x["share"], k / it["applied"], x)
print("ok")
EOF
if python3 "$T/recompute.py" "$T/replay.json" "$T/stats.json" \
    >"$T/py" 2>&1; then ok; else
    fail "JSON does not match the replays: $(tail -n 1 "$T/py")"; fi

# 3. HTML: well-formed XHTML, nothing runnable, causes escaped.
mkdir "$T/h"
cp scenarios/*.xml "$T/h/"
# The root cause <script>alert(1)</script> & co, as XML text.
hostile='\&lt;script\&gt;alert(1)\&lt;/script\&gt; \&amp; co'
sed "s|>carrier_delay</fact>|>$hostile</fact>|" \
    scenarios/late-delivery.xml >"$T/h/late-delivery.xml"
grep -q 'alert(1)' "$T/h/late-delivery.xml" ||
    fail "test setup: no hostile cause"
run "$PB" stats $P --format html "$T/h"
expect_rc 0 "stats --format html"
cp "$T/out" "$T/stats.html"
if python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == '{http://www.w3.org/1999/xhtml}html', root.tag
text = ''.join(root.itertext())
assert '<script>alert(1)</script> & co' in text, 'cause not shown as text'
assert not root.findall('.//{http://www.w3.org/1999/xhtml}script')
" "$T/stats.html" >"$T/py" 2>&1; then ok; else
    fail "HTML: $(tail -n 1 "$T/py")"; fi
lacks "$T/stats.html" "<script" "no raw <script in HTML"
has "$T/stats.html" "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" \
    "hostile root cause escaped"
lacks "$T/stats.txt" "<script" "text over the bundled scenarios"

# The team pictures: a heatmap cell per agent and principle, a point per
# month for each line, a bar per root cause (up to 12), each with its
# figure written on it; then a screenshot to look at.
cp docs/examples/team/*.xml "$T/h/"
run "$PB" stats $P --format html -o "$T/team.html" "$T/h"
expect_rc 0 "stats --format html with agents and months"
if python3 -c "
import sys, xml.etree.ElementTree as ET
X, S = '{http://www.w3.org/1999/xhtml}', '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
cards = {c.find(X + 'h2').text: c for c in root.iter(X + 'div')
         if c.get('class') == 'card' and c.find(X + 'h2') is not None}
heat = cards['Principles by agent']
rows = heat.find(X + 'table').find(X + 'tbody').findall(X + 'tr')
assert [r[0].text for r in rows] == ['Ana Ruiz', 'Ben Okafor',
    'Chloe Martin', 'Dev Patel', '(no agent)', 'Team'], [r[0].text for r in rows]
assert rows[1].findall(X + 'td')[3].get('class') == 'num heat'
time = cards['Over time']
svg = time.find(S + 'svg')
vals = [t.text for t in svg.iter(S + 'text') if t.get('class') == 'ch-val']
assert len(vals) == 6 and len(svg.findall(S + 'circle')) == 6, vals
bars = cards['Root causes'].find(S + 'svg')
assert len(bars.findall(S + 'rect')) >= 13, 'a bar per cause, and the repeat'
assert '1 + 1' in [t.text for t in bars.iter(S + 'text')], 'repeat contacts'
" "$T/team.html" >"$T/py" 2>&1; then ok; else
    fail "team pictures: $(tail -n 1 "$T/py")"; fi
screenshot "$T/team.html" stats 1100x3600

# 4. A broken file among good ones: named with its line, the others
#    still counted, exit 2 at the end.
mkdir "$T/mix"
cp scenarios/*.xml "$T/mix/"
printf '%s\n' '<scenario xmlns="urn:playbook:scenario:1" id="b">' \
    '<events>' '<event t="5" type="customer.said">hi</event>' \
    '<event t="1" type="agent.said">back in time</event>' '</events>' \
    '</scenario>' >"$T/mix/aaa-broken.xml"
run "$PB" stats $P --format json "$T/mix"
expect_rc 2 "a broken file among good ones"
err_at "$T/mix/aaa-broken.xml" 4 "broken file named with its line"
json_ok "$T/out" "the others counted" "
assert d['cases'] == $ncases, d['cases']
assert d['unreadable'] == 1, d['unreadable']"
run "$PB" stats $P "$T/mix"
expect_rc 2 "text with a broken file"
has "$T/out" "1 more file could not be read or replayed and is not counted" \
    "text says what it leaves out"

# 5. Usage: no files, an empty folder, a missing file, a bad format.
run "$PB" stats $P
expect_rc 2 "no files"
has "$T/err" "no scenario or case file given" "usage message"
mkdir "$T/empty"
run "$PB" stats $P "$T/empty"
expect_rc 2 "an empty folder"
has "$T/err" "no *.xml files" "empty folder named"
run "$PB" stats $P "$T/nope.xml" scenarios/late-delivery.xml
expect_rc 2 "a missing file"
has "$T/err" "$T/nope.xml" "missing file named"
has "$T/out" "Team statistics: 1 case" "the other file counted"
run "$PB" stats $P --format junit scenarios/
expect_rc 2 "--format junit"
run "$PB" stats --help
expect_rc 0 "--help"
has "$T/out" "never speed" "help says why there are no durations"

# 6. -o: the same report, in place only when complete.
run "$PB" stats $P --format json -o "$T/report.json" scenarios/ docs/examples/team/
expect_rc 0 "-o"
if cmp -s "$T/report.json" "$T/stats.json"; then ok; else
    fail "-o differs from stdout"; fi
run "$PB" stats $P -o "$T/no/such/dir/report.txt" scenarios/
expect_rc 2 "-o into a missing folder"
# A write that fails half way (file size limit; playbook ignores SIGXFSZ):
# no file, no leftovers.
mkdir "$T/lim"
( ulimit -f 1 && exec "$PB" stats $P --format html \
    -o "$T/lim/report.html" scenarios/ ) >"$T/out" 2>"$T/err"
rc=$?
expect_rc 2 "-o when the write fails"
if [ -z "$(ls "$T/lim")" ]; then ok; else
    fail "partial output left: $(ls "$T/lim")"; fi

# 7. docs/stats.md shows the real output for the bundled scenarios.
awk '/^<!-- example: stats -p principles scenarios\/ -->$/ { s = 1; next }
     s == 1 && /^```text$/ { s = 2; next }
     s == 2 && /^```$/ { exit }
     s == 2 { print }' "$DOC" >"$T/doc.txt" 2>/dev/null
if cmp -s "$T/doc.txt" "$T/stats.txt"; then ok
elif [ "${UPDATE_DOCS:-}" = 1 ]; then
    awk -v f="$T/stats.txt" '
        /^<!-- example: stats -p principles scenarios\/ -->$/ { s = 1 }
        s == 1 && /^```text$/ { print; while ((getline l < f) > 0) print l
                                s = 2; next }
        s == 2 && /^```$/ { s = 3 }
        s == 2 { next }
        { print }' "$DOC" >"$T/doc.md" && cp "$T/doc.md" "$DOC"
    echo "updated the example in $DOC" >&2
    ok
else
    fail "$DOC: the example is not today's output (UPDATE_DOCS=1 to renew)"
    diff "$T/doc.txt" "$T/stats.txt" | sed -n '1,10p' >&2
fi

# --- partials: shards merged give exactly one run's figures --------------
ls scenarios/*.xml tests/calibration/real-abcd/xml/*.xml \
    docs/examples/team/*.xml >"$T/all.list"
split -n l/3 "$T/all.list" "$T/shard."
k=0
for f in "$T"/shard.*; do
    k=$((k + 1))
    # shellcheck disable=SC2046 # the shard's files
    run "$PB" stats $P --partial -o "$T/p$k.part" $(cat "$f")
    expect_rc 0 "partial $k"
done
for fmt in text json html; do
    # shellcheck disable=SC2046
    "$PB" stats $P -f "$fmt" $(cat "$T/all.list") >"$T/one.$fmt" 2>/dev/null
    run "$PB" stats --merge -f "$fmt" -o "$T/m1.$fmt" "$T/p1.part" "$T/p2.part" "$T/p3.part"
    expect_rc 0 "merge, $fmt"
    run "$PB" stats --merge -f "$fmt" -o "$T/m2.$fmt" "$T/p3.part" "$T/p1.part" "$T/p2.part"
    if cmp -s "$T/one.$fmt" "$T/m1.$fmt" && cmp -s "$T/one.$fmt" "$T/m2.$fmt"
    then ok; else fail "merged $fmt is not one run's, byte for byte"; fi
done
has "$T/one.text" "88 cases" "the run counts every call"
has "$T/one.text" "Ana Ruiz" "and its agents"

# bad partials: exit 2, named, nothing written
cp -r principles "$T/v2"
printf '\n-- a new version\n' >>"$T/v2/listen.lua"
run "$PB" stats -p "$T/v2" --partial -o "$T/v2.part" scenarios/late-delivery.xml
expect_rc 0 "a partial of other principles"
run "$PB" stats --merge -o "$T/no.txt" "$T/p1.part" "$T/v2.part"
expect_rc 2 "partials of two versions"
v1=$(sed -n 's/^version //p' "$T/p1.part")
v2=$(sed -n 's/^version //p' "$T/v2.part")
has "$T/err" "v2.part:2: made by $v2, the partials before it by $v1" "names both versions"
if [ -e "$T/no.txt" ]; then fail "a merge of two versions wrote a report"; else ok; fi
head -n 5 "$T/p2.part" >"$T/cut.part"
run "$PB" stats --merge -o "$T/no.txt" "$T/p1.part" "$T/cut.part"
expect_rc 2 "a partial cut short"
has "$T/err" "cut.part:" "names it"
has "$T/err" "cut short (no end line)" "says it is cut short"
sed 's/^cases \([0-9]*\)/cases x\1/' "$T/p2.part" >"$T/alt.part"
run "$PB" stats --merge "$T/alt.part"
expect_rc 2 "an altered partial"
has "$T/err" "alt.part:3: the counts are malformed" "at its line"
awk '/^item / && !done { $5 = $5 + 1; done = 1 } { print }' "$T/p2.part" >"$T/sum.part"
run "$PB" stats --merge "$T/sum.part"
expect_rc 2 "a partial whose counts do not add up"
has "$T/err" "its counts do not add up" "says so"
for kind in agent month cause; do
    awk -v k="$kind" '$1 == "group" && $2 == k && !done { $4 = $4 + 1; done = 1 }
                      { print }' "$T/p2.part" >"$T/group.part"
    run "$PB" stats --merge "$T/group.part"
    expect_rc 2 "a partial whose $kind counts do not add up"
    has "$T/err" "its counts do not add up" "says so"
done
sed '$d' "$T/p2.part" >"$T/noend.part"
echo "end 3" >>"$T/noend.part"
run "$PB" stats --merge "$T/noend.part"
expect_rc 2 "an end line that does not match"
sed '1s/ 2$/ 1/' "$T/p2.part" >"$T/old.part"
run "$PB" stats --merge "$T/old.part"
expect_rc 2 "a partial of an older format"
has "$T/err" "old.part:1: a partial in another format (another version of playbook)" \
    "says it is of another version"
# a partial with more principles than any playbook: refused at the line
# (a group line carries a tally per principle, so this bounds it)
awk 'BEGIN { print "playbook-stats-partial 2"; print "version x"
             print "cases 0 0 0 0 0"; print "overall 0 0 0 0 0"
             for (i = 0; i < 1001; i++) print "principle p" i " t 0 0 0 0 0"
             print "end 1005" }' >"$T/wide.part"
run "$PB" stats --merge "$T/wide.part"
expect_rc 2 "a partial with too many principles"
has "$T/err" "wide.part:1005: more principles than a playbook has" "says so"
run "$PB" stats --merge scenarios/late-delivery.xml
expect_rc 2 "a scenario given as a partial"
has "$T/err" "late-delivery.xml:1: not a partial" "says what it is not"
if [ -e "$T/no.txt" ]; then fail "a failed merge wrote a report"; else ok; fi
run "$PB" stats $P --partial scenarios/late-delivery.xml
expect_rc 2 "--partial without -o"
run "$PB" stats $P --partial --merge -o "$T/x.part" scenarios/late-delivery.xml
expect_rc 2 "--partial and --merge"
run "$PB" stats $P --merge "$T/p1.part"
expect_rc 2 "--merge with -p"

# --- docs/scale.md, "One machine, every core": run as written ------------
mkdir -p "$T/scale/calls"
cp scenarios/*.xml tests/calibration/real-abcd/xml/*.xml "$T/scale/calls/"
ln -s "$PWD/principles" "$T/scale/principles"
awk '/^## One machine, every core$/ { w = 1; next } w && /^## / { exit }
     w && /^```sh$/ { b = 1; next } b && /^```$/ { exit } b { print }' \
    docs/scale.md | sed "s|^playbook |\"\$PB\" |; s/| xargs -P 8 -I{} playbook /| xargs -P 8 -I{} \"\$PB\" /" \
    >"$T/scale.sh"
if [ "$(wc -l <"$T/scale.sh")" -ge 3 ]; then ok; else
    fail "docs/scale.md: the one-machine example is gone"; fi
(cd "$T/scale" && PB="$PB" sh "$T/scale.sh") >"$T/scale.out" 2>"$T/scale.err"
rc=$?
expect_rc 0 "docs/scale.md, one machine: the example runs"
(cd "$T/scale" && "$PB" stats -p principles calls) >"$T/scale.one" 2>/dev/null
if [ -s "$T/scale.out" ] && cmp -s "$T/scale.out" "$T/scale.one"; then ok; else
    fail "docs/scale.md: the sharded run is not one run's report"; fi
if [ "$(ls "$T/scale"/shard.??.part | wc -l)" = 8 ]; then ok; else
    fail "docs/scale.md: not 8 partials"; fi
run "$PB" stats $P --partial -o "$T/x.part" --files-from "$T/nowhere"
expect_rc 2 "--files-from a list that is not there"
has "$T/err" "nowhere: cannot open" "names it"

summary
