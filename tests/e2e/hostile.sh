#!/bin/sh
# The hostile-input corpus (tests/hostile/MANIFEST) through the real CLI,
# then the sweeps the manifest cannot list one by one: a valid scenario
# cut at every byte, and a journal cut at every byte of its last record.
#
# Every case runs under timeout(1) and, where unshare(1) can make one, in
# a network namespace of its own.  Each must end with the exit code and
# the message the manifest gives, in time, without a crash or a sanitizer
# report, without a byte of the "secret" file in what it printed or left
# behind, and without changing that file.  What each prints must be safe
# to show: UTF-8, no control character, no line an input forged, and
# JSON that a strict parser reads (shown_safe below).  Cases that could
# reach out (a file or URL in them) run a second time under strace(1),
# when there is one, which must show no IP socket and no open of the
# secret file.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/hostile.sh
#
# HOSTILE_TIME_SCALE (default 1) multiplies every time limit but those of
# known bugs (valgrind); HOSTILE_BATCH=1 reads all the cut scenarios in
# one `check` instead of one process each, and cuts the journal at every
# fifth byte only (valgrind again: a start-up costs seconds);
# HOSTILE_SKIP, an extended regular expression,
# skips the manifest lines whose file it matches (`make memcheck` skips
# the 130,000 events, minutes under valgrind).
# docs/hardening.md says how to add a case.
set -u

NAME="e2e hostile"
. tests/e2e/lib/common.sh

case $PB in /*) ;; *) PB=$PWD/$PB ;; esac

# common.sh's fail, except in a row marked as a known bug: there the
# first failed check is kept for the KNOWN BUG line instead.
XFAIL="" xfail_why=""
fail() {
    failed=$((failed + 1))
    if [ -n "$XFAIL" ]; then
        [ -n "$xfail_why" ] || xfail_why=$*
        return 0
    fi
    echo "FAIL: $*" >&2
    for f in "$T/out" "$T/err"; do
        [ -s "$f" ] && sed -n '1,6p' "$f" | cut -c 1-300 | sed 's/^/    | /' >&2
    done
    return 0
}
REPO=$PWD
SCALE=${HOSTILE_TIME_SCALE:-1}
BATCH=${HOSTILE_BATCH:-0}
SKIP=${HOSTILE_SKIP:-}
W="$T/h"
SECRET="$T/secret.txt"
SECRET_TEXT="PB-HOSTILE-SECRET-$$-c0ffee"
# The default principles, whatever the working folder.
PLAYBOOK_PRINCIPLES="$REPO/principles"
export PLAYBOOK_PRINCIPLES
NO_COLOR=1
export NO_COLOR

printf '%s\n' "$SECRET_TEXT" >"$SECRET"
chmod 600 "$SECRET"
cp "$SECRET" "$T/secret.orig"

# --- the work copy: placeholders filled, symlinks made, big files made ----------
cp -R tests/hostile "$W"
# @SECRET@: the secret file; @T@: this run's temporary folder.
grep -rlF -e @SECRET@ -e @T@ "$W" 2>/dev/null | while read -r f; do
    sed -e "s|@SECRET@|$SECRET|g" -e "s|@T@|$T|g" "$f" >"$f.new" &&
        mv "$f.new" "$f"
done
# NAME.symlink holds a target: it becomes the symlink NAME.
find "$W" -name '*.symlink' | while read -r f; do
    ln -s "$(cat "$f")" "${f%.symlink}" && rm -f "$f"
done

G="$W/gen"
mkdir "$G"
XML_HEAD='<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="gen" title="Generated">
  <events>'
XML_TAIL='  </events>
</scenario>'
# A principle with 10,000 items.
awk 'BEGIN {
    print "-- hostile: 10,000 items"
    print "return principle { id = \"big\", title = \"Big\", items = {"
    for (i = 0; i < 10000; i++)
        printf "  { id = \"i%d\", done = function(case) " \
               "return case:has(\"customer.said\") end },\n", i
    print "} }" }' >"$G/ten-thousand-items.lua"
# A principle file over the 4 MiB cap.
awk 'BEGIN { for (i = 0; i < 70000; i++)
    printf "-- %070d\n", i; print "return principle { id = \"h\" }" }' \
    >"$G/huge-principle.lua"
# A comparison with a 1 MiB string constant, in a loop: the constant is
# in the source, so only the comparisons cost.
{
    echo "-- hostile: comparing with a 1 MiB string constant"
    echo "local A = ('x'):rep(1 << 20) .. ''"
    printf 'local function same(s) return s == "'
    head -c 1048576 /dev/zero | tr '\0' x
    echo '" end'
    echo 'return principle { id = "h", title = "Hostile", items = {'
    echo '  { id = "bad", done = function(case)'
    echo '      for i = 1, 300000 do same(A) end return false end },'
    echo '} }'
} >"$G/compare-long-constant.lua"
# The default principles with a memory hog and its victim beside them, and
# late-delivery.xml expecting what it expects without them, plus the
# victim's item done and the hog's in error.
mkdir "$G/memory-hog"
cp "$REPO"/principles/*.lua "$W/lua/memory-hog.lua" "$W/lua/memory-victim.lua" \
    "$G/memory-hog/"
cp -R "$REPO"/principles/lib "$G/memory-hog/"
sed 's|</expect>|  <item ref="victim.ok" state="done"/>\
    <item ref="hog.bad" state="error"/>\
  </expect>|' "$REPO/scenarios/late-delivery.xml" >"$G/memory-hog.xml"
# 150 utterances: the principles that read the time are asked again at
# each, so work a call hides, uncharged, is paid 150 times over (the
# charge-float-*, charge-format-q, charge-due-find and next-empty-slots
# lines: seconds each before they were charged, a budget each now).
{
    echo "$XML_HEAD"
    awk 'BEGIN { for (i = 0; i < 150; i++)
        printf "    <event t=\"%d\" type=\"customer.said\">hi %d</event>\n", i, i }'
    echo "$XML_TAIL"
} >"$G/utterances.xml"
# 100,000 events without text, then one utterance: what case:said and
# case:has skip over when asked with a fresh pattern each time.
{
    echo "$XML_HEAD"
    awk 'BEGIN { for (i = 0; i < 100000; i++)
        print "    <event t=\"0\" type=\"x.y\"/>" }'
    echo '    <event t="1" type="customer.said">hi</event>'
    echo "$XML_TAIL"
} >"$G/many-silent.xml"
# Every work attack at once beside the default principles (each its own
# principle id): late-delivery.xml must meet all its expectations, as
# without them.
mkdir "$G/all-attacks"
cp "$REPO"/principles/*.lua "$G/all-attacks/"
cp -R "$REPO"/principles/lib "$G/all-attacks/"
n=0
for f in "$W"/lua/charge-*.lua "$W/lua/memory-hog.lua" \
         "$W/lua/ephemeron-chain.lua"; do
    case $f in  # one never loads; one needs its own case
    */charge-load-time.lua|*/charge-scan-fresh.lua) continue ;; esac
    n=$((n + 1))
    sed -e "s/id = \"h\"/id = \"h$n\"/" -e "s/id = \"hog\"/id = \"h$n\"/" \
        "$f" >"$G/all-attacks/h$n.lua"
