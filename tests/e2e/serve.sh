#!/bin/sh
# End-to-end test of `playbook serve` (docs/api.md): a case created, its
# events acknowledged and on disk, the checklist read back; every bad
# request refused with its status and a JSON error naming the field, the
# case unchanged; a slow client cut off; SIGTERM saves every case, which
# the other verbs then read; and every answer as docs/openapi.json
# describes it.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/serve.sh
set -u

STORE=${STORE:-files}
export STORE
NAME="e2e serve ($STORE)"
. tests/e2e/lib/common.sh

P="-p principles"
H="python3 tests/e2e/lib/request.py"
# Every answer is logged, to be checked against docs/openapi.json.
OPENAPI_CALLS="$T/calls"
export OPENAPI_CALLS
D="$T/data"

# --- usage ---------------------------------------------------------------
run "$PB" serve --help
expect_rc 0 "serve --help"
has "$T/out" "--listen ADDR:PORT" "serve --help"
run "$PB" serve $P --listen nowhere
expect_rc 2 "a bad --listen"
has "$T/err" "bad --listen 'nowhere'" "bad --listen said"
run "$PB" serve $P --max-body 10
expect_rc 2 "a bad --max-body"
run "$PB" serve $P --max-unsent 1000
expect_rc 2 "a bad --max-unsent"
run "$PB" serve $P extra
expect_rc 2 "an operand"
run "$PB" serve $P --max-connections 15
expect_rc 2 "a bad --max-connections"
has "$T/err" "bad --max-connections '15' (16 to 1000000)" \
    "a bad --max-connections said"
# more than the limit on open files leaves room for: refused before the
# data folder is made
run sh -c 'ulimit -n 500 && exec "$@"' sh "$PB" serve $P --data "$T/never-c" \
    --listen 127.0.0.1:0 --max-connections 1000
expect_rc 2 "--max-connections past the limit on open files"
has "$T/err" "the limit on open files leaves room for" \
    "--max-connections past the limit on open files said"
if [ -e "$T/never-c" ]; then fail "a refused start made the data folder"
else ok; fi
run "$PB" serve $P --followups-budget 0
expect_rc 2 "a bad --followups-budget"
has "$T/err" "bad --followups-budget '0'" "a bad --followups-budget said"
for v in 1001 -1 ten; do
    run "$PB" serve $P --agent-share "$v"
    expect_rc 2 "--agent-share $v"
done
has "$T/err" "bad --agent-share 'ten' (0 to 1000 ms)" "a bad --agent-share said"
for v in -1 ten 1099511627777; do
    run "$PB" serve $P --agent-disk "$v"
    expect_rc 2 "--agent-disk $v"
done
has "$T/err" "bad --agent-disk '1099511627777' (0 to 1 TiB a minute)" \
    "a bad --agent-disk said"
# a cache it could not write would be found out only as it stops (the
# timeout: a server that starts instead fails, not hangs)
for c in "$T/nowhere/followups.cache" "$T" ""; do
    run timeout 10 "$PB" serve $P --data "$T/cases-c" --listen 127.0.0.1:0 \
        --followups-cache "$c"
    expect_rc 2 "--followups-cache '$c'"
done
has "$T/err" "followups-cache '': not a file" "a bad --followups-cache said"
printf 'return principle { id = "x", itmes = {} }\n' >"$T/bad.lua"
run "$PB" serve -p "$T/bad.lua" --data "$T/never" --listen 127.0.0.1:0
expect_rc 2 "a principle that does not load"
has "$T/err" "bad.lua:1: " "the broken principle named"
if [ -e "$T/never" ]; then fail "a refused start made the data folder"
else ok; fi

# --- start ---------------------------------------------------------------
. tests/e2e/lib/server.sh
if [ "$STORE" = pg ]; then
    . tests/e2e/lib/pg.sh
    pg_start || { summary; exit 1; }
fi
# req METHOD PATH [BODY] [Header:value...]: status in $st, body in $T/out
req() {
    run $H "$PORT" "$@"
    st=$(head -n 1 "$T/out")
    sed 1d "$T/out" >"$T/body"
}
# followups_of ID N WHAT: GET /v1/followups lists N of case ID
followups_of() {
    req GET /v1/followups
    json_ok "$T/body" "$3" "
mine = [f['text'] for f in d['followups'] if f['case'] == '$1']
assert len(mine) == $2, mine"
}
hup_wait() { # N: until the log says reloaded or not reloaded N times
    i=0
    while [ $i -lt 100 ] && [ "$(grep -c 'reloaded' "$T/serve.err")" -lt "$1" ]; do
        sleep 0.1; i=$((i + 1)); done
}
# rehash CACHE: a follow-ups cache changed by hand made whole again (its
# last line is the SHA-256 of the lines before it)
rehash() {
    sed '$d' "$1" >"$T/cache-body"
    { cat "$T/cache-body"
      printf '{"sha256":"%s"}\n' "$(sha256sum <"$T/cache-body" | cut -c1-64)"
    } >"$1"
}
# same_as FILE WHAT: the last answer is FILE, byte for byte
same_as() {
    if cmp -s "$T/body" "$1"; then ok; else
        fail "$2: $(diff "$1" "$T/body" | head -n 5)"; fi
}
want() { # STATUS WHAT
    if [ "$st" = "$1" ]; then ok; else
        fail "$2: status $st, want $1: $(cat "$T/body")"; fi
}
# refused STATUS FIELD WHAT (FIELD "null" for none): the JSON error
refused() {
    want "$1" "$3"
    json_ok "$T/body" "$3" "
e = d['error']
assert e['status'] == $1, e
assert e['field'] == (None if '$2' == 'null' else '$2'), e
assert e['message'] and '$T' not in e['message'], e"
}
start

# --- a case, its events, its checklist ---------------------------------
req POST /v1/cases '{"id": "T-1", "topic": "delivery", "channel": "phone",
    "agent": "amira", "team": "north", "facts": {"order_id": "A-1042"}}'
want 201 "create a case"
json_ok "$T/body" "created case" '
assert d["id"] == "T-1", d
c = d["case"]
assert c["topic"] == "delivery" and c["channel"] == "phone", c
assert c["agent"] == "amira" and c["team"] == "north", c
assert c["facts"]["order_id"] == "A-1042", c["facts"]
assert c["state"] == "in_contact", c["state"]'
if [ "$STORE" = pg ]; then
    if [ "$(pg_sql "SELECT agent, team FROM playbook_cases WHERE id = 'T-1'")" = \
         "amira|north" ]; then ok; else fail "no case row after 201"; fi
else
    if [ -f "$D/T-1.xml" ]; then ok; else fail "no case file after 201"; fi
    has "$D/T-1.xml" 'agent="amira" team="north"' "the agent in the case file"
fi
req POST /v1/cases/T-1/events \
    '{"type": "customer.said", "text": "My parcel is a week late!"}'
want 200 "an event"
json_ok "$T/body" "the event's checklist" '
items = {i["principle"] + "." + i["item"]: i["state"] for i in d["case"]["checklist"]}
assert items["listen.hear_out"] == "done", items'
# acknowledged means on disk: the journal has it now
if [ "$(stored T-1 'week late')" = 1 ]; then
    ok; else fail "the acknowledged event is not stored"; fi
req POST /v1/cases/T-1/events '{"type": "fact", "attrs": {"name": "problem"},
    "text": "parcel late"}'
want 200 "an event with attributes"

# --- the engine's own facts (started_at): refused, or taken when valid ----
# A start a client gave was the case's clock: 1970 put every event past
# the longest time a case may have, a future one or "x" held them at 0.
for v in 1970-01-01T00:00:00Z 2099-01-01T00:00:00Z x; do
    req POST /v1/cases '{"id": "SA-1", "topic": "delivery",
        "facts": {"order_id": "A-1", "started_at": "'"$v"'"}}'
    refused 400 facts.started_at "a case started at '$v'"
done
req GET /v1/cases/SA-1
refused 404 null "no case made by a refused start"
if [ "$STORE" != pg ] && ls "$D"/SA-1.* >/dev/null 2>&1; then
    fail "a refused start left a file: $(ls "$D"/SA-1.*)"; else ok; fi
# a recorded call imported with its real start: a time in the past
past=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
req POST /v1/cases '{"id": "SA-2", "topic": "delivery",
    "facts": {"started_at": "'"$past"'"}}'
want 201 "a case started an hour ago"
req POST /v1/cases/SA-2/events '{"type": "customer.said", "text": "Hello?"}'
want 200 "an event of a case started an hour ago"
json_ok "$T/body" "its time counts from its start" '
t = d["events"][0]["t"]
assert 3590 < t < 3700, t'
# nor may an event or a command set it later
req POST /v1/cases/SA-2/events '{"type": "fact", "attrs": {"name": "started_at"},
    "text": "1970-01-01T00:00:00Z"}'
refused 422 event "the fact started_at as an event"
req POST /v1/cases/SA-2/command '{"line": "fact started_at=1970-01-01T00:00:00Z"}'
want 422 "the fact started_at as a command"
req GET /v1/cases/SA-2
json_ok "$T/body" "the refused facts changed nothing" "
c = d['case']
assert c['facts']['started_at'] == '$past', c['facts']
assert len(d['events']) == 1, d['events']"
# a feeder (speech to text, a CRM) asks for a minimal answer, RFC 7240
req POST /v1/cases/T-1/events '{"type": "customer.said", "text": "Where is it?"}' \
    "Prefer: return=minimal"
want 200 "an event with Prefer: return=minimal"
json_ok "$T/body" "the minimal answer" '
assert set(d) == {"id", "events_from", "nevents"}, d
assert d["id"] == "T-1" and d["nevents"] == d["events_from"] + 1 == 3, d'
if [ "$(stored T-1 'Where is it')" = 1 ]; then
    ok; else fail "the event answered minimally is not stored"; fi
run python3 -c '
import http.client, sys
def applied(prefer):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]))
    h = {"Content-Type": "application/json"}
    if prefer:
        h["Prefer"] = prefer
    c.request("POST", "/v1/cases/T-1/events",
              "{\"type\": \"fact\", \"attrs\": {\"name\": \"n\"}, \"text\": \"1\"}", h)
    r = c.getresponse()
    body = r.read()
    return r.getheader("Preference-Applied"), body[:1]
print(applied("respond-async, return=minimal; x=1"), applied(None),
      applied("return=representation"))' "$PORT"
has "$T/out" "('return=minimal', b'{') (None, b'{') (None, b'{')" \
    "Preference-Applied only when return=minimal was asked"
req GET /v1/cases/T-1
want 200 "read the case"
json_ok "$T/body" "the case read back" '
items = {i["principle"] + "." + i["item"]: i["state"] for i in d["case"]["checklist"]}
assert d["case"]["facts"]["problem"] == "parcel late", d["case"]["facts"]
assert items["listen.hear_out"] == "done", items'
cp "$T/body" "$T/before.json"
req POST /v1/cases '{"topic": "billing"}'
want 201 "a case without an id gets one"
json_ok "$T/body" "generated id" '
import re
assert re.fullmatch("[0-9a-f]{16}", d["id"]), d["id"]'
req GET /v1/principles
want 200 "the principles"
json_ok "$T/body" "principles" '
ids = [p["id"] for p in d["principles"]]
assert "listen" in ids and "follow_up" in ids, ids
refs = {i["ref"]: i for p in d["principles"] for i in p["items"]}
assert refs["follow_up.verify"]["later"] is True, refs["follow_up.verify"]
assert refs["listen.restate"]["must"] is True'

# --- bad requests: status, JSON error, the case unchanged ---------------
req POST /v1/cases/T-1/events '{"type": '
refused 400 null "malformed JSON"
req POST /v1/cases/T-1/events '{"type": "a.b"} x'
refused 400 null "JSON with more after it"
req POST /v1/cases/T-1/events '[1, 2]'
refused 400 null "not an object"
req POST /v1/cases/T-1/events '{"type": "customer.said", "colour": "red"}'
refused 400 colour "an unknown field"
req POST /v1/cases/T-1/events '{"type": 7}'
refused 400 type "a wrong type"
req POST /v1/cases/T-1/events '{"text": "hi"}'
refused 400 type "a missing type"
req POST /v1/cases/T-1/events '{"type": "a.b", "attrs": {"n": 1}}'
refused 400 attrs "an attribute that is not a string"
req POST /v1/cases/T-1/events '{"type": "a", "attrs": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}}'
refused 400 null "too deep"
req POST /v1/cases/T-1/events '{"type": "bad type!"}'
refused 422 event "an event type the engine refuses"
req POST /v1/cases/T-1/events '{"type": "item.checked", "attrs": {"ref": "listen.nope"}}'
refused 422 event "an unknown item"
req POST /v1/cases/T-1/events '{"type": "item.skipped", "attrs": {"ref": "listen.restate"}}'
refused 422 event "a skip without a reason"
# \u0000 would cut a field short where it is read as C text, and half a
# surrogate pair would become U+FFFD: both refused, wherever they are
for body in '{"type": "customer.said\u0000junk"}' \
        '{"type": "customer.said", "text": "abc\u0000def"}' \
        '{"type": "customer.said", "attrs": {"a\u0000b": "v"}}' \
        '{"type": "customer.said", "text": "\ud800"}' \
        '{"type": "customer.said", "text": "x\udc00"}' \
        '{"type": "customer.said", "text": "\ud83dx"}'; do
    req POST /v1/cases/T-1/events "$body"
    refused 400 null "an escape that would change the text: $body"
done
req POST /v1/cases '{"id": "T-1\u0000x", "topic": "delivery"}'
refused 400 null "an id with \\u0000"
req GET '/v1/cases/T-1%00x'
refused 404 null "%00 in the path"
req GET '/v1/cases/T-1?events_from=1%00x'
refused 400 events_from "%00 in a query argument"
# Where a request ends must be plain: two Content-Lengths, an encoding
# other than chunked alone, or both, would let a proxy in front and this
# server split the bytes differently (request smuggling): 400, and the
# connection closed, so nothing after it is read; HTTP/1.1 needs a Host.
python3 - "$PORT" >"$T/framing" 2>&1 <<'EOF'
import socket, sys
def raw(data):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    s.sendall(data)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        out += b" (no end: timed out)"
    s.close()
    return out
body = b'{"type": "customer.said", "text": "smuggled"}'
inner = (b"POST /v1/cases/T-1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
         % len(body) + body)
