#!/bin/sh
# End-to-end tests of `playbook calibrate`, run as a QA lead would run it.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/calibrate.sh
#
#  1. The real ABCD chats (tests/calibration/real-abcd): every figure of
#     the JSON recomputed in Python from `replay --format json` and the
#     labels, the text's per-item table, and the committed floor.
#  2. A hand-made set whose agreement and kappa are worked out by hand
#     below (so the maths is checked, not only its consistency), with the
#     event that decided each disagreement.
#  3. Two leads.
#  4. Every bad input: file:line: message, exit 2, nothing written.
#  5. --min and --min-applying: exit 1 below, the report still written.
#  6. Text, JSON and HTML; --help; -o.
#  7. docs/calibration.md shows today's output of its examples (after a
#     deliberate change: PLAYBOOK=... UPDATE_DOCS=1 sh tests/e2e/calibrate.sh).
set -u

NAME="e2e calibrate"
. tests/e2e/lib/common.sh

# The agreement the default principles reach on the real chats today:
# raise these as detection improves (issue 11's bar is 0.90 and 0.85).
FLOOR_ALL=0.955
FLOOR_APPLYING=0.926

P="-p principles"
R=tests/calibration/real-abcd
DOC=docs/calibration.md

# 1. The real chats.
run "$PB" calibrate $P --labels "$R/labels.csv" "$R/xml"
expect_rc 0 "calibrate real-abcd"
cp "$T/out" "$T/real.txt"
for section in "Agreement" "Confusion (rows: engine, columns: lead" \
    "By item, worst first" "Disagreements:" "Borderline disagreements:" \
    "719 labels of 37 chats compared, 43 borderline; 37 scenarios"; do
    has "$T/real.txt" "$section" "real-abcd text section"