done
cp "$REPO/scenarios/late-delivery.xml" "$G/all-attacks.xml"
# Entity blow-up by repetition: a 10 kB entity referenced 10,000 times.
{
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    printf '<!DOCTYPE scenario [<!ENTITY a "'
    awk 'BEGIN { for (i = 0; i < 10000; i++) printf "a" }'
    echo '">]>'
    echo '<scenario xmlns="urn:playbook:scenario:1" id="q" title="Q"><events>'
    printf '<event t="0" type="customer.said">'
    awk 'BEGIN { for (i = 0; i < 10000; i++) printf "&a;" }'
    echo '</event></events></scenario>'
} >"$G/quadratic-blowup.xml"
# 10,000 nested elements.
{
    echo "$XML_HEAD"
    awk 'BEGIN { for (i = 0; i < 10000; i++) printf "<a>";
                 for (i = 0; i < 10000; i++) printf "</a>"; print "" }'
    echo "$XML_TAIL"
} >"$G/deep-nesting.xml"
# A 100 MB text node (the file cap is 10 MB).
{
    echo "$XML_HEAD"
    printf '    <event t="0" type="customer.said">'
    head -c 104857600 /dev/zero | tr '\0' a
    echo '</event>'
    echo "$XML_TAIL"
} >"$G/huge-text.xml"
# A 2 MiB text node, under the file cap but over the event text cap.
{
    echo "$XML_HEAD"
    printf '    <event t="0" type="customer.said">'
    head -c 2097152 /dev/zero | tr '\0' a
    echo '</event>'
    echo "$XML_TAIL"
} >"$G/large-text.xml"
# An utterance of 1 MB of words, just under the event text cap, twice:
# for the detectors on words and examples (lua/words-detector.lua).
{
    echo "$XML_HEAD"
    for t in 0 5; do
        printf '    <event t="%d" type="customer.said">' "$t"
        awk 'BEGIN { for (i = 0; i < 40000; i++)
            printf "my parcel is late. boots %d ", i % 977 }' | head -c 1040000
        echo '</event>'
    done
    echo "$XML_TAIL"
} >"$G/long-utterance.xml"
# As many events as fit under the file cap (about 130,000): bounded time.
{
    echo "$XML_HEAD"
    awk 'BEGIN { for (i = 0; i < 130000; i++)
        printf "    <event t=\"%d\" type=\"customer.said\">yes exactly" \
               "</event>\n", i / 100 }'
    echo "$XML_TAIL"
} >"$G/many-events.xml"
# One element with 20,000 attributes (220 kB): libxml2 2.9.14's RELAX NG
# validation took 6.4 GB for it.  100,000 namespace declarations on the
# root; 34 in scope, nested, above a million elements that would each
# walk them.
awk 'BEGIN { printf "%s\n    <event t=\"0\" type=\"agent.said\"", ARGV[1]
    for (i = 0; i < 20000; i++) printf " a%d=\"v\"", i
    printf ">hi</event>\n%s\n", ARGV[2]; ARGV[1] = ARGV[2] = "" }' \
    "$XML_HEAD" "$XML_TAIL" >"$G/many-attributes.xml"
