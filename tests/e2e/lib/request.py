#!/usr/bin/env python3
"""One HTTP request for the e2e scripts, without curl.

    request.py PORT METHOD PATH [BODY|@FILE|-] [Header:value ...]

(chunked:@FILE sends the file without a Content-Length, in chunks)

prints the status on the first line, then the body.  `request.py PORT slow
SECS` opens a connection, sends half a request line and waits up to SECS
for the server to close it: prints "closed after N s" or "still open";
`request.py PORT trickle SECS` sends a request a byte every half second,
the same.
`request.py PORT follow N PATH POSTPATH BODY [Header:value ...]` opens N
event streams on PATH, reads the first event of each, posts BODY to
POSTPATH and reads the next event of each: prints each event's data,
then "latency N ms", from the post to the slowest follower's event.
"""
import http.client
import json
import os
import socket
import sys
import time

port = int(sys.argv[1])


def event(f):
    """The data of the next Server-Sent Event on f."""
    data = []
    while True:
        line = f.readline()
        if not line:
            raise SystemExit("the stream ended")
        line = line.decode().rstrip("\r\n")
        if line == "" and data:
            return "\n".join(data)
        if line.startswith("data: "):
            data.append(line[6:])


if sys.argv[2] == "follow":
    n, path, post, body = int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
    hdrs = "".join("%s\r\n" % h.replace(":", ": ", 1) for h in sys.argv[7:])
    streams = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n" % (path, hdrs)).encode())
        f = s.makefile("rb")
        status = f.readline().decode()
        if " 200 " not in status:
            raise SystemExit("stream: " + status.strip())
        while f.readline() not in (b"\r\n", b"\n"):
            pass
        if os.environ.get("OPENAPI_CALLS"):
            with open(os.environ["OPENAPI_CALLS"], "a") as log:
                log.write(json.dumps({"method": "GET", "path": path,
                                      "status": 200, "body": ""}) + "\n")
        print(event(f))
        streams.append((s, f))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(h.split(":", 1) for h in sys.argv[7:])
    headers["Content-Type"] = "application/json"
    t0 = time.time()
    c.request("POST", post, body=body.encode(), headers=headers)
    if c.getresponse().status != 200:
        raise SystemExit("the post was refused")
    worst = 0.0
    for s, f in streams:
        print(event(f))
        worst = max(worst, time.time() - t0)
        s.close()
    print("latency %d ms" % round(worst * 1000))
    sys.exit(0)
if sys.argv[2] == "slow":
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le")
    t0 = time.time()
    s.settimeout(float(sys.argv[3]))
    try:
        data = s.recv(4096)
        print("closed after %d s" % round(time.time() - t0))
    except socket.timeout:
        print("still open")
    sys.exit(0)
if sys.argv[2] == "trickle":
    # a byte every half second, never idle, never done
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    req = b"POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    t0 = time.time()
    for b in req:
        if time.time() - t0 > float(sys.argv[3]):
            print("still open")
            break
        try:
            if s.recv(4096) == b"":
                print("closed after %d s" % round(time.time() - t0))
                break
        except BlockingIOError:
            pass
        except ConnectionResetError:
            print("closed after %d s" % round(time.time() - t0))
            break
        try:
            s.send(bytes([b]))
        except (BrokenPipeError, ConnectionResetError):
            print("closed after %d s" % round(time.time() - t0))
            break
        time.sleep(0.5)
    sys.exit(0)
method, path = sys.argv[2], sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else "-"
chunked = arg.startswith("chunked:")    # sent without a Content-Length
if chunked:
    arg = arg[8:]
if arg == "-":
    body = None
elif arg.startswith("@"):
    with open(arg[1:], "rb") as f:
        body = f.read()
else:
    body = arg.encode()
headers = dict(h.split(":", 1) for h in sys.argv[5:])
headers = {k: v.strip() for k, v in headers.items()}
if body is not None and "Content-Type" not in headers:
    headers["Content-Type"] = "application/json"
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
# A server refusing a request too big to read (413, 431) answers and
# closes before it has read it all, so sending may fail while the answer
# waits, already received, to be read.
try:
    if chunked:
        c.request(method, path,
                  body=iter([body[i:i + 4096]
                             for i in range(0, len(body), 4096)]),
                  headers=headers, encode_chunked=True)
    else:
        c.request(method, path, body=body, headers=headers)
except (BrokenPipeError, ConnectionResetError):
    pass
r = c.getresponse()
text = r.read().decode("utf-8", "replace")
print(r.status)
sys.stdout.write(text)
if os.environ.get("OPENAPI_CALLS"):     # for openapi.py
    with open(os.environ["OPENAPI_CALLS"], "a") as log:
        log.write(json.dumps({"method": method, "path": path,
                              "status": r.status, "body": text,
                              "headers": [k.lower() for k in r.headers]})
                  + "\n")