done
# One row per item labelled, each with its figures.
n=$(awk '/^By item/ { s = 1; getline; next }
         s && /^$/ { exit }
         s && $2 ~ /^[0-9]+$/ && NF >= 7 { n++ } END { print n + 0 }' "$T/real.txt")
if [ "$n" = 27 ]; then ok; else fail "real-abcd: $n item rows, want 27"; fi
# A fact item the principles could list but this engine does not.
{ cat "$R/labels.csv"; echo "abcd-jx04,ask.loyalty_card,done,,"; } >"$T/extra.csv"
run "$PB" calibrate $P --labels "$T/extra.csv" "$R/xml"
expect_rc 0 "calibrate with a fact item the engine lacks"
has "$T/out" "ask.loyalty_card*" "a fact item the engine lacks"
has "$T/out" "ask.loyalty_card: not an item of the loaded" "its warning"

run "$PB" calibrate $P --labels "$R/labels.csv" --format json "$R/xml"
expect_rc 0 "calibrate real-abcd --format json"
cp "$T/out" "$T/real.json"
run "$PB" replay $P --format json "$R/xml"
cp "$T/out" "$T/replay.json"
cat >"$T/recompute.py" <<'EOF'
import csv, json, sys

rep = json.load(open(sys.argv[1]))["scenarios"]
cal = json.load(open(sys.argv[2]))
labels = list(csv.DictReader(open(sys.argv[3], newline="")))
STATES = ["done", "open", "violated", "n/a", "error"]
MAP = {"waiting": "open", "skipped": "n/a", "absent": "n/a"}

final = {}
for s in rep:
    for it in s["checklist"]:
        st = it["state"]
        final[(s["id"], it["principle"] + "." + it["item"])] = MAP.get(st, st)


def figures(pairs):
    m = [[0] * 5 for _ in STATES]
    for eng, lead in pairs:
        m[STATES.index(eng)][STATES.index(lead)] += 1
    n = len(pairs)
    agree = sum(m[i][i] for i in range(5))
    app = n - m[3][3]
    f = {"labels": n, "agree": agree, "applying": app,
         "applying_agree": agree - m[3][3], "matrix": m,
         "agreement": agree / n if n else None,
         "applying_agreement": (agree - m[3][3]) / app if app else None}
    pe = sum(sum(m[i]) * sum(r[i] for r in m) for i in range(5)) / n / n \
        if n else 1
    f["kappa"] = (f["agreement"] - pe) / (1 - pe) if pe < 1 - 1e-12 else None
    return f


def same(want, got, what):
    for k, v in want.items():
        g = got[k]
        if isinstance(v, float) or isinstance(g, float):
            assert v is not None and g is not None and abs(v - g) < 1e-8, \
                (what, k, v, g)
        else:
            assert v == g, (what, k, v, g)


pairs = [(final.get((l["chat"], l["item"]), "n/a"), l["lead"])
         for l in labels]
border = [p for p, l in zip(pairs, labels) if l["borderline"] == "yes"]
clear = [p for p, l in zip(pairs, labels) if l["borderline"] != "yes"]
same(figures(pairs), cal["overall"], "overall")
same(figures(border), cal["borderline"], "borderline")
same(figures(clear), cal["clear"], "clear")
items = {}
for p, l in zip(pairs, labels):
    items.setdefault(l["item"], []).append(p)
assert len(cal["items"]) == len(items), (len(cal["items"]), len(items))
for it in cal["items"]:
    same(figures(items[it["item"]]), it, it["item"])
shares = [it["agreement"] for it in cal["items"]]
assert shares == sorted(shares), "items not worst first"
dis = [(l["chat"], l["item"]) for p, l in zip(pairs, labels) if p[0] != p[1]]
assert [(d["chat"], d["item"]) for d in cal["disagreements"]] == dis
for d in cal["disagreements"]:
    assert d["other"] == final.get((d["chat"], d["item"]), "n/a"), d
    assert d["engine"] is not None, d
print("%.4f %.4f" % (cal["overall"]["agreement"],
                     cal["overall"]["applying_agreement"]))
EOF
if python3 "$T/recompute.py" "$T/replay.json" "$T/real.json" \
    "$R/labels.csv" >"$T/py" 2>&1; then ok; else
    fail "real-abcd JSON differs from a recomputation: $(tail -n 1 "$T/py")"
fi

# The committed floor: a regression in detection fails here.
run "$PB" calibrate $P --labels "$R/labels.csv" --min "$FLOOR_ALL" \
    --min-applying "$FLOOR_APPLYING" "$R/xml"
expect_rc 0 "real-abcd at or above the committed floor"

# 2. A hand-made set.  Principle t: hello (done when the agent says
#    hello), extra (applies once the customer speaks, then done), name (a
#    fact item: t names items after facts).  Principle u has no fact
#    items.  Ten chats c1..c10: the agent says hello in c1..c6 (at 00:05),
#    the customer speaks in c1 and c2 (at 00:02).
mkdir -p "$T/p" "$T/s"
cat >"$T/p/t.lua" <<'EOF'
return principle {
  id = "t", title = "T", order = 1,
  items = {
    { id = "hello", done = function(case) return case:said("agent", "hello") end },
    { id = "extra", applies = function(case) return case:has("customer.said") end,
      done = function(case) return true end },
    { id = "name", collects = "name" },
  },
}
EOF
cat >"$T/p/u.lua" <<'EOF'
return principle {
  id = "u", title = "U", order = 2,
  items = { { id = "ok", done = function(case) return true end } },
}
EOF
i=1
while [ $i -le 10 ]; do
    {
        echo '<scenario xmlns="urn:playbook:scenario:1" id="c'$i'">'
        echo '  <events>'
        echo '    <event t="0" type="agent.said">Good morning</event>'
        [ $i -le 2 ] &&
            echo '    <event t="2" type="customer.said">Hi, my card is blocked</event>'
        [ $i -le 6 ] &&
            echo '    <event t="5" type="agent.said">Hello there, how can I help?</event>'
        echo '  </events>'
        echo '</scenario>'
    } >"$T/s/c$i.xml"
    i=$((i + 1))
done
# t.hello: the lead says done in c1..c5 and c7, open elsewhere; the
# engine says done in c1..c6.  Rows engine, columns lead:
#               lead done  lead open
#   eng done        5          1   (c6, marked borderline)
#   eng open        1 (c7)     3
# agreement 8/10; chance 0.6*0.6 + 0.4*0.4 = 0.52; kappa 0.28/0.48 = 7/12.
# t.extra: lead done in c1 and c4, n/a in c2 and c3; the engine done in
# c1 and c2 (the customer spoke), n/a in c3 and c4: agreement 2/4, where
# it applies 1/3 (c3 is n/a on both sides), chance 0.5, kappa 0.
# Overall, 14 labels: agree 10; where it applies 9 of 13; rows and
# columns both done 8, open 4, n/a 2: chance (64+16+4)/196 = 3/7,
# kappa (5/7 - 3/7) / (4/7) = 1/2.
{
    echo "chat,item,lead,borderline,note"
    for i in 1 2 3 4 5 6 7 8 9 10; do
        case $i in 1|2|3|4|5|7) st=done ;; *) st=open ;; esac
        b=""
        [ $i = 6 ] && b=yes
        echo "c$i,t.hello,$st,$b,\"hello, said in c$i\""
    done
    echo "c1,t.extra,done,,"
    echo "c2,t.extra,n/a,,"
    echo "c3,t.extra,n/a,,"
    echo "c4,t.extra,done,,"
} >"$T/lead.csv"
PT="-p $T/p"
run "$PB" calibrate $PT --labels "$T/lead.csv" --format json "$T/s"
expect_rc 0 "calibrate the hand-made set"
cp "$T/out" "$T/tiny.json"
json_ok "$T/tiny.json" "hand-made figures" '
o = d["overall"]
assert (o["labels"], o["agree"], o["applying"], o["applying_agree"]) == \
    (14, 10, 13, 9), o