awk 'BEGIN { printf "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"n\""
    for (i = 0; i < 100000; i++) printf " xmlns:p%d=\"urn:p%d\"", i, i
    print "/>" }' >"$G/many-namespaces.xml"
awk 'BEGIN { printf "<scenario xmlns=\"urn:playbook:scenario:1\" id=\"n\">"
    for (d = 0; d < 11; d++) { printf "<a"
        for (i = 0; i < 3; i++) printf " xmlns:p%d_%d=\"u\"", d, i
        printf ">" }
    for (i = 0; i < 1000000; i++) printf "<x/>"
    for (d = 0; d < 11; d++) printf "</a>"
    print "</scenario>" }' >"$G/deep-namespaces.xml"
# The worst a real file can be: events with 32 attributes (the most an
# event may have) up to the 10 MB cap, read under a 1 GiB limit.
awk 'BEGIN { printf "%s\n", ARGV[1]
    for (k = 0; k < 32; k++) a = a sprintf(" a%d=\"\"", k)
    for (i = 0; i < 43000; i++) printf "<event type=\"x\"%s/>\n", a
    printf "%s\n", ARGV[2]; ARGV[1] = ARGV[2] = "" }' \
    "$XML_HEAD" "$XML_TAIL" >"$G/widest-events.xml"
# After a first error libxml2's pull parser reads on: a start tag with
# 200,000 attributes inside a comment made invalid by a control
# character, a processing instruction without a target, an attribute
# value holding '<'.
big_tag() {
    awk -v q="$1" 'BEGIN { printf "<event type=\"x\""
        for (i = 0; i < 200000; i++) printf " a%d=%s%s", i, q, q
        printf "/>" }'
}
{ echo "$XML_HEAD"; printf '<!-- \001 '; big_tag '"'; echo ' -->'
  echo "$XML_TAIL"; } >"$G/tag-in-broken-comment.xml"
{ echo "$XML_HEAD"; printf '<? '; big_tag '"'; echo ' ?>'
  echo "$XML_TAIL"; } >"$G/tag-in-broken-pi.xml"
{ echo "$XML_HEAD"; printf '<event type="x" note="'; big_tag "'"; echo '"/>'
  echo "$XML_TAIL"; } >"$G/tag-in-attribute.xml"
# A comment opened as "<!-->" or "<!--->" does not close there: a tag
# after it, inside the comment as libxml2 reads it, was not counted
# (20,000 attributes: 3.4 s at 50,000, 68 s at 200,000, quadratic), and
# a hundred namespace declarations went through.
{ echo "$XML_HEAD"; printf '<!--> <? -->\n'; big_tag '"'
  printf '\n<!-- ?> -->\n'; echo "$XML_TAIL"; } >"$G/tag-after-open-comment.xml"
{ echo "$XML_HEAD" | sed 's/<events>//'; printf '<!---> <? -->\n<events'
  awk 'BEGIN { for (i = 0; i < 100; i++) printf " xmlns:p%d=\"u%d\"", i, i }'
  printf '>\n<!-- ?> -->\n'; echo "$XML_TAIL"; } >"$G/namespaces-after-open-comment.xml"