head = b"POST /v1/cases/T-1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
for what, data in [
        ("two lengths", head + b"Content-Length: 2\r\nContent-Length: %d\r\n"
         b"\r\n{}" % (2 + len(inner)) + inner),
        ("gzip", head + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
        ("identity", head + b"Transfer-Encoding: identity\r\n\r\n"),
        ("chunked and a length", head + b"Transfer-Encoding: chunked\r\n"
         b"Content-Length: 5\r\n\r\n0\r\n\r\n" + inner),
        ("HTTP/1.1 without Host", b"GET /v1/principles HTTP/1.1\r\n\r\n"),
        # a name with a space or a tab before its colon: a proxy that
        # reads it as Content-Length would take the smuggled request
        ("a space before the colon", head + b"Content-Length : 0\r\n"
         b"Content-Length: %d\r\n\r\n" % len(inner) + inner),
        ("a tab before the colon", head + b"Transfer-Encoding\t: chunked\r\n"
         b"Content-Length: %d\r\n\r\n" % len(inner) + inner),
        ("two Hosts", b"GET /v1/principles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         b"Host: attacker.example\r\n\r\n"),
        ("HTTP/1.0 without Host", b"GET /v1/principles HTTP/1.0\r\n\r\n"),
        # the absolute form, as a proxy sends it: its host is the Host
        ("absolute", b"GET http://127.0.0.1/v1/cases/T-1?events_from=1 "
         b"HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        ("absolute, upper case", b"GET HTTP://localhost HTTP/1.1\r\n"
         b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        ("absolute, another host", b"GET http://attacker.example/v1/cases/T-1 "
         b"HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
        ("absolute, a long host", b"GET http://" + b"h" * 300 +
         b"/v1/principles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         b"Connection: close\r\n\r\n")]:
    out = raw(data)
    print(what, out.split(b"\r\n", 1)[0].decode(), out.count(b"HTTP/1.1 2"),
          b"timed out" in out, b'"id": "T-1"' in out,
          b'"field":"Host"' in out or b'"field": "Host"' in out)
EOF
for what in "two lengths" "gzip" "identity" "chunked and a length" \
        "HTTP/1.1 without Host" "a space before the colon" \
        "a tab before the colon" "two Hosts"; do
    if grep -q "^$what HTTP/1.1 400 Bad Request 0 False" "$T/framing"; then
        ok; else fail "$what: $(grep "^$what" "$T/framing")"; fi
done
for want in "HTTP/1.0 without Host HTTP/1.1 200 OK 1 False" \
        "absolute HTTP/1.1 200 OK 1 False True False" \
        "absolute, upper case HTTP/1.1 200 OK 1 False False False" \
        "absolute, another host HTTP/1.1 403 Forbidden 0 False False True" \
        "absolute, a long host HTTP/1.1 400 Bad Request 0 False False True"; do
    if grep -q "^$want" "$T/framing"; then ok; else
        fail "$want: $(grep "^${want%% HTTP/1.1 [0-9]*}" "$T/framing")"; fi
done
# DNS rebinding: a page of another site whose name resolves to
# 127.0.0.1 sends that name as Host, and a matching Origin
req GET /v1/cases/T-1 - "Host:attacker.example:$PORT"
refused 403 Host "a read through another name, without tokens"
req POST /v1/cases/T-1/close '{"text": "closed by a page"}' \
    "Host:attacker.example:$PORT" "Origin:http://attacker.example:$PORT"
refused 403 Host "a change through another name, with its own Origin"
for host in "localhost:$PORT" "LOCALHOST" "127.0.0.2:$PORT" "[::1]:$PORT"; do
    req GET /v1/principles - "Host:$host"
    want 200 "Host $host is this machine"
done
# ... and only a port may follow the name
for host in "localhost:evil.example" "127.0.0.1:80:evil" "[::1]x" \
            "localhost:" "localhost:123456"; do
    req GET /v1/principles - "Host:$host"
    refused 403 Host "Host $host is not this machine"
done
req POST /v1/cases/nope/events '{"type": "customer.said"}'
refused 404 null "an unknown case"
req POST "/v1/cases/..%2F..%2Fetc/events" '{"type": "customer.said"}'
refused 404 null "a case id that is a path"
if [ "$STORE" = files ]; then
    printf '<scenario xmlns="urn:playbook:scenario:1" id="Z-9"><case' >"$D/Z-9.xml"
    req GET /v1/cases/Z-9
    refused 503 null "a damaged case file"
    has "$T/serve.err" "Z-9.xml" "the damaged file named in the log"
fi
req POST /v1/cases '{"id": "T-1", "topic": "delivery"}'
refused 409 id "a case id taken"
req POST /v1/cases '{"id": "a/b", "topic": "delivery"}'
refused 400 id "a bad case id"
req POST /v1/cases '{"channel": "phone"}'
refused 400 topic "a case without a topic"
req POST /v1/cases '{"topic": "billing", "agent": ""}'
refused 400 agent "an empty agent"
req POST /v1/cases '{"topic": "billing", "agent": 3}'
refused 400 agent "an agent that is not a string"
req DELETE /v1/cases/T-1
refused 405 null "a method not allowed"
req GET /v1/nothing
refused 404 null "an unknown path"
req GET /v1/cases/T-1/nothing
refused 404 null "GET of an unknown action (was 405)"
req POST /v1/cases/T-1/nothing
refused 404 null "POST to an unknown action"
req POST /v1/cases '{"topic": "billing", "team": "north\u0001"}'
refused 400 team "a control character in team names team"
req POST /v1/cases/T-1/undo '{"event": 9223372036854775808}'
refused 400 event "an event number past int64 (was taken as its largest)"
req GET "/v1/cases/T-1?events_from=99999999999999999999999"
refused 400 events_from "events_from past 64 bits"
# A 405 says which methods are (Allow); HEAD is GET without the body;
# two Authorization headers are refused, as two Host headers are (a
# proxy in front may read the other one).
python3 - "$PORT" >"$T/methods" 2>&1 <<'EOF'
import http.client, socket, sys
port = int(sys.argv[1])
def ask(method, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path)
    r = c.getresponse()
    return r.status, r.getheader("Allow"), r.getheader("Content-Length"), r.read()
for method, path, allow in (("DELETE", "/v1/cases/T-1", "GET, HEAD"),
                            ("GET", "/v1/cases", "POST"),
                            ("PUT", "/v1/cases/T-1/events", "POST"),
                            ("POST", "/v1/cases/T-1/stream", "GET"),
                            ("HEAD", "/v1/cases/T-1/stream", "GET"),
                            ("POST", "/", "GET, HEAD")):
    st, got, _, _ = ask(method, path)
    assert (st, got) == (405, allow), (method, path, st, got)
st, _, length, body = ask("HEAD", "/v1/cases/T-1")
assert st == 200 and body == b"" and int(length) > 100, (st, length, body)
st, _, _, body = ask("HEAD", "/")
assert st == 200 and body == b"", (st, body)
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(b"GET /v1/principles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Authorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n")
got = s.recv(65536)
assert got.startswith(b"HTTP/1.1 400") and b"more than one Authorization" in got, got
print("methods ok")
EOF
has "$T/methods" "methods ok" "405 with Allow, HEAD, two Authorization headers"
req POST /v1/cases/T-1/events '{"type": "customer.said"}' \
    "Origin:http://evil.example"
refused 403 Origin "a request from another site's page"
python3 -c 'print("{\"type\": \"customer.said\", \"text\": \"" + "x" * 70000 + "\"}")' \
    >"$T/big.json"
req POST /v1/cases/T-1/events "@$T/big.json"
refused 413 null "a body over the limit"
req POST /v1/cases/T-1/events "chunked:@$T/big.json"
refused 413 null "a body over the limit, without a Content-Length"
# Headers: 10 KiB (a browser's cookies) are read; past 12 KiB, 431 and
# nothing is done (docs/api.md, "Errors"); past the connection's memory,
# libmicrohttpd's own 431 (not JSON, so not in openapi.json).
pad() { python3 -c 'import sys; print("X-Pad:" + "a" * int(sys.argv[1]))' "$1"; }
st=$(env -u OPENAPI_CALLS $H "$PORT" GET /v1/cases/T-1 - "$(pad 10000)" 2>/dev/null | sed -n 1p)
if [ "$st" = 200 ]; then ok; else fail "10 KiB of headers: status $st"; fi
req POST /v1/cases/T-1/events '{"type": "customer.said", "text": "padded"}' \
    "$(pad 13000)"
refused 431 null "13 KiB of headers"
st=$(env -u OPENAPI_CALLS $H "$PORT" POST /v1/cases/T-1/events \
    '{"type": "customer.said", "text": "padded"}' "$(pad 20000)" 2>/dev/null | sed -n 1p)
if [ "$st" = 431 ]; then ok; else fail "20 KiB of headers: status $st"; fi
# Across the edge of the connection's memory, 50 bytes at a time: an
# answer (431) or none, and never the event recorded.  The same for a
# chunked body's trailers, from 12 KiB on (they came after the checks of
# the headers: between 12 and 15 KiB the event was recorded, and near
# the edge recorded without an answer, so a client sent it again).
python3 - "$PORT" >"$T/edge" 2>&1 <<'EOF'
import socket, sys
body = b'{"type": "customer.said", "text": "padded"}'
def ask(req):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
    s.sendall(req)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            b = s.recv(4096)
            if not b:
                break
            data += b
    except (ConnectionResetError, socket.timeout):
        pass
    s.close()
    return data.split(b"\r\n", 1)[0].decode() or "no answer"
for size in range(15400, 16500, 50):
    print(size, ask(b"POST /v1/cases/T-1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    b"Content-Type: application/json\r\nX-Pad: " + b"a" * size +
                    b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body))
for size in range(12300, 16500, 50):
    print("trailer", size,
          ask(b"POST /v1/cases/T-1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(body) + body +
              b"\r\n0\r\nX-Pad: " + b"a" * size + b"\r\n\r\n"))
EOF
if grep -v -e "HTTP/1.1 431" -e "no answer" "$T/edge"; then
    fail "headers at the edge: $(grep -v 431 "$T/edge" | head -n 3)"; else ok; fi
req GET /v1/cases/T-1
same_as "$T/before.json" "bad requests changed the case"

# ...while a whole surrogate pair and an escaped backslash before u0000
# are text like any other
req POST /v1/cases '{"id": "U-1", "topic": "delivery"}'
req POST /v1/cases/U-1/events '{"type": "customer.said", "text": "\ud83d\ude00 or \\u0000"}'
want 200 "an emoji as a surrogate pair, and a backslash"
json_ok "$T/body" "the text as sent" '
assert d["events"][-1]["text"] == "\U0001F600 or \\u0000", d["events"][-1]'

# --- a closed case -------------------------------------------------------
req POST /v1/cases '{"id": "C-1", "topic": "delivery"}'
req POST /v1/cases/C-1/events '{"type": "case.closed"}'
want 200 "close a case"
req POST /v1/cases/C-1/events '{"type": "customer.said", "text": "hello?"}'
refused 409 null "an event for a closed case"

# --- shortcuts: check, skip, undo, end, close --------------------------
req POST /v1/cases '{"id": "S-1", "topic": "delivery"}'
req POST /v1/cases/S-1/events '{"type": "customer.said", "text": "Where is my parcel?"}'
req POST /v1/cases/S-1/items/listen.restate/check '{"text": "restated on the phone"}'
want 200 "check an item"
json_ok "$T/body" "checked" '
items = {i["principle"] + "." + i["item"]: i["state"] for i in d["case"]["checklist"]}
assert items["listen.restate"] == "done", items'
req POST /v1/cases/S-1/items/ask.order_id/skip '{"reason": "gift: no order id"}'
want 200 "skip an item"
json_ok "$T/body" "skipped" '
items = {i["principle"] + "." + i["item"]: i for i in d["case"]["checklist"]}
assert items["ask.order_id"]["state"] == "skipped", items["ask.order_id"]
assert items["ask.order_id"]["reason"] == "gift: no order id", items["ask.order_id"]'
req POST /v1/cases/S-1/items/ask.order_id/skip '{}'
refused 400 reason "a skip without a reason"
req POST /v1/cases/S-1/items/ask.order_id/skip '{"reason": ""}'
refused 400 reason "a skip with an empty reason"
req POST /v1/cases/S-1/items/listen.nope/check
refused 404 ref "an unknown item ref"
req POST /v1/cases/S-1/undo
want 200 "undo the last event"
if [ "$(stored S-1 'event.undone')" = 1 ]; then ok; else
    fail "undo not recorded"; fi
req POST /v1/cases/S-1/undo '{"event": 99}'
refused 422 event "undo of an event that does not exist"
req POST /v1/cases/S-1/undo '{"event": "two"}'
refused 400 event "undo with a wrong type"
req POST /v1/cases/S-1/end
want 200 "end the contact"
json_ok "$T/body" "ended" '
assert d["case"]["state"] in ("between_contacts", "closed"), d["case"]["state"]'
req POST /v1/cases/S-1/close '{"text": "duplicate of T-1"}'
want 200 "close the case"
json_ok "$T/body" "closed" '
assert d["case"]["state"] == "closed" and d["case"]["closed_by"] == "case.closed", d["case"]'
req POST /v1/cases/S-1/items/listen.restate/check
refused 409 null "check on a closed case"
req GET /v1/cases/S-1/end
refused 405 null "GET on an action"

# --- replay a posted scenario ----------------------------------------------
req POST /v1/replay "@scenarios/escalation-followup.xml"
want 200 "replay a scenario"
json_ok "$T/body" "the replay report" '
s = d["scenarios"][0]
assert s["id"] == "escalation-followup" and s["passed"] is True, s["id"]
assert s["state"] == "closed", s["state"]'
req POST /v1/replay '<scenario xmlns="urn:playbook:scenario:1" id="x" title="x"><events><event t="5" type="a.b"/><event t="1" type="a.b"/></events></scenario>'
refused 422 scenario "a scenario that does not replay"
has "$T/body" "scenario:1: " "the scenario's line, not a path"
req POST /v1/replay '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><scenario/>'
refused 422 scenario "a hostile scenario"
lacks "$T/body" "root:" "no file read through the scenario"
# Replays store nothing, and hold no place in the engine's event types
# once done: seven of 2,500 new types each filled its table (16,384),
# and every case was then refused a type new to the server.  (A replay's
# case, like any, now holds 256 types of its own at most: 70 of 250.)
python3 - "$PORT" >"$T/replays" <<'EOF'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
codes = []
for k in range(70):
    body = ('<scenario xmlns="urn:playbook:scenario:1" id="t" title="t">'
            '<events>' + "".join('<event type="z%d"/>' % (k * 250 + i)
                                 for i in range(250)) + '</events></scenario>')
    c.request("POST", "/v1/replay", body)
    r = c.getresponse()
    r.read()
    codes.append(r.status)
print("statuses", sorted(set(codes)))
EOF
has "$T/replays" "statuses [200]" "70 replays of 250 new types each"
req POST /v1/cases '{"id": "TY-1", "topic": "delivery"}'
req POST /v1/cases/TY-1/events '{"type": "crm.ticket_opened"}'
want 200 "a type new to the server, after replays of 17,500"

# --- no path of the server's reaches a client ---------------------------
# A second server, its principles in a folder of its own, one of them a
# detector and an item that never end: the budget warning, the item's
# error, a replay's evidence and an event's name the file only.
PP="$T/pp/principles"
mkdir -p "$PP"
cp -R principles/. "$PP/"
cat >"$PP/zloop.lua" <<'EOF'
return principle {
  id = "zloop", title = "Never ends", order = 99,
  items = { { id = "a", done = function(case) while true do end end } },
  detect = { { on = "customer.said",
               fn = function(case, event) while true do end end } },
}
EOF
SAVE_P=$P SAVE_D=$D SAVE_SRV=$SRV SAVE_PORT=$PORT
P="-p $PP" D="$T/data-pp"
start
req POST /v1/cases '{"id": "PP-1", "topic": "delivery"}'
want 201 "a case under principles that run out of budget"
req POST /v1/cases/PP-1/events '{"type": "customer.said",
    "text": "My parcel is a week late, I want a refund"}'
want 200 "an event whose detector runs out of budget"
cp "$T/body" "$T/pp-case.json"
json_ok "$T/pp-case.json" "the budget warning and error name the file" "
c = d['case']
w = [x for x in c['warnings'] if 'budget' in x]
assert w and all(x.startswith('zloop.lua:') for x in w), c['warnings']
e = [i['error'] for i in c['checklist'] if i.get('error')]
assert e and all(x.startswith('zloop.lua:') for x in e), e
ev = [x['evidence']['file'] for x in d['events'] if x.get('evidence')]
assert all('/' not in f for f in ev), ev"
lacks "$T/pp-case.json" "$T" "no path of the server's in a case"
lacks "$T/pp-case.json" "principles/" "no folder of principles in a case"
req POST /v1/replay "@scenarios/escalation-followup.xml"
want 200 "a replay under principles that run out of budget"
cp "$T/body" "$T/pp-replay.json"
json_ok "$T/pp-replay.json" "a replay names the files only" "
s = d['scenarios'][0]
assert any(x.startswith('zloop.lua:') for x in s['warnings']), s['warnings']
ev = [x['evidence']['file'] for x in s['events'] if x.get('evidence')]
assert ev and all('/' not in f for f in ev), ev"
lacks "$T/pp-replay.json" "$T" "no path of the server's in a replay"
lacks "$T/pp-replay.json" "principles/" "no folder of principles in a replay"
stop
P=$SAVE_P D=$SAVE_D SRV=$SAVE_SRV PORT=$SAVE_PORT
URL="http://127.0.0.1:$PORT"

# --- batches: all or nothing, checked before anything is recorded ---------
req POST /v1/cases '{"id": "B-1", "topic": "delivery"}'
req GET /v1/cases/B-1
cp "$T/body" "$T/b0.json"
req POST /v1/cases/B-1/events '{"events": [{"type": "customer.said", "text": "one"},
    {"type": "customer.said"}, {"type": "item.checked", "attrs": {"ref": "listen.nope"}}]}'
refused 422 "events[2]" "a batch with an event the engine refuses"
# ... each as it would be kept (white space is no reason), and with what
# the events before it bring: 250 new types, where the case has room for
# 256 of its own (the first 128 of the engine's types take none)
req POST /v1/cases/B-1/events '{"events": [{"type": "customer.said", "text": "one"},
    {"type": "item.skipped", "attrs": {"ref": "listen.restate"}, "text": " \n "},
    {"type": "agent.said", "text": "three"}]}'
refused 422 "events[1]" "a batch with a reason of white space"
req POST /v1/cases/B-1/items/listen.restate/skip '{"reason": "   "}'
refused 400 reason "a skip whose reason is white space"
python3 -c 'import json; print(json.dumps({"events": [{"type": "b1.t%d" % i} for i in range(100)]}))' >"$T/bt.json"
sed 's/b1\.t/b2.t/g' "$T/bt.json" >"$T/bt2.json"
sed 's/b1\.t/b3.t/g' "$T/bt.json" >"$T/bt3.json"
req POST /v1/cases '{"id": "B-2", "topic": "delivery"}'
req POST /v1/cases/B-2/events "@$T/bt.json" "Prefer: return=minimal"
req POST /v1/cases/B-2/events "@$T/bt2.json" "Prefer: return=minimal"
want 200 "two batches of 100 new types"
req GET /v1/cases/B-2
cp "$T/body" "$T/bt0.json"
req POST /v1/cases/B-2/events "@$T/bt3.json"
want 422 "a batch of types the case has room for one by one, not all"
json_ok "$T/body" "the batch's refusal" '
e = d["error"]
assert e["field"].startswith("events[") and e["field"] != "events[0]", e
assert "before it in the batch" in e["message"], e'
req GET /v1/cases/B-2
same_as "$T/bt0.json" "a batch refused half way changed the case"
req POST /v1/cases/B-1/events '{"events": [{"type": "customer.said"}, {"type": 1}]}'
refused 400 "events[1].type" "a batch with a wrong type"
req POST /v1/cases/B-1/events '{"events": [{"type": "customer.said"}, 5]}'
refused 400 "events[1]" "a batch with an event that is not an object"
req POST /v1/cases/B-1/events '{"events": []}'
refused 400 events "an empty batch"
python3 -c 'import json; print(json.dumps({"events": [{"type": "a.b"}] * 101}))' >"$T/b101.json"
req POST /v1/cases/B-1/events "@$T/b101.json"
refused 400 events "a batch of 101"
req POST /v1/cases/B-1/events '{"events": [{"type": "a.b"}], "type": "x"}'
refused 400 type "a batch with a field beside events"
req GET /v1/cases/B-1
same_as "$T/b0.json" "refused batches changed the case"
req POST /v1/cases/B-1/events '{"events": [
    {"type": "customer.said", "text": "My parcel is late."},
    {"type": "agent.restated", "text": "So your parcel is late."},
    {"type": "customer.confirmed"}]}'