assert abs(o["agreement"] - 10 / 14) < 1e-9, o
assert abs(o["applying_agreement"] - 9 / 13) < 1e-9, o
assert abs(o["kappa"] - 0.5) < 1e-9, o
m = o["matrix"]
assert m[0][:4] == [6, 1, 0, 1] and m[1][:4] == [1, 3, 0, 0], m
assert m[3][:4] == [1, 0, 0, 1] and m[2] == [0] * 5 and m[4] == [0] * 5, m
items = {i["item"]: i for i in d["items"]}
h, x = items["t.hello"], items["t.extra"]
assert (h["labels"], h["agree"]) == (10, 8), h
assert abs(h["kappa"] - 7 / 12) < 1e-9, h
assert (x["labels"], x["agree"], x["applying"], x["applying_agree"]) == \
    (4, 2, 3, 1), x
assert abs(x["kappa"]) < 1e-9, x
assert [i["item"] for i in d["items"]] == ["t.extra", "t.hello"], "worst first"
b, c = d["borderline"], d["clear"]
assert (b["labels"], b["agree"], c["labels"], c["agree"]) == (1, 0, 13, 10)
assert b["kappa"] is None or abs(b["kappa"]) < 1e-9, b
'
# Each disagreement with the event after which the engine's state was
# final, or none.
json_ok "$T/tiny.json" "hand-made disagreements" '
dis = {(x["chat"], x["item"]): x for x in d["disagreements"]}
assert sorted(dis) == [("c2", "t.extra"), ("c4", "t.extra"),
                       ("c6", "t.hello"), ("c7", "t.hello")], sorted(dis)
x = dis[("c6", "t.hello")]
assert (x["lead"], x["other"], x["borderline"]) == ("open", "done", True), x
assert x["lead_note"] == "hello, said in c6" and x["lead_line"] == 7, x
e = x["engine"]
assert e["state"] == "done", e
assert e["decided_by"]["type"] == "agent.said", e
assert e["decided_by"]["time"] == "00:05" and e["decided_by"]["t"] == 5, e
assert e["decided_by"]["text"] == "Hello there, how can I help?", e
x = dis[("c7", "t.hello")]
assert x["engine"]["state"] == "open" and x["engine"]["decided_by"] is None
x = dis[("c2", "t.extra")]
assert x["engine"]["decided_by"]["type"] == "customer.said", x
assert x["engine"]["decided_by"]["time"] == "00:02", x
x = dis[("c4", "t.extra")]
assert (x["other"], x["engine"]["state"]) == ("n/a", "absent"), x
assert d["warnings"] == [] and d["chats"] == 10 and d["scenarios"] == 10
'
run "$PB" calibrate $PT --labels "$T/lead.csv" "$T/s"
cp "$T/out" "$T/tiny.txt"
has "$T/tiny.txt" "all labels                           71.4%        10 of 14   0.50" \
    "text: overall"