# Files that are not files: FIFOs nobody writes, where a scenario, a
# principle, a case, a journal, a transcript or an output goes (an open
# for reading waits for a writer), and devices.
F="$G/fifo"
mkdir -p "$F/scenarios" "$F/principles" "$F/journal"
cp "$W/xml/valid.xml" "$F/scenarios/a.xml"
cp principles/*.lua "$F/principles/"
cp -R principles/lib "$F/principles/"
cp "$W/journal/case.xml" "$F/journal/case.xml"
for f in scenarios/zz.xml principles/zz.lua case.xml journal/case.xml.journal \
    transcript.json notes.txt out.txt; do
    mkfifo "$F/$f"
done
# A device as an output, through a link: a binary that renamed its report
# over it (as root) would replace this link, never /dev/null itself.
ln -s /dev/null "$F/null"
# A journal beside its case file, not merged yet (a session in progress
# or one that crashed): replay and stats read its events.
mkdir -p "$G/unmerged"
cp "$W/journal/case.xml" "$G/unmerged/case.xml"
cp "$W/journal/good.journal" "$G/unmerged/case.xml.journal"
# A journal over the 64 MiB cap (sparse).
if command -v truncate >/dev/null 2>&1; then
    truncate -s 70M "$G/huge.journal"
else
    dd if=/dev/zero of="$G/huge.journal" bs=1048576 count=70 2>/dev/null
fi
# A transcript over the 64 MiB cap, and one with a turn too many.
if command -v truncate >/dev/null 2>&1; then
    truncate -s 70M "$G/huge-transcript.txt"
else
    dd if=/dev/zero of="$G/huge-transcript.txt" bs=1048576 count=70 \
        2>/dev/null
fi
# File names that would drive a terminal, forge a line, or are not UTF-8:
# a scenario and a principle that read, and one of each that does not
# (so the name is in an error message too).
mkdir "$G/names" "$G/lua-names"
FORGED='forged\n  ok    forged.expectation is done\r\302\233'
cp "$W/xml/valid.xml" \
    "$(printf '%s/\033]0;pwned\007\377\342\200\256lmx.xml' "$G/names")"
printf 'not a scenario\n' >"$(printf "%s/$FORGED.xml" "$G/names")"
printf 'return principle { id = "named", items = { { id = "one" } } }\n' \
    >"$(printf '%s/\033[8mhidden\377.lua' "$G/lua-names")"
printf 'error("boom", 0)\n' >"$(printf "%s/$FORGED.lua" "$G/lua-names")"
awk 'BEGIN { printf "[{\"original\": ["
    for (i = 0; i <= 100000; i++) printf "%s[\"agent\", \"x\"]", i ? "," : ""
    print "]}]" }' >"$G/too-many-turns.json"
# Quadratic paths (docs/hardening.md): 50,000 facts known from the start,
# and 60,000 fact events, as a scenario and as a case file to add to.
{
    echo "$XML_HEAD" | sed 's|<events>|<case topic="billing">|'
    awk 'BEGIN { for (i = 0; i < 50000; i++)
        printf "    <fact name=\"f%d\">v%d</fact>\n", i, i }'
    echo '  </case>
  <events>
    <event t="0" type="customer.said">hello</event>'
    echo "$XML_TAIL"
} >"$G/many-facts.xml"
{
    echo "$XML_HEAD"
    awk 'BEGIN { for (i = 0; i < 60000; i++)
        printf "    <event t=\"%d\" type=\"fact\" name=\"f%d\">v</event>\n",
               i / 100, i }'
    echo "$XML_TAIL"
} >"$G/many-fact-events.xml"
cp "$G/many-fact-events.xml" "$G/many-fact-events-case.xml"
# One agent.explained, then 150,000 utterances (lua/within-once.lua).
{
    echo "$XML_HEAD"
    echo '    <event t="0" type="agent.explained">first</event>'
    awk 'BEGIN { for (i = 0; i < 150000; i++)
        printf "    <event t=\"%d\" type=\"customer.said\">hello</event>\n",
               i / 100 }'
    echo "$XML_TAIL"
} >"$G/after-once.xml"
# 300,000 expectations, for gen/ten-thousand-items.lua.
{
    echo "$XML_HEAD"
    echo '    <event t="0" type="customer.said">hello</event>
  </events>
  <expect>'
    awk 'BEGIN { for (i = 0; i < 100000; i++)
        print "    <score min=\"0\" max=\"1\"/><no-violation ref=\"big\"/>" \
              "<next ref=\"big.i1\"/>" }'
    echo '  </expect>
</scenario>'
} >"$G/many-expectations.xml"
# 60,000 follow-ups, none done (as many as a case holds: 7.5 MB of
# events, counted with their markup).
{
    echo "$XML_HEAD" | sed 's|<events>|<case topic="delivery"/>\
  <events>|'
    awk 'BEGIN { for (i = 0; i < 60000; i++)
        printf "    <event t=\"%d\" type=\"followup.scheduled\" " \
               "due=\"2099-01-01T10:00Z\">check</event>\n", i / 100 }'
    echo "$XML_TAIL"
} >"$G/many-followups.xml"
# A case of 30,000 utterances, the fifth undone, for live's log.
{
    echo "$XML_HEAD" | sed 's|<events>|<case topic="delivery"/>\
  <events>|'
    awk 'BEGIN { for (i = 0; i < 30000; i++)
        printf "    <event t=\"%d\" type=\"agent.said\">hello</event>\n",
               i / 100
        print "    <event t=\"300\" type=\"event.undone\" ref=\"5\">x</event>" }'
    echo "$XML_TAIL"
} >"$G/undo-case.xml"
# A case of one utterance, for live to start on.
{
    echo "$XML_HEAD" | sed 's|<events>|<case topic="delivery"/>\
  <events>|'
    echo '    <event t="0" type="agent.said">hello</event>'
    echo "$XML_TAIL"
} >"$G/live-case.xml"
# 2,000 principle files, in the reverse of their checklist order.
mkdir "$G/many-principles"
awk -v dir="$G/many-principles" 'BEGIN { for (i = 1; i <= 2000; i++) {
    f = sprintf("%s/p%04d.lua", dir, i)
    printf "return principle { id = \"p%d\", order = %d, items = {\n" \
           "  { id = \"a\", done = function(c) " \
           "return c:has(\"customer.said\") end } } }\n", i, 3000 - i >f
    close(f) } }'
# A journal of 524,288 record headers 20 bytes apart, each claiming a
# MiB (and a CRC that never matches): 10 MiB.
printf '\377PBJ\0\0\0\0\0\0\20\0\0\0\0\0\0\0\0\0' >"$G/fake-headers.journal"
i=0
while [ "$i" -lt 19 ]; do
    cat "$G/fake-headers.journal" "$G/fake-headers.journal" >"$G/x.journal" &&
        mv "$G/x.journal" "$G/fake-headers.journal"
    i=$((i + 1))
done

# --- running one case ------------------------------------------------------------
# strace for the cases that could reach out, when it works here.  Leak
# checking stops under ptrace: that run has it off (the plain run has it).
STRACE=""
if command -v strace >/dev/null 2>&1 &&
    strace -f -qq -o /dev/null true >/dev/null 2>&1; then
    STRACE=strace
fi
# A network namespace of its own: no route anywhere, not even to a
# listener on this machine.  Without one, NONET and the time limit.
NET=""
if command -v unshare >/dev/null 2>&1; then
    if unshare -n true >/dev/null 2>&1; then
        NET="unshare -n"
    elif unshare -rn true >/dev/null 2>&1; then
        NET="unshare -rn"
    fi
fi

# "ulimit -v KB; " before a command runs it with that much address
# space.  An ASan build reserves terabytes of it and cannot run so: there
# the limit is left out, and the time, the exit status and the message
# are still checked.
VMEM=1
if ! sh -c 'ulimit -v 1048576 && exec "$0" --version' "$PB" >/dev/null 2>&1
then
    VMEM=0
    echo "$NAME: this build cannot run under ulimit -v (ASan?): memory limits are not applied"
fi

# guarded SECS CMD...: the command with the time limit and the namespace,
# reading $IN (default /dev/null).
# Killed, not asked to stop, when time is up (under valgrind, a process
# asked to stop reports as leaks what it had not freed yet); timeout(1)
# then exits 137, made 124 here as for any timeout.
guarded() {
    secs=$1
    shift
    t0=$(date +%s)
    # shellcheck disable=SC2086 # NET is words
    run_in "${IN:-/dev/null}" timeout -s KILL "$secs" $NET "$@"
    if [ "$rc" = 137 ] && [ $(($(date +%s) - t0)) -ge "$secs" ]; then
        rc=124
    fi
}

# What a case must never do, whatever it is.
never() { # WHAT
    case $rc in
    124) fail "$1: did not finish in time (killed by timeout)" ;;
    12[5-7]) fail "$1: could not run (exit $rc)" ;;
    1[3-9][0-9]|2[0-9][0-9]) fail "$1: killed by signal $((rc - 128))" ;;
    *) ok ;;
    esac
    if grep -qF -- "$SECRET_TEXT" "$T/out" "$T/err"; then
        fail "$1: printed the secret file's content"
    else
        ok
    fi
    if cmp -s "$SECRET" "$T/secret.orig"; then ok; else
        fail "$1: changed the secret file"
        cp "$T/secret.orig" "$SECRET"
        chmod 600 "$SECRET"
    fi
    for f in "$W"/pwned* "$W"/*/pwned*; do
        if [ -e "$f" ]; then fail "$1: hostile code created $f"; rm -f "$f"; fi
    done
}

