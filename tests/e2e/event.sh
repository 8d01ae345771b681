#!/bin/sh
# End-to-end tests of `playbook event` and `playbook followups`, with the
# examples of docs/agents.md: creating a case, appending, bad input
# leaving the file alone, the lock, two writers at once, and follow-ups
# in order.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/event.sh
set -u

NAME="e2e event"
. tests/e2e/lib/common.sh
TZ=UTC
export TZ

P="-p principles"
C="$T/case.xml"

# The case file is a valid scenario (against the schema when it exists).
valid() { # FILE WHAT
    if xmllint --noout "$1" 2>"$T/xmllint"; then ok; else
        fail "$2: not well-formed: $(head -n 1 "$T/xmllint")"; fi
    if [ -f scenarios/scenario.rng ]; then
        if xmllint --noout --relaxng scenarios/scenario.rng "$1" \
            2>"$T/xmllint"; then ok; else
            fail "$2: schema: $(head -n 1 "$T/xmllint")"; fi
    fi
}
same_file() { # A B WHAT
    if cmp -s "$1" "$2"; then ok; else fail "$3: the case file changed"; fi
}

# --- the examples of docs/agents.md, in order, in an empty folder -----------
# Each ```sh block line (continuations joined) is a command; "# exit N" at
# its end is the status it must give, else 0.
DOC="$T/doc"
mkdir "$DOC"
awk '/^```sh[ \t]*$/ { inb = 1; next } inb && /^```/ { inb = 0; next }
     inb && sub(/\\$/, "") { buf = buf $0; next }
     inb { print buf $0; buf = "" }' \
    docs/agents.md >"$T/doc.cmds"
ndoc=0
while IFS= read -r cmd; do
    case "$cmd" in '' | '#'*) continue ;; esac
    want=0
    case "$cmd" in *'# exit '[0-9]*)
        want=$(echo "$cmd" | sed 's/.*# exit \([0-9]\).*/\1/') ;; esac
    printf 'playbook() { "$PB_BIN" "$@"; }\n%s\n' "$cmd" >"$T/doc.sh"
    run_in /dev/null env PB_BIN="$PB" PLAYBOOK_PRINCIPLES="$PWD/principles" \
        sh -c 'cd "$1" && . "$2"' sh "$DOC" "$T/doc.sh"
    expect_rc "$want" "docs/agents.md: $cmd"
    ndoc=$((ndoc + 1))
done <"$T/doc.cmds"
if [ "$ndoc" -ge 10 ]; then ok; else
    fail "docs/agents.md: only $ndoc example commands found"; fi
valid "$DOC/case.xml" "docs/agents.md case"
has "$DOC/case.xml" 'agent="amira"' "docs/agents.md case: the agent"
n=$(grep -c '<event ' "$DOC/case.xml")
if [ "$n" = 13 ]; then ok; else fail "docs/agents.md: $n events, want 13"; fi
run "$PB" replay $P --format json "$DOC/case.xml"
json_ok "$T/out" "docs/agents.md case after the call" '
c = d["scenarios"][0]
items = {i["principle"] + "." + i["item"]: i["state"] for i in c["checklist"]}
assert items["follow_up.verify"] == "done", items
assert c["state"] == "closed" and c["closed_by"] == "principles", c'

# --- help and usage -------------------------------------------------------
run "$PB" event --help
expect_rc 0 "event --help"
has "$T/out" "CASEFILE TYPE" "event --help"
run "$PB" event $P
expect_rc 2 "event without a case"
run "$PB" event $P "$C"
expect_rc 2 "event without a type"
has "$T/err" "no event type" "event without a type"
run "$PB" event $P --format xml "$C" customer.said Hi
expect_rc 2 "event --format xml"
run "$PB" event $P --wait x "$C" customer.said Hi
expect_rc 2 "event --wait x"

# --- creating a case ------------------------------------------------------
run "$PB" event $P "$C" customer.said "My parcel is a week late!"
expect_rc 2 "new case without --topic"
has "$T/err" "topic" "new case without --topic"
if [ -e "$C" ] || [ -e "$C.journal" ]; then
    fail "a refused new case left files"; else ok; fi

# docs/agents.md: the first event creates the case
run "$PB" event $P --topic delivery --channel phone "$C" \
    customer.said "My parcel is a week late!"
expect_rc 0 "create a case"
has "$T/out" "[x] hear_out" "create: checklist printed"
has "$T/out" "Next:" "create: next printed"
if [ -f "$C" ]; then ok; else fail "create: no case file"; fi
if [ -e "$C.journal" ]; then fail "create: journal left behind"; else ok; fi
has "$C" '<fact name="started_at">' "create: started_at"
has "$C" 'topic="delivery"' "create: topic"
valid "$C" "create"

