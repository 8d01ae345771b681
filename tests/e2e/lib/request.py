#!/usr/bin/env python3
"""One HTTP request for the e2e scripts, without curl.

    request.py PORT METHOD PATH [BODY|@FILE|-] [Header:value ...]

prints the status on the first line, then the body.  `request.py PORT slow
SECS` opens a connection, sends half a request line and waits up to SECS
for the server to close it: prints "closed after N s" or "still open".
"""
import http.client
import socket
import sys
import time

port = int(sys.argv[1])
if sys.argv[2] == "slow":
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /v1/cases HTTP/1.1\r\nHost: x\r\nContent-Le")
    t0 = time.time()
    s.settimeout(float(sys.argv[3]))
    try:
        data = s.recv(4096)
        print("closed after %d s" % round(time.time() - t0))
    except socket.timeout:
        print("still open")
    sys.exit(0)
method, path = sys.argv[2], sys.argv[3]
arg = sys.argv[4] if len(sys.argv) > 4 else "-"
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
c.request(method, path, body=body, headers=headers)
r = c.getresponse()
print(r.status)
sys.stdout.write(r.read().decode("utf-8", "replace"))