has "$T/tiny.txt" "where it applies (lead or engine)    69.2%         9 of 13" \
    "text: where it applies"
has "$T/tiny.txt" "engine  done             since 00:05, agent.said: \"Hello there, how can I help?\"" \
    "text: the deciding utterance"
has "$T/tiny.txt" "engine  open             from the start: no event changed it" \
    "text: no deciding event"
has "$T/tiny.txt" "engine  n/a (not listed)" "text: an item the engine did not list"
has "$T/tiny.txt" "Borderline disagreements: 1" "text: borderline apart"
lacks "$T/tiny.txt" "$(printf '\033')" "no colour when not a terminal"

# A fact item t does not list is counted n/a for the engine, with a
# warning; c11 is a scenario nobody labelled.
cp "$T/s/c1.xml" "$T/c11.xml"
sed -i 's/id="c1"/id="c11"/' "$T/c11.xml"
{ cat "$T/lead.csv"; echo "c1,t.email,n/a,,"; echo "c2,t.email,done,,"; } \
    >"$T/lead-fact.csv"
run "$PB" calibrate $PT --labels "$T/lead-fact.csv" --format json "$T/s" \
    "$T/c11.xml"
expect_rc 0 "a fact item the engine does not list"
cp "$T/out" "$T/fact.json"
json_ok "$T/fact.json" "fact item and unlabelled scenario" '
items = {i["item"]: i for i in d["items"]}
e = items["t.email"]
assert e["known"] is False and (e["labels"], e["agree"]) == (2, 1), e
assert e["matrix"][3][3] == 1 and e["matrix"][3][0] == 1, e
w = "\n".join(d["warnings"])
assert "t.email: not an item of the loaded principles" in w, w
assert "scenario '"'"'c11'"'"' has no labels, not compared" in w, w
assert d["scenarios"] == 11 and d["chats"] == 10, d
'

# 3. Two leads.  Lead B agrees with lead A on t.hello except c5 and c7
#    (B: open): rows B, columns A: done/done 4, open/done 2, open/open 4;
#    agreement 8/10, chance 0.4*0.6 + 0.6*0.4 = 0.48, kappa 0.32/0.52 =
#    8/13.  B has a chat A has not (c11), A has labels B has not (extra).
{
    echo "item,chat,state,note"
    for i in 1 2 3 4 5 6 7 8 9 10; do
        case $i in 1|2|3|4) st=done ;; *) st=open ;; esac
        echo "t.hello,c$i,$st,B on c$i"
    done
    echo "t.hello,c11,done,"
} >"$T/second.csv"
run "$PB" calibrate $PT --labels "$T/lead.csv" --labels "$T/second.csv" \
    --format json
expect_rc 0 "two leads, no scenarios"
cp "$T/out" "$T/two.json"
json_ok "$T/two.json" "two leads" '
o = d["overall"]
assert (o["labels"], o["agree"]) == (10, 8), o
assert abs(o["kappa"] - 8 / 13) < 1e-9, o
assert o["matrix"][0][:2] == [4, 0] and o["matrix"][1][:2] == [2, 4], o
assert d["other"].endswith("second.csv") and d["unpaired"] == 5, d
assert [i["item"] for i in d["items"]] == ["t.hello"], d["items"]
assert d["scenarios"] == 0, d
dis = [(x["chat"], x["item"]) for x in d["disagreements"]]
assert dis == [("c5", "t.hello"), ("c7", "t.hello")], dis
x = d["disagreements"][0]
assert x["lead"] == "done" and x["other"] == "open", x
assert x["other_note"] == "B on c5" and x["other_line"] == 6, x
assert x["engine"] is None, x
w = "\n".join(d["warnings"])
assert "chat '"'"'c4'"'"': 1 label (t.extra first) not in" in w, w
assert "chat '"'"'c11'"'"': 1 label (t.hello first) not in" in w, w
'
# With the scenarios, each disagreement also says what the engine made
# of it.
run "$PB" calibrate $PT --labels "$T/lead.csv" --labels "$T/second.csv" "$T/s"
expect_rc 0 "two leads with scenarios"
has "$T/out" "Calibration: lead B ($T/second.csv) against lead A" \
    "two leads: title"
