#!/bin/sh
# kill -9 of `playbook serve` under load, 20 times with each store (files,
# then PostgreSQL): four clients post events to one case as fast as they
# are answered, noting each one acknowledged; the server is killed at a
# random moment and started again.  Every acknowledged event must be in
# the case, in each client's order, and the case must take the next
# event (docs/api.md, "Where the cases are").
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/serve_crash.sh
set -u

NAME="e2e serve crash"
. tests/e2e/lib/common.sh
. tests/e2e/lib/server.sh
. tests/e2e/lib/pg.sh
P="-p principles"
KILLS=${KILLS:-20}

cat >"$T/load.py" <<'PY'
"""Posts to case K-1 from 4 threads until the server goes; prints each
acknowledged text, one per line, as soon as it is acknowledged."""
import http.client, json, sys, threading
port, run = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
def client(k):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for i in range(100000):
            text = "%s-%d-%d" % (run, k, i)
            c.request("POST", "/v1/cases/K-1/events",
                      json.dumps({"type": "customer.said", "text": text}),
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                return
            with lock:
                print(text, flush=True)
    except (OSError, http.client.HTTPException):
        return
ts = [threading.Thread(target=client, args=(k,)) for k in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
PY

cat >"$T/check.py" <<'PY'
"""Every acknowledged text (file argv[2]) in the case (argv[1]), each
client's in order."""
import json, sys
d = json.load(open(sys.argv[1]))
said = [e["text"] for e in d["events"] if e["type"] == "customer.said"]
acked = [l.strip() for l in open(sys.argv[2]) if l.strip()]
have = set(said)
lost = [a for a in acked if a not in have]
assert not lost, "lost %d acknowledged: %s" % (len(lost), lost[:3])
assert len(said) == len(have), "an event recorded twice"
for k in range(4):
    mine = [s for s in said if s.split("-")[1] == str(k)]
    for run in sorted({s.split("-")[0] for s in mine}):
        n = [int(s.split("-")[2]) for s in mine if s.split("-")[0] == run]
        assert n == list(range(len(n))), "client %d out of order" % k
print("ok %d acknowledged, %d recorded" % (len(acked), len(said)))
PY

crash_runs() { # the store's name
    : >"$T/acked"
    start
    req_ok=$(python3 tests/e2e/lib/request.py "$PORT" POST /v1/cases \
        '{"id": "K-1", "topic": "delivery"}' | sed -n 1p)
    [ "$req_ok" = 201 ] || fail "$1: the case was not made ($req_ok)"
    k=0 worst=""
    while [ $k -lt "$KILLS" ]; do
        python3 "$T/load.py" "$PORT" "r$k" >>"$T/acked" 2>/dev/null &
        LOADER=$!
        # 0.2 to 0.8 s into the load
        sleep "0.$(( 2 + $(od -An -N1 -tu1 /dev/urandom) % 7 ))"
        kill -KILL "$SRV"
        wait "$SRV" 2>/dev/null
        wait "$LOADER"
        start
        python3 tests/e2e/lib/request.py "$PORT" GET /v1/cases/K-1 \
            >"$T/case.http"
        sed 1d "$T/case.http" >"$T/case.json"
        if python3 "$T/check.py" "$T/case.json" "$T/acked" >"$T/out" 2>&1
        then ok; else
            fail "$1, kill $((k + 1)): $(tail -n 1 "$T/out")"; fi
        worst=$(tail -n 1 "$T/out")
        k=$((k + 1))
    done
    echo "    $1: $KILLS kills, $worst"
    # the case goes on where it was
    st=$(python3 tests/e2e/lib/request.py "$PORT" POST /v1/cases/K-1/events \
        '{"type": "agent.said", "text": "Sorry, the line dropped."}' | sed -n 1p)
    if [ "$st" = 200 ]; then ok; else
        fail "$1: the case takes no event after the kills ($st)"; fi
    stop
}

D="$T/data"
STORE=files
crash_runs files
STORE=pg
if pg_start; then
    crash_runs PostgreSQL
    pg_stop
fi

summary
