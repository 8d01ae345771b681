#!/bin/sh
# kill -9 at random points of `playbook live` sessions fed through a slow
# pipe (docs/agents.md "Crashes"): after each kill, every event whose "saved"
# line the agent could see is in the case when it is resumed, none is
# there twice, the case file is always a valid scenario, and it replays.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/live_crash.sh
# LIVE_KILLS (default 50) sets how many sessions are killed;
# LIVE_SEED the random seed.
set -u

NAME="e2e live crash"
. tests/e2e/lib/common.sh

P="-p $PWD/principles"
C="$T/live.xml"
RNG=$PWD/scenarios/scenario.rng
KILLS=${LIVE_KILLS:-50}
SEED=${LIVE_SEED:-$$}
PER=6           # commands fed to each session
GAP=0.02        # seconds between them: the slow pipe

valid() { # WHAT
    if xmllint --noout --relaxng "$RNG" "$C" 2>"$T/xmllint"; then ok; else
        fail "$1: schema: $(head -n 1 "$T/xmllint")"; fi
}

# Milliseconds since the epoch where date(1) has %N; else 0.
now_ms() {
    date +%s%N 2>/dev/null | awk '{ if ($0 ~ /^[0-9]+$/)
        printf "%d\n", substr($0, 1, length($0) - 6); else print 0 }'
}

printf 'c start of the call\nquit\n' >"$T/start.in"
run_in "$T/start.in" "$PB" live $P --topic delivery --channel phone \
    --case "$C"
expect_rc 0 "create the case"

# How long a fed session lasts here (ASan is slower): kills land across
# start-up (reading the case and its journal), the appends and the
# rewrites of the case file.
feed() { # K
    j=1
    while [ "$j" -le "$PER" ]; do
        echo "a msg-$1-$j"
        sleep "$GAP"
        j=$((j + 1))
    done
}
t0=$(now_ms)
feed 0 | "$PB" live $P --case "$C" >/dev/null 2>&1
t1=$(now_ms)
span=$((t1 - t0))
[ "$span" -gt 0 ] 2>/dev/null || span=300
[ "$span" -lt 3000 ] || span=3000

mkfifo "$T/fifo"
: >"$T/acked"
: >"$T/sent"
killed=0 k=0 torn=0 nacked=0
while [ "$killed" -lt "$KILLS" ] && [ "$k" -lt $((KILLS * 3)) ]; do
    k=$((k + 1))
    pause=$(awk -v s="$SEED" -v k="$k" -v span="$span" '
        BEGIN { srand(s * 1000 + k); printf "%.4f", span * rand() / 1000 }')
    "$PB" live $P --case "$C" <"$T/fifo" >"$T/o" 2>"$T/e" &
    pid=$!
    feed "$k" >"$T/fifo" 2>/dev/null &
    feeder=$!
    j=1
    while [ "$j" -le "$PER" ]; do
        echo "msg-$k-$j" >>"$T/sent"
        j=$((j + 1))
    done
    sleep "$pause"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    kill "$feeder" 2>/dev/null
    # A feeder whose session was killed before it opened the fifo waits
    # in open(2) for a reader, and once that wait outlived the kill: the
    # test then hung.  A reader that comes and goes lets it on, to end
    # at its first write.
    exec 9<>"$T/fifo"
    exec 9<&-
    wait "$feeder" 2>/dev/null
    case "$rc" in
    137) killed=$((killed + 1)) ;;
    0) ;;
    *) fail "session $k: exit $rc: $(head -n 2 "$T/e")" ;;
    esac
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$T/e"; then
        fail "session $k: sanitizer report"; fi
    # What the agent saw acknowledged.
    sed -n 's/^saved #[0-9]*  [^ ]*  agent\.said "\(msg-[0-9]*-[0-9]*\)"$/\1/p' \
        "$T/o" >"$T/acked.now"
    cat "$T/acked.now" >>"$T/acked"
    # The case file is replaced atomically: valid after every kill.
    if ! xmllint --noout --relaxng "$RNG" "$C" 2>/dev/null; then
        valid "after kill $k"
        break
    fi
    # Resume: the journal is merged, quit rewrites the case file.
    printf 'quit\n' >"$T/q.in"
    run_in "$T/q.in" "$PB" live $P --case "$C"
    if [ "$rc" != 0 ]; then
        fail "resume after kill $k: exit $rc: $(head -n 2 "$T/err")"
        break
    fi
    grep -q "torn last record" "$T/out" && torn=$((torn + 1))
    missing=""
    while read -r m; do
        grep -q ">$m<" "$C" || missing="$missing $m"
    done <"$T/acked.now"
    if [ -n "$missing" ]; then
        fail "kill $k: acknowledged but lost:$missing"
        break
    fi
    nacked=$((nacked + $(wc -l <"$T/acked.now")))
    if [ $((k % 10)) = 0 ]; then
        run "$PB" replay $P "$C"
        expect_rc 0 "the case replays after kill $k"
    fi
done
if [ "$killed" -ge "$KILLS" ]; then ok; else
    fail "only $killed of $k sessions were killed (want $KILLS)"; fi

valid "after the kills"
if [ -e "$C.journal" ]; then fail "journal left after the last resume"
else ok; fi
missing="" twice=""
while read -r m; do
    grep -q ">$m<" "$C" || missing="$missing $m"
done <"$T/acked"
while read -r m; do
    n=$(grep -c ">$m<" "$C")
    [ "$n" -le 1 ] || twice="$twice $m"
done <"$T/sent"
if [ -z "$missing" ]; then ok; else fail "acknowledged but lost:$missing"; fi
if [ -z "$twice" ]; then ok; else fail "recorded twice:$twice"; fi
if [ "$nacked" -gt 0 ]; then ok; else
    fail "no event was acknowledged before a kill (the kills are too early)"
fi
run "$PB" replay $P "$C"
expect_rc 0 "the case replays after the kills"

kept=$(grep -c '>msg-' "$C")
echo "$NAME: $k sessions, $killed killed, $nacked acknowledged," \
    "$kept recorded, $torn torn tails dropped (seed $SEED)"
summary