want 200 "a batch of three"
json_ok "$T/body" "the batch recorded" '
items = {i["principle"] + "." + i["item"]: i["state"] for i in d["case"]["checklist"]}
assert items["listen.restate"] == "done", items'
n=$(stored B-1 'My parcel is late|So your parcel is late|customer.confirmed')
if [ "$n" = 3 ]; then ok; else fail "the batch's journal has $n of 3"; fi
req GET /v1/cases/B-1
cp "$T/body" "$T/b3.json"
req POST /v1/cases/B-1/events '{"events": [{"type": "case.closed"},
    {"type": "customer.said", "text": "wait"}]}'
refused 422 "events[1]" "a batch with an event after its case.closed"
req GET /v1/cases/B-1
same_as "$T/b3.json" "a batch refused for its close changed the case"

# --- event.undone posted raw: held to undo's rule ------------------------
# (it was taken: an undo of #2 on a new case made the next event born
# undone, and undos of undos, of the undone and of #99 were recorded)
req POST /v1/cases '{"id": "UN-1", "topic": "delivery"}'
req GET /v1/cases/UN-1
cp "$T/body" "$T/un0.json"
req POST /v1/cases/UN-1/events '{"type": "event.undone", "attrs": {"ref": "2"}}'
refused 422 event "a raw undo of an event to come"
has "$T/body" "attrs.ref: no event #2: the case has 0 recorded events" \
    "the raw undo of an event to come said"
req GET /v1/cases/UN-1
same_as "$T/un0.json" "a refused raw undo changed the case"
req POST /v1/cases/UN-1/events '{"events": [{"type": "customer.said", "text": "one"},
    {"type": "customer.said", "text": "two"}]}'
want 200 "two events after a refused undo"
json_ok "$T/body" "none born undone" '
assert [e["recorded"] for e in d["events"] if e["type"] == "customer.said"] == [1, 2], d["events"]'
req POST /v1/cases/UN-1/undo '{"event": 2}'
want 200 "#2 undone by undo: it was not born undone"
req GET /v1/cases/UN-1
cp "$T/body" "$T/un1.json"
req POST /v1/cases/UN-1/events '{"type": "event.undone", "attrs": {"ref": "3"}}'
refused 422 event "a raw undo of an undo"
has "$T/body" "#3 is itself an undo" "the raw undo of an undo said"
req POST /v1/cases/UN-1/events '{"type": "event.undone", "attrs": {"ref": "2"}}'
refused 422 event "a raw undo of an undone event"
has "$T/body" "#2 is already undone" "the raw undo of an undone event said"
req POST /v1/cases/UN-1/events '{"type": "event.undone", "attrs": {"ref": "99"}}'
refused 422 event "a raw undo of no event"
req POST /v1/cases/UN-1/events '{"type": "event.undone", "attrs": {"ref": "02"}}'
refused 422 event "a raw undo with a ref that is not a number"
req POST /v1/cases/UN-1/events '{"type": "event.undone"}'
refused 422 event "a raw undo without a ref"
req POST /v1/cases/UN-1/events '{"events": [{"type": "customer.said", "text": "three"},
    {"type": "event.undone", "attrs": {"ref": "3"}}]}'
refused 422 "events[1]" "a batch with a raw undo of an undo"
req POST /v1/cases/UN-1/events '{"events": [{"type": "customer.said", "text": "three"},
    {"type": "event.undone", "attrs": {"ref": "4"}}]}'
refused 422 "events[1]" "a batch undoing its own event (checked before it)"
req GET /v1/cases/UN-1
same_as "$T/un1.json" "refused raw undos changed the case"
req POST /v1/cases/UN-1/events '{"type": "event.undone", "attrs": {"ref": "1"}}'
want 200 "a raw undo as undo makes it"
req POST /v1/cases/UN-1/undo '{"event": 1}'
refused 422 event "undo of what a raw undo took back"
req POST /v1/cases/UN-1/events '{"type": "customer.said", "text": "five"}'
req POST /v1/cases/UN-1/events '{"events": [{"type": "event.undone", "attrs": {"ref": "5"}},
    {"type": "event.undone", "attrs": {"ref": "5"}}]}'
refused 422 "events[1]" "a batch undoing one event twice"
n=$(stored UN-1 'event.undone')
if [ "$n" = 2 ]; then ok; else fail "UN-1's journal has $n undos, want 2"; fi

# --- follow-ups due, across cases -----------------------------------------
req POST /v1/cases/T-1/events '{"events": [
    {"type": "followup.scheduled", "attrs": {"due": "2030-12-01T10:00Z"}, "text": "Check the parcel arrived"},
    {"type": "agent.committed", "attrs": {"due": "2020-01-01T10:00Z"}, "text": "An old promise"}]}'
want 200 "a follow-up and a commitment"
req GET /v1/followups
want 200 "the follow-ups"
json_ok "$T/body" "follow-ups, overdue first" '
f = d["followups"]
assert [x["text"] for x in f[:2]] == ["An old promise", "Check the parcel arrived"], f
assert f[0]["overdue"] is True and f[0]["kind"] == "commitment" and f[0]["case"] == "T-1", f[0]
assert f[1]["kind"] == "followup" and f[1]["due"] == "2030-12-01T10:00Z" and f[1]["agent"] == "amira", f[1]
import os  # files: Z-9.xml, damaged
assert d["unreadable"] == (os.environ["STORE"] == "files"), d'
if [ "$STORE" = files ]; then
    has "$T/serve.err" "follow-ups: case 'Z-9' left out: " \
        "the case left out of the follow-ups named in the log"
    # ... once: until it changes, it is counted, not read (nor said) again
    req GET /v1/followups
    json_ok "$T/body" "the damaged case counted again" '
assert d["unreadable"] == 1, d'
    n=$(grep -c "case 'Z-9' left out" "$T/serve.err")
    if [ "$n" = 1 ]; then ok; else
        fail "a damaged case read and said at each listing: $n times"; fi
fi
req GET "/v1/followups?before=in%202h"
json_ok "$T/body" "follow-ups due before a time" '
assert [x["text"] for x in d["followups"]] == ["An old promise"], d'
req GET "/v1/followups?agent=ben"
json_ok "$T/body" "follow-ups of another agent" '
assert d["followups"] == [], d'
req GET "/v1/followups?before=someday"
refused 400 before "a time that does not read"
req POST /v1/followups '{}'
refused 405 null "POST to follow-ups"

# --- live updates: every follower sees the change -----------------------
run $H "$PORT" follow 2 /v1/cases/T-1/stream /v1/cases/T-1/events \
    '{"type": "item.checked", "attrs": {"ref": "explain.propose"}}'
expect_rc 0 "two followers of a case"
python3 - "$T/out" <<'EOF' >"$T/followed" 2>&1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 5 and lines[4].startswith("latency "), lines
events = [json.loads(l) for l in lines[:4]]
assert all(d["id"] == "T-1" for d in events)
state = lambda d: {i["principle"] + "." + i["item"]: i["state"]
                   for i in d["case"]["checklist"]}["explain.propose"]
assert [state(d) for d in events] == ["open", "open", "done", "done"], \
    [state(d) for d in events]
ms = int(lines[4].split()[1])
# The bar, 100 ms, is make bench's (docs/performance.md: 7 ms for the
# last of 500 followers); beside other tests, a bound no poll would meet.
assert ms < 1000, "latency %d ms" % ms
print("ok", ms)
EOF
if grep -q '^ok' "$T/followed"; then ok; else
    fail "live updates: $(cat "$T/followed")"; fi
req GET /v1/cases/nope/stream
refused 404 null "a stream of an unknown case"
req POST /v1/cases/T-1/stream
refused 405 null "POST to a stream"
# Followers that reset their connection at once, while events are made
# durable: a stream let go with nothing queued yet (once undefined
# behaviour, which ended the ASan+UBSan server).
python3 - "$PORT" >"$T/resets" 2>&1 <<'EOF'
import json, socket, struct, sys, threading, time
port = int(sys.argv[1])
def reset_follows(k):
    for i in range(10):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /v1/cases/T-1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        time.sleep((k * 7 + i) % 5 / 200)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