# --- appending ------------------------------------------------------------
run "$PB" event $P "$C" fact name=order_id A-1042
expect_rc 0 "fact with name=value"
has "$T/out" "[x] order_id" "fact: order_id collected"
has "$C" 'type="fact" name="order_id">A-1042<' "fact: saved"

run "$PB" event $P "$C" agent.restated "So the parcel ordered on the 3rd" \
    "has not arrived."
expect_rc 0 "text from several operands"
has "$C" '>So the parcel ordered on the 3rd has not arrived.<' \
    "text joined by spaces"

run "$PB" event $P --format json "$C" customer.confirmed
expect_rc 0 "event --format json"
json_ok "$T/out" "event json" '
items = {c["principle"] + "." + c["item"]: c for c in d["checklist"]}
assert items["listen.restate"]["state"] == "done", items["listen.restate"]
assert d["topic"] == "delivery" and d["channel"] == "phone"
assert d["facts"]["order_id"] == "A-1042"
assert "started_at" in d["facts"]'

# docs/agents.md: a commitment with a due time
run "$PB" event $P "$C" agent.committed "due=tomorrow 10:00" \
    I will call you back with the tracking number.
expect_rc 0 "agent.committed due=..."
has "$C" 'due="tomorrow 10:00"' "commitment saved with its due"

run "$PB" event $P "$C" agent.said -- "note=this is text"
expect_rc 0 "text after --"
has "$C" '>note=this is text<' "text after -- is not an attribute"

run "$PB" event $P "$C" customer.said '<b>"Fish" & chips</b>'
expect_rc 0 "markup in text"
has "$C" '&lt;b&gt;' "markup escaped"
valid "$C" "after appends"

run "$PB" event $P --topic delivery "$C" customer.said "again"
expect_rc 0 "--topic matching the case"
run "$PB" event $P --topic billing "$C" customer.said "again"
expect_rc 2 "--topic not matching the case"
has "$T/err" "'delivery', not 'billing'" "topic mismatch message"

# --- bad input leaves the file alone -----------------------------------------
cp "$C" "$T/before.xml"
for bad in "item.checked ref=listen.nope" "item.skipped ref=listen.restate" \
    "fact A-1042" "not..a.type" "customer.said t=5 Hi" \
    "customer.said a=1 a=2"; do
    # shellcheck disable=SC2086
    run "$PB" event $P "$C" $bad
    expect_rc 2 "bad event: $bad"
    if [ -s "$T/err" ]; then ok; else fail "bad event: $bad: no message"; fi
    same_file "$C" "$T/before.xml" "bad event: $bad"
    if [ -e "$C.journal" ]; then fail "bad event: $bad: journal left"
    else ok; fi
done
# Not UTF-8 though well-formed in shape: an overlong '/', a surrogate.
for bytes in '\300\257' '\355\240\200'; do
    run "$PB" event $P "$C" customer.said "$(printf "a $bytes b")"
    expect_rc 2 "event text with $bytes"
    has "$T/err" "case.xml: event text 'a \\x" \
        "event text with $bytes: refused, naming the case file"
    same_file "$C" "$T/before.xml" "event text with $bytes"
    run "$PB" event $P "$C" customer.said "order=$(printf "$bytes")" hi
    expect_rc 2 "attribute value with $bytes"
    has "$T/err" "attribute value '\\x" "attribute value with $bytes"
done
run "$PB" event $P "$C" item.checked ref=listen.nope
has "$T/err" "unknown item 'listen.nope'" "unknown item named"
run "$PB" event $P "$C" item.skipped ref=listen.restate
has "$T/err" "needs a reason" "skip without reason"
run "$PB" event $P "$C" fact A-1042
has "$T/err" "needs a name attribute" "fact without name"
run "$PB" event $P "$C" item.skipped ref=listen.real_problem \
    "Customer hung up"
expect_rc 0 "skip with a reason"
has "$T/out" "skipped: Customer hung up" "skip shown"

run "$PB" replay $P "$C"
expect_rc 0 "the case file replays"
has "$T/out" "Customer hung up" "replay shows the skip"

# --- the lock ---------------------------------------------------------------
if command -v flock >/dev/null 2>&1; then
    cp "$C" "$T/before.xml"
    hold_lock "$C.journal"
    run "$PB" event $P --wait 0.5 "$C" customer.said "while locked"
    expect_rc 2 "event on a case in use"
    has "$T/err" "case $C is in use by another session" "in-use message"
    same_file "$C" "$T/before.xml" "event on a case in use"
    # waits long enough: goes through once the holder lets go
    (sleep 1; let_go) &
    run "$PB" event $P --wait 60 "$C" customer.said "after the lock"
    expect_rc 0 "event waits for the lock"
    wait "$holder"
    has "$C" '>after the lock<' "event after the lock saved"
