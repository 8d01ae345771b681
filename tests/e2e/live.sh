#!/bin/sh
# End-to-end tests of `playbook live` through a pipe: the example session
# of docs/agents.md (run and compared, times and dates aside), resuming a
# case (events kept, the checklist the same as a replay of the file), bad
# commands and their messages, undo, a case in use, files that are not
# cases, principles that fail to load, a full disk (a 64k tmpfs, when
# this machine lets us mount one), no escape bytes, and, when tmux is
# there, the terminal: completion, Ctrl-C and Ctrl-D.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/live.sh
set -u

NAME="e2e live"
. tests/e2e/lib/common.sh
TZ=UTC
export TZ
unset NO_COLOR

P="-p $PWD/principles"
RNG=$PWD/scenarios/scenario.rng

valid() { # FILE WHAT
    if xmllint --noout --relaxng "$RNG" "$1" 2>"$T/xmllint"; then ok; else
        fail "$2: schema: $(head -n 1 "$T/xmllint")"; fi
}
no_escapes() { # FILE WHAT
    n=$(esc_count "$1")
    if [ "$n" = 0 ]; then ok; else fail "$2: $n escape bytes"; fi
}
# live_in DIR INPUT ARGS...: a session in DIR reading INPUT.
live_in() {
    dir=$1 input=$2
    shift 2
    run_in "$input" sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" \
        "$PB" live $P "$@"
}
# Times (mm:ss, h:mm:ss, tenths) and dates differ from run to run.
normalize() {
    sed -E -e 's/\((Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\)/(DATE)/g' \
        -e 's/[0-9]+:[0-9]{2}(:[0-9]{2})?(\.[0-9])?/T/g' "$1"
}

# --- usage -------------------------------------------------------------------
run "$PB" live --help
expect_rc 0 "live --help"
has "$T/out" "--case FILE" "live --help"
run "$PB" --help
has "$T/out" "live [--case FILE]" "playbook --help lists live"
run "$PB" live $P --case "$T/nope.xml" </dev/null
expect_rc 2 "a new case without --topic"
has "$T/err" "a new case needs --topic" "a new case without --topic"
run "$PB" live $P --topic delivery extra </dev/null
expect_rc 2 "an operand"
run "$PB" live $P --bogus x </dev/null
expect_rc 2 "an unknown option"

# --- the session of docs/agents.md -----------------------------------------------
# The fenced block after the marker: "$ playbook live ARGS", then "> "
# lines typed and the lines the session prints.
awk '/^<!-- tests\/e2e\/live.sh runs the session below/ { m = 1; next }
     m == 1 && /^```/ { m = 2; next }
     m == 2 && /^```/ { exit }
     m == 2 { print }' docs/agents.md >"$T/doc.block"
if [ -s "$T/doc.block" ]; then ok; else
    fail "docs/agents.md: no live session block found"; fi
args=$(sed -n '1s/^\$ playbook live //p' "$T/doc.block")
sed -n '2,$p' "$T/doc.block" | sed -n 's/^> //p' >"$T/doc.in"
sed -n '2,$p' "$T/doc.block" | grep -v '^> ' >"$T/doc.want"
ntyped=$(wc -l <"$T/doc.in" | tr -d ' ')
if [ "$ntyped" -ge 15 ]; then ok; else
    fail "docs/agents.md: only $ntyped commands in the session"; fi
mkdir "$T/doc"
# shellcheck disable=SC2086
live_in "$T/doc" "$T/doc.in" $args
expect_rc 0 "the docs/agents.md session"
cp "$T/out" "$T/doc.out"
normalize "$T/doc.want" >"$T/doc.want.n"
normalize "$T/doc.out" >"$T/doc.out.n"
if cmp -s "$T/doc.want.n" "$T/doc.out.n"; then ok; else
    fail "docs/agents.md session differs from what live prints:
$(diff "$T/doc.want.n" "$T/doc.out.n" | head -n 20)"; fi
no_escapes "$T/doc.out" "piped session output"
D="$T/doc/call.xml"
valid "$D" "the session's case file"
if [ -e "$D.journal" ]; then fail "journal left after close"; else ok; fi
# What a realistic call must show, whatever the doc says.
for want in "saved #1 " "done: listen.hear_out" "next: listen.restate" \
    "~ customer.confirmed" "VIOLATION ask.no_repeat" \
    "now applies: boundaries" "did you mean 'explain'?" \
    "cannot read the due time 'next month'" "due tomorrow 10:00 (" \
    "Summary: score 0.87 (14 of 15 musts done, 1 violation)" \
    "Musts missed: none" "Violations:" \
    "commitment  due tomorrow 10:00" "follow-up   due in 3 days" \
    "For you, after this call:" "That call was hard." \
    "The case stays open for: boundaries.recover, follow_up.verify" \
    "The contact ended; the case stays open and is saved in call.xml."; do
    has "$T/doc.out" "$want" "doc session"
