#!/bin/sh
# The serving figures of `make bench` (docs/performance.md, "Serving
# agents"): `playbook serve` on loopback under tests/bench/load.c, with
# the file store and with PostgreSQL (a throwaway cluster), each beside
# its floor measured in the same run: the same server answering a
# built-in file, HTTP and nothing else.
#
#   sh tests/bench/serve.sh build/release/playbook build/release/tests/bench/load
set -u
PB=$1 LOAD=$2
CLIENTS=${CLIENTS:-50} CASES=${CASES:-1000} SECS=${SECS:-5} RUNS=${RUNS:-5}
T=$(mktemp -d "${TMPDIR:-/tmp}/pb-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
ok() { :; }
fail() { echo "bench: $*" >&2; exit 1; }

start() { # store options...
    : >"$T/serve.out"   # not the last server's "listening" (lib/server.sh)
    "$PB" serve -p principles --listen 127.0.0.1:0 "$@" \
        >"$T/serve.out" 2>"$T/serve.err" &
    SRV=$!
    i=0
    while [ $i -lt 300 ] && ! grep -q listening "$T/serve.out" 2>/dev/null; do
        sleep 0.1; i=$((i + 1)); done
    PORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\)$/\1/p' "$T/serve.out")
    [ -n "$PORT" ] || fail "serve did not start: $(cat "$T/serve.err")"
}
stop() { kill -TERM "$SRV"; wait "$SRV"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SRV/status"; }
# The server's CPU seconds so far (user and system).
cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
        "/proc/$SRV/stat"
}
# The machine's CPU time taken by its host for other guests so far
# ("steal", in clock ticks of all its cores): a run during which the host
# took much is slower for reasons not ours, and says so.
steal() { awk '/^cpu / { print $9 }' /proc/stat; }
# events NAME [MODE]: the load's line (MODE events: each answer is the
# case; feed: a minimal one), with the CPU the server spent on it and
# the share of the machine's CPU its host took meanwhile, RUNS times
# (this machine's runs differ by up to a fifth, most when its host
# takes a share), then the median.
events() { # NAME [MODE]
    runs=""
    r=0
    while [ $r -lt "$RUNS" ]; do
        c0=$(cpu) s0=$(steal)
        out=$("$LOAD" "$PORT" "${2:-events}" "$CLIENTS" "$CASES" "$SECS") ||
            fail "$out"
        c1=$(cpu) s1=$(steal)
        n=$(echo "$out" | awk '{ print $2 }')
        rate=$(echo "$out" | awk '{ print $6 }' | tr -d '/s')
        per=$(echo "$c0 $c1 $n" | awk '{ printf "%.0f", $3 / ($2 - $1) }')
        runs="$runs $per:$rate"
        echo "$1: $out, server CPU $(echo "$c0 $c1" | awk '{ printf "%.2f", $2 - $1 }') s" \
             "= $per events per CPU second (host took" \
             "$(echo "$s0 $s1" | awk -v hz="$(getconf CLK_TCK)" \
                 -v secs="$SECS" -v n="$(nproc)" \
                 '{ printf "%.0f%%", 100 * ($2 - $1) / hz / secs / n }'))"
        r=$((r + 1))
    done
    # the median run: its figure, and its rate for the floor's ratio
    mid=$(echo $runs | tr ' ' '\n' | sort -n -t: -k1,1 |
        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    rate=${mid#*:}
    echo "$1: median ${mid%%:*} events per CPU second of $RUNS runs"
}
floor() {
    out=$("$LOAD" "$PORT" static "$CLIENTS" "$SECS") || fail "$out"
    echo "floor, a built-in file: $out"
    frate=$(echo "$out" | awk '{ print $6 }' | tr -d '/s')
}

echo "serving: $CLIENTS clients, $CASES open cases, $SECS s each, loopback"
# --- the file store -------------------------------------------------------
start --data "$T/cases"
"$LOAD" "$PORT" cases "$CASES" || fail "cases"
floor
events "file store, events"
echo "file store: $(echo "$rate $frate" | awk '{ printf "%.1f", $2 / $1 }')x below the floor"
events "file store, events from a feeder (Prefer: return=minimal)" feed
out=$("$LOAD" "$PORT" fanout 500) || fail "$out"
echo "live updates: $out"
stop

# memory: a fresh server's open cases, per case, at 100 utterances each
# (a long call) and at 200, each answered with the whole case (its JSON
# kept): at lengths set here, not by how fast this machine posts them
start --data "$T/cases-memory"
r0=$(rss)
"$LOAD" "$PORT" cases "$CASES" || fail "cases"
"$LOAD" "$PORT" fill "$CLIENTS" "$CASES" 100 >/dev/null || fail "fill"
r1=$(rss)
"$LOAD" "$PORT" fill "$CLIENTS" "$CASES" 100 >/dev/null || fail "fill"
r2=$(rss)
echo "memory: $(( (r1 - r0) / CASES )) KiB per open case at 100 utterances," \
     "$(( (r2 - r0) / CASES )) KiB at 200 (RSS $r0 -> $r1 -> $r2 KiB over" \
     "$CASES cases)"
stop

# follow-ups: the same cases, none open, after a restart; without the
# cache the server left (what its open cases promised), the listings
# read them all, --followups-budget (250 ms) at a time, until one is
# whole; the next ones only stat them, and so does the first after
# another restart, from the cache (docs/api.md)
rm -f "$T/cases-memory/followups.cache"
start --data "$T/cases-memory"
python3 - "$PORT" "$CASES" <<'EOF' || fail "follow-ups"
import http.client, json, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=600)
def listing():
    t = time.monotonic()
    c.request("GET", "/v1/followups")
    r = c.getresponse()
    d = json.loads(r.read())
    assert r.status == 200, r.status
    return time.monotonic() - t, d["pending"]
took, left = [], 1
while left > 0:
    t, left = listing()
    took.append(t)
kept = min(listing()[0] for i in range(2))
print("follow-ups of %s cases not open: read over %d listings of at most "
      "%.3f s (%.3f s in all), then %.4f s (what was found kept)"
      % (sys.argv[2], len(took), max(took), sum(took), kept))
EOF
stop
# ... and after a restart, from the data folder's followups.cache
start --data "$T/cases-memory"
python3 - "$PORT" <<'EOF' || fail "follow-ups after a restart"
import http.client, json, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=600)
t = time.monotonic()
c.request("GET", "/v1/followups")
r = c.getresponse()
d = json.loads(r.read())
assert r.status == 200, r.status
assert d["pending"] == 0 and d["stale"] == 0, d["pending"]
print("follow-ups after a restart: first %.4f s, whole (what was found, "
      "kept in followups.cache)" % (time.monotonic() - t))
EOF
stop

# --- PostgreSQL -----------------------------------------------------------
. tests/e2e/lib/pg.sh
if pg_start; then
    start --database "$PGCONN"
    "$LOAD" "$PORT" cases "$CASES" || fail "cases"
    floor
    events "PostgreSQL, events"
    echo "PostgreSQL: $(echo "$rate $frate" | awk '{ printf "%.1f", $2 / $1 }')x below the floor"
    stop
    pg_stop
fi