fi

# --- two writers at once ------------------------------------------------------
C2="$T/busy.xml"
run "$PB" event $P --topic billing "$C2" customer.said "start"
expect_rc 0 "busy: create"
writer() { # TAG
    i=1
    while [ "$i" -le 50 ]; do
        "$PB" event $P "$C2" agent.said "$1-$i" >/dev/null 2>>"$T/w$1.err" ||
            echo "$1-$i" >>"$T/w$1.failed"
        i=$((i + 1))
    done
}
writer A &
wa=$!
writer B &
wb=$!
wait "$wa"
wait "$wb"
if [ -s "$T/wA.failed" ] || [ -s "$T/wB.failed" ]; then
    fail "concurrent appends failed: $(cat "$T/wA.failed" "$T/wB.failed" \
        2>/dev/null | head -n 3 | tr '\n' ' ') $(head -n 2 "$T/wA.err")"
else ok; fi
valid "$C2" "after concurrent appends"
n=$(grep -c '<event ' "$C2")
if [ "$n" = 101 ]; then ok; else fail "concurrent: $n events, want 101"; fi
for tag in A B; do
    i=1 missing=""
    while [ "$i" -le 50 ]; do
        c=$(grep -c ">$tag-$i<" "$C2")
        [ "$c" = 1 ] || missing="$missing $tag-$i($c)"
        i=$((i + 1))
    done
    if [ -z "$missing" ]; then ok; else
        fail "concurrent: not exactly once:$missing"; fi
done
run "$PB" replay $P "$C2"
expect_rc 0 "concurrent: replays (times never go backwards)"

# --- followups --------------------------------------------------------------
F="$T/cases"
mkdir "$F"
ev() { "$PB" event $P "$@" >/dev/null || fail "setup: event $*"; }
ev --topic delivery "$F/a.xml" agent.committed due=2020-01-01T10:00Z \
    "Refund by new year"
ev "$F/a.xml" followup.scheduled due=2099-01-01T10:00Z "Check in far later"
ev "$F/a.xml" followup.done outcome=fixed "It works"
ev --topic billing "$F/b.xml" agent.committed "due=in 2h" "Call back soon"
ev "$F/b.xml" followup.scheduled "due=next month" "Vague plan"
ev --topic billing "$F/c.xml" agent.committed "due=2021-06-01 09:00" \
    "Credit note"
