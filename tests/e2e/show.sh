#!/bin/sh
# End-to-end tests of `playbook show`: the default principles and their
# stable item ids (docs/authoring.md "The default principles"), text and JSON.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/show.sh
set -u

NAME="e2e show"
. tests/e2e/lib/common.sh
PRINCIPLES=principles

# The stable contract: principle -> item ids (docs/authoring.md "The default principles").
ITEMS='
listen hear_out restate real_problem
ask essentials no_repeat order_id delivery_address return_reason account_id invoice_id refund_reason identity_verified product error_message steps_tried patient_name date_of_birth urgency
explain propose explain_steps check_understanding
own take_ownership commit no_cold_handoff resolve_or_escalate
follow_up schedule verify
boundaries acknowledge set_boundary offer_escalation recover
'

# --- text -----------------------------------------------------------------
run "$PB" show -p "$PRINCIPLES"
expect_rc 0 "show -p principles"
if [ -s "$T/err" ]; then fail "show: unexpected stderr"; else ok; fi
echo "$ITEMS" | while read -r p items; do
    [ -n "$p" ] || continue
    if grep -qE "^$p - " "$T/out"; then :; else
        echo "FAIL: show lists no principle '$p'" >&2; echo x; fi
    for i in $items; do
        # Item lines: "  must ID  prompt" or "       ID  prompt".
        if grep -qE "^  (must|    ) $i( |\$)" "$T/out"; then :; else
            echo "FAIL: show lists no item '$p.$i'" >&2; echo x; fi
    done
done >"$T/missing"
if [ -s "$T/missing" ]; then
    failed=$((failed + $(wc -l <"$T/missing")))
else
    ok
fi
has "$T/out" "principles/listen.lua" "show names each principle's file"
has "$T/out" "detect agent.said -> agent.acknowledged" "show lists detectors"
has "$T/out" "detect agent.said -> (function, line " "show lists function detectors"
has "$T/out" "Applies only to some cases." "show marks conditional principles"

# --- JSON -----------------------------------------------------------------
run "$PB" show -p "$PRINCIPLES" --format json
expect_rc 0 "show --format json"
cp "$T/out" "$T/show.json"
printf '%s\n' "$ITEMS" >"$T/items.txt"
json_ok "$T/show.json" "show JSON has the stable principle and item ids" "
want = {}
for line in open('$T/items.txt'):
    f = line.split()
    if f:
        want[f[0]] = set(f[1:])
got = {p['id']: {i['id'] for i in p['items']} for p in d['principles']}
assert set(got) == set(want), sorted(set(got) ^ set(want))
for p in want:
    assert want[p] <= got[p], (p, sorted(want[p] - got[p]))
"
json_ok "$T/show.json" "show JSON is in checklist order" "
order = [p['order'] for p in d['principles']]
assert order == sorted(order), order
ids = [p['id'] for p in d['principles']]
assert ids.index('listen') < ids.index('ask') < ids.index('explain') \
    < ids.index('own') < ids.index('follow_up'), ids
"
json_ok "$T/show.json" "show JSON item fields" "
byid = {p['id']: p for p in d['principles']}
items = {i['id']: i for i in byid['ask']['items']}
for f in ('order_id', 'patient_name', 'urgency'):
    assert items[f]['collects'] == f, items[f]
assert items['essentials']['must'] is True
assert items['essentials']['later'] is False
items = {i['id']: i for i in byid['follow_up']['items']}
assert items['verify']['later'] is True, items['verify']
items = {i['id']: i for i in byid['explain']['items']}
assert items['explain_steps']['after'] == ['propose'], items['explain_steps']
assert items['check_understanding']['after'] == ['explain_steps']
for p in d['principles']:
    for k in ('title', 'why', 'file', 'items', 'detectors'):
        assert k in p, (p['id'], k)
assert any(x['emit'] == 'agent.acknowledged' for x in byid['boundaries']['detectors'])
"
run "$PB" show -p "$PRINCIPLES" --format=text
expect_rc 0 "show --format=text"

# --- usage -----------------------------------------------------------------
run "$PB" show --help
expect_rc 0 "show --help"
has "$T/out" "usage: playbook show" "show --help"
has "$T/out" "--format" "show --help mentions --format"
run "$PB" show -p "$PRINCIPLES" --bogus
expect_rc 2 "show with an unknown option"
has "$T/err" "--bogus" "show names the unknown option"
run "$PB" show -p "$PRINCIPLES" -o "$T/x"
expect_rc 2 "show with an option it does not take (-o)"
run "$PB" show -p "$PRINCIPLES" extra
expect_rc 2 "show with an unexpected argument"
run "$PB" show -p "$PRINCIPLES" --format bogus
expect_rc 2 "show --format bogus"
run "$PB" show -p
expect_rc 2 "show -p without a value"

# --- one broken principle: exit 2, the others still shown ---------------------
mkdir "$T/p"
cp "$PRINCIPLES"/listen.lua "$PRINCIPLES"/own.lua "$T/p/"
cp -R "$PRINCIPLES"/lib "$T/p/"
printf 'return principle {\n  id = "broken",\n  items = { { id = "a" }\n' >"$T/p/broken.lua"
run "$PB" show -p "$T/p"
expect_rc 2 "show with a broken principle"
has "$T/err" "$T/p/broken.lua:" "show names the broken file"
has "$T/out" "listen - " "show still lists listen"
has "$T/out" "own - " "show still lists own"

summary