ts = [threading.Thread(target=reset_follows, args=(k,)) for k in range(20)]
for t in ts:
    t.start()
body = json.dumps({"type": "agent.said", "text": "still here"}).encode()
c = socket.create_connection(("127.0.0.1", port), timeout=30)
for i in range(40):
    c.sendall(b"POST /v1/cases/T-1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\nPrefer: return=minimal\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out = b""
    while b"\r\n\r\n" not in out:
        out += c.recv(65536) or sys.exit("the server closed the connection")
    assert out.startswith(b"HTTP/1.1 200"), out[:80]
    head, rest = out.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")][0])
    while len(rest) < n:
        rest += c.recv(65536) or sys.exit("the server closed the connection")
for t in ts:
    t.join()
print("ok")
EOF
req GET /v1/principles
if grep -q '^ok' "$T/resets" && [ "$st" = 200 ]; then ok; else
    fail "followers that reset: $(tail -n 3 "$T/resets"), then $st"; fi

# --- the timeline: each answer holds the events it added ----------------
req GET /v1/cases/T-1
json_ok "$T/body" "the whole timeline" '
ev = d["events"]
assert d["events_from"] == 0 and ev and ev[0]["i"] == 0, d["events_from"]
assert [e["i"] for e in ev] == list(range(len(ev))), ev
assert ev[0]["recorded"] == 1 and ev[0]["type"] == "customer.said", ev[0]'
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$T/body")
req POST /v1/cases/T-1/events '{"type": "agent.said",
    "text": "So what I am hearing is that your parcel is a week late."}'
want 200 "an utterance a detector reads"
json_ok "$T/body" "the new events only, with their evidence" "
assert d['events_from'] == $n, d['events_from']
said, found = d['events'][0], d['events'][1:]
assert said['i'] == $n and said['detected_by'] is None, said
assert found and all(e['detected_by'] and e['recorded'] is None for e in found), found
ev = found[0]['evidence']
assert ev['file'].endswith('.lua') and '/' not in ev['file'], ev
assert ev['line'] > 0 and ev['kind'], ev"
req GET "/v1/cases/T-1?events_from=$n"
json_ok "$T/body" "events from N" "
assert d['events_from'] == $n and d['events'][0]['i'] == $n, d['events'][:1]"
req GET "/v1/cases/T-1?events_from=100000"
json_ok "$T/body" "events from past the end" '
assert d["events"] == [], d["events"]'
req GET "/v1/cases/T-1?events_from=-1"
refused 400 events_from "events_from that is not a number"

# --- commands, as playbook live reads them ------------------------------
req POST /v1/cases/T-1/command '{"line": "fact delivery_address=12 Elm Street"}'
want 200 "a command"
json_ok "$T/body" "the command's event" '
e = d["events"][0]
assert e["type"] == "fact" and e["attrs"] == {"name": "delivery_address"}, e
assert e["text"] == "12 Elm Street", e
assert d["case"]["facts"]["delivery_address"] == "12 Elm Street"'
req POST /v1/cases/T-1/command '{"line": "followup tomorrow 10:00 Check it came"}'
want 200 "a follow-up command"
json_ok "$T/body" "the due time and the text apart" '
e = d["events"][0]
assert e["type"] == "followup.scheduled" and e["attrs"]["due"] == "tomorrow 10:00", e
assert e["text"] == "Check it came", e'
req POST /v1/cases/T-1/command '{"line": "undo"}'
want 200 "undo as a command"
json_ok "$T/body" "undone" '
assert d["events"][0]["type"] == "event.undone", d["events"]'
req GET /v1/cases/T-1
cp "$T/body" "$T/cmd-before.json"
req POST /v1/cases/T-1/command '{"line": "frobnicate now"}'
refused 422 line "an unknown command"
has "$T/body" "unknown command 'frobnicate'" "the unknown command named"
req POST /v1/cases/T-1/command '{"line": "followup whenever"}'
refused 422 line "a due time that does not read"
req POST /v1/cases/T-1/command '{"line": "check listen.nope"}'
refused 422 event "a command naming an unknown item"
req POST /v1/cases/T-1/command '{"line": "show"}'
refused 422 line "a command of the terminal only"
req POST /v1/cases/T-1/command '{"line": "   "}'
refused 422 line "a blank line"
req POST /v1/cases/T-1/command '{"text": "c hello"}'
refused 400 text "a command without its line"
req GET /v1/cases/T-1
same_as "$T/cmd-before.json" "refused commands changed the case"

# --- the panel's files: built in, and nothing else -----------------------
page() { # PATH [METHOD]: status, Content-Type, length and CSP in $T/page
    env -u OPENAPI_CALLS python3 -c '
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
c.request(sys.argv[3], sys.argv[2])
r = c.getresponse()
body = r.read()
print(r.status, r.getheader("Content-Type"), len(body))
print(r.getheader("Content-Security-Policy"))' "$PORT" "$1" "${2:-GET}" >"$T/page"
}
page /
has "$T/page" "200 text/html; charset=utf-8" "the panel's page"
has "$T/page" "default-src 'self'" "the panel runs only its own scripts"
page /panel.js
has "$T/page" "200 text/javascript" "the panel's script"
page /panel.css
has "$T/page" "200 text/css" "the panel's styles"
page /favicon.svg
has "$T/page" "200 image/svg+xml" "the panel's icon"
for p in /index.html /panel /../Makefile /panel.js/ "/%2e%2e/Makefile" \
         /engine/serve/panel/panel.js; do
    page "$p"
    if grep -q "^404 application/json" "$T/page"; then ok; else
        fail "a file outside the built-in set: $p: $(head -n 1 "$T/page")"; fi
done
page / POST
has "$T/page" "405 application/json" "POST to the panel's page"

# --- a slow client is cut off; an idle stream is kept alive ---------------
stop
start --timeout 2
run $H "$PORT" slow 10
has "$T/out" "closed after" "a slow client's connection is closed"
# a byte every half second is never idle: the whole request must come
# within --timeout (here, cut off after 2 to 3 s)
run $H "$PORT" trickle 10
has "$T/out" "closed after" "a client sending a byte at a time is cut off"
# ... and so while the principles are reloaded every 0.3 s: the cut-off
# (and the pings) waited for a second with no signal, so reloads in a
# loop kept such a client for ever
( i=0; while [ $i -lt 40 ]; do kill -HUP "$SRV"; sleep 0.3; i=$((i + 1)); done ) &
HUPS=$!
run $H "$PORT" trickle 10
has "$T/out" "closed after" "a byte at a time is cut off while reloads come every 0.3 s"
kill "$HUPS" 2>/dev/null; wait "$HUPS" 2>/dev/null
run python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET /v1/cases/T-1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
got, t0 = b"", time.time()
while got.count(b": ping") < 3 and time.time() - t0 < 8:
    got += s.recv(65536)
print("pings", got.count(b": ping"), "in %.1f s" % (time.time() - t0))' "$PORT"
if grep -q "^pings 3 in" "$T/out"; then ok; else
    fail "an idle stream gets keep-alive comments, past --timeout: $(cat "$T/out")"; fi

# --- SIGTERM saves every case; the other verbs read them --------------
req POST /v1/cases/T-1/events '{"type": "agent.said", "text": "So your parcel has not come."}'
want 200 "an event after a restart"
stop
if [ "$STORE" = files ]; then
    if [ -e "$D/T-1.xml.journal" ]; then
        fail "journal left after SIGTERM"; else ok; fi
    run "$PB" replay $P --format json "$D/T-1.xml"
    expect_rc 0 "the served case replays"
    json_ok "$T/out" "the served case" '
c = d["scenarios"][0]
texts = [e.get("text") for e in c["events"]]
assert "My parcel is a week late!" in texts, texts
assert "So your parcel has not come." in texts, texts'
else
    start
    req GET /v1/cases/T-1
    json_ok "$T/body" "the served case, read back after a restart" '
texts = [e.get("text") for e in d["events"]]
assert "My parcel is a week late!" in texts, texts
assert "So your parcel has not come." in texts, texts'
    stop
fi

# --- a write that fails: the event is not recorded, now or later ---------
# The server may write only files of 4.6 MB (ulimit -f in 512-byte blocks;
# playbook ignores SIGXFSZ, so a write past the limit fails with EFBIG as
# on a full disk, not ending the server): its sync.log (4 MiB) fits, a
# journal of four events of a megabyte and one more does not.  The cut
# of the failed write's bytes syncs the folder first (docs/api.md, "How
# fast").
if [ "$STORE" = files ]; then
    printf '#!/bin/sh\nulimit -f 9000\nexec "%s" "$@"\n' "$PB" \
        >"$T/small-files.sh"
    chmod +x "$T/small-files.sh"
    # the bodies in files: an argument holds at most 128 KiB
    python3 - "$T" <<'EOF'
import json, sys
def body(name, d):
    open("%s/%s.json" % (sys.argv[1], name), "w").write(json.dumps(d))
said = lambda t: {"type": "customer.said", "text": t}
body("filler", said("x" * 1000000))
body("big", said("y" * 1048000))
body("batch", {"events": [said("First of the batch."), said("y" * 1048000)]})
EOF
    KEEP_PB=$PB KEEP_D=$D
    PB=$T/small-files.sh D=$T/small
    start --max-body 2097152
    PB=$KEEP_PB
    req POST /v1/cases '{"id": "F-1", "topic": "delivery"}'
    want 201 "a case where files are small"
    for i in 1 2 3 4; do
        req POST /v1/cases/F-1/events "@$T/filler.json" "Prefer: return=minimal"
        want 200 "an event of a megabyte ($i)"
    done
    req POST /v1/cases/F-1/events "@$T/big.json"
    refused 503 null "an event whose write fails"
    req GET /v1/cases/F-1
    want 200 "the case after a failed write"
    if grep -q yyyy "$T/body"; then
        fail "the case shows the event that was refused"; else ok; fi
    req POST /v1/cases/F-1/events "@$T/batch.json"
    refused 503 null "a batch whose second write fails"
    has "$T/body" "only 1 of the 2 events were recorded" "the 503 says how many"
    req POST /v1/cases/F-1/events '{"type": "customer.said", "text": "Sent after."}'
    want 200 "an event after the failed writes"
    req GET /v1/cases/F-1
    json_ok "$T/body" "the case after the failed writes" '
texts = [e.get("text") or "" for e in d["events"]]
assert texts.count("First of the batch.") == 1, texts
assert texts[-1] == "Sent after.", texts
assert not any("yyyy" in t for t in texts), [t[:20] for t in texts]'
    if [ "$(stored F-1 yyyy)" = 0 ]; then ok; else
        fail "the refused event is in the journal"; fi
    stop
    run "$PB" replay $P --format json "$D/F-1.xml"
    expect_rc 0 "the case replays after the failed writes"
    lacks "$T/out" yyyy "the refused event, after the server stopped"
    lacks "$T/err" "torn" "no torn record left behind"
    D=$KEEP_D
fi