done
n=$(grep -c '<event ' "$D")
saved=$(grep -c '^saved #' "$T/doc.out")
if [ "$n" = "$saved" ] && [ "$n" -ge 15 ]; then ok; else
    fail "doc session: $n events in the file, $saved acknowledged"; fi
has "$D" 'type="contact.ended"' "contact.ended recorded"
has "$D" 'type="agent.committed" due="tomorrow 10:00"' "commit recorded"
run "$PB" replay $P --format json "$D"
expect_rc 0 "the session's case replays"
json_ok "$T/out" "replay of the session" '
c = d["scenarios"][0]
items = {i["principle"] + "." + i["item"]: i["state"] for i in c["checklist"]}
assert items["ask.no_repeat"] == "violated", items
assert items["boundaries.recover"] == "open", items
assert c["state"] == "between_contacts" and c["closed_by"] is None, c["state"]
assert abs(c["score"]["overall"]["value"] - 0.8667) < 0.001, c["score"]'


# --- resume -------------------------------------------------------------------
R="$T/resume"
mkdir "$R"
printf '%s\n' "c My card was charged twice." "restate So you were charged twice" \
    "confirmed" "fact account_id=AC-77" "own I will sort this out" \
    "undo" "log" "quit" >"$T/r1.in"
live_in "$R" "$T/r1.in" --topic billing --channel chat --case r.xml
expect_rc 0 "first part of a case"
has "$T/out" "New case r.xml: topic billing, channel chat." "new case"
has "$T/out" "saved #6 " "six events"
has "$T/out" "event.undone ref=5" "undo records event.undone"
has "$T/out" "#5 is marked undone" "undo says so"
has "$T/out" '"I will sort this out"  (undone)' "log marks the undone event"
has "$T/out" "Left the case open: playbook live --case r.xml resumes it." \
    "quit leaves it open"
if [ -e "$R/r.xml.journal" ]; then fail "journal left after quit"; else ok; fi
valid "$R/r.xml" "after quit"
has "$R/r.xml" 'type="event.undone" ref="5">agent.owned: I will sort this out<' \
    "undo in the file, saying what"
has "$R/r.xml" '>I will sort this out<' "the undone event stays"
# The engine does not take back what an undone event did, and live
# shows what a replay shows.
has "$T/out" "done: own.take_ownership" "ownership was done"
run "$PB" replay $P --format json "$R/r.xml"
json_ok "$T/out" "undo takes nothing back" '
c = d["scenarios"][0]
items = {i["principle"] + "." + i["item"]: i["state"] for i in c["checklist"]}
assert items["own.take_ownership"] == "done", items'
printf '%s\n' "log" "show" "a Anything else?" "show" >"$T/r2.in"
live_in "$R" "$T/r2.in" --case r.xml
expect_rc 0 "resume (EOF quits)"
cp "$T/out" "$T/r2.out"
has "$T/r2.out" "Resumed case r.xml: topic billing, channel chat, 6 events." \
    "resumed"
for m in "#1 " "My card was charged twice." "fact name=account_id" \
    "(undone)"; do
    has "$T/r2.out" "$m" "resumed log"
done
has "$T/r2.out" "saved #7 " "resumed: numbering goes on"
# The last show, against the checklist of a replay of the file.
sed -n '/^saved #7 /,$p' "$T/r2.out" |
    awk '/^  [a-z_]+ - / { f = 1 } f { print } f && /^Score: / { exit }' \
    >"$T/show.txt"
run "$PB" replay $P "$R/r.xml"
expect_rc 0 "replay of the resumed case"
awk 'f && /^Score: / { print; exit } f { print } /^Checklist$/ { f = 1 }' \
    "$T/out" >"$T/replay.txt"
if [ -s "$T/show.txt" ] && cmp -s "$T/show.txt" "$T/replay.txt"; then ok
else fail "show after resume differs from the replay's checklist:
$(diff "$T/show.txt" "$T/replay.txt" | head -n 10)"; fi
n=$(grep -c '<event ' "$R/r.xml")
if [ "$n" = 7 ]; then ok; else fail "resume: $n events, want 7"; fi

