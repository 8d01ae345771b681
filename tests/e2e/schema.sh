#!/bin/sh
# End-to-end tests of the scenario schema (scenarios/scenario.rng), as a
# trainer meets it: what the schema refuses, `playbook check` and
# `playbook replay` refuse with exit 2 and file:line; what it accepts,
# they read; the schema is built in, so no file of the source tree is
# needed.  Where xmllint exists, each file is also validated against the
# shipped .rng, so playbook and other tools are seen to agree.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/schema.sh
set -u

NAME="e2e schema"
. tests/e2e/lib/common.sh

RNG=scenarios/scenario.rng
ROOT=$PWD
case $PB in /*) ;; *) PB=$ROOT/$PB ;; esac

if command -v xmllint >/dev/null 2>&1; then XMLLINT=1; else XMLLINT=0; fi
# xmllint_is FILE valid|invalid WHAT
xmllint_is() {
    [ "$XMLLINT" = 1 ] || return 0
    if xmllint --noout --relaxng "$RNG" "$1" >/dev/null 2>&1; then
        got=valid
    else
        got=invalid
    fi
    if [ "$got" = "$2" ]; then ok; else fail "$3: xmllint says $got"; fi
}

# scenario NAME: $T/NAME.xml from stdin, after an XML declaration and the
# root start tag (lines 1 and 2); the body starts at line 3.
scenario() {
    {
        printf '<?xml version="1.0" encoding="UTF-8"?>\n'
        printf '<scenario xmlns="urn:playbook:scenario:1" id="%s">\n' "$1"
        cat
        printf '</scenario>\n'
    } >"$T/$1.xml"
}

# bad NAME LINE TEXT: $T/NAME.xml breaks the schema; check and replay
# exit 2 with "FILE:LINE: " first on stderr, and TEXT in the message.
bad() {
    f=$T/$1.xml
    xmllint_is "$f" invalid "$1"
    for verb in check replay; do
        run "$PB" "$verb" -p principles "$f"
        expect_rc 2 "$verb $1"
        err_at "$f" "$2" "$verb $1"
        has "$T/err" "$3" "$verb $1"
        lacks "$T/out" "ok  $f" "$verb $1"
    done
}

# 1. The bundled scenarios, and the guide's example, are valid.
run "$PB" check -p principles scenarios
expect_rc 0 "check -p principles scenarios"
for f in scenarios/*.xml; do
    has "$T/out" "ok  $f" "check -p principles scenarios: $f"
    xmllint_is "$f" valid "$f"
done
if [ -s "$T/err" ]; then fail "check scenarios: stderr"; else ok; fi
xmllint_is docs/examples/first-scenario.xml valid "first-scenario.xml"
run "$PB" replay -p principles -p docs/examples \
    docs/examples/first-scenario.xml
expect_rc 0 "replay first-scenario.xml"

# 2. One file per rule of the schema.
scenario type <<'EOF'
<events><event t="1" type="customer said">Hello</event></events>
EOF
bad type 3 "bad event type 'customer said'"

scenario time <<'EOF'
<events>
  <event t="0" type="customer.said"/>
  <event t="1:75" type="agent.said"/>
</events>
EOF
bad time 5 "bad time '1:75'"

scenario state <<'EOF'
<expect><item ref="listen.restate" state="finished"/></expect>
EOF
bad state 3 "bad state 'finished'"

scenario ref <<'EOF'
<expect><next ref="listen"/></expect>
EOF
bad ref 3 "bad ref 'listen' (principle.item)"

scenario score <<'EOF'
<expect><score min="0.5" max="1.5"/></expect>
EOF
bad score 3 "bad score max '1.5'"

scenario element <<'EOF'
<events/>
<notes>Call back on Monday</notes>
EOF
bad element 4 "unexpected element <notes> in <scenario>"

scenario twice <<'EOF'
<case topic="delivery"/>
<events/>
<case topic="billing"/>
EOF
bad twice 5 "duplicate <case> in <scenario>"

scenario attribute <<'EOF'
<case topic="delivery" mood="angry"/>
EOF
bad attribute 3 "unexpected attribute 'mood' on <case>"

scenario namespaced <<'EOF'
<events>
<event type="customer.said" xmlns:x="urn:x" x:lang="en">Hi</event>
</events>
EOF
bad namespaced 4 "unexpected attribute 'x:lang' on <event>"

scenario nameless <<'EOF'
<case>
  <fact>gold</fact>
</case>
EOF
bad nameless 4 "fact without name"

# 3. What the schema allows, playbook reads: any order, comments, a
# prefix, event attributes of any name.
{
    printf '<?xml version="1.0" encoding="UTF-8"?>\n'
    printf '<!-- exported -->\n<p:scenario xmlns:p="urn:playbook:scenario:1"'
    printf ' id="any-order" title="">\n'
    printf '  <p:expect><p:score/></p:expect>\n'
    printf '  <p:events><?note x?>\n'
    printf '    <p:event t="0:05" type="customer.said" mood="calm">'
    printf 'Hi</p:event>\n'
    printf '    <p:event type="agent.said"><![CDATA[<hello>]]></p:event>\n'
    printf '  </p:events>\n'
    printf '  <p:case topic="delivery"><!-- crm --></p:case>\n'
    printf '  <p:description>Out of order.</p:description>\n'
    printf '</p:scenario>\n'
} >"$T/good.xml"
xmllint_is "$T/good.xml" valid "good.xml"
run "$PB" check -p principles "$T/good.xml"
expect_rc 0 "check good.xml"
has "$T/out" "ok  $T/good.xml  2 events, 1 expectations" "check good.xml"

# 4. replay: a folder with a good and a bad file reports the bad one and
# still replays the good one.
mkdir "$T/mixed"
cp scenarios/late-delivery.xml "$T/mixed/a.xml"
cp "$T/type.xml" "$T/mixed/b.xml"
run "$PB" replay -p principles "$T/mixed"
expect_rc 2 "replay a folder with one invalid file"
err_at "$T/mixed/b.xml" 3 "replay a folder with one invalid file"
has "$T/out" "late-delivery" "replay a folder: the valid file is replayed"

# 5. The schema is built in: from elsewhere, with no scenarios/ at hand.
mkdir "$T/away"
cp scenarios/late-delivery.xml "$T/type.xml" "$T/away/"
(cd "$T/away" && "$PB" check -p "$ROOT/principles" late-delivery.xml) \
    >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "check from another folder"
(cd "$T/away" && "$PB" check -p "$ROOT/principles" type.xml) \
    >"$T/out" 2>"$T/err"
rc=$?
expect_rc 2 "check an invalid file from another folder"
err_at type.xml 3 "check an invalid file from another folder"

summary
