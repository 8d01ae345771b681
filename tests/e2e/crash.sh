#!/bin/sh
# kill -9 at random points of a series of `playbook event` appends
# (docs/agents.md "Crashes"): every append whose process said yes (exit 0)
# is in the case when it is next opened, none is there twice, the file is
# always a valid scenario, and it replays.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/crash.sh
# CRASH_KILLS (default 50) sets how many appends are killed.
set -u

NAME="e2e crash"
. tests/e2e/lib/common.sh

P="-p principles"
C="$T/crash.xml"
KILLS=${CRASH_KILLS:-50}
SEED=${CRASH_SEED:-$$}

valid() { # WHAT
    if xmllint --noout "$C" 2>"$T/xmllint"; then ok; else
        fail "$1: not well-formed: $(head -n 1 "$T/xmllint")"; fi
    if [ -f scenarios/scenario.rng ]; then
        if xmllint --noout --relaxng scenarios/scenario.rng "$C" \
            2>"$T/xmllint"; then ok; else
            fail "$1: schema: $(head -n 1 "$T/xmllint")"; fi
    fi
}

# Milliseconds since the epoch where date(1) has %N; else 0.
now_ms() {
    date +%s%N 2>/dev/null | awk '{ if ($0 ~ /^[0-9]+$/)
        printf "%d\n", substr($0, 1, length($0) - 6); else print 0 }'
}

run "$PB" event $P --topic delivery --channel phone "$C" customer.said start
expect_rc 0 "create the case"

# How long one append takes here (ASan is slower): kills land across it.
t0=$(now_ms)
for i in 1 2 3; do
    "$PB" event $P "$C" agent.said "warm-$i" >/dev/null 2>&1
done
t1=$(now_ms)
span=$(( (t1 - t0) / 3 ))
[ "$span" -gt 0 ] 2>/dev/null || span=30
[ "$span" -lt 500 ] || span=500

: >"$T/acked"
: >"$T/sent"
killed=0 i=0 torn=0 scale=1 left=0
while [ "$killed" -lt "$KILLS" ] && [ "$i" -lt $((KILLS * 4)) ]; do
    i=$((i + 1))
    # A random pause around where appends finish: startup and replay
    # before, the journal's write and fsync, then the rewrite.  The
    # scale follows the outcomes (shorter after an append that finished,
    # longer after a kill), so the kills keep landing near the end,
    # whatever this machine's speed and the cost of starting sleep(1).
    pause=$(awk -v s="$SEED" -v i="$i" -v span="$span" -v k="$scale" '
        BEGIN { srand(s * 1000 + i)
                printf "%.4f", span * k * (0.3 + rand()) / 1000 }')
    echo "msg-$i" >>"$T/sent"
    "$PB" event $P "$C" agent.said "msg-$i" >"$T/o" 2>"$T/e" &
    pid=$!
    sleep "$pause"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    case "$rc" in
    0) echo "msg-$i" >>"$T/acked"
       scale=$(awk -v k="$scale" 'BEGIN { print (k > 0.05 ? k * 0.8 : k) }') ;;
    137) killed=$((killed + 1))
       scale=$(awk -v k="$scale" 'BEGIN { print (k < 3 ? k * 1.15 : k) }') ;;
    *) fail "append $i: exit $rc: $(head -n 2 "$T/e")" ;;
    esac
    grep -q "torn last record" "$T/e" && torn=$((torn + 1))
    [ -s "$C.journal" ] && left=$((left + 1)) # for the next one to merge
    # FILE is replaced atomically: valid after every kill
    if xmllint --noout "$C" 2>/dev/null; then :; else
        valid "after kill $i"
        break
    fi
done
if [ "$killed" -ge "$KILLS" ]; then ok; else
    fail "only $killed of $i appends were killed (want $KILLS)"; fi

# The next session merges whatever a killed one left in the journal.
run "$PB" event $P "$C" customer.said end
expect_rc 0 "append after the crashes"
if [ -e "$C.journal" ]; then fail "journal left after a clean append"
else ok; fi
valid "after the crashes"

missing="" twice=""
while read -r m; do
    n=$(grep -c ">$m<" "$C")
    [ "$n" -ge 1 ] || missing="$missing $m"
done <"$T/acked"
while read -r m; do
    n=$(grep -c ">$m<" "$C")
    [ "$n" -le 1 ] || twice="$twice $m"
done <"$T/sent"
if [ -z "$missing" ]; then ok; else
    fail "acknowledged but lost:$missing"; fi
if [ -z "$twice" ]; then ok; else fail "recorded twice:$twice"; fi

run "$PB" replay $P "$C"
expect_rc 0 "the case replays after the crashes"

acked=$(wc -l <"$T/acked" | tr -d ' ')
kept=$(grep -c '>msg-' "$C")
echo "$NAME: $i appends, $killed killed, $acked acknowledged," \
    "$kept recorded, $left journals left to merge, $torn torn tails" \
    "dropped (seed $SEED)"
summary