# --- clients that do not read: one budget for what waits for them ------
# Each answer of a large case handed out and not read is held (what is
# past the kernel's socket buffers, 4 MiB): past --max-unsent together,
# a new request gets 503 until those clients read or go; a follower
# takes a first message of any size.
KEEP_D=$D D=$T/unsent
start --max-unsent 1048576 --max-body 262144
req POST /v1/cases '{"id": "BIG-1", "topic": "delivery", "agent": "amira"}'
long=$(python3 -c 'print("z" * 60000)')
i=0
while [ $i -lt 50 ]; do
    req POST /v1/cases/BIG-1/events "{\"events\": [
        {\"type\": \"customer.said\", \"text\": \"$long\"},
        {\"type\": \"customer.said\", \"text\": \"$long\"}]}" \
        "Prefer: return=minimal"
    i=$((i + 1))
done
want 200 "a hundred long events"
python3 - "$PORT" "$T/release" >"$T/unsent.out" 2>&1 <<'EOF' &
import os, socket, sys, time
held = []
for _ in range(3):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /v1/cases/BIG-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    held.append(s)
print("holding", flush=True)
t0 = time.time()
while not os.path.exists(sys.argv[2]) and time.time() - t0 < 300:
    time.sleep(0.1)
for s in held:
    s.close()
print("let go", flush=True)
EOF
READERS=$!
# the three answers are made and handed out at the server's pace
i=0 st=0
while [ $i -lt 600 ] && [ "$st" != 503 ]; do
    sleep 0.1; req GET /v1/principles; i=$((i + 1)); done
refused 503 null "a request while 3 answers of 6 MiB wait to be read"
# What the kernel holds for them is outside --max-unsent, and bounded
# too: a fixed send buffer (autotuned, 150 such clients held 181 MiB).
if command -v ss >/dev/null 2>&1; then
    ss -tmn state established "( sport = :$PORT )" >"$T/ss"
    tb=$(grep -o 'tb[0-9]*' "$T/ss" | tr -d tb | sort -n | tail -n 1)
    if [ -n "$tb" ] && [ "$tb" -le 131072 ]; then ok; else
        fail "the kernel's send buffer for a client that does not read: ${tb:-none} bytes"; fi
fi
touch "$T/release"
wait $READERS
i=0 st=0
while [ $i -lt 600 ] && [ "$st" != 200 ]; do
    sleep 0.1; req GET /v1/principles; i=$((i + 1)); done
want 200 "the same request once those clients are gone"
# ... but not so small that a large answer crawls: at 32 KiB each 64 KiB
# segment over loopback waited for the client's delayed ACK (3 MB: 2 s).
if [ -z "${MEMCHECK:-}" ] && case $PB in */asan/*) false ;; esac; then
    python3 - "$PORT" >"$T/big-time" <<'EOF'
import http.client, sys, time
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
c.request("GET", "/v1/cases/BIG-1")
r = c.getresponse()
t = time.monotonic()
n = len(r.read())
print("read %d bytes in %.2f s" % (n, time.monotonic() - t))
EOF
    if awk '{ exit !($2 > 5000000 && $5 < 1.0) }' "$T/big-time"; then ok; else
        fail "a large answer: $(cat "$T/big-time")"; fi
fi
stop
D=$T/unsent
start
python3 - "$PORT" >"$T/big-stream" 2>&1 <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=120)
s.sendall(b"GET /v1/cases/BIG-1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
data = b""
while b"\n\n" not in data.split(b"\r\n\r\n", 1)[-1]:
    b = s.recv(1 << 20)
    if not b:
        break
    data += b
first = data.split(b"\r\n\r\n", 1)[-1].split(b"\n\n")[0]
print("first message", len(first), b"zzzz" in first)
EOF
if grep -q "^first message [0-9]\{7,\} True$" "$T/big-stream"; then ok; else
    fail "following a case over 1 MiB: $(cat "$T/big-stream")"; fi
stop
D=$KEEP_D

# --- more open cases than the soft limit on files ----------------------
# Each open case holds its journal open: started with a soft limit of 64
# files, the server takes the hard one and opens 200 cases.  (Not under
# valgrind, which keeps that limit its own.)
if [ -z "${MEMCHECK:-}" ]; then
    printf '#!/bin/sh\nulimit -Sn 64\nexec "%s" "$@"\n' "$PB" >"$T/few-files.sh"
    chmod +x "$T/few-files.sh"
    KEEP_PB=$PB KEEP_D=$D
    PB=$T/few-files.sh D=$T/many
    start
    PB=$KEEP_PB
    python3 - "$PORT" >"$T/many.out" 2>&1 <<'EOF'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
got = {}
for i in range(200):
    c.request("POST", "/v1/cases", '{"topic": "delivery"}',
              {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    got[r.status] = got.get(r.status, 0) + 1
print(got)
EOF
    has "$T/many.out" "{201: 200}" "200 cases open under a soft limit of 64 files"
    stop
    D=$KEEP_D
fi

# --- a bounded number of open cases -------------------------------------
# With --max-open 3, eight cases in turn: the least recently used is let
# go (its journal closed and unlocked) and read again when next named,
# with nothing lost; a case let go can be written by another program.
run "$PB" serve $P --max-open 0
expect_rc 2 "a bad --max-open"
has "$T/err" "bad --max-open '0'" "a bad --max-open said"
start --max-open 3
for r in 1 2; do
    for i in 1 2 3 4 5 6 7 8; do
        if [ $r = 1 ]; then
            req POST /v1/cases "{\"id\": \"LRU-$i\", \"topic\": \"delivery\"}"
            want 201 "case LRU-$i created"
        fi
        req POST /v1/cases/LRU-$i/events \
            "{\"type\": \"customer.said\", \"text\": \"round $r of $i\"}"
        want 200 "round $r on LRU-$i"
    done
done
for i in 1 5 8; do
    req GET /v1/cases/LRU-$i
    json_ok "$T/body" "LRU-$i read again" "
said = [e['text'] for e in d['events'] if e['type'] == 'customer.said']
assert said == ['round 1 of $i', 'round 2 of $i'], said"
done
# 400 requests at random over 12 cases, 3 open at a time: each answer
# has what the case was sent, in order, however often it was let go and
# read again
python3 - "$PORT" >"$T/lru-random" 2>&1 <<'EOF'
import http.client, json, random, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=60)
def call(method, path, body=None):
    c.request(method, path, json.dumps(body) if body else None,
              {"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, json.loads(r.read() or b"null")
def said(d):
    return [e["text"] for e in d["events"] if e["type"] == "customer.said"]
rnd, sent, bad = random.Random(12), {}, []
for k in range(400):
    cid = "RND-%d" % rnd.randrange(12)
    if cid not in sent:
        st, d = call("POST", "/v1/cases", {"id": cid, "topic": "delivery"})
        sent[cid] = []
        ok = st == 201
    elif rnd.random() < 0.6:
        text = "%s says %d" % (cid, k)
        st, d = call("POST", "/v1/cases/%s/events" % cid,
                     {"type": "customer.said", "text": text})
        sent[cid].append(text)
        ok = st == 200 and said(d) == [text]
    else:
        st, d = call("GET", "/v1/cases/%s" % cid)
        ok = st == 200 and said(d) == sent[cid]
    if not ok:
        bad.append((k, cid, st))
print("bad", bad[:3])
EOF
has "$T/lru-random" "bad []" "400 requests at random, 3 cases open"
if [ "$STORE" = files ]; then
    n=$(ls -l /proc/$SRV/fd | grep -c 'LRU-.*journal')
    if [ "$n" -le 3 ]; then ok; else fail "$n journals open, --max-open 3"; fi
    # asking for cases that are not there lets none go
    ls -l /proc/$SRV/fd | grep -o 'LRU-.*journal' | sort >"$T/open-before"
    for i in 1 2 3 4 5; do req GET /v1/cases/NOPE-$i; done
    ls -l /proc/$SRV/fd | grep -o 'LRU-.*journal' | sort >"$T/open-after"
    if cmp -s "$T/open-before" "$T/open-after"; then ok; else
        fail "probes let cases go: $(cat "$T/open-before") -> $(cat "$T/open-after")"; fi
    # A case file that is a link is not followed (a journal never was):
    # the case it names outside the data folder is neither shown nor
    # taken in, and the link is left as it is.
    mkdir -p "$T/outside"
    cat >"$T/outside/case.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="LINK-1" title="LINK-1">
  <case topic="delivery" channel="phone" agent="outside-agent"/>
  <events>
    <event t="1" type="customer.said">the case outside</event>
  </events>
</scenario>
EOF
    cp "$T/outside/case.xml" "$T/outside/before.xml"
    ln -s "$T/outside/case.xml" "$D/LINK-1.xml"
    req GET /v1/cases/LINK-1
    want 503 "a case file that is a link"
    lacks "$T/body" "outside" "a case file that is a link: not shown"
    req POST /v1/cases/LINK-1/events '{"type": "agent.said", "text": "hi"}'
    want 503 "an event to a case file that is a link"
    has "$T/serve.err" "LINK-1.xml: the case file is a symbolic link; it must be a plain file" \
        "a case file that is a link, said"
    if [ -L "$D/LINK-1.xml" ] && cmp -s "$T/outside/case.xml" "$T/outside/before.xml"
    then ok; else fail "a case file that is a link, or what it names, changed"; fi
    rm -f "$D/LINK-1.xml" "$D/LINK-1.xml.journal"
    # A case is not let go while its last event waits for the sync: read
    # again, it showed that event at once, before it was durable (the
    # sync made slow by 1 GB being written beside it; the event's
    # answer and the read of it went 0.7 s apart with 3 GB).
    python3 - "$PORT" "$T/dirty" >"$T/lru-durable" 2>&1 <<'EOF'
import http.client, json, os, subprocess, sys, threading, time
port, dirty = sys.argv[1:]
def call(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
    c.request(method, path, json.dumps(body) if body else None,
              {"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, r.read().decode()
dd = subprocess.Popen(["dd", "if=/dev/zero", "of=" + dirty, "bs=1M",
                       "count=1000"], stderr=subprocess.DEVNULL)
time.sleep(0.5)
t = {}
def post():
    t["st"], _ = call("POST", "/v1/cases/LRU-1/events",
                      {"type": "customer.said", "text": "not durable yet"})
    t["ack"] = time.monotonic()
th = threading.Thread(target=post)
th.start()
time.sleep(0.05)
for i in (4, 5, 6, 7, 8):       # LRU-1 the least recently used
    call("GET", "/v1/cases/LRU-%d" % i)
st, body = call("GET", "/v1/cases/LRU-1")
t["get"] = time.monotonic()
th.join()
dd.wait()
os.remove(dirty)
early = t["ack"] - t["get"] if "not durable yet" in body else 0
print("post", t["st"], "read", st, "early %.3f s" % early)
assert t["st"] == 200 and st == 200 and early < 0.05, early
EOF
    if [ $? = 0 ]; then ok; else
        fail "a case let go before its event was durable: $(cat "$T/lru-durable")"; fi
    # LRU-2 was let go: the command line writes it, and the server,
    # reading it again, has that event too
    run "$PB" event $P "$D/LRU-2.xml" customer.said "from the command line"
    expect_rc 0 "another program writes a case the server let go"
    req POST /v1/cases/LRU-2/events '{"type": "customer.said", "text": "round 3"}'
    want 200 "the server writes it again"
    json_ok "$T/body" "a case let go, read again" "
said = [e['text'] for e in d['events'] if e['type'] == 'customer.said']
assert said == ['round 3'], said
assert d['events_from'] == 3, d['events_from']"
    req GET /v1/cases/LRU-2
    json_ok "$T/body" "every event of LRU-2" "
said = [e['text'] for e in d['events'] if e['type'] == 'customer.said']
assert said == ['round 1 of 2', 'round 2 of 2', 'from the command line',
                'round 3'], said"
    # The follow-ups of cases not open are kept until their files change:
    # LRU-3's commitment (a promise and a check) is listed from its file,
    # again from what was kept, and once another program adds one, both
    # are; once its file is gone, none is.
    req POST /v1/cases/LRU-3/events '{"type": "agent.said", "text": "I will call you tomorrow at ten."}'
    want 200 "a commitment on LRU-3"
    for i in 4 5 6; do req GET /v1/cases/LRU-$i; done
    followups_of LRU-3 2 "a case not open, read"
    cp "$T/body" "$T/lru-first"
    followups_of LRU-3 2 "a case not open, kept"
    same_as "$T/lru-first" "the follow-ups kept are those read"
    # What was looked at of the cases not open is kept while the data
    # folder's watch (inotify) says nothing of them changed: a listing
    # of unchanged cases looks at none of their files (it stat'ed them
    # all, 0.35 s at 100,000 cases, before reading any); one touched is
    # looked at again, and it alone.  Nor is the folder listed again
    # (0.13 s at 100,000 cases) until a case file comes or goes: one
    # moved in by another program is listed, and one removed is not.
    # (Not under valgrind, which strace cannot follow.)
    if [ -z "${MEMCHECK:-}" ] && strace -o /dev/null true 2>/dev/null; then
        for what in kept touched added; do
            [ $what = touched ] && touch "$D/LRU-7.xml"
            if [ $what = added ]; then
                mkdir -p "$T/elsewhere"
                "$PB" event $P --topic delivery "$T/elsewhere/ADDED-1.xml" \
                    agent.said "I will call you tomorrow at ten." >/dev/null
                mv "$T/elsewhere/ADDED-1.xml" "$D/ADDED-1.xml"
            fi
            strace -f -qq -e trace=stat,newfstatat,statx,lstat,getdents64 \
                -o "$T/stats-$what" -p "$SRV" 2>/dev/null &
            ST=$!
            sleep 0.5
            followups_of LRU-3 2 "a listing, the cases $what"
            sleep 0.2
            kill "$ST"; wait "$ST" 2>/dev/null
        done
        n=$(grep -c 'LRU-\|RND-' "$T/stats-kept")
        if [ "$n" = 0 ]; then ok; else
            fail "a listing of unchanged cases stat'ed $n files"; fi
        n=$(grep 'LRU-\|RND-' "$T/stats-touched" | grep -vc 'LRU-7')
        if grep -q 'LRU-7' "$T/stats-touched" && [ "$n" = 0 ]; then ok; else
            fail "after a touch: $(grep -c LRU-7 "$T/stats-touched") stats of it, $n of others"; fi
        if grep -q getdents "$T/stats-kept" "$T/stats-touched"; then
            fail "the folder listed again with no case file come or gone"
        else ok; fi
        has "$T/stats-added" "getdents" "the folder listed again, a case moved in"
        json_ok "$T/body" "a case moved in by another program, listed" "
assert len([f for f in d['followups'] if f['case'] == 'ADDED-1']) == 2, d"
        rm "$D/ADDED-1.xml"
        followups_of ADDED-1 0 "a case removed by another program"
    fi
    # ... and across a restart, in the data folder's followups.cache,
    # with those of the cases open as the server stopped (LRU-3 here):
    # the first listing reads no case the cache knows unchanged.  A
    # cache changed by hand, its hash made again, shows that it is what
    # the listing used, and again after another restart; one changed
    # without, cut short, without its principles' version or with a
    # line that is not a case is not used, and the cases are read.  (One
    # of other principles is used, as stale: --followups-budget below.)
    req GET /v1/cases/LRU-3
    stop
    cp "$D/followups.cache" "$T/cache"
    sed 's/I will call you tomorrow at ten\./Said in the cache./g' \
        "$T/cache" >"$D/followups.cache"
    rehash "$D/followups.cache"
    for when in "after a restart" "after another restart"; do
        start --max-open 3
        req GET /v1/followups
        json_ok "$T/body" "the listing $when comes from the cache" "
mine = [f['text'] for f in d['followups'] if f['case'] == 'LRU-3']
assert mine == ['Said in the cache.'] * 2, mine"
        stop
    done
    cp "$T/cache" "$D/followups.cache"
    start --max-open 3
    followups_of LRU-3 2 "after a restart"
    same_as "$T/lru-first" "the follow-ups after a restart are those before"
    lacks "$T/serve.err" "not used" "a whole cache, used"
    stop
    # each damage but the first two with its hash made again, so that
    # what reads the lines is tried too (under valgrind, a few: each is a
    # restart)
    damages="edited cut principles stamp event items nul deep extra"
    [ -n "${MEMCHECK:-}" ] && damages="cut principles nul"
    for how in $damages; do
        case $how in
        edited) e='s/I will call you tomorrow at ten\./Not so./g' ;;
        cut) e='3,$d' ;;
        principles) e='1s/"principles":"[^"]*"/"principles":""/' ;;
        stamp) e='/LRU-3/s/"stamp":\["[0-9]*",/"stamp":[/' ;;
        event) e='/LRU-3/s/"event":[0-9]*/"event":-1/' ;;
        items) e='/LRU-3/s/"items":\[.*\]}$/"items":[{}]}/' ;;
        nul) e='/LRU-3/s/"case":"/"case":"\\u0000/' ;;
        deep) e='/LRU-3/s/"agent":[^,]*/"agent":[[[[[["x"]]]]]]/' ;;
        extra) e='/LRU-3/p' ;;
        esac
        sed "$e" "$T/cache" >"$D/followups.cache"
        case $how in edited|cut) ;; *) rehash "$D/followups.cache" ;; esac
        if cmp -s "$T/cache" "$D/followups.cache"; then
            fail "a cache $how: the same as the good one"; fi
        start --max-open 3
        followups_of LRU-3 2 "a cache $how: the cases read"
        same_as "$T/lru-first" "the follow-ups read past a cache $how"
        has "$T/serve.err" "followups.cache not used" "a cache $how, said"
        [ $how = principles ] && has "$T/serve.err" "no principles' version" \
            "a cache without its principles' version, said"
        stop
    done
    # Links are not followed: a cache that is one is not read, and one
    # left where the cache is written aside is not written through: the
    # cache is made afresh there, in the place of the link.
    cp "$T/cache" "$T/cache-good"
    rm -f "$D/followups.cache"
    ln -s "$T/cache-good" "$D/followups.cache"
    echo "not the server's" >"$T/victim"
    ln -s "$T/victim" "$D/followups.cache.new"
    start --max-open 3
    followups_of LRU-3 2 "a cache that is a link: the cases read"
    has "$T/serve.err" "followups.cache not used" "a cache that is a link, said"
    req GET /v1/cases/LRU-3
    stop
    has "$T/victim" "not the server's" "no cache written through a link"
    if cmp -s "$T/cache" "$T/cache-good"; then ok; else
        fail "a cache read through a link was written over"; fi
    if [ -f "$D/followups.cache" ] && [ ! -L "$D/followups.cache" ] &&
        [ ! -e "$D/followups.cache.new" ]; then ok; else
        fail "no cache made in the place of the links"; fi
    # Nor is a FIFO there waited on: its open held the serving thread,
    # every request and the stop for ever.
    rm -f "$D/followups.cache"
    mkfifo "$D/followups.cache.new"
    start --max-open 3
    followups_of LRU-3 2 "a FIFO where the cache is written: the cases read"
    req GET /v1/principles
    want 200 "a FIFO where the cache is written: still serving"
    # (else the stuck server is let go, so that the stop below ends)
    if [ -p "$D/followups.cache.new" ]; then
        fail "the FIFO where the cache is written left in place"
        timeout 5 cat "$D/followups.cache.new" >/dev/null; fi
    stop
    if [ -f "$D/followups.cache" ] && [ ! -e "$D/followups.cache.new" ]; then
        ok; else fail "no cache made in the place of the FIFO"; fi
    # Nor is one over 64 MiB read: read whole at the first listing, 1 GiB
    # held every request 23 s (and took as much memory).
    head -c 70000000 /dev/zero | tr '\0' x >"$D/followups.cache"
    start --max-open 3
    followups_of LRU-3 2 "a cache over 64 MiB: the cases read"
    has "$T/serve.err" "file too large (over 67108864 bytes)" \
        "a cache over 64 MiB, said"
    stop
    rm -f "$D/followups.cache" "$D/followups.cache.new"
    start --max-open 3
    run "$PB" event $P "$D/LRU-3.xml" agent.said "I will email you the label by Friday."
    expect_rc 0 "another program adds a commitment"
    followups_of LRU-3 4 "a case changed by another program, read again"
    rm -f "$D/LRU-3.xml" "$D/LRU-3.xml.journal"
    followups_of LRU-3 0 "a case removed"
    # --followups-budget: a listing reads cases for so long at most (every
    # other request waits meanwhile) and counts what it left: a case not
    # read since it changed is pending (left out), one not read since the
    # principles were reloaded is stale (listed as the ones before found
    # it).  The next listings read on, one case each at least, until one
    # is whole: the same as a listing read in one go.  (Under valgrind,
    # only the first of each: each case read takes a second.)
    stop
    cp -r principles "$T/pb"
    P="-p $T/pb"
    rm -f "$D/followups.cache"
    start
    req GET /v1/followups
    cp "$T/body" "$T/whole"
    stop
    mv "$D/followups.cache" "$T/cache-whole"
    start --followups-budget 1
    # listings: GET /v1/followups until nothing is left (at most 100),
    # each answer in $T/listing-N, their pending and stale in $T/left
    listings() {
        : >"$T/left"
        n=0
        while [ $n -lt 100 ]; do
            n=$((n + 1))
            req GET /v1/followups
            cp "$T/body" "$T/listing-$n"
            python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["pending"], d["stale"])' "$T/body" >>"$T/left"
            if [ "$(tail -n 1 "$T/left")" = "0 0" ] || [ -n "${MEMCHECK:-}" ]; then
                break; fi
        done
    }
    # left_ok WHAT COLUMN: the counts of COLUMN (1 pending, 2 stale) go
    # down at each listing, from more than one, to 0, and none is left at
    # the last
    left_ok() {
        if awk -v c="$2" -v m="${MEMCHECK:-}" '
            NR == 1 && $c < 2 { bad = 1 }
            NR > 1 && last > 0 && $c >= last { bad = 1 }
            { last = $c; both = $1 + $2 }
            END { exit bad || (!m && both != 0) }' "$T/left"
        then ok; else fail "$1: $(tr '\n' ' ' <"$T/left")"; fi
    }
    listings
    left_ok "--followups-budget 1: cases left pending, read by the next listings" 1
    [ -z "${MEMCHECK:-}" ] &&
        same_as "$T/whole" "a listing read over $n, whole at last"
    # stale: the cache of every case found, on principles changed since
    # (a restart), then on others again (a reload)
    stop
    cp "$T/cache-whole" "$D/followups.cache"
    echo "-- changed" >>"$T/pb/own.lua"
    for how in "a restart" "a reload"; do
        if [ "$how" = "a restart" ]; then
            # one listing, and another restart: the cache then written
            # keeps the cases not read again as stale
            start --followups-budget 1
            req GET /v1/followups
            stop
            n=$(grep -c '"stale":true' "$D/followups.cache")
            if [ "$n" -ge 2 ]; then ok; else
                fail "the cache kept $n stale cases"; fi
            start --followups-budget 1
        else
            echo "-- changed again" >>"$T/pb/own.lua"
            kill -HUP "$SRV"
            hup_wait 1
        fi
        listings
        left_ok "$how with other principles: cases stale, read again by the next listings" 2
        [ -n "${MEMCHECK:-}" ] && continue
        same_as "$T/whole" "$how: a listing read again over $n, whole at last"
        # the principles changed only by a comment: what the stale ones
        # list is what the new ones find
        if python3 -c 'import json, sys