has "$T/out" "Confusion (rows: lead B, columns: lead A" "two leads: matrix"
has "$T/out" "lead B  open             B on c5" "two leads: B's note"
has "$T/out" "engine  done             since 00:05, agent.said" \
    "two leads: the engine's view"

# 4. Bad input: file:line: message, exit 2, nothing at -o.
# bad_labels WHAT LINE MESSAGE: the labels in $T/bad.csv.
bad_labels() {
    rm -f "$T/report.html"
    run "$PB" calibrate $PT --labels "$T/bad.csv" --format html \
        -o "$T/report.html" "$T/s"
    expect_rc 2 "$1"
    err_at "$T/bad.csv" "$2" "$1"
    has "$T/err" "$3" "$1: message"
    if [ -e "$T/report.html" ]; then fail "$1: a report was written"; else
        ok; fi
}
H="chat,item,lead,borderline,note"
printf '%s\nc1,t.hello,done,,\nc2,x.hello,done,,\n' "$H" >"$T/bad.csv"
bad_labels "unknown principle" 3 "unknown principle 'x' in item 'x.hello'"
printf '%s\nc1,u.nope,done,,\n' "$H" >"$T/bad.csv"
bad_labels "unknown item" 2 "unknown item 'u.nope' (see \`playbook show\`"
printf '%s\nc1,t.nmae,done,,\n' "$H" >"$T/bad.csv"
bad_labels "a typo of a fact item" 2 "unknown item 't.nmae' (did you mean 't.name'?)"
printf '%s\nc1,t.helo,done,,\n' "$H" >"$T/bad.csv"
bad_labels "a typo of an item" 2 "(did you mean 't.hello'?)"
printf '%s\nc1,t.hello,done,,\nc99,t.hello,done,,\nc98,t.hello,open,,\n' \
    "$H" >"$T/bad.csv"
bad_labels "a chat no scenario has" 3 \
    "chat 'c99' is not among the scenarios given (no scenario has this id) (and 1 more chat)"
printf '%s\nc1,t.hello,finished,,\n' "$H" >"$T/bad.csv"
bad_labels "a state outside the vocabulary" 2 \
    "state 'finished' is not one of done, open, violated, n/a"
printf '%s\nc1,t.hello,done,,\nc1,t.hello,open,,\n' "$H" >"$T/bad.csv"
bad_labels "a duplicate label" 3 \
    "chat 'c1' item 't.hello' is labelled twice (first at line 2)"
printf 'chat,item,verdict\nc1,t.hello,done\n' >"$T/bad.csv"
bad_labels "a bad header" 1 "header: unknown column 'verdict'"
printf '%s\nc1,t.hello,done,,\nc2,t.hello,done,,"open\n\n' "$H" >"$T/bad.csv"
bad_labels "an unterminated quote" 3 "unterminated quote"
printf '%s\nc1,t.hello,done,yes please,\n' "$H" >"$T/bad.csv"
bad_labels "a bad borderline" 2 "borderline 'yes please' is not yes"
printf '%s\nc1,hello,done,,\n' "$H" >"$T/bad.csv"
bad_labels "an item that is not principle.item" 2 "item 'hello' is not principle.item"
: >"$T/bad.csv"
rm -f "$T/report.html"
run "$PB" calibrate $PT --labels "$T/bad.csv" -o "$T/report.html" "$T/s"
expect_rc 2 "an empty file"
has "$T/err" "$T/bad.csv: empty file" "an empty file: message"
[ -e "$T/report.html" ] && fail "empty file: a report was written" || ok
mkfifo "$T/fifo.csv"
run_limited 10 "$PB" calibrate $PT --labels "$T/fifo.csv" "$T/s"
expect_rc 2 "labels from a FIFO"
has "$T/err" "$T/fifo.csv: not a regular file" "a FIFO: message"
run "$PB" calibrate $PT --labels "$T/s" "$T/s"
expect_rc 2 "labels that are a folder"
has "$T/err" "$T/s: cannot read" "a folder: message"
run "$PB" calibrate $PT --labels "$T/none.csv" "$T/s"
expect_rc 2 "labels that do not exist"
# The second lead's file is checked like the first.
printf '%s\nc1,t.hello,done,,\nc1,x.y,done,,\n' "$H" >"$T/bad.csv"
run "$PB" calibrate $PT --labels "$T/lead.csv" --labels "$T/bad.csv"
expect_rc 2 "a second lead's unknown principle"
err_at "$T/bad.csv" 3 "a second lead's unknown principle"
# Two scenarios with one id: which one do the labels mean?
cp "$T/s/c1.xml" "$T/c1-again.xml"
run "$PB" calibrate $PT --labels "$T/lead.csv" "$T/s" "$T/c1-again.xml"
expect_rc 2 "two scenarios with one id"
has "$T/err" "scenario id 'c1' is also the id of" "duplicate id: message"
# A broken scenario.
printf '<scenario xmlns="urn:playbook:scenario:1" id="c1">\n<events>\n' \
    >"$T/broken.xml"
