#!/bin/sh
# End-to-end tests of `playbook replay`, run as a user would run it.
#
# Run from the repository root with PLAYBOOK set to the binary under test:
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/replay.sh
# Prints one "FAIL: ..." line per failed check and a summary line; exits
# non-zero when any check failed.
set -u

NAME="e2e replay"
. tests/e2e/lib/common.sh
PRINCIPLES=principles

scenario() { # FILE: a scenario from stdin
    cat >"$1"
}
# refused FILE LINE WHAT: `replay` refuses FILE as bad input (exit 2),
# and stderr starts with "FILE:LINE: ".
refused() {
    run "$PB" replay -p "$PRINCIPLES" "$1"
    expect_rc 2 "$3"
    err_at "$1" "$2" "$3"
}

# --- every bundled scenario meets its own expectations ----------------
n=0
for f in scenarios/*.xml; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    run "$PB" replay -p "$PRINCIPLES" "$f"
    expect_rc 0 "replay $f"
    has "$T/out" "Expectations: " "replay $f reports its expectations"
    lacks "$T/out" "FAIL" "replay $f has no failed expectation"
    if [ -s "$T/err" ]; then fail "replay $f: unexpected stderr"; else ok; fi
done
if [ "$n" -ge 9 ]; then ok; else fail "only $n bundled scenarios (want 9 or more)"; fi

# --- a folder means every *.xml in it ---------------------------------
run "$PB" replay -p "$PRINCIPLES" scenarios
expect_rc 0 "replay scenarios/ (folder)"
for f in scenarios/*.xml; do
    has "$T/out" "$f" "replay of the folder covers $f"
done
run "$PB" replay -p "$PRINCIPLES" scenarios/
expect_rc 0 "replay scenarios/ (folder with trailing slash)"

# --- JSON report -------------------------------------------------------
run "$PB" replay -p "$PRINCIPLES" --format json scenarios
expect_rc 0 "replay --format json scenarios"
cp "$T/out" "$T/all.json"
json_ok "$T/all.json" "JSON report has the documented fields" "
import glob
sc = d['scenarios']
assert len(sc) == len(glob.glob('scenarios/*.xml')), 'one entry per file'
for s in sc:
    assert isinstance(s['checklist'], list) and s['checklist'], s['file']
    for it in s['checklist']:
        assert it['state'] in ('open', 'waiting', 'done', 'skipped',
                               'violated', 'error'), it
    assert isinstance(s['next'], list), 'next'
    v = s['score']['overall']['value']
    assert isinstance(v, (int, float)) and 0 <= v <= 1, v
    assert s['expectations'], 'expectations in ' + s['file']
    assert all(e['met'] is True for e in s['expectations']), s['file']
    assert all('detected_by' in e for e in s['events']), 'detected_by'
"
json_ok "$T/all.json" "JSON marks detected events with their principle" "
s = [s for s in d['scenarios'] if s['id'] == 'late-delivery'][0]
by = [e['detected_by'] for e in s['events']]
assert None in by, 'recorded events have detected_by null'
assert 'listen' in by, 'agent.restated is detected by listen'
"
json_ok "$T/all.json" "JSON gives every detected event its evidence" "
n = 0
for s in d['scenarios']:
    for e in s['events']:
        if e['detected_by'] is None:
            assert 'evidence' not in e, e
            continue
        w = e['evidence']
        assert w['file'].startswith('$PRINCIPLES/'), w
        assert isinstance(w['line'], int) and w['line'] > 0, w
        assert w['kind'] in ('pattern', 'words', 'example', 'function'), w
        assert (w['match'] is None) == (w['kind'] == 'function'), w
        assert ('score' in w) == (w['kind'] == 'example'), w
        n += 1
assert n > 0
s = [s for s in d['scenarios'] if s['id'] == 'late-delivery'][0]
r = [e for e in s['events'] if e['type'] == 'agent.restated'][0]
assert r['evidence']['kind'] == 'function', r
assert r['evidence']['file'] == '$PRINCIPLES/listen.lua', r
o = [e for e in s['events'] if e['type'] == 'agent.owned'][0]
assert o['evidence']['kind'] == 'words', o
assert o['evidence']['match'] == 'i will make sure', o
"
# The text report shows it in place of "(detected by ...)".
run "$PB" replay -p "$PRINCIPLES" scenarios/late-delivery.xml
has "$T/out" "~ agent.restated  [listen.lua:" "text evidence: file and line"
has "$T/out" "~ agent.owned  [own.lua:" "text evidence: the owning detector"
has "$T/out" "words \"i will make sure\"]" "text evidence: the phrase"

# --- words and examples, end to end: the evidence names the phrase, and
# the example with its score ---------------------------------------------
mkdir "$T/w"
cat >"$T/w/w.lua" <<'EOF'
return principle {
  id = 'w', order = 1,
  items = { { id = 'owned', done = function(c) return c:has('agent.owned') end } },
  detect = {
    { on = 'agent.said', emit = 'agent.owned',
      words = { 'look into', 'take care of' } },
    { on = 'agent.said', emit = 'agent.proposed',
      examples = { 'I have issued you a refund' } },
  },
}
EOF
cat >"$T/w/w.xml" <<'EOF'
<scenario xmlns="urn:playbook:scenario:1" id="w">
  <events>
    <event t="0" type="agent.said">I can look into that for you.</event>
    <event t="9" type="agent.said">Okay, I have issued you a refund.</event>
  </events>
</scenario>
EOF
run "$PB" replay -p "$T/w/w.lua" "$T/w/w.xml"
expect_rc 0 "replay with words and examples"
has "$T/out" '~ agent.owned  [w.lua:5 words "look into"]' "words evidence"
has "$T/out" '~ agent.proposed  [w.lua:7 example "I have issued you a refund" 0.' \
    "example evidence with its score"
run "$PB" replay -p "$T/w/w.lua" --format json "$T/w/w.xml"
json_ok "$T/out" "JSON evidence of words and examples" "
ev = d['scenarios'][0]['events']
o = [e for e in ev if e['type'] == 'agent.owned'][0]['evidence']
assert o['kind'] == 'words' and o['match'] == 'look into' and o['line'] == 5, o
p = [e for e in ev if e['type'] == 'agent.proposed'][0]['evidence']
assert p['kind'] == 'example' and 0.5 <= p['score'] <= 1, p
assert p['match'] == 'I have issued you a refund', p
"
run "$PB" replay -p "$T/w/w.lua" --format html "$T/w/w.xml"
has "$T/out" 'w.lua:5 words &quot;look into&quot;' "HTML evidence in the page"
run "$PB" replay -p "$PRINCIPLES" --format=json scenarios/late-delivery.xml
expect_rc 0 "replay --format=json (one argument)"
json_ok "$T/out" "--format=json parses" "assert len(d['scenarios']) == 1"

# --- a principle's text that is not UTF-8: the JSON stays JSON ----------
# ED A0 80 is half a UTF-16 surrogate pair, well-formed in shape but not
# UTF-8.  The loader refuses such bytes in a file, so they come from Lua
# escapes; JSON gets U+FFFD for each ill-formed part, text \xNN escapes.
mkdir "$T/sur"
cat >"$T/sur/sur.lua" <<'EOF'
return principle {
  id = 'sur', order = 1, title = 'Half \237\160\128 a pair',
  items = {
    { id = 'heard', must = true, prompt = 'Hear \237\160\128 them out',
      done = function(c) return c:has('customer.said') end },
  },
}
EOF
scenario "$T/sur.xml" <<'EOF'
<scenario xmlns="urn:playbook:scenario:1" id="sur" title="Surrogate">
  <events><event t="0" type="agent.said">Hello</event></events>
</scenario>
EOF
SUR_JSON="
raw = open(sys.argv[1], 'rb').read()
raw.decode('utf-8')  # strict: no surrogate, no overlong form
"
run "$PB" replay -p "$T/sur" --format json "$T/sur.xml"
expect_rc 0 "replay --format json, prompt with ED A0 80"
json_ok "$T/out" "replay JSON is UTF-8 with U+FFFD for ED A0 80" "$SUR_JSON
it = d['scenarios'][0]['checklist'][0]
assert it['prompt'] == 'Hear \ufffd\ufffd\ufffd them out', it['prompt']
"
run "$PB" show -p "$T/sur" --format json
expect_rc 0 "show --format json, prompt with ED A0 80"
json_ok "$T/out" "show JSON is UTF-8 with U+FFFD for ED A0 80" "$SUR_JSON
p = d['principles'][0]
assert p['title'] == 'Half \ufffd\ufffd\ufffd a pair', p['title']
assert p['items'][0]['prompt'] == 'Hear \ufffd\ufffd\ufffd them out'
"
run "$PB" replay -p "$T/sur" "$T/sur.xml"
expect_rc 0 "replay as text, prompt with ED A0 80"
has "$T/out" 'Hear \xed\xa0\x80 them out' "text shows the bytes as \\xNN"

# --- the dialogue-only scenarios are understood by the detectors -------
run "$PB" replay -p "$PRINCIPLES" --format json scenarios/double-charge-chat.xml
expect_rc 0 "replay double-charge-chat.xml"
json_ok "$T/out" "utterance-only scenario: every recorded event is an utterance" "
s = d['scenarios'][0]
rec = [e['type'] for e in s['events'] if e['detected_by'] is None]
assert set(rec) <= {'customer.said', 'agent.said'}, set(rec)
st = {i['principle'] + '.' + i['item']: i['state'] for i in s['checklist']}
for ref in ('listen.restate', 'ask.account_id', 'ask.invoice_id',
            'explain.check_understanding', 'own.take_ownership', 'own.commit'):
    assert st[ref] == 'done', (ref, st[ref])
"

# --- the stories the bundled scenarios tell, checked on the timeline ------
run "$PB" replay -p "$PRINCIPLES" --format json scenarios/escalation-followup.xml
expect_rc 0 "replay escalation-followup.xml"
json_ok "$T/out" "follow_up.verify is done by outcome=fixed, not not_fixed" "
s = d['scenarios'][0]
hits = [(e['type'], e['attrs'].get('outcome'), c['to'])
        for e in s['events'] for c in e['changes']
        if c['item'] == 'follow_up.verify']
assert ('followup.done', 'fixed', 'done') in hits, hits
assert not any(o == 'not_fixed' and to == 'done' for _, o, to in hits), hits
"
run "$PB" replay -p "$PRINCIPLES" --format json scenarios/locked-out-overrides.xml
expect_rc 0 "replay locked-out-overrides.xml"
json_ok "$T/out" "manual overrides: checked item done; a skip of an item that does not apply changes nothing" "
s = d['scenarios'][0]
items = {i['principle'] + '.' + i['item']: i for i in s['checklist']}
assert items['explain.check_understanding']['state'] == 'done'
assert 'own.commit' not in items, items.get('own.commit')
assert any(e['type'] == 'item.skipped' for e in s['events'])
"
scenario "$T/skip.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="skip" title="Skip">
  <case topic="delivery" channel="chat"/>
  <events>
    <event t="0" type="customer.said">Where is my parcel? I only need the tracking link.</event>
    <event t="9" type="item.skipped" ref="listen.restate">The caller only wanted the tracking link.</event>
  </events>
</scenario>
EOF
run "$PB" replay -p "$PRINCIPLES" --format json "$T/skip.xml"
json_ok "$T/out" "a skipped item has its reason" "
items = {i['principle'] + '.' + i['item']: i for i in d['scenarios'][0]['checklist']}
skip = items['listen.restate']
assert skip['state'] == 'skipped' and 'tracking link' in skip['reason'], skip
"

# --- an expectation that is not met ------------------------------------
scenario "$T/unmet.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="unmet" title="Unmet">
  <case topic="delivery" channel="phone"/>
  <events>
    <event t="0" type="customer.said">Where is my parcel?</event>
  </events>
  <expect>
    <item ref="listen.hear_out" state="done"/>
    <item ref="listen.restate" state="done"/>
  </expect>
</scenario>
EOF
run "$PB" replay -p "$PRINCIPLES" "$T/unmet.xml"
expect_rc 1 "unmet expectation"
has "$T/out" "FAIL" "unmet expectation is shown as FAIL"
has "$T/out" "$T/unmet.xml:9" "unmet expectation names file:line"
has "$T/out" "listen.restate" "unmet expectation names the item"
run "$PB" replay -p "$PRINCIPLES" --format json "$T/unmet.xml"
expect_rc 1 "unmet expectation (json)"
json_ok "$T/out" "JSON shows the unmet expectation" "
s = d['scenarios'][0]
assert s['passed'] is False
bad = [e for e in s['expectations'] if not e['met']]
assert len(bad) == 1 and bad[0]['line'] == 9, bad
"
# One unmet scenario among good ones still fails the run.
run "$PB" replay -p "$PRINCIPLES" scenarios/late-delivery.xml "$T/unmet.xml"
expect_rc 1 "good + unmet scenario"

# --- expectations naming unknown items or principles: bad input --------
sed 's/listen\.restate/listen.nonesuch/' "$T/unmet.xml" >"$T/unknown-item.xml"
refused "$T/unknown-item.xml" 9 "expectation names an unknown item"
has "$T/err" "listen.nonesuch" "unknown item is named"
sed 's/listen\.restate/nonesuch.restate/' "$T/unmet.xml" >"$T/unknown-p.xml"
refused "$T/unknown-p.xml" 9 "expectation names an unknown principle"
has "$T/err" "nonesuch" "unknown principle is named"
sed 's|<item ref="listen.restate" state="done"/>|<violation ref="nosuch"/>|' \
    "$T/unmet.xml" >"$T/unknown-v.xml"
refused "$T/unknown-v.xml" 9 "violation names an unknown principle"
sed 's|state="done"/>|state="finished"/>|' "$T/unmet.xml" >"$T/bad-state.xml"
run "$PB" replay -p "$PRINCIPLES" "$T/bad-state.xml"
expect_rc 2 "expectation with an unknown state"
has "$T/err" "$T/bad-state.xml:8: " "unknown state names file:line"

# --- files that are not there, empty, or not scenarios ------------------
run "$PB" replay -p "$PRINCIPLES" "$T/missing.xml"
expect_rc 2 "missing file"
has "$T/err" "$T/missing.xml" "missing file is named"
: >"$T/empty.xml"
run "$PB" replay -p "$PRINCIPLES" "$T/empty.xml"
expect_rc 2 "empty file"
has "$T/err" "$T/empty.xml" "empty file is named"
has "$T/err" "empty" "empty file says so"
printf '<?xml version="1.0"?>\n<scenario xmlns="urn:playbook:scenario:1" id="x" title="t">\n<events>\n<event t="0" type="customer.said">caf\351 \377</event>\n</events>\n</scenario>\n' \
    >"$T/latin1.xml"
refused "$T/latin1.xml" 4 "non-UTF-8 bytes"
dd if=scenarios/late-delivery.xml of="$T/truncated.xml" bs=700 count=1 2>/dev/null
run "$PB" replay -p "$PRINCIPLES" "$T/truncated.xml"
expect_rc 2 "truncated file"
if grep -qE "^$T/truncated.xml:[0-9]+: " "$T/err"; then ok; else
    fail "truncated file: no file:line: message"; fi
printf '<?xml version="1.0"?>\n<scenario id="x" title="t"/>\n' >"$T/nons.xml"
refused "$T/nons.xml" 2 "scenario without the namespace"

# --- hostile XML ----------------------------------------------------------
echo "SECRET-$$-do-not-leak" >"$T/secret.txt"
scenario "$T/xxe.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE scenario [ <!ENTITY xxe SYSTEM "file://$T/secret.txt"> ]>
<scenario xmlns="urn:playbook:scenario:1" id="xxe" title="XXE">
  <events><event t="0" type="customer.said">&xxe;</event></events>
</scenario>
EOF
run_limited 20 "$PB" replay -p "$PRINCIPLES" "$T/xxe.xml"
expect_rc 2 "external entity"
err_at "$T/xxe.xml" 2 "external entity"
lacks "$T/out" "SECRET-$$" "external entity: file contents on stdout"
lacks "$T/err" "SECRET-$$" "external entity: file contents on stderr"
run_limited 20 "$PB" replay -p "$PRINCIPLES" --format json "$T/xxe.xml"
lacks "$T/out" "SECRET-$$" "external entity: file contents in JSON"
scenario "$T/xxe-param.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE scenario [ <!ENTITY % p SYSTEM "file://$T/secret.txt"> %p; ]>
<scenario xmlns="urn:playbook:scenario:1" id="xxe" title="XXE"/>
EOF
run_limited 20 "$PB" replay -p "$PRINCIPLES" "$T/xxe-param.xml"
expect_rc 2 "external parameter entity"
lacks "$T/err" "SECRET-$$" "parameter entity: file contents on stderr"
scenario "$T/dtd-net.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE scenario SYSTEM "http://127.0.0.1:9/scenario.dtd">
<scenario xmlns="urn:playbook:scenario:1" id="net" title="External DTD"/>
EOF
run_limited 20 "$PB" replay -p "$PRINCIPLES" "$T/dtd-net.xml"
expect_rc 2 "external DTD over the network"
err_at "$T/dtd-net.xml" 2 "external DTD"
{
    echo '<?xml version="1.0"?>'
    echo '<!DOCTYPE lolz ['
    echo ' <!ENTITY lol "lol">'
    prev=lol
    for i in 2 3 4 5 6 7 8 9; do
        printf ' <!ENTITY lol%s "' "$i"
        for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done
        echo '">'
        prev=lol$i
    done
    echo ']>'
    echo '<scenario xmlns="urn:playbook:scenario:1" id="bomb" title="Bomb">'
    echo '  <events><event t="0" type="customer.said">&lol9;</event></events>'
    echo '</scenario>'
} >"$T/bomb.xml"
start=$(date +%s)
run_limited 20 "$PB" replay -p "$PRINCIPLES" "$T/bomb.xml"
end=$(date +%s)
expect_rc 2 "billion laughs"
case "$start$end" in
*[!0-9]*) ;; # no seconds since the epoch from date(1): the limit above must do
*) if [ $((end - start)) -le 5 ]; then ok; else
       fail "billion laughs took $((end - start))s"; fi ;;
esac
if [ "$(wc -c <"$T/out")" -lt 100000 ]; then ok; else
    fail "billion laughs: entities were expanded into the output"; fi
{
    echo '<?xml version="1.0"?>'
    echo '<scenario xmlns="urn:playbook:scenario:1" id="deep" title="Deep">'
    printf '<description>'
    i=0
    while [ $i -lt 3000 ]; do printf '<b>'; i=$((i + 1)); done
    echo
} >"$T/deep.xml"
run_limited 20 "$PB" replay -p "$PRINCIPLES" "$T/deep.xml"
expect_rc 2 "deep nesting"
if grep -qE "^$T/deep.xml:[0-9]+: " "$T/err"; then ok; else
    fail "deep nesting: no file:line: message"; fi

# --- bad events ------------------------------------------------------------
scenario "$T/notype.xml" <<'EOF'
<?xml version="1.0"?>
<scenario xmlns="urn:playbook:scenario:1" id="notype" title="No type">
  <case topic="delivery"/>
  <events>
    <event t="0" type="customer.said">Hello?</event>
    <event t="5">What am I?</event>
  </events>
</scenario>
EOF
refused "$T/notype.xml" 6 "event without a type"
has "$T/err" "type" "event without a type says what is missing"
scenario "$T/backwards.xml" <<'EOF'
<?xml version="1.0"?>
<scenario xmlns="urn:playbook:scenario:1" id="back" title="Backwards">
  <case topic="delivery"/>
  <events>
    <event t="0:30" type="customer.said">Hello?</event>
    <event t="0:40" type="agent.said">Hi.</event>
    <event t="0:10" type="customer.said">Earlier?</event>
  </events>
</scenario>
EOF
refused "$T/backwards.xml" 7 "time going backwards"
has "$T/err" "backwards" "time going backwards says so"
sed 's/t="0:40"/t="1:75"/' "$T/backwards.xml" >"$T/badtime.xml"
refused "$T/badtime.xml" 6 "malformed time 1:75"
scenario "$T/skipnoreason.xml" <<'EOF'
<?xml version="1.0"?>
<scenario xmlns="urn:playbook:scenario:1" id="skip" title="Skip">
  <events>
    <event t="0" type="customer.said">Hello?</event>
    <event t="5" type="item.skipped" ref="own.commit"/>
  </events>
</scenario>
EOF
refused "$T/skipnoreason.xml" 5 "item.skipped without a reason"
has "$T/err" "reason" "item.skipped without a reason says so"
scenario "$T/afterclose.xml" <<'EOF'
<?xml version="1.0"?>
<scenario xmlns="urn:playbook:scenario:1" id="closed" title="Closed">
  <events>
    <event t="0" type="customer.said">Hello?</event>
    <event t="5" type="case.closed"/>
    <event t="6" type="agent.said">One more thing.</event>
  </events>
</scenario>
EOF
refused "$T/afterclose.xml" 6 "event after case.closed"
has "$T/err" "was closed at 00:05" "event after case.closed: when"
# Cases outlive a call: open between contacts, closed itself at the end
# of the contact that left nothing, and nothing may follow that.
scenario "$T/contacts.xml" <<'EOF'
<?xml version="1.0"?>
<scenario xmlns="urn:playbook:scenario:1" id="contacts" title="Contacts">
  <case topic="technical" channel="phone"/>
  <events>
    <event t="0" type="customer.said">My router drops every evening.</event>
    <event t="30" type="case.escalated" to="network"/>
    <event t="40" type="followup.scheduled" due="tomorrow 10:00"/>
    <event t="50" type="contact.ended"/>
  </events>
  <expect>
    <case state="between_contacts"/>
    <item ref="follow_up.verify" state="open"/>
  </expect>
</scenario>
EOF
run "$PB" replay -p "$PRINCIPLES" "$T/contacts.xml"
expect_rc 0 "open between contacts"
has "$T/out" "Case: between contacts" "between contacts reported"
sed 's|<event t="50" type="contact.ended"/>|&\
    <event t="24:00:00" type="followup.done" outcome="fixed">Fine now.</event>\
    <event t="24:01:00" type="contact.ended"/>|; s|between_contacts|closed|' \
    "$T/contacts.xml" >"$T/closes.xml"
run "$PB" replay -p "$PRINCIPLES" "$T/closes.xml"
expect_rc 1 "closed itself, verify done: the open expectation fails"
has "$T/out" "Case: closed itself at 24:01:00 (nothing left to follow up)" \
    "closed itself reported"
has "$T/out" "ok    the case is closed" "case expectation met"
sed 's|<event t="24:01:00" type="contact.ended"/>|&\
    <event t="24:02:00" type="agent.said">One more thing.</event>|' \
    "$T/closes.xml" >"$T/afterself.xml"
refused "$T/afterself.xml" 11 "event after the case closed itself"
has "$T/err" "closed itself at 24:01:00" "closed itself: when"
scenario "$T/badcase.xml" <<'EOF'
<?xml version="1.0"?>
<scenario xmlns="urn:playbook:scenario:1" id="badcase" title="Bad">
  <events><event t="0" type="customer.said">Hi</event></events>
  <expect>
    <case state="finished"/>
  </expect>
</scenario>
EOF
refused "$T/badcase.xml" 5 "a bad case state"
has "$T/err" "bad case state 'finished'" "bad case state named"
# A bad file among good ones: the run is bad input, the good one is reported.
run "$PB" replay -p "$PRINCIPLES" scenarios/late-delivery.xml "$T/notype.xml"
expect_rc 2 "good + bad scenario"
has "$T/out" "late-delivery" "good + bad scenario: the good one is reported"

# --- -o FILE ---------------------------------------------------------------
mkdir "$T/reports"
run "$PB" replay -p "$PRINCIPLES" --format json -o "$T/reports/r.json" \
    scenarios/late-delivery.xml
expect_rc 0 "-o FILE"
if [ -s "$T/out" ]; then fail "-o FILE: report also on stdout"; else ok; fi
json_ok "$T/reports/r.json" "-o FILE holds the JSON report" \
    "assert d['scenarios'][0]['id'] == 'late-delivery'"
if [ "$(ls -A "$T/reports")" = "r.json" ]; then ok; else
    fail "-o FILE left other files: $(ls -A "$T/reports" | tr '\n' ' ')"; fi
echo "old report" >"$T/reports/r.txt"
run "$PB" replay -p "$PRINCIPLES" --output="$T/reports/r.txt" "$T/unmet.xml"
expect_rc 1 "--output=FILE with an unmet expectation"
has "$T/reports/r.txt" "FAIL" "--output=FILE replaced the old report"
lacks "$T/reports/r.txt" "old report" "--output=FILE: old content gone"
run "$PB" replay -p "$PRINCIPLES" -o "$T/no/such/dir/r.txt" \
    scenarios/late-delivery.xml
expect_rc 2 "-o into a missing folder"
has "$T/err" "$T/no/such/dir/r.txt" "-o into a missing folder names it"
if [ -e "$T/no" ]; then fail "-o into a missing folder created it"; else ok; fi

# --- usage -----------------------------------------------------------------
run "$PB" replay -p "$PRINCIPLES" --format bogus scenarios/late-delivery.xml
expect_rc 2 "--format bogus"
has "$T/err" "bogus" "--format bogus names the format"
run "$PB" replay --help
expect_rc 0 "replay --help"
has "$T/out" "--format" "replay --help mentions --format"
has "$T/out" "-o" "replay --help mentions -o"
run "$PB" replay -h
expect_rc 0 "replay -h"
run "$PB" replay -p "$PRINCIPLES"
expect_rc 2 "replay without a scenario"
run "$PB" replay -p "$PRINCIPLES" --frobnicate scenarios/late-delivery.xml
expect_rc 2 "replay with an unknown option"
has "$T/err" "--frobnicate" "unknown option is named"
run "$PB" replay -p "$PRINCIPLES" -o
expect_rc 2 "-o without a value"
run "$PB" replay -p "$T/nonexistent-principles" scenarios/late-delivery.xml
expect_rc 2 "replay with a missing principle folder"
run "$PB" frobnicate
expect_rc 2 "unknown verb"
run "$PB" --help
expect_rc 0 "playbook --help"
has "$T/out" "replay" "playbook --help lists replay"

# --- no colour unless on a terminal, never with NO_COLOR ---------------------
run "$PB" replay -p "$PRINCIPLES" scenarios/late-delivery.xml
if [ "$(esc_count "$T/out")" = 0 ]; then ok; else
    fail "escape bytes in output to a file"; fi
run env NO_COLOR=1 "$PB" replay -p "$PRINCIPLES" scenarios/late-delivery.xml
if [ "$(esc_count "$T/out")" = 0 ]; then ok; else
    fail "escape bytes with NO_COLOR"; fi
# On a real terminal (script(1) from util-linux gives one), NO_COLOR still wins.
# --- no principle depends on the order the others run in ---------------
# The default principles in the opposite order (each order negated):
# each scenario gets the same events, in another order, and the same
# item states.  follow_up once needed own's detectors to run first.
R="$T/reversed"
mkdir -p "$R/lib"
cp principles/lib/*.lua "$R/lib/"
for f in principles/*.lua; do
    sed 's/order = \([0-9]*\),/order = -\1,/' "$f" >"$R/${f##*/}"