# --- bad commands: each refused with a message; the session goes on ----------
B="$T/bad"
mkdir "$B"
cat >"$T/bad.in" <<'EOF'
c Hello, my router keeps dropping.
cusotmer again
explian x
my router is broken
fact product router
fact =x
commit next month I will call
commit
skip ask.product
check listen.restat
check nothing
check nope.nope
transfer tier2
followup done maybe
undo 99
ask product?
show me
help comit
c	tabbed	text
undo 1
undo 1
help undo
a still here
fact acount_id=AC-1
EOF
printf 'c bad\033[Aescape\nc caf\351 latin-1\n' >>"$T/bad.in"
# An overlong '/' and a UTF-16 surrogate: well-formed in shape, not UTF-8.
printf 'c over\300\257long\nc half \355\240\200 a pair\n' >>"$T/bad.in"
head -c 5000 /dev/zero | tr '\0' 'x' | sed 's/^/c /' >>"$T/bad.in"
echo >>"$T/bad.in"
echo "a the end" >>"$T/bad.in"
live_in "$B" "$T/bad.in" --topic technical --case b.xml
expect_rc 0 "bad commands do not end the session"
cp "$T/out" "$T/bad.out"
for want in \
    "error: column 1: unknown command 'cusotmer': did you mean 'customer'?" \
    "error: column 1: unknown command 'explian': did you mean 'explain'?" \
    "error: column 1: unknown command 'my' (start the line with a command" \
    "error: column 6: fact needs name=value (fact order_id=A-1042)" \
    "error: column 6: no fact name before '='" \
    "error: column 8: cannot read the due time 'next month I will call'" \
    "error: column 7: commit needs a due time" \
    "error: column 17: skip needs a reason" \
    "error: no item 'listen.restat': did you mean listen.restate?" \
    "error: column 7: 'nothing' is not an item: principle.item" \
    "error: no item 'nope.nope' (show lists them" \
    "error: column 15: say warm or cold" \
    "error: column 15: say fixed or not_fixed" \
    "error: no event #99: the case has" \
    "error: column 5: 'product?' is not a fact name" \
    "error: column 6: show takes nothing after it" \
    "error: column 6: no command 'comit' (did you mean commit?)" \
    "error: #1 is already undone" \
    "error: column 6: control character 0x1b in the line (an escape sequence?)" \
    "error: column 6: not valid UTF-8 (byte 0xe9)" \
    "error: column 7: not valid UTF-8 (byte 0xc0)" \
    "error: column 8: not valid UTF-8 (byte 0xed)" \
    "error: column 4097: line too long: 5002 bytes, at most 4096" \
    "Records event.undone ref=N" \
    "note: no principle collects 'acount_id'; did you mean account_id?"; do
    has "$T/bad.out" "$want" "bad command"
done
has "$T/bad.out" 'customer.said "tabbed text"' "a tab is a space"
has "$T/bad.out" 'agent.said "the end"' "the session went on to the end"
n=$(grep -c '<event ' "$B/b.xml")
if [ "$n" = 6 ]; then ok; else
    fail "bad commands: $n events in the file, want 6"; fi
no_escapes "$T/bad.out" "bad commands output"

# --- after the call: the follow-up closes the case -------------------------
printf 'followup done fixed It arrived on Friday\nevent agent.recovered\nend\n' >"$T/after.in"
live_in "$T/doc" "$T/after.in" --case call.xml
expect_rc 0 "the case resumes after the contact"
has "$T/out" "The last contact ended: what you record now" "between contacts said"
has "$T/out" "done: follow_up.verify" "the follow-up is taken"
has "$T/out" "Musts missed: none" "the follow-up's summary"
has "$T/out" "Nothing is left to follow up: the case closed itself and is saved in call.xml." \
    "the case closes itself"
run "$PB" replay $P --format json "$D"
json_ok "$T/out" "replay after the follow-up" '
c = d["scenarios"][0]
assert c["state"] == "closed" and c["closed_by"] == "principles", c["state"]'

# --- a closed case ---------------------------------------------------------
printf 'c one more\nshow\n' >"$T/closed.in"
live_in "$T/doc" "$T/closed.in" --case call.xml
expect_rc 0 "a closed case opens"
has "$T/out" "This case is closed" "closed case said"
has "$T/out" "error: the case is closed" "no event after close"
has "$T/out" "The case is closed; it is in call.xml." "closed case: quit"

# --- files that are not cases, topics that do not match ----------------------
echo '{"case": "json"}' >"$T/j.xml"
run "$PB" live $P --case "$T/j.xml" </dev/null
expect_rc 2 "a JSON file as the case"
has "$T/err" "$T/j.xml:1: " "JSON: file and line"
has "$T/err" "is not a case file" "JSON: said plainly"
printf '<scenario xmlns="urn:playbook:scenario:1" id="x"><case>' >"$T/t.xml"
run "$PB" live $P --case "$T/t.xml" </dev/null
expect_rc 2 "a truncated case file"
has "$T/err" "$T/t.xml:1: " "truncated: file and line"
run "$PB" live $P --topic delivery --case "$R/r.xml" </dev/null
expect_rc 2 "topic not the case's"
has "$T/err" "the case's topic is 'billing', not 'delivery'" "topic mismatch"