# What reaches a terminal or a JSON reader (docs/hardening.md): every
# byte printed is UTF-8; no control character but the newline (and the
# tab, in XML and HTML, where it is data); no C1 control; in text, no
# bidi override or isolate and no line or paragraph separator; no line
# starting "  ok    forged", as the corpus's forged expectation lines
# would; and --format json parses with a strict decoder.  stderr is
# always text.  GNU grep in C.UTF-8 tells UTF-8 (surrogates and overlong
# forms refused) where it can, else Python.
UTF8_GREP=""
if printf 'a\355\240\200\n' | LC_ALL=C.UTF-8 grep -qaxv '.*' 2>/dev/null
then
    UTF8_GREP=1
fi
PY=""
command -v python3 >/dev/null 2>&1 && PY=python3
not_utf8() { # FILE: true when FILE is not UTF-8
    if [ -n "$UTF8_GREP" ]; then
        LC_ALL=C.UTF-8 grep -qaxv '.*' "$1"
    elif [ -n "$PY" ]; then
        ! $PY -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' \
            "$1" 2>/dev/null
    else
        return 1
    fi
}
shown_safe() { # WHAT ARGS
    kind=text
    case " $2 " in
    *" --format html "*|*" --format junit "*|" import "*) kind=markup ;;
    *" --format json "*) kind=json ;;
    esac
    for f in "$T/out" "$T/err"; do
        [ "$f" = "$T/err" ] && kind=text
        [ -s "$f" ] || continue
        if not_utf8 "$f"; then
            fail "$1: ${f##*/} is not UTF-8"
        else
            ok
        fi
        bad='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]'
        [ "$kind" = markup ] ||
            bad="$bad|\x09|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
        if LC_ALL=C grep -qaP -- "$bad" "$f"; then
            fail "$1: ${f##*/} holds a control byte: $(LC_ALL=C grep -naoP \
                -- "$bad" "$f" | head -n 1 | od -An -c | tr -s ' ')"
        else
            ok
        fi
        if [ "$kind" != markup ] && grep -qaE '^  ok    forged' "$f"; then
            fail "$1: ${f##*/} has a forged line"
        else
            ok
        fi
    done
    if [ "$kind" = json ] && [ -n "$PY" ] && [ -s "$T/out" ]; then
        if $PY -c 'import json, sys