ev "$F/c.xml" agent.said "I'll call you back tomorrow at 10."
# docs/agents.md
run "$PB" followups $P "$F"
expect_rc 0 "followups"
# The agent's "I'll call you back tomorrow at 10." is both a follow-up
# (follow_up's detector) and a commitment due tomorrow (own's).
sed -n 1,7p "$T/out" >"$T/order"
for want in "1 overdue .*a.xml  Refund by new year" \
    "2 overdue .*c.xml  Credit note" \
    "3 open .*b.xml  Call back soon" \
    "4 open .*follow-up .*c.xml  I.ll call you back tomorrow.*follow_up" \
    "5 open .*commitment .*c.xml  I'll call you back tomorrow at 10\..*by own" \
    "6 done .*a.xml  Check in far later.*done: fixed" \
    "7 open  *unparsed: next month .*b.xml  Vague plan"; do
    line=${want%% *}
    pat=${want#* }
    if sed -n "${line}p" "$T/order" | grep -q -- "^$pat"; then ok; else
        fail "followups line $line: want /$pat/"; fi
done
has "$T/out" "7 listed, 2 overdue" "followups summary"

run "$PB" followups $P --format json "$F"
expect_rc 0 "followups --format json"
json_ok "$T/out" "followups json" '
got = [(i["status"], i["kind"], i["file"].split("/")[-1]) for i in d["items"]]
assert got == [("overdue", "commitment", "a.xml"),
               ("overdue", "commitment", "c.xml"),
               ("open", "commitment", "b.xml"),
               ("open", "followup", "c.xml"),
               ("open", "commitment", "c.xml"),
               ("done", "followup", "a.xml"),
               ("open", "followup", "b.xml")], got
assert d["items"][0]["due"] == "2020-01-01T10:00:00Z"
assert d["items"][3]["detected_by"] == "follow_up"
assert d["items"][3]["due"].endswith("T10:00:00Z"), d["items"][3]
assert d["items"][5]["outcome"] == "fixed"
assert d["items"][6]["due"] is None
assert d["items"][6]["due_text"] == "next month"
assert d["due_before"] is None'

run "$PB" followups $P --due-before "in 3 hours" --format json "$F"
expect_rc 0 "followups --due-before"
json_ok "$T/out" "followups --due-before" '
got = [i["text"] for i in d["items"]]
assert got == ["Refund by new year", "Credit note", "Call back soon",
               "Vague plan"], got'
run "$PB" followups $P --due-before "whenever" "$F"
expect_rc 2 "followups --due-before garbage"
run "$PB" followups $P "$F/a.xml" "$T/nope.xml"
expect_rc 2 "followups with a missing file"
has "$T/out" "Refund by new year" "followups lists the readable ones"
run "$PB" followups --help
expect_rc 0 "followups --help"

# The phrases own.lua detects read as due times (issue 10): recorded, and
# found by the detectors in what the agent said.
G="$T/phrases"
mkdir "$G"
ev --topic refund "$G/d.xml" agent.committed \
    "due=within 3-5 business days" "Refund on its way"
ev "$G/d.xml" agent.committed "due=by the end of the week" "Credit note"
ev "$G/d.xml" followup.scheduled "due=less than a week" "Check it came"
ev "$G/d.xml" agent.said \
    "I'll make sure the refund reaches you within 3-5 business days."
ev "$G/d.xml" customer.said "How long until it is refunded?"
ev "$G/d.xml" agent.said "less than a week"
ev "$G/d.xml" agent.said "I will have the replacement sent by the end of the week."
run "$PB" followups $P --format json "$G"
expect_rc 0 "followups: the phrases"
json_ok "$T/out" "followups reads the phrases" '
got = [(i["due_text"], i["detected_by"], i["due"] is not None)
       for i in d["items"]]
want = {("within 3-5 business days", None, True),
        ("by the end of the week", None, True),
        ("less than a week", None, True),
        ("within 3-5 business days", "own", True),
        ("less than a week", "own", True),
        ("end of the week", "own", True)}
assert set(got) == want and len(got) == 6, got'
run "$PB" followups $P "$G"
expect_rc 0 "followups: the phrases, text"
if grep -q unparsed "$T/out"; then fail "followups: a phrase is unparsed"
else ok; fi

# --- event.undone: undo's rule on this route; an old record's stray undos --
U="$T/undo"
mkdir "$U"
run "$PB" event $P --topic delivery "$U/c.xml" event.undone ref=1
expect_rc 2 "event: an undo of an event to come"
has "$T/err" "event.undone attrs.ref: no event #1: the case has 0 recorded events" \
    "event: the undo of an event to come said"
if [ -e "$U/c.xml" ]; then fail "event: a refused undo made the case"
else ok; fi
run "$PB" event $P --topic delivery "$U/c.xml" customer.said hello
expect_rc 0 "event: the first event"
run "$PB" event $P "$U/c.xml" event.undone ref=1
expect_rc 0 "event: an undo as undo makes it"
cp "$U/c.xml" "$U/c.before"
for ref in 1 2 3 02; do
    run "$PB" event $P "$U/c.xml" event.undone "ref=$ref"
    expect_rc 2 "event: event.undone ref=$ref"
    same_file "$U/c.xml" "$U/c.before" "event: event.undone ref=$ref"
done
has "$T/err" "attrs.ref '02' is not an event number" "event: a bad ref said"
# A case file written before the rule: its stray undos are kept and take
# nothing back, new events are held to the rule; a replay refuses them.
cat >"$U/old.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario id="old" title="old" xmlns="urn:playbook:scenario:1">
  <case topic="delivery">
    <fact name="started_at">2026-01-01T10:00:00Z</fact>
  </case>
  <events>
    <event t="1" type="event.undone" ref="2"/>
    <event t="2" type="customer.said">hello</event>
    <event t="3" type="event.undone" ref="1"/>
  </events>
</scenario>
EOF
cp "$U/old.xml" "$U/old.replay.xml"
run "$PB" event $P "$U/old.xml" event.undone ref=2
expect_rc 0 "event: an old case file with stray undos is read; #2 undone now"
run "$PB" event $P "$U/old.xml" event.undone ref=2
expect_rc 2 "event: #2 of the old case file undone twice"
has "$T/err" "#2 is already undone" "event: undone twice said"
run "$PB" replay $P "$U/old.replay.xml"
expect_rc 2 "replay: a stray undo in a scenario"
has "$T/err" "old.replay.xml:7: event.undone attrs.ref: no event #2" \
    "replay: the stray undo's line"

summary