a, b = (json.load(open(f))["followups"] for f in sys.argv[1:])
assert a == b' "$T/listing-1" "$T/whole" 2>/dev/null; then ok; else
            fail "$how: the stale cases not listed as they were"; fi
    done
    P="-p principles"
    # Looking at cases counts in the budget too: of 1,000 cases not open,
    # a listing whose budget is spent looks at the first batch (256
    # cases: a file and a journal each) and leaves the rest pending; it
    # looked at all 2,000 files first.  (strace: not under valgrind.)
    if [ -z "${MEMCHECK:-}" ] && strace -o /dev/null true 2>/dev/null; then
        stop
        start
        req POST /v1/cases '{"id": "MANY-0", "topic": "delivery"}'
        want 201 "a case to copy"
        stop
        python3 - "$D" <<'EOF'
import sys
d = sys.argv[1]
src = open(d + "/MANY-0.xml").read()
for i in range(1, 1000):
    open("%s/MANY-%d.xml" % (d, i), "w").write(src.replace("MANY-0", "MANY-%d" % i))
EOF
        rm -f "$D/followups.cache"
        start --followups-budget 1
        strace -f -qq -e trace=stat,newfstatat,statx,lstat \
            -o "$T/stats-many" -p "$SRV" 2>/dev/null &
        ST=$!
        sleep 0.5
        req GET /v1/followups
        sleep 0.2
        kill "$ST"; wait "$ST" 2>/dev/null
        n=$(grep -c 'MANY-' "$T/stats-many")
        json_ok "$T/body" "a listing of 1,000 cases, its budget spent" "
assert d['pending'] >= 700, d['pending']"
        if [ "$n" -le 1000 ]; then ok; else
            fail "a listing whose budget was spent looked at $n files"; fi
    fi
fi
stop

# --- the bytes of events open cases hold --------------------------------------
# With --max-open-bytes 1 MiB, eight cases of 500 events (about 330 KB
# each): the least recently used are let go, at most three open, and
# each reads back whole; a case of more than 1 MiB alone stays open
# while it is used, and still takes events.
run "$PB" serve $P --max-open-bytes 1000
expect_rc 2 "a bad --max-open-bytes"
has "$T/err" "bad --max-open-bytes '1000' (1 MiB to 1 TiB)" \
    "a bad --max-open-bytes said"