json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$T/out" \
            >"$T/py" 2>&1; then
            ok
        else
            fail "$1: not JSON a strict parser reads: $(tail -n 1 "$T/py")"
        fi
    fi
}

# Under strace: no IP socket, no open of the secret file.
traced() { # SECS WHAT CMD...
    secs=$1 what=$2
    shift 2
    [ -n "$STRACE" ] || return 0
    # The time limit inside strace too: a tracee outlives a killed strace.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        guarded "$((secs + 10))" strace -f -qq -o "$T/trace" \
        -e trace=socket,connect,open,openat,creat \
        timeout -s KILL "$secs" "$@"
    if grep -E 'socket\(AF_INET|connect\(' "$T/trace" >"$T/bad" 2>&1; then
        fail "$what: opened a network socket: $(head -n 1 "$T/bad")"
    else
        ok
    fi
    if grep -F -- "$SECRET" "$T/trace" | grep -v -e ENOENT >"$T/bad"; then
        fail "$what: opened the secret file: $(head -n 1 "$T/bad")"
    else
        ok
    fi
}

# trim VAR: strips the spaces around $VAR.
trim() {
    eval "v=\${$1}"
    v=${v#"${v%%[! ]*}"}
    v=${v%"${v##*[! ]}"}
    eval "$1=\$v"
}

# A case folder for journal cases: case.xml and FILE as its journal.
N=0
case_dir() { # FILE: sets CASE
    N=$((N + 1))
    mkdir -p "$W/run/$N"
    cp journal/case.xml "$W/run/$N/case.xml"
    cp -P "$1" "$W/run/$N/case.xml.journal"
    CASE="run/$N/case.xml"
}

# {copy}: a fresh copy of the row's file, for commands that change it.
copy_of() { # FILE: sets COPY
    N=$((N + 1))
    mkdir -p "$W/run/$N"
    cp "$1" "$W/run/$N/"
    COPY="run/$N/${1##*/}"
}

# After a journal case: what the manifest does not say but always holds.
journal_after() { # FILE WHAT
    if [ "$rc" != 0 ]; then
        # Refused: nothing repaired, nothing changed.
        if cmp -s "$CASE" journal/case.xml; then ok; else
            fail "$2: the case file changed although the event was refused"; fi
        if [ ! -L "$1" ]; then
            if cmp -s "$CASE.journal" "$1"; then ok; else
                fail "$2: the journal changed although the event was refused"
            fi
        fi
        if grep -q 'a copy is kept as' "$T/out" "$T/err"; then
            copy=$(ls "$CASE".journal.damaged-* 2>/dev/null | head -n 1)
            if [ -n "$copy" ] && cmp -s "$copy" "$1"; then ok; else
                fail "$2: no copy of the damaged journal"; fi
        fi
    else
        # Accepted: saved, the journal merged and gone.
        if [ ! -e "$CASE.journal" ] && [ ! -L "$CASE.journal" ]; then ok; else
            fail "$2: the journal is still there after a clean close"; fi
    fi
}

cd "$W" || exit 1
rows=0 skipped=0
while IFS='|' read -r file cmd want msg secs bug; do
    trim file
    case $file in ''|'#'*) continue ;; esac
    trim cmd
    trim want
    trim msg
    trim secs
    trim bug
    rows=$((rows + 1))
    what="$file ($cmd)"
    if [ -n "$SKIP" ] && printf '%s\n' "$file" | grep -qE -- "$SKIP"; then
        skipped=$((skipped + 1))
        continue
    fi
    if [ ! -e "$file" ] && [ ! -L "$file" ]; then
        fail "$what: no such file in the corpus"
        continue
    fi
    # A known hang is a hang: its limit is not stretched.
    k=$SCALE
    [ -z "$bug" ] || k=1
    limit=$(awk -v s="$secs" -v k="$k" 'BEGIN { printf "%d", s * k + 0.5 }')
    CASE="" COPY="" IN=""
    case $cmd in *'{case}'*) case_dir "$file" ;; esac
    case $cmd in *'{copy}'*) copy_of "$file" ;; esac
    limited=""
    case $cmd in 'ulimit -v '*';'*)
        kb=${cmd#ulimit -v }
        kb=${kb%%;*}
        cmd=${cmd#*;}
        trim cmd
        [ "$VMEM" = 1 ] && limited=$kb
        ;;
    esac
    # "< FILE" at the end: the command's standard input.
    case $cmd in *' < '*) IN=${cmd##*< }; cmd=${cmd% < *} ;; esac
    # The command's words, with {} the file, {case} the case folder's
    # case.xml and {copy} the copy.  Corpus paths have no spaces.
    args=$(printf '%s\n' "$cmd" | sed -e "s|{case}|$CASE|g" \
        -e "s|{copy}|$COPY|g" -e "s|{}|$file|g")
    before=$failed
    XFAIL=$bug xfail_why=""
    # shellcheck disable=SC2086 # args is words
    if [ -n "$limited" ]; then
        # shellcheck disable=SC2016 # expanded by that shell
        guarded "$limit" sh -c 'ulimit -v "$1" && shift && exec "$@"' sh \
            "$limited" "$PB" $args
    else
        guarded "$limit" "$PB" $args
    fi
    if [ "$rc" = "$want" ]; then ok; else
        fail "$what: exit $rc, want $want"; fi
    if [ -z "$msg" ] || grep -qF -- "$msg" "$T/out" "$T/err"; then ok; else
        fail "$what: no '$msg' in the output"; fi
    never "$what"
    shown_safe "$what" "$args"
    [ -n "$CASE" ] && journal_after "$file" "$what"
    # Cases that name a file or a URL: again, traced.
    if [ -n "$STRACE" ] && [ -f "$REPO/tests/hostile/$file" ] &&
        grep -qE '@SECRET@|@T@|https?:' "$REPO/tests/hostile/$file"; then
        [ -n "$CASE" ] && case_dir "$file"
        [ -n "$COPY" ] && copy_of "$file"
        args=$(printf '%s\n' "$cmd" | sed -e "s|{case}|$CASE|g" \
            -e "s|{copy}|$COPY|g" -e "s|{}|$file|g")
        # shellcheck disable=SC2086
        traced "$limit" "$what, traced" "$PB" $args
    fi
    XFAIL="" IN=""
    if [ -n "$bug" ]; then
        if [ "$failed" -gt "$before" ]; then
            # The row states what should happen; the engine does not yet.
            failed=$before
            known_bug "$what: $bug [seen: ${xfail_why#"$what: "}]"
        else
            fail "$what: marked as a known bug but passes: remove the mark"
        fi
    fi
done <MANIFEST
# No verb replaced a FIFO or the device link (an output's rename).
for f in scenarios/zz.xml principles/zz.lua case.xml \
    journal/case.xml.journal transcript.json notes.txt out.txt; do
    if [ -p "$F/$f" ]; then ok; else fail "gen/fifo/$f: no longer a FIFO"; fi
done
if [ -L "$F/null" ] && [ -c "$F/null" ]; then ok; else
    fail "gen/fifo/null: no longer a link to /dev/null"; fi
# Reading a case with its unmerged journal changed neither.
if cmp -s gen/unmerged/case.xml journal/case.xml &&
    cmp -s gen/unmerged/case.xml.journal journal/good.journal &&
    [ "$(ls gen/unmerged)" = "$(printf 'case.xml\ncase.xml.journal')" ]; then
    ok
else
    fail "gen/unmerged: reading the case changed it or its journal"
fi
if [ "$rows" -ge 80 ]; then ok; else
    fail "the manifest has only $rows cases"; fi
[ "$skipped" = 0 ] || echo "$NAME: $skipped case(s) skipped (HOSTILE_SKIP)"
# Every file of the corpus is a case, the input of one, or one of the few
# that serve them.
(cd "$REPO/tests/hostile" && find . -type f | sed 's|^\./||') |
    while read -r f; do
        case $f in
        MANIFEST|lua/scenario.xml|journal/case.xml|journal/mkjournal.py) ;;
        *) f=${f%.symlink}
           grep -qE "^$f +\\|" MANIFEST || grep -qF "< $f " MANIFEST ||
               echo "$f" ;;
        esac
    done >"$T/unlisted"