# --- a case in use --------------------------------------------------------------
if command -v flock >/dev/null 2>&1; then
    # A refusal that waited for the lock would take 20 s, one at once a
    # second or two even under valgrind beside another test.
    hold_lock "$R/r.xml.journal"
    t0=$(date +%s)
    run "$PB" live $P --case "$R/r.xml" </dev/null
    t1=$(date +%s)
    expect_rc 2 "a case held by flock"
    has "$T/err" "case $R/r.xml is in use by another session" "in use"
    if [ $((t1 - t0)) -lt 10 ]; then ok; else
        fail "a case in use: took $((t1 - t0)) s, want at once"; fi
    let_go
    wait "$holder" 2>/dev/null
fi
# Held by another live session, fed through a FIFO kept open.
mkfifo "$T/hold.fifo"
"$PB" live $P --case "$R/r.xml" <"$T/hold.fifo" >"$T/hold.out" 2>&1 &
holder=$!
exec 7>"$T/hold.fifo"
i=0
while [ "$i" -lt 100 ] && ! grep -q "Resumed" "$T/hold.out"; do
    sleep 0.1
    i=$((i + 1))
done
run "$PB" live $P --case "$R/r.xml" </dev/null
expect_rc 2 "a case held by another live session"
has "$T/err" "in use by another session" "held by live"
# A refused opener must leave the holder's journal (the lock) alone, or
# the next opener would lock a new file and two sessions share the case.
if [ -e "$R/r.xml.journal" ]; then ok; else
    fail "a refused open removed the journal another session holds"
fi
run "$PB" event $P --wait 0.2 "$R/r.xml" customer.said "no"
expect_rc 2 "playbook event on a case a live session holds"
echo "quit" >&7
exec 7>&-
wait "$holder"
rc=$?
expect_rc 0 "the holding session ends"