done
for f in scenarios/*.xml; do
    "$PB" replay -p "$PRINCIPLES" --format json "$f" >"$T/a.json" 2>/dev/null
    "$PB" replay -p "$R" --format json "$f" >"$T/b.json" 2>/dev/null
    if python3 -c "import json, sys
def seen(path):
    s = json.load(open(path))['scenarios'][0]
    return (sorted((c['principle'], c['item'], c['state'])
                   for c in s['checklist']),
            sorted((e['type'], e['t'], e['detected_by'] or '',
                    json.dumps(e['attrs'], sort_keys=True))
                   for e in s['events']))
a, b = seen(sys.argv[1]), seen(sys.argv[2])
sys.exit(a != b)" "$T/a.json" "$T/b.json"; then ok; else
        fail "$f: other events or states with the principles reversed"; fi
done
# --- expectations in the middle of a call (<item ... at="T"/>) --------------
# late-delivery.xml: restate is done by the confirmation at 00:18, commit
# by the event at 01:30.
mid() { # EXPECTATIONS: late-delivery.xml with them first in <expect>
    python3 -c 'import sys
s = open("scenarios/late-delivery.xml").read()
s = s.replace("<item ref=\"listen.hear_out\" state=\"done\"/>", sys.argv[1])
open(sys.argv[2], "w").write(s)' "$1" "$T/mid.xml"
}
mid '<item ref="listen.restate" state="open" at="00:12"/>
    <item ref="listen.restate" state="done" at="0:18"/>
    <item ref="own.commit" state="open" at="89.5"/>
    <item ref="own.commit" state="done" at="1:30"/>'
run "$PB" replay -p "$PRINCIPLES" "$T/mid.xml"
expect_rc 0 "mid-call expectations, all met"
has "$T/out" "ok    listen.restate is open at 00:12" "a mid-call expectation reported with its time"
has "$T/out" "ok    own.commit is open at 01:29.5" "a time between two events"
mid '<item ref="own.commit" state="done" at="1:00"/>
    <item ref="own.commit" state="done"/>'
run "$PB" replay -p "$PRINCIPLES" "$T/mid.xml"
expect_rc 1 "a mid-call expectation not met"
has "$T/out" "FAIL  own.commit is done at 01:00  (got open; $T/mid.xml:24)" \
    "the state it had then, and the line"
has "$T/out" "ok    own.commit is done" "the same item at the end, met"
run "$PB" replay -p "$PRINCIPLES" --format json "$T/mid.xml"
json_ok "$T/out" "at in JSON" '
x = d["scenarios"][0]["expectations"]
assert (x[0]["at"], x[0]["met"], x[0]["actual"]) == (60, False, "open"), x[0]
assert x[1]["at"] is None and x[1]["met"], x[1]'
run "$PB" check -p "$PRINCIPLES" "$T/mid.xml"
expect_rc 0 "the schema takes at"
for bad in soon -1 1:75; do
    mid "<item ref=\"listen.restate\" state=\"done\" at=\"$bad\"/>"
    run "$PB" replay -p "$PRINCIPLES" "$T/mid.xml"
    expect_rc 2 "at=\"$bad\""
    err_at "$T/mid.xml" 24 "at=\"$bad\" names the line"
done
mid '<score min="0.1" at="5"/>'
run "$PB" replay -p "$PRINCIPLES" "$T/mid.xml"
expect_rc 2 "at on a score"
has "$T/err" "unexpected attribute 'at' on <score>" "at is for items"

# several scenarios: a closing table, one line a call, score apart from
# expectations (a call can meet every expectation and score 0.25)
cp scenarios/late-delivery.xml "$T/fails.xml"
sed -i 's/state="done"/state="violated"/' "$T/fails.xml"
run "$PB" replay -p principles scenarios/abcd-3592.xml "$T/fails.xml"
expect_rc 1 "a batch with a failing call"
tail -n 5 "$T/out" >"$T/tail.txt"
has "$T/tail.txt" "scenario" "the table's head"
if grep -qE '^scenarios/abcd-3592.xml +0\.25  21 of 21 met$' "$T/tail.txt"
then ok; else fail "the table's line for a call that met everything"; fi
if grep -qE '/fails.xml +[0-9.]+  [0-9]+ of 15 met  FAIL$' "$T/tail.txt"
then ok; else fail "the table's line for a call that failed"; fi
has "$T/tail.txt" "2 scenarios: 1 passed, 1 failed" "the last line"
run "$PB" replay -p principles scenarios/abcd-3592.xml
lacks "$T/out" "expectations" "one call: no table"

if script --version 2>/dev/null | grep -q util-linux; then
    cmd="'$PB' replay -p '$PRINCIPLES' scenarios/late-delivery.xml"
    run env NO_COLOR=1 TERM=xterm script -qec "$cmd" /dev/null
    if grep -q 'Late parcel' "$T/out"; then
        if [ "$(esc_count "$T/out")" = 0 ]; then ok; else
            fail "escape bytes on a terminal with NO_COLOR"; fi
        run env -u NO_COLOR TERM=xterm script -qec "$cmd" /dev/null
        if [ "$(esc_count "$T/out")" -gt 0 ]; then ok; else
            fail "no colour on a terminal without NO_COLOR"; fi
    else
        echo "note: script(1) could not run the replay; tty checks skipped" >&2
    fi
fi

summary