if [ -s "$T/unlisted" ]; then
    fail "corpus files without a MANIFEST line: $(tr '\n' ' ' <"$T/unlisted")"
else
    ok
fi

# --- the quadratic rows in bounded memory -----------------------------------------
# Their big inputs again under a 1 GiB address-space limit, each with a
# bound on its peak resident size (docs/hardening.md, "No quadratic
# paths").  Not where the binary cannot start under the limit (a
# sanitizer reserves terabytes of it) nor under valgrind (HOSTILE_TIME_SCALE).
if [ "$SCALE" = 1 ] && (ulimit -v 1048576 && "$PB" --version) >/dev/null 2>&1
then
    timev=""
    if /usr/bin/time -v -o "$T/rss" true >/dev/null 2>&1; then
        timev="/usr/bin/time -v -o $T/rss"
    fi
    while read -r want mib args; do
        rm -f "$T/rss"
        # shellcheck disable=SC2086 # timev and args are words
        (ulimit -v 1048576 &&
            exec $timev timeout -s KILL 10 "$PB" $args) >"$T/out" 2>"$T/err"
        rc=$?
        what="$args, in 1 GiB"
        [ "$rc" = 137 ] && rc=124
        expect_rc "$want" "$what"
        if [ -s "$T/rss" ]; then
            kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$T/rss")
            if [ "${kb:-0}" -le $((mib * 1024)) ]; then ok; else
                fail "$what: peak RSS $((kb / 1024)) MiB, over $mib MiB"; fi
        fi
    done <<'ROWS'
0 128 replay gen/many-facts.xml
0 160 replay gen/many-fact-events.xml
0 160 event gen/many-fact-events-case.xml agent.said again
0 160 replay -p lua/failing-detectors.lua gen/many-fact-events.xml
2 64 check lua/shared-after.lua
0 128 check lua/after-chain.lua
ROWS
fi