run "$PB" calibrate $PT --labels "$T/lead.csv" "$T/s" "$T/broken.xml"
expect_rc 2 "a broken scenario"
err_at "$T/broken.xml" 3 "a broken scenario"
# Usage.
run "$PB" calibrate $PT "$T/s"
expect_rc 2 "no --labels"
has "$T/err" "no --labels FILE given" "no --labels: message"
run "$PB" calibrate $PT --labels "$T/lead.csv"
expect_rc 2 "one lead and no scenario"
has "$T/err" "no scenario given" "no scenario: message"
run "$PB" calibrate $PT --labels "$T/lead.csv" --labels "$T/lead.csv" \
    --labels "$T/lead.csv" "$T/s"
expect_rc 2 "three --labels"
for m in 1.5 abc 150% 0.9x -0.1 ""; do
    run "$PB" calibrate $PT --labels "$T/lead.csv" --min "$m" "$T/s"
    expect_rc 2 "--min '$m'"
done
run "$PB" calibrate $PT --labels "$T/lead.csv" --format junit "$T/s"
expect_rc 2 "--format junit"

# Size: 50,000 labels, each of its own fact item, in two files whose
# chats all differ (every label unpaired, 20,000 chats a warning each),
# and the same file twice (50,000 items to rank).  Linear or n log n:
# a quadratic pass takes minutes here.
python3 - "$T" <<'EOF'
import sys
d = sys.argv[1]
for name, chats in (("big-a.csv", 5000), ("big-b.csv", 20000)):
    with open(d + "/" + name, "w") as f:
        f.write("chat,item,state\n")
        for i in range(50000):
            f.write("%s%d,ask.f%d,%s\n" % (name[4], i % chats, i,
                                          ("done", "open", "n/a")[i % 3]))
EOF
limit=$((20 * ${HOSTILE_TIME_SCALE:-1}))
run_limited "$limit" "$PB" calibrate $P --labels "$T/big-a.csv" \
    --labels "$T/big-b.csv" --format json
expect_rc 0 "50,000 unpaired labels"
json_ok "$T/out" "50,000 unpaired labels" '
assert d["unpaired"] == 100000 and d["overall"]["labels"] == 0, d["unpaired"]
assert len(d["warnings"]) == 1001, len(d["warnings"])
assert d["warnings"][-1] == "24000 more warnings not kept", d["warnings"][-1]
'
run_limited "$limit" "$PB" calibrate $P --labels "$T/big-a.csv" \
    --labels "$T/big-a.csv" --format html -o "$T/big.html"
expect_rc 0 "50,000 fact items, ranked"
has "$T/big.html" "ask.f49999" "50,000 fact items: the last one listed"

# 5. --min: 10 of 14 is 71.4%, 9 of 13 where it applies 69.2%.
run "$PB" calibrate $PT --labels "$T/lead.csv" --min 0.7 "$T/s"
expect_rc 0 "--min 0.7"
run "$PB" calibrate $PT --labels "$T/lead.csv" --min 71% "$T/s"
expect_rc 0 "--min 71%"
rm -f "$T/report.json"
run "$PB" calibrate $PT --labels "$T/lead.csv" --min 0.75 --format json \
    -o "$T/report.json" "$T/s"