# --- principles that fail to load ---------------------------------------------
mkdir "$T/pr"
cp principles/*.lua "$T/pr/"
cp -R principles/lib "$T/pr/"
echo 'return principle { id = "broken", items = { { id = 5 } } }' \
    >"$T/pr/zz_broken.lua"
printf 'c hello\nshow\nquit\n' >"$T/pr.in"
run_in "$T/pr.in" "$PB" live -p "$T/pr" --topic delivery \
    --case "$T/pr.xml"
expect_rc 0 "a broken principle file: the session still runs"
has "$T/err" "zz_broken.lua:1: " "the failed file is named"
has "$T/err" "1 principle file failed to load (above); going on with" \
    "which principles run"
has "$T/err" " listen ask explain own follow_up" "the loaded principles"
has "$T/out" "saved #1 " "events are recorded"

# --- a full disk ----------------------------------------------------------------
M="$T/mnt"
mkdir "$M"
if mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
    mkfifo "$T/full.fifo"
    (cd "$M" && exec "$PB" live $P --topic delivery --case full.xml) \
        <"$T/full.fifo" >"$T/full.out" 2>&1 &
    sess=$!
    exec 8>"$T/full.fifo"
    # wait_for PATTERN: until the session printed it (10 s at most).
    wait_for() {
        i=0
        while [ "$i" -lt 100 ] && ! grep -qF -- "$1" "$T/full.out"; do
            sleep 0.1
            i=$((i + 1))
        done
        has "$T/full.out" "$1" "full disk"
    }
    echo "c before the disk filled" >&8
    wait_for "saved #1 "
    dd if=/dev/zero of="$M/filler" bs=1k count=128 2>/dev/null
    echo "c while full" >&8
    wait_for "NOT SAVED #2: "
    echo "a still full" >&8
    wait_for "NOT SAVED #3: "
    has "$T/full.out" "No space left on device" "the reason is said"
    has "$T/full.out" "kept in memory (2 events waiting)" "kept in memory"
    echo "show" >&8
    wait_for "NOT SAVED: 2 events are only in memory"
    rm -f "$M/filler"
    echo "log" >&8
    wait_for "saved #2..#3  (2 waited to be saved)"
    echo "c after" >&8
    wait_for "saved #4 "
    echo "quit" >&8
    exec 8>&-
    wait "$sess"
    rc=$?
    expect_rc 0 "full disk: the session ends with everything saved"
    for m in "before the disk filled" "while full" "still full" "after"; do
        has "$M/full.xml" ">$m<" "full disk: saved later"
    done
    valid "$M/full.xml" "full disk"
    no_escapes "$T/full.out" "full disk output"

    # Full at the end: quit says what would be lost, EOF leaves anyway.
    mkfifo "$T/full2.fifo"
    (cd "$M" && exec "$PB" live $P --case full.xml) \
        <"$T/full2.fifo" >"$T/full.out" 2>&1 &
    sess=$!
    exec 8>"$T/full2.fifo"
    wait_for "Resumed case"
    dd if=/dev/zero of="$M/filler" bs=1k count=128 2>/dev/null
    echo "c lost" >&8
    wait_for "NOT SAVED #5: "
    echo "quit" >&8
    wait_for "quit once more leaves without them"
    exec 8>&-
    wait "$sess"
    rc=$?
    expect_rc 2 "full disk at the end: events lost"
    has "$T/full.out" "the last 1 event of the session is lost" "loss said"
    rm -f "$M/filler"
    umount "$M"
else
    echo "$NAME: no tmpfs (not allowed here): full disk skipped"
fi

# --- the terminal (tmux) ------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
    S="pb-live-$$"
    TM="$T/tty"
    mkdir "$TM"
    pane() { tmux capture-pane -t "$S" -p 2>/dev/null; }
    tty_wait() { # TEXT WHAT
        i=0
        while [ "$i" -lt 100 ] && ! pane | grep -qF -- "$1"; do
            sleep 0.1
            i=$((i + 1))
        done
        if pane | grep -qF -- "$1"; then ok; else
            fail "terminal: $2: no '$1' on the screen"
            pane | tail -n 8 | sed 's/^/    | /' >&2
        fi
    }
    if tmux new-session -d -s "$S" -x 120 -y 40 -c "$TM" \
        "NO_COLOR= TERM=xterm $PB live $P --topic delivery --case t.xml; \
         echo SESSION-ENDED rc=\$?; sleep 5" 2>/dev/null; then
        tty_wait "Type help" "start"
        tmux send-keys -t "$S" "c My parcel is late" Enter
        tty_wait "saved #1 " "an event"
        # Colours on a terminal: "saved" in green.
        if tmux capture-pane -t "$S" -p -e | grep -q "$(printf '\033')\[32msaved"
        then ok; else fail "terminal: no colours"; fi
        tmux send-keys -t "$S" "che" Tab "listen.rest" Tab Enter
        tty_wait "done: listen.restate" "completion of a command and an item"
        tmux send-keys -t "$S" "fact ord" Tab "A-1" Enter
        tty_wait 'fact name=order_id "A-1"' "completion of a fact name"
        tmux send-keys -t "$S" "fact x" Enter
        tty_wait "     ^" "a caret under the column"
        tmux send-keys -t "$S" "c never sent" C-c
        tmux send-keys -t "$S" Up Enter
        i=0
        while [ "$i" -lt 100 ] &&
            [ "$(pane | grep -c 'fact needs name=value')" -lt 2 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if [ "$(pane | grep -c 'fact needs name=value')" = 2 ]; then ok
        else fail "terminal: Up did not bring back the last line"; fi
        tmux send-keys -t "$S" C-d
        tty_wait "SESSION-ENDED rc=0" "Ctrl-D quits"
        if pane | grep -qF "never sent"; then
            if grep -qF "never sent" "$TM/t.xml"; then
                fail "terminal: Ctrl-C sent the line"; else ok; fi
        fi
        n=$(grep -c '<event ' "$TM/t.xml")
        if [ "$n" = 3 ]; then ok; else fail "terminal: $n events, want 3"; fi
        tmux kill-session -t "$S" 2>/dev/null
    fi
    # NO_COLOR: none on a terminal either.
    if tmux new-session -d -s "$S" -x 120 -y 40 -c "$TM" \
        "NO_COLOR=1 TERM=xterm $PB live $P --topic delivery --case nc.xml; \
         sleep 5" 2>/dev/null; then
        tty_wait "Type help" "NO_COLOR start"
        tmux send-keys -t "$S" "propose A refund" Enter
        tty_wait "VIOLATION listen.restate" "NO_COLOR: a violation"
        if tmux capture-pane -t "$S" -p -e |
            grep -q "$(printf '\033')\[3[0-9]m"; then
            fail "terminal: colours despite NO_COLOR"; else ok; fi
        tmux send-keys -t "$S" "quit" Enter
        sleep 0.5
        tmux kill-session -t "$S" 2>/dev/null
    fi
fi

summary