# --- live's log of a long case -------------------------------------------------------
# Not a manifest row: it needs the command on stdin.  Each line of the log
# once read the whole case again to say whether its event was undone.
printf 'log\n' >"$T/log.in"
run_in "$T/log.in" timeout -s KILL \
    "$(awk -v k="$SCALE" 'BEGIN { printf "%d", 4 * k }')" "$PB" live \
    --case gen/undo-case.xml
expect_rc 0 "live log of 30,000 events"
has "$T/out" "(undone)" "live log of 30,000 events"
never "live log of 30,000 events"

# --- a valid scenario cut at every byte -------------------------------------------
# Every prefix is bad input with file:line (exit 2), or still a whole
# scenario that replays (exit 0) -- never a crash or a hang.
src=xml/valid.xml
size=$(wc -c <"$src" | tr -d ' ')
mkdir "$W/cut"
i=0
while [ "$i" -lt "$size" ]; do
    head -c "$i" "$src" >"$W/cut/$(printf '%05d' "$i").xml"
    i=$((i + 1))
done
cut_ok=0 cut_whole=0
# Under ASan (no ulimit -v, above) a start costs three times a release
# one, and the 700-odd starts were most of this suite's time there: the
# cuts are read by one `check`, as in a batch (every cut still read, a
# memory error in any still fatal); the release run replays each alone.
CUT_BATCH=$BATCH
[ "$VMEM" = 1 ] || CUT_BATCH=1
if [ "$CUT_BATCH" = 1 ]; then
    guarded "$(awk -v k="$SCALE" 'BEGIN { printf "%d", 120 * k }')" \
        "$PB" check cut
    if [ "$rc" = 2 ]; then ok; else fail "cut scenarios (batch): exit $rc"; fi
    never "cut scenarios (batch)"
    for f in cut/*.xml; do
        if grep -qF -- "ok  $f" "$T/out"; then
            cut_whole=$((cut_whole + 1))
        elif grep -qE -- "^$f:[1-9][0-9]*: " "$T/err"; then
            cut_ok=$((cut_ok + 1))
        else
            fail "$f: neither replayed nor reported as file:line"
        fi
    done
else
    for f in cut/*.xml; do
        guarded "$(awk -v k="$SCALE" 'BEGIN { printf "%d", 10 * k }')" \
            "$PB" replay "$f"
        if [ "$rc" = 2 ] && head -n 1 "$T/err" | grep -qE -- "^$f:[1-9][0-9]*: "
        then
            cut_ok=$((cut_ok + 1))
        elif [ "$rc" = 0 ] && [ ! -s "$T/err" ]; then
            cut_whole=$((cut_whole + 1))
        else
            fail "$f: exit $rc, want 2 with $f:LINE, or 0"
        fi
        never "$f"
    done
fi
# Only a cut inside the final newline leaves a whole document.
if [ "$cut_ok" = $((size - 1)) ] && [ "$cut_whole" = 1 ]; then ok; else
    fail "cut scenarios: $cut_ok refused, $cut_whole whole, of $size"; fi

# --- a journal cut at every byte of its last record --------------------------------
# Each cut is a torn write: dropped with a warning, the records before it
# kept, the new event saved after them.  Cut at the record's first byte,
# nothing is torn and nothing is said.
good=journal/good.journal
jsize=$(wc -c <"$good" | tr -d ' ')
last=177 # where good.journal's last record starts (mkjournal.py)
i=$last
torn=0 cuts=0
while [ "$i" -lt "$jsize" ]; do
    # In a batch (valgrind), the ends and every fifth cut between them.
    if [ "$BATCH" = 1 ] && [ "$i" -gt $((last + 1)) ] &&
        [ "$i" -lt $((jsize - 1)) ] && [ $(((i - last) % 5)) != 0 ]; then
        i=$((i + 1))
        continue
    fi
    cuts=$((cuts + 1))
    head -c "$i" "$good" >"$W/torn.journal"
    case_dir "$W/torn.journal"
    guarded "$(awk -v k="$SCALE" 'BEGIN { printf "%d", 10 * k }')" \
        "$PB" event "$CASE" agent.said "after the cut"
    what="journal cut at byte $i of $jsize"
    expect_rc 0 "$what"
    never "$what"
    if [ "$i" -gt "$last" ]; then
        has "$T/err" "dropped a torn last record ($((i - last)) byte" "$what"
        torn=$((torn + 1))
    else
        lacks "$T/err" "torn" "$what"
    fi
    # Events 0, 1, 2 and the new one; never the torn event 3.
    n=$(grep -c '<event ' "$CASE")
    if [ "$n" = 4 ]; then ok; else fail "$what: $n events in the case, want 4"; fi
    lacks "$CASE" "Let me look up the order" "$what"
    has "$CASE" "after the cut" "$what"
    if [ ! -e "$CASE.journal" ]; then ok; else
        fail "$what: the journal is still there"; fi
    i=$((i + 1))
done
# Every cut but the one at the record's first byte is a torn tail.
if [ "$torn" = $((cuts - 1)) ]; then ok; else
    fail "journal cuts: $torn torn tails of $cuts cuts"; fi

cd "$REPO" || exit 1
summary