expect_rc 1 "--min 0.75"
has "$T/err" "agreement 71.4% (10 of 14) is below 0.75" "--min: why"
if cmp -s "$T/report.json" "$T/tiny.json"; then ok; else
    fail "--min below: the report is not the same"; fi
run "$PB" calibrate $PT --labels "$T/lead.csv" --min=72% "$T/s"
expect_rc 1 "--min=72%"
run "$PB" calibrate $PT --labels "$T/lead.csv" --min-applying 0.7 "$T/s"
expect_rc 1 "--min-applying 0.7"
has "$T/err" "agreement where it applies 69.2% (9 of 13) is below 0.7" \
    "--min-applying: why"
run "$PB" calibrate $PT --labels "$T/lead.csv" --labels "$T/second.csv" \
    --min 0.81
expect_rc 1 "two leads --min 0.81"

# 6. HTML: a page without script that XML tools parse; --help.
run "$PB" calibrate $PT --labels "$T/lead.csv" --format html \
    -o "$T/report.html" "$T/s"
expect_rc 0 "--format html"
cat >"$T/html.py" <<'EOF'
import sys, xml.etree.ElementTree as ET
x = open(sys.argv[1]).read()
assert x.startswith("<!DOCTYPE html>"), x[:40]
assert "<script" not in x
root = ET.fromstring(x[x.index("<html"):])
text = "".join(root.itertext())
for want in ("Calibration: engine against lead", "71.4%", "69.2%", "0.50",
             "Confusion", "By item, worst first", "Disagreements: 3",
             "Borderline disagreements: 1", "Hello there, how can I help?",
             "from the start: no event changed it", "hello, said in c7"):
    assert want in text, want
EOF
if python3 "$T/html.py" "$T/report.html" >"$T/py" 2>&1; then ok; else
    fail "HTML report: $(tail -n 1 "$T/py")"; fi
run "$PB" calibrate $P --labels "$R/labels.csv" --format html \
    -o "$T/real.html" "$R/xml"
expect_rc 0 "real-abcd --format html"
has "$T/real.html" "ask.membership_level" "real-abcd HTML lists the items"
run "$PB" calibrate --help
expect_rc 0 "--help"
has "$T/out" "--labels FILE" "--help names --labels"
has "$T/out" "waiting" "--help says how states compare"
run "$PB" --help
has "$T/out" "calibrate --labels CSV" "playbook --help lists calibrate"

# 7. docs/calibration.md shows the real output of its two examples.
# doc_example MARKER FILE: the ```text block after <!-- example: MARKER -->.
doc_example() {
    awk -v m="<!-- example: $1 -->" '
        $0 == m { s = 1; next }
        s == 1 && /^```text$/ { s = 2; next }
        s == 2 && /^```$/ { exit }
        s == 2 { print }' "$DOC" >"$T/doc.txt" 2>/dev/null
    if cmp -s "$T/doc.txt" "$2"; then ok
    elif [ "${UPDATE_DOCS:-}" = 1 ]; then
        awk -v m="<!-- example: $1 -->" -v f="$2" '
            $0 == m { s = 1 }
            s == 1 && /^```text$/ { print; while ((getline l < f) > 0) print l
                                    s = 2; next }
            s == 2 && /^```$/ { s = 3 }
            s == 2 { next }
            { print }' "$DOC" >"$T/doc.md" && cp "$T/doc.md" "$DOC"
        echo "updated the example '$1' in $DOC" >&2
        ok
    else
        fail "$DOC: example '$1' is not today's output (UPDATE_DOCS=1 to renew)"
        diff "$T/doc.txt" "$2" | sed -n '1,10p' >&2
    fi
}
E=docs/examples/calibration
run "$PB" calibrate -p docs/examples --labels $E/lead.csv $E/
expect_rc 0 "the docs' example"
cp "$T/out" "$T/ex1.txt"
doc_example "one lead" "$T/ex1.txt"
run "$PB" calibrate -p docs/examples --labels $E/lead.csv \
    --labels $E/second-lead.csv $E/
expect_rc 0 "the docs' two-lead example"
cp "$T/out" "$T/ex2.txt"
doc_example "two leads" "$T/ex2.txt"

summary