start --max-open-bytes 1048576
python3 - "$PORT" >"$T/bytes" 2>&1 <<'EOF'
import http.client, json, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=120)
def call(method, path, body=None):
    c.request(method, path, json.dumps(body) if body is not None else None,
              {"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, json.loads(r.read() or b"null")
def fill(cid, batches):
    for b in range(batches):
        st, d = call("POST", "/v1/cases/%s/events" % cid, {"events": [
            {"type": "customer.said", "text": "%s %d %d %s" % (cid, b, k, "x" * 560)}
            for k in range(100)]})
        assert st == 200, (cid, b, st, d)
def said(cid):
    st, d = call("GET", "/v1/cases/" + cid)
    assert st == 200, (cid, st)
    return sum(1 for e in d["events"] if e["type"] == "customer.said")
for i in range(8):
    assert call("POST", "/v1/cases", {"id": "MB-%d" % i, "topic": "delivery"})[0] == 201
    fill("MB-%d" % i, 5)
print("read back", [said("MB-%d" % i) for i in range(8)])
assert call("POST", "/v1/cases", {"id": "MB-BIG", "topic": "delivery"})[0] == 201
fill("MB-BIG", 20)
print("the large one", said("MB-BIG"))
EOF
has "$T/bytes" "read back [500, 500, 500, 500, 500, 500, 500, 500]" \
    "cases let go by their bytes read back whole"
has "$T/bytes" "the large one 2000" "a case over --max-open-bytes alone takes events"
if [ "$STORE" = files ]; then
    n=$(ls -l /proc/$SRV/fd | grep -c 'MB-.*journal')
    if [ "$n" -le 3 ]; then ok; else
        fail "$n journals open, --max-open-bytes 1 MiB"; fi
fi
stop

# --- tokens and roles --------------------------------------------------------
TOK="$T/tokens"
run "$PB" serve --tokens "$TOK" --add-token agent:amira
expect_rc 0 "a token for an agent"
AMIRA=$(cat "$T/out")
run "$PB" serve --tokens "$TOK" --add-token agent:ben
BEN=$(cat "$T/out")
run "$PB" serve --tokens "$TOK" --add-token lead:lena
LENA=$(cat "$T/out")
if [ ${#AMIRA} = 64 ] && [ "$AMIRA" != "$BEN" ]; then ok; else
    fail "tokens: '$AMIRA' '$BEN'"; fi
if grep -q "$AMIRA" "$TOK"; then fail "the token file holds a token"; else ok; fi
has "$TOK" "agent amira " "the token file names the agent"
case $(stat -c %a "$TOK") in 600) ok ;; *) fail "token file mode $(stat -c %a "$TOK")" ;; esac
run "$PB" serve --tokens "$TOK" --add-token boss:x
expect_rc 2 "a token with an unknown role"
run "$PB" serve --add-token agent:x
expect_rc 2 "--add-token without --tokens"
printf 'agent amira %s\nchief bob %s\n' "$(printf %064d 0)" "$(printf %064d 0)" >"$T/badtok"
run "$PB" serve $P --tokens "$T/badtok" --listen 127.0.0.1:0
expect_rc 2 "a bad token file"
has "$T/err" "$T/badtok:2: unknown role 'chief'" "the bad line named"
run "$PB" serve $P --listen 0.0.0.0:0 --data "$D"
expect_rc 2 "another address without tokens"
has "$T/err" "without --tokens" "another address without tokens said"
start --tokens "$TOK"
req GET /v1/principles
refused 401 Authorization "no token"
req GET /v1/principles - "Authorization:Bearer $(printf %064d 1)"
refused 401 Authorization "an unknown token"
req GET /v1/principles - "Authorization:Bearer $AMIRA"
want 200 "a known token"
req POST /v1/cases '{"id": "A-1", "topic": "delivery"}' "Authorization:Bearer $AMIRA"
want 201 "an agent creates a case"
json_ok "$T/body" "the agent's case" '
assert d["case"]["agent"] == "amira", d["case"]["agent"]'
req POST /v1/cases '{"id": "A-2", "topic": "delivery", "agent": "ben"}' \
    "Authorization:Bearer $AMIRA"
refused 403 agent "an agent creating a case for another"
req GET /v1/cases/A-1 - "Authorization:Bearer $BEN"
refused 404 null "another agent's case"
req POST /v1/cases/A-1/events '{"type": "customer.said", "text": "hi"}' \
    "Authorization:Bearer $BEN"
refused 404 null "an event on another agent's case"
req GET /v1/cases/C-1 - "Authorization:Bearer $AMIRA"
refused 404 null "a case of nobody's, to an agent"
# Another agent's case is refused without being opened: opened, it let
# another case go, and probes of ids emptied the open cases (each
# owner's next event then paid to read theirs again, on their share).
if [ "$STORE" = files ]; then
    stop
    start --tokens "$TOK" --max-open 2
    for i in 1 2 3; do
        req POST /v1/cases "{\"id\": \"PROBE-$i\", \"topic\": \"delivery\"}" \
            "Authorization:Bearer $BEN"
    done
    ls -l "/proc/$SRV/fd" | grep -o 'PROBE-[0-9]*\.xml\.journal' | sort >"$T/probe-before"
    req GET /v1/cases/PROBE-1 - "Authorization:Bearer $AMIRA"
    refused 404 null "an agent probing another's case, not open"
    req POST /v1/cases/PROBE-1/events '{"type": "agent.said", "text": "x"}' \
        "Authorization:Bearer $AMIRA"
    refused 404 null "an event to another agent's case, not open"
    ls -l "/proc/$SRV/fd" | grep -o 'PROBE-[0-9]*\.xml\.journal' | sort >"$T/probe-after"
    if [ -s "$T/probe-before" ] && cmp -s "$T/probe-before" "$T/probe-after"
    then ok; else
        fail "probes opened cases: $(cat "$T/probe-before") -> $(cat "$T/probe-after")"; fi
    req GET /v1/cases/PROBE-1 - "Authorization:Bearer $BEN"
    want 200 "the owner's case, not open, read"
    stop
    start --tokens "$TOK"
fi
req POST /v1/cases/A-1/events '{"type": "customer.said", "text": "hi"}' \
    "Authorization:Bearer $AMIRA"
want 200 "an event on the agent's own case"
req GET /v1/cases/A-1 - "Authorization:Bearer $LENA"
want 200 "a lead reads any case"
req GET /v1/cases/C-1 - "Authorization:Bearer $LENA"
want 200 "a lead reads a case of nobody's"
req GET /v1/followups - "Authorization:Bearer $BEN"
want 200 "an agent's follow-ups"
json_ok "$T/body" "none of amira's for ben" '
assert all(x["agent"] == "ben" for x in d["followups"]), d'
req GET "/v1/followups?agent=amira" - "Authorization:Bearer $BEN"
refused 403 agent "an agent asking for another's follow-ups"
req GET "/v1/followups?agent=amira" - "Authorization:Bearer $LENA"
json_ok "$T/body" "a lead asks for amira's" '
assert d["followups"] and all(x["agent"] == "amira" for x in d["followups"]), d'
stop

# --- each agent's share of the server's time ----------------------------------
# Amira posts batches one after another until her 5 ms a second are
# spent (her client takes less than 200 times what the server
# does between two): then 429 with Retry-After, nothing recorded;
# Ben and Lena are served at once; after Retry-After she is again.
# (That all of one name's tokens share it is test_share.c's: here the
# debt left may be paid back before another token could ask.)
start --tokens "$TOK" --agent-share 5
python3 - "$PORT" "$AMIRA" "$BEN" "$LENA" >"$T/share" 2>&1 <<'EOF'
import sys, time
sys.path.insert(0, "tests/e2e/lib")
from token_client import Client
port, amira, ben, lena = sys.argv[1:]
call = Client(port).call
batch = {"events": [{"type": "customer.said", "text": "My parcel %d is late." % i}
                    for i in range(5)]}
# made by a lead, whom nothing limits: under valgrind a server's first
# requests take far longer than the next ones
st, _, d = call(lena, "POST", "/v1/cases",
                {"id": "SH-1", "topic": "delivery", "agent": "amira"})
assert st == 201, (st, d)
st, _, d = call(lena, "POST", "/v1/cases/SH-1/events", batch)
assert st == 200, (st, d)
total = d["events_from"] + len(d["events"])
for n in range(2000):
    st, after, d = call(amira, "POST", "/v1/cases/SH-1/events", batch)
    if st != 200:
        break
    total = d["events_from"] + len(d["events"])
assert st == 429, (n, st)
e = d["error"]
assert e["status"] == 429 and e["field"] == "Authorization", e
assert "amira" in e["message"] and "share" in e["message"], e
assert after is not None and after.isdigit() and 1 <= int(after) <= 60, after
st, _, d = call(lena, "GET", "/v1/cases/SH-1?events_from=%d" % total)
assert st == 200 and d["events"] == [], ("a refused batch was recorded", st)
st, _, d = call(ben, "GET", "/v1/principles")
assert st == 200, ("ben", st)
st, _, d = call(lena, "POST", "/v1/cases/SH-1/events", batch)
assert st == 200, ("lena", st)
time.sleep(int(after))
st, _, d = call(amira, "GET", "/v1/cases/SH-1?events_from=%d" % total)
assert st == 200, ("after Retry-After", st, d)
print("429 after %d batches, Retry-After %s" % (n, after))
# Opening a stream is charged too: its first message is the whole case
# (here 1 MB), made once the request is answered.
big = {"events": [{"type": "customer.said", "text": "x" * 10000}] * 5}
st, _, d = call(lena, "POST", "/v1/cases",
                {"id": "SH-2", "topic": "delivery", "agent": "amira"})
for i in range(20):
    st, _, d = call(lena, "POST", "/v1/cases/SH-2/events", big)
    assert st == 200, (st, d)
time.sleep(int(after))
import socket
for n in range(100):
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=60)
    s.sendall(b"GET /v1/cases/SH-2/stream HTTP/1.1\r\nHost: localhost\r\n"
              b"Authorization: Bearer " + amira.encode() + b"\r\n\r\n")
    got = b""
    while len(got) < 200:
        b = s.recv(4096)
        if not b:
            break
        got += b
    s.close()
    if not got.startswith(b"HTTP/1.1 200"):
        break
assert got.startswith(b"HTTP/1.1 429"), (n, got[:80])
print("streams: 429 after %d opened" % n)
EOF
if [ $? = 0 ]; then ok; else fail "each agent's share: $(cut -c1-300 "$T/share")"; fi
stop

# --- each agent's share of the data folder ------------------------------------
# 600,000 bytes of events a minute (10,000 a second): Amira posts
# batches of five 1 KiB utterances until it is spent, then 429 with
# Retry-After naming the data folder, nothing recorded; she still reads;
# Ben and Lena still write; after Retry-After she writes again.
start --tokens "$TOK" --agent-share 0 --agent-disk 600000
python3 - "$PORT" "$AMIRA" "$BEN" "$LENA" >"$T/disk" 2>&1 <<'EOF'
import sys, time
sys.path.insert(0, "tests/e2e/lib")
from token_client import Client
port, amira, ben, lena = sys.argv[1:]
call = Client(port).call
said = "My parcel is late and " + "I need it for Saturday, " * 42
batch = {"events": [{"type": "customer.said", "text": said} for i in range(5)]}
for case, agent in (("DK-1", "amira"), ("DK-2", "ben")):
    st, _, d = call(lena, "POST", "/v1/cases",
                    {"id": case, "topic": "delivery", "agent": agent})
    assert st == 201, (st, d)
# what an event adds, as --max-open-bytes counts it (docs/api.md)
def size(ev):
    return (64 + len(ev["type"].encode()) + len((ev["text"] or "").encode())
            + sum(8 + len(k.encode()) + len(v.encode())
                  for k, v in ev["attrs"].items()))
st, _, d = call(amira, "GET", "/v1/cases/DK-1")
total = start = len(d["events"])
t0 = time.monotonic()
for n in range(400):
    st, after, d = call(amira, "POST", "/v1/cases/DK-1/events", batch)
    if st != 200:
        break
    total = d["events_from"] + len(d["events"])
    last = sum(size(ev) for ev in d["events"])
took = time.monotonic() - t0
assert st == 429, (n, st)
e = d["error"]
st, _, d = call(amira, "GET", "/v1/cases/DK-1")
added = sum(size(ev) for ev in d["events"][start:total])
# refused once past 600,000 and what came back meanwhile, not before
assert 600000 < added <= 600000 + 10000 * took + last, (added, took, last)
assert e["status"] == 429 and e["field"] == "Authorization", e
assert "amira" in e["message"] and "data folder" in e["message"], e
assert after is not None and after.isdigit() and 1 <= int(after) <= 3, after
st, _, d = call(amira, "GET", "/v1/cases/DK-1?events_from=%d" % total)
assert st == 200 and d["events"] == [], ("a refused batch was recorded", st)
st, _, d = call(ben, "POST", "/v1/cases/DK-2/events", batch)
assert st == 200, ("ben", st, d)
st, _, d = call(lena, "POST", "/v1/cases/DK-1/events", batch)
assert st == 200, ("lena", st, d)
time.sleep(int(after))
st, _, d = call(amira, "POST", "/v1/cases/DK-1/events", batch)
assert st == 200, ("after Retry-After", st, d)
print("429 after %d batches, %d bytes, Retry-After %s" % (n, added, after))
EOF
if [ $? = 0 ]; then ok; else fail "each agent's share of the data folder: $(cut -c1-300 "$T/disk")"; fi
stop

# --- an agent's streams -----------------------------------------------------
# Amira follows her case from 32 streams, the most an agent may: a 33rd
# ends her oldest, a 34th the next oldest; the rest stay open, and so do
# a lead's 40 (test_follow.c: while one is still ending, a new one ends
# itself).
start --tokens "$TOK"
python3 - "$PORT" "$AMIRA" "$LENA" >"$T/streams" 2>&1 <<'EOF'
import select, socket, sys, time
port, amira, lena = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
def follow(token):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(b"GET /v1/cases/SH-1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Authorization: Bearer " + token + b"\r\n\r\n")
    data = b""
    while b"event: case" not in data:
        b = s.recv(65536)
        assert b, data
        data += b
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
    return s
def ended(s, within):
    """Whether the stream ends (its last chunk, or the connection closed)
    within `within` seconds."""
    data, until = b"", time.monotonic() + within
    while select.select([s], [], [], max(0, until - time.monotonic()))[0]:
        b = s.recv(65536)
        data += b
        if not b or data == b"0\r\n\r\n" or data.endswith(b"\r\n0\r\n\r\n"):
            return True
    return False
hers = [follow(amira) for _ in range(32)]
leads = [follow(lena) for _ in range(40)]
assert not any(ended(s, 0) for s in hers + leads), "a stream ended early"
hers.append(follow(amira))
assert ended(hers[0], 30), "a 33rd stream did not end her oldest"
hers.append(follow(amira))
assert ended(hers[1], 30), "a 34th stream did not end the next oldest"
time.sleep(0.5)
assert not any(ended(s, 0) for s in hers[2:] + leads), "another stream ended"
print("ok")
EOF
if [ $? = 0 ]; then ok; else fail "an agent's streams: $(cut -c1-300 "$T/streams")"; fi
stop

# --- what an agent's clients do not read ------------------------------------
# Each agent may leave an eighth of --max-unsent unread (1 MiB of 8
# here). Amira's client that does not read her 6 MB case (BIG-1, above)
# holds more: her next requests get 429 while Ben and a lead are served,
# where her eight such clients would have filled the budget for all
# (503). Once they are gone she is served again. Then three of Lena's
# clients (a lead: no part) that do not read it hold more than the 8 MiB
# together: her requests get 503, while Ben's and Amira's, who hold none
# of it, get 200 (before, 503 for everyone until --timeout).
KEEP_D=$D D=$T/unsent
start --tokens "$TOK" --max-unsent 8388608
python3 - "$PORT" "$AMIRA" "$BEN" "$LENA" >"$T/part" 2>&1 <<'EOF'
import http.client, socket, sys, time
port = int(sys.argv[1])
amira, ben, lena = sys.argv[2:5]
def status(token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("GET", "/v1/principles",
              headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Retry-After"), body
def unread(token):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /v1/cases/BIG-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Authorization: Bearer " + token.encode() + b"\r\n\r\n")
    return s
def until(token, want):
    t0 = time.time()
    while status(token)[0] != want:
        assert time.time() - t0 < 120, "never %d for %s" % (want, token[:6])
        time.sleep(0.1)
def served(*tokens):
    for token in tokens:
        st, _, body = status(token)
        assert st == 200, (st, body[:300])
held = [unread(amira)]
until(amira, 429)
st, after, body = status(amira)
assert st == 429 and after == "1", (st, after, body[:300])
assert b'"field":"Authorization"' in body and b"waiting to be read" in body, body
held += [unread(amira) for _ in range(7)]
time.sleep(2)
served(ben, lena)
for s in held:
    s.close()
until(amira, 200)
held = [unread(lena) for _ in range(3)]
until(lena, 503)
st, _, body = status(lena)
assert st == 503 and b"waiting for clients to read" in body, (st, body[:300])
served(ben, amira)
for s in held:
    s.close()
until(lena, 200)
print("ok")
EOF
if [ $? = 0 ]; then ok; else fail "what an agent's clients do not read: $(cut -c1-400 "$T/part")"; fi
stop
D=$KEEP_D

# --- connections that wait for a request -----------------------------------
# Anyone who reaches the port can open connections and send nothing. With
# --max-connections 32, Ben's connection, which showed his token, waits
# for his next request while 100 others connect and send nothing: past
# 24 each new one lets the oldest waiting one go, his last; Amira is
# served at once, and so is Ben's next request on his connection. Before,
# at 32 the server took no more connections until --timeout let some go.
start --tokens "$TOK" --max-connections 32
python3 - "$PORT" "$AMIRA" "$BEN" >"$T/room" 2>&1 <<'EOF'
import http.client, select, socket, sys, time
port, amira, ben = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def get(c, token):
    c.request("GET", "/v1/principles",
              headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    r.read()
    return r.status
kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
assert get(kept, ben) == 200
idle = [socket.create_connection(("127.0.0.1", port)) for i in range(100)]
time.sleep(0.5)
def closed(s):
    try:
        return select.select([s], [], [], 0)[0] and s.recv(1) == b""
    except ConnectionResetError:
        return True
gone = sum(1 for s in idle if closed(s))
assert gone >= 100 - 24, "%d of 100 let go" % gone
t0 = time.time()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
assert get(c, amira) == 200
took = time.time() - t0
sock = kept.sock
assert get(kept, ben) == 200 and kept.sock is sock, "Ben's connection lost"
print("let go %d of 100; Amira served in %.3f s; Ben's kept" % (gone, took))
EOF
if [ $? = 0 ]; then ok; else fail "connections that wait: $(cut -c1-400 "$T/room")"; fi
stop

# --- a large case's first message is not held after it is sent --------------
# Six followers of a case whose JSON is about 1.5 MB each read its first
# message whole, and stay: with 8 MiB for what clients leave unread, the
# server still answers (each stream's 2 MiB buffer given back once sent;
# held, four would have used it up).
start --max-unsent 8388608 --max-body 1048576
python3 - "$PORT" >"$T/big-follow" 2>&1 <<'EOF'
import http.client, json, socket, sys
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
def call(method, path, body=None):
    c.request(method, path, body and json.dumps(body),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    return r.status, r.read()
st, b = call("POST", "/v1/cases", {"id": "LARGE-1", "topic": "delivery"})
assert st == 201, (st, b[:200])
words = "the parcel was left at the wrong door again " * 20
for k in range(15):
    st, b = call("POST", "/v1/cases/LARGE-1/events",
                 {"events": [{"type": "customer.said", "text": "%d %s" % (i, words)}
                             for i in range(100)]})
    assert st == 200, (st, b[:200])
def follow():
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.sendall(b"GET /v1/cases/LARGE-1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while not (b"event: case" in data and b"}\n\n" in data):
        b = s.recv(1 << 20)
        assert b, data[:200]
        data += b
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
    return s, len(data)
kept = [follow() for _ in range(6)]
assert kept[0][1] > 1200000, "the case is only %d bytes" % kept[0][1]
st, b = call("GET", "/v1/principles")
assert st == 200, (st, b[:200])
print("ok", [n for _, n in kept])
EOF
if [ $? = 0 ]; then ok; else fail "followers of a large case: $(cut -c1-300 "$T/big-follow")"; fi
stop

# --- SIGHUP: the principles and tokens again; open cases keep theirs ------
cp -r principles "$T/p"
P="-p $T/p"
D="$T/data-hup"
start --tokens "$TOK"
version() { # the version of the last answer, in $v
    v=$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d.get("principles") if isinstance(d.get("principles"), str) else d["version"])' "$T/body")
}
req GET /v1/principles - "Authorization:Bearer $LENA"
version; v1=$v
req POST /v1/cases '{"id": "R-1", "topic": "delivery"}' "Authorization:Bearer $LENA"
version
if [ "$v" = "$v1" ] && [ ${#v1} = 12 ]; then ok; else
    fail "a case says its principles' version: '$v' '$v1'"; fi
sed -i 's/Schedule a follow-up with the customer, with a date\./Book the call-back, with a date./' \
    "$T/p/follow_up.lua"
kill -HUP "$SRV"
hup_wait 1
has "$T/serve.err" "reloaded: principles " "SIGHUP reloads"
req GET /v1/principles - "Authorization:Bearer $LENA"
version; v2=$v
has "$T/body" "Book the call-back" "the new principles after SIGHUP"
if [ "$v2" != "$v1" ]; then ok; else fail "the version did not change"; fi
req POST /v1/cases/R-1/events '{"type": "customer.said", "text": "Still no parcel."}' \
    "Authorization:Bearer $LENA"
version
if [ "$v" = "$v1" ]; then ok; else fail "an open case changed version: $v"; fi
if grep -q "Book the call-back" "$T/body"; then
    fail "an open case took the new principles"; else ok; fi
req POST /v1/cases '{"id": "R-2", "topic": "delivery"}' "Authorization:Bearer $LENA"
version
if [ "$v" = "$v2" ]; then ok; else fail "a new case after SIGHUP: $v"; fi
# A principle that fails: nothing changes, tokens included.
"$PB" serve --tokens "$TOK" --add-token agent:carla >"$T/carla" 2>&1
CARLA=$(cat "$T/carla")
printf 'return principle { id = "x", itmes = {} }\n' >"$T/p/zz_bad.lua"
kill -HUP "$SRV"
hup_wait 2
has "$T/serve.err" "zz_bad.lua:1: " "a failed reload names the file and line"
has "$T/serve.err" "not reloaded (see above): still principles $v2" "a failed reload keeps the principles"
req GET /v1/principles - "Authorization:Bearer $CARLA"
refused 401 Authorization "a failed reload keeps the old tokens too"
rm "$T/p/zz_bad.lua"
kill -HUP "$SRV"
hup_wait 3
req GET /v1/principles - "Authorization:Bearer $CARLA"
want 200 "a token added, then SIGHUP"
version
if [ "$v" = "$v2" ]; then ok; else fail "the same files, another version: $v"; fi
# The same principles: the engine in use stays.  Each reload made a new
# one, which a case opened after it held (560 KB each): a config tool
# reloading for its tokens grew the server by a case's worth of engines.
has "$T/serve.err" "reloaded: principles $v2, unchanged; tokens" \
    "a reload of the same principles, said"
if [ -z "${MEMCHECK:-}" ] && case $PB in */asan/*) false ;; esac; then
    r0=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SRV/status")
    k=0
    while [ $k -lt 20 ]; do
        kill -HUP "$SRV"
        hup_wait $((4 + k))
        req POST /v1/cases "{\"id\": \"HUP-$k\", \"topic\": \"delivery\"}" \
            "Authorization:Bearer $LENA"
        k=$((k + 1))
    done
    r1=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SRV/status")
    if [ $((r1 - r0)) -lt 4096 ]; then ok; else
        fail "20 reloads of the same principles: RSS $r0 -> $r1 KiB"; fi
    HUPS_DONE=20
else
    HUPS_DONE=0
fi
# Carla follows her case, Lena the same one: taking Carla's token away
# ends her stream; Lena's goes on.
req POST /v1/cases '{"id": "C-9", "topic": "delivery"}' "Authorization:Bearer $CARLA"
want 201 "carla's case"
follow_until_end() { # TOKEN OUT: reads the stream of C-9 until it ends
    python3 - "$PORT" "$1" >"$2" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"GET /v1/cases/C-9/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          b"Authorization: Bearer " + sys.argv[2].encode() + b"\r\n\r\n")
data = s.recv(65536)
print("open", data.split(b"\r\n", 1)[0].decode(), flush=True)
try:        # until the last chunk, or the connection closes
    while not data.endswith(b"\r\n0\r\n\r\n"):
        b = s.recv(65536)
        if not b:
            break
        data += b
    print("ended", flush=True)
except socket.timeout:
    print("still open", flush=True)
EOF
}
follow_until_end "$CARLA" "$T/carla-stream"; CARLA_READER=$!
follow_until_end "$LENA" "$T/lena-stream"; LENA_READER=$!
i=0
while [ $i -lt 100 ] && ! { grep -q open "$T/carla-stream" &&
                            grep -q open "$T/lena-stream"; }; do
    sleep 0.1; i=$((i + 1)); done
grep -v "^agent carla " "$TOK" >"$T/tok2" && cat "$T/tok2" >"$TOK"
kill -HUP "$SRV"
hup_wait $((4 + HUPS_DONE))
req GET /v1/principles - "Authorization:Bearer $CARLA"
refused 401 Authorization "a token removed, then SIGHUP"
wait $CARLA_READER
has "$T/carla-stream" "open HTTP/1.1 200 OK" "carla's stream opened"
has "$T/carla-stream" "ended" "the stream of a token taken away ends"
if grep -q ended "$T/lena-stream"; then
    fail "the lead's stream ended too"; else ok; fi
kill "$LENA_READER" 2>/dev/null
stop
if [ "$STORE" = files ]; then
    # As it stopped, the server kept what its open cases promise for
    # after a restart (R-2), but not for a case on principles reloaded
    # since (R-1): that one is read again, with the principles of then.
    has "$D/followups.cache" '"case":"R-2"' "a case on the principles loaded, kept"
    lacks "$D/followups.cache" '"case":"R-1"' "a case on older principles, not kept"
fi
# SIGHUPs while a reload runs (systemctl reload twice, say): each waits
# for the one before, and the server stops as it should after them (a
# thread started before the signals were blocked took one and ended the
# process: tried).
start
i=0
while [ $i -lt 10 ]; do kill -HUP "$SRV"; sleep 0.003; i=$((i + 1)); done
hup_wait 1
if kill -0 "$SRV" 2>/dev/null; then ok; else fail "SIGHUPs during a reload ended the server"; fi
stop
# An engine no open case uses is freed at the next reload: 12 reloads
# with one case open (--max-open 1) leave the memory as it was, where
# each kept would hold its principles (about 0.5 MB).  (An ASan build
# keeps what is freed for a while, unless told not to.)  A case let go
# comes back with the principles of the moment.
KEEP_ASAN=${ASAN_OPTIONS-}
export ASAN_OPTIONS="${KEEP_ASAN:+$KEEP_ASAN:}quarantine_size_mb=0"
start --max-open 1
export ASAN_OPTIONS="$KEEP_ASAN"
req POST /v1/cases '{"id": "H-1", "topic": "delivery"}'
version; h1=$v
hups=12
[ -n "${MEMCHECK:-}" ] && hups=3
kill -HUP "$SRV"; hup_wait 1
rss0=$(awk '/^VmRSS/ {print $2}' /proc/$SRV/status)
n=1
while [ $n -le $hups ]; do
    kill -HUP "$SRV"; hup_wait $((n + 1)); n=$((n + 1)); done
rss1=$(awk '/^VmRSS/ {print $2}' /proc/$SRV/status)
if [ -n "${MEMCHECK:-}" ] || [ $((rss1 - rss0)) -lt 3072 ]; then ok; else
    fail "$hups reloads grew the server by $((rss1 - rss0)) KiB"; fi
req POST /v1/cases/H-1/events '{"type": "customer.said", "text": "Hello?"}'
version
if [ "$v" = "$h1" ]; then ok; else fail "H-1 changed principles: $v"; fi
sed -i 's/Book the call-back, with a date\./Book a call-back, with a date./' \
    "$T/p/follow_up.lua"
kill -HUP "$SRV"; hup_wait $((hups + 2))
req POST /v1/cases '{"id": "H-2", "topic": "delivery"}'
version; h2=$v
req GET /v1/cases/H-1
want 200 "H-1, let go for H-2, read again"
version
if [ "$v" = "$h2" ] && [ "$h2" != "$h1" ]; then ok; else
    fail "H-1 read again after a reload: $v, new $h2, was $h1"; fi
json_ok "$T/body" "H-1 whole after it was let go" "
said = [e['text'] for e in d['events'] if e['type'] == 'customer.said']
assert said == ['Hello?'], said"
stop
P="-p principles"

# --- PostgreSQL: two servers share the cases ------------------------------
if [ "$STORE" = pg ]; then
    start --followups-cache "$T/followups-a.cache"
    SRV_A=$SRV PORT_A=$PORT
    start
    SRV_B=$SRV PORT_B=$PORT
    # A lists the follow-ups of a case only B has open, keeps them, and
    # reads the case again once B adds to it (its last sequence number)
    PORT=$PORT_B
    req POST /v1/cases '{"id": "PGF-1", "topic": "delivery"}'
    want 201 "a case made on B"
    req POST /v1/cases/PGF-1/events '{"type": "agent.said", "text": "I will call you tomorrow at ten."}'
    want 200 "a commitment on B"
    PORT=$PORT_A
    followups_of PGF-1 2 "a case not open here, read"
    cp "$T/body" "$T/pgf-first"
    followups_of PGF-1 2 "a case not open here, kept"
    same_as "$T/pgf-first" "the follow-ups kept are those read"
    PORT=$PORT_B
    req POST /v1/cases/PGF-1/events '{"type": "agent.said", "text": "I will email you the label by Friday."}'
    want 200 "another commitment on B"
    PORT=$PORT_A
    followups_of PGF-1 4 "a case another server added to, read again"
    # --followups-cache keeps what A found across its restart, each case
    # with the database's stamp of it: changed by hand (its hash made
    # again), the cache shows that the listing after the restart used
    # it; a case B adds to while A is down is read again.
    SRV=$SRV_A; stop
    sed 's/I will call you tomorrow at ten\./Said in the cache./g' \
        "$T/followups-a.cache" >"$T/cache-pg"
    mv "$T/cache-pg" "$T/followups-a.cache"
    rehash "$T/followups-a.cache"
    start --followups-cache "$T/followups-a.cache"
    SRV_A=$SRV PORT_A=$PORT
    req GET /v1/followups
    json_ok "$T/body" "PostgreSQL: the listing after a restart comes from --followups-cache" "
mine = [f['text'] for f in d['followups'] if f['case'] == 'PGF-1']
assert mine.count('Said in the cache.') == 2 and len(mine) == 4, mine"
    PORT=$PORT_B
    req POST /v1/cases/PGF-1/events '{"type": "customer.said", "text": "Thanks."}'
    want 200 "B adds to the case"
    PORT=$PORT_A
    req GET /v1/followups
    json_ok "$T/body" "PostgreSQL: a case changed since the cache, read again" "
mine = [f['text'] for f in d['followups'] if f['case'] == 'PGF-1']
assert len(mine) == 4 and 'Said in the cache.' not in mine, mine"
    PORT=$PORT_A
    req POST /v1/cases '{"id": "M-1", "topic": "delivery"}'
    want 201 "a case made on one server"
    PORT=$PORT_B
    req GET /v1/cases/M-1
    want 200 "read on the other"
    req POST /v1/cases '{"id": "M-1", "topic": "delivery"}'
    refused 409 id "its id taken, on the other server too"
    # 2 x 40 events at once, through both servers, on one case
    run python3 -c '
import http.client, json, sys, threading
def post(port, who):
    c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)
    for i in range(40):
        c.request("POST", "/v1/cases/M-1/events", json.dumps(
            {"type": "customer.said", "text": "%s %d" % (who, i)}),
            {"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        assert r.status == 200, r.status
ts = [threading.Thread(target=post, args=(p, w))
      for p, w in ((sys.argv[1], "a"), (sys.argv[2], "b"))]
[t.start() for t in ts]; [t.join() for t in ts]
print("posted")' "$PORT_A" "$PORT_B"
    has "$T/out" "posted" "80 events through two servers at once"
    if [ "$(pg_sql "SELECT count(*), min(seq), max(seq), count(DISTINCT seq)
                    FROM playbook_events WHERE case_id = 'M-1'")" = "80|1|80|80" ]
    then ok; else fail "the events of one case are numbered 1 to 80, once each"; fi
    PORT=$PORT_A
    req GET /v1/cases/M-1
    cp "$T/body" "$T/m1-a.json"
    PORT=$PORT_B
    req GET /v1/cases/M-1
    json_ok "$T/body" "both servers show the same case" "
a = json.load(open('$T/m1-a.json'))
assert a == d, 'the servers differ'
said = [e['text'] for e in d['events'] if e['type'] == 'customer.said']
assert len(said) == 80, len(said)
for w in 'ab':  # each server's events in the order it sent them
    mine = [int(x.split()[1]) for x in said if x.startswith(w)]
    assert mine == list(range(40)), mine"
    # a follower of one server sees what the other records
    run python3 -c '
import http.client, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(b"GET /v1/cases/M-1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
buf = b""
while buf.count(b"event: case") < 1:
    buf += s.recv(65536)
t0 = time.time()
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]), timeout=10)
c.request("POST", "/v1/cases/M-1/events",
          b"{\"type\": \"agent.said\", \"text\": \"from the other server\"}",
          {"Content-Type": "application/json"})
assert c.getresponse().status == 200
while b"from the other server" not in buf:
    buf += s.recv(65536)
print("followed %d ms" % round((time.time() - t0) * 1000))' "$PORT_A" "$PORT_B"
    if grep -q "^followed" "$T/out"; then ok; else
        fail "a follower of one server sees the other's events: $(cat "$T/err")"; fi
    sed 's/^/    /' "$T/out"
    SRV=$SRV_B; stop
    SRV=$SRV_A; stop
fi

# --- docs/openapi.json describes every answer given above ---------------
run python3 tests/e2e/lib/openapi.py docs/openapi.json "$T/calls"
expect_rc 0 "the answers against docs/openapi.json"
has "$T/out" "ok " "docs/openapi.json: every operation answered"

summary
