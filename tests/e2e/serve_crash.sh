#!/bin/sh
# kill -9 of `playbook serve` under load, 20 times with each store (files,
# then PostgreSQL): four clients post events to one case as fast as they
# are answered, noting each one acknowledged; the server is killed at a
# random moment and started again.  Every acknowledged event must be in
# the case, in each client's order, and the case must take the next
# event (docs/api.md, "Where the cases are").  Then a machine crash
# (the file store): journals cut back after the kill, put back from the
# data folder's sync.log at the next start; and sync.log from anywhere.
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

# --- a machine crash: what the journals lacked, from sync.log -------------
# kill -9 keeps what the server wrote in the kernel's cache; a machine
# that stops loses it.  The server syncs sync.log, not the journals
# (docs/api.md, "How fast"), so a journal may lack acknowledged writes:
# cut back (or torn, or with bytes past its end, a cut lost) after the
# kill, the next start must put each case back as it was acknowledged.
cat >"$T/post.py" <<'PY'
"""Makes case ID and posts N events "ID-i" to it (i from FROM, each
text followed by PAD bytes), each acknowledged."""
import http.client, json, sys
port, cid, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
pad = " " + "p" * int(sys.argv[5]) if len(sys.argv) > 5 else ""
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
def req(method, path, body):
    c.request(method, path, json.dumps(body),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    return r.status
if req("GET", "/v1/cases/" + cid, None) == 404:
    assert req("POST", "/v1/cases", {"id": cid, "topic": "delivery"}) == 201
for i in range(first, first + n):
    assert req("POST", "/v1/cases/%s/events" % cid, {
        "type": "customer.said", "text": "%s-%d%s" % (cid, i, pad)}) == 200
PY
# from_log NAME: where the journal NAME's first write since the log's
# last checkpoint went; what it has before is on disk (synced then)
cat >"$T/from_log.py" <<'PY'
import struct, sys, zlib
log, name = open(sys.argv[1], "rb").read(), sys.argv[2].encode()
epoch = struct.unpack_from("<Q", log, 8)[0]
at, first = 4096, None
while at + 26 <= len(log):
    crc, n, e, off, k = struct.unpack_from("<IIQQH", log, at)
    if e != epoch or zlib.crc32(log[at + 4:at + 26 + k + n]) != crc:
        break
    if log[at + 26:at + 26 + k] == name and first is None:
        first = off
    at += 26 + k + n
print(first)
PY
from_log() { python3 "$T/from_log.py" "$D/sync.log" "$1.xml.journal"; }
said_in() { # ID: the customer's texts of case ID, one line
    python3 tests/e2e/lib/request.py "$PORT" GET "/v1/cases/$1" | sed 1d |
        python3 -c 'import json, sys
print(" ".join(e["text"].split()[0] for e in json.load(sys.stdin)["events"]
               if e["type"] == "customer.said"))'
}
seq_said() { # ID N
    python3 -c 'import sys
print(" ".join("%s-%d" % (sys.argv[1], i) for i in range(int(sys.argv[2]))))' "$1" "$2"
}
D="$T/machine"
start
# 4.5 MB of events for M-4 fill the log (4 MiB): a checkpoint, then the
# log starts again; the rest of M-4's and the others' come after it
python3 "$T/post.py" "$PORT" M-4 90 0 50000 || fail "posting M-4"
for c in M-1 M-2 M-3; do python3 "$T/post.py" "$PORT" "$c" 30 || fail "posting $c"; done
python3 "$T/post.py" "$PORT" M-4 5 90 || fail "posting M-4 after the others"
kill -KILL "$SRV"; wait "$SRV" 2>/dev/null
m3=$(wc -c <"$D/M-3.xml.journal")
m4=$(from_log M-4)
if [ "$m4" -gt 4000000 ]; then ok; else fail "M-4: $m4 bytes before the checkpoint"; fi
truncate -s "$(from_log M-1)" "$D/M-1.xml.journal"   # none of it written since
truncate -s $(( ($(from_log M-2) + $(wc -c <"$D/M-2.xml.journal")) / 2 )) \
    "$D/M-2.xml.journal"                            # torn
printf 'lost-cut' >>"$D/M-3.xml.journal"            # a cut that was lost
truncate -s "$m4" "$D/M-4.xml.journal"             # what followed the checkpoint
cp "$D/sync.log" "$T/sync.before"
# another program holds one of the cases: the start stops, the log kept
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a"); fcntl.flock(f, fcntl.LOCK_EX)
print("held", flush=True); time.sleep(30)' "$D/M-1.xml.journal" >"$T/held" &
HOLDER=$!
i=0; while [ $i -lt 100 ] && ! grep -q held "$T/held"; do sleep 0.1; i=$((i + 1)); done
run_limited 20 "$PB" serve $P --data "$D" --listen 127.0.0.1:0
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
if [ "$rc" = 2 ] && grep -q "M-1.xml.journal is in use by another program" "$T/err"
then ok; else fail "a held case: serve exit $rc, $(head -c 300 "$T/err")"; fi
if cmp -s "$D/sync.log" "$T/sync.before"; then ok; else
    fail "sync.log changed by a start that did not happen"; fi
start
# the refused start put back the three others (and synced them): M-1 is left
has "$T/serve.err" "sync.log: the journals of 1 cases put back" "the start says what it put back"
for c in M-1:30 M-2:30 M-3:30 M-4:95; do
    if [ "$(said_in ${c%:*})" = "$(seq_said ${c%:*} ${c#*:})" ]; then ok; else
        fail "${c%:*} after the machine crash: $(said_in ${c%:*} | cut -c 1-200)"; fi
done
if [ "$(wc -c <"$D/M-3.xml.journal")" = "$m3" ]; then ok; else
    fail "M-3: the bytes past its last write not cut"; fi
python3 "$T/post.py" "$PORT" M-1 1 && ok || fail "M-1 takes no event after"
# a second server on the same data folder is refused
run_limited 20 "$PB" serve $P --data "$D" --listen 127.0.0.1:0
if [ "$rc" = 2 ] && grep -q "in use by another server" "$T/err"; then ok
else fail "a second server on one data folder: exit $rc"; fi
stop
# stopped cleanly, the next start has nothing to put back
start
lacks "$T/serve.err" "put back" "a start after a clean stop"
stop

# --- sync.log from anywhere -----------------------------------------------
# Records for a case that does not exist, with a hole in a journal, with a
# name out of the folder: none written; the server starts.
sum_of() { if [ -e "$1" ]; then md5sum <"$1"; else echo absent; fi; }
j1=$(sum_of "$D/M-1.xml.journal")
python3 - "$D/sync.log" <<'PY'
import struct, sys, zlib
def rec(name, off, data, epoch=7):
    body = struct.pack("<IQQH", len(data), epoch, off, len(name)) + name + data
    return struct.pack("<I", zlib.crc32(body)) + body
head = b"PBSYNC1\n" + struct.pack("<Q", 7)
head += struct.pack("<I", zlib.crc32(head))
log = head.ljust(4096, b"\0")
log += rec(b"NOPE.xml.journal", 0, b"x" * 40)
log += rec(b"M-1.xml.journal", 1 << 30, b"y" * 40)
log += rec(b"../escape.xml.journal", 0, b"z" * 40)  # ends the log
log += rec(b"M-2.xml.journal", 0, b"w" * 40)         # never read
open(sys.argv[1], "r+b").write(log)
PY
start
has "$T/serve.err" "2 writes left out" "a foreign sync.log's writes left out"
if [ ! -e "$D/NOPE.xml.journal" ] && [ ! -e "$T/escape.xml.journal" ] &&
   [ "$(sum_of "$D/M-1.xml.journal")" = "$j1" ]; then ok; else
    fail "a foreign sync.log wrote a journal"; fi
if [ "$(said_in M-2)" = "$(seq_said M-2 30)" ]; then ok; else
    fail "M-2 changed by a record after a bad one"; fi
stop
# A case the server let go (--max-open 1), then written by `playbook
# live`, as it may be: a kill -9 of both must not put the server's
# writes back over the other program's (the log is checkpointed when a
# logged journal is let go).
D="$T/letgo"
start --max-open 1
python3 "$T/post.py" "$PORT" L-1 3 || fail "posting L-1"
python3 "$T/post.py" "$PORT" L-2 1 || fail "posting L-2"   # L-1 let go
mkfifo "$T/live.in"
"$PB" live $P --case "$D/L-1.xml" <"$T/live.in" >"$T/live.out" 2>&1 &
LIVE=$!
exec 7>"$T/live.in"
echo "c L-1-3" >&7
i=0; while [ $i -lt 100 ] && ! grep -q saved "$T/live.out"; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$LIVE" "$SRV"; wait "$LIVE" "$SRV" 2>/dev/null
exec 7>&-
if grep -q saved "$T/live.out"; then ok; else
    fail "playbook live on a case the server let go: $(tail -c 300 "$T/live.out")"; fi
start --max-open 1
lacks "$T/serve.err" "put back" "a kill -9 after a case was let go"
if [ "$(said_in L-1)" = "$(seq_said L-1 4)" ]; then ok; else
    fail "L-1, written by another program once let go: $(said_in L-1)"; fi
# A machine crash, then `playbook event` before the server: the command
# line puts back what the log has first, and the server then finds the
# case whole.
python3 "$T/post.py" "$PORT" L-3 3 || fail "posting L-3"
kill -KILL "$SRV"; wait "$SRV" 2>/dev/null
truncate -s "$(from_log L-3)" "$D/L-3.xml.journal"
run "$PB" event $P "$D/L-3.xml" customer.said "L-3-3"
expect_rc 0 "playbook event after a machine crash"
has "$T/err" "sync.log: the journals of 1 cases put back" "the command line puts back first"
start
lacks "$T/serve.err" "put back" "the server after the command line put back"
if [ "$(said_in L-3)" = "$(seq_said L-3 4)" ]; then ok; else
    fail "L-3 after a crash and playbook event: $(said_in L-3)"; fi
stop
D="$T/machine"

# sync.log a link, or a name of another file: not used
mv "$D/sync.log" "$T/log.real"
ln -s "$T/log.real" "$D/sync.log"
run_limited 20 "$PB" serve $P --data "$D" --listen 127.0.0.1:0
if [ "$rc" = 2 ] && grep -q "cannot use sync.log" "$T/err"; then ok
else fail "sync.log a symbolic link: exit $rc"; fi
rm "$D/sync.log"
ln "$T/log.real" "$D/sync.log"
run_limited 20 "$PB" serve $P --data "$D" --listen 127.0.0.1:0
if [ "$rc" = 2 ] && grep -q "hard links" "$T/err"; then ok
else fail "sync.log a hard link: exit $rc"; fi
rm "$D/sync.log"
STORE=pg
if pg_start; then
    crash_runs PostgreSQL
    pg_stop
fi

summary
