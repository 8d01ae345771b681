"""A client of `playbook serve` with bearer tokens, for the e2e scripts'
Python parts: each call is logged for openapi.py (OPENAPI_CALLS), as
request.py logs its own.

    from token_client import Client
    c = Client(port)
    status, retry_after, body = c.call(token, "GET", "/v1/principles")
"""
import http.client
import json
import os


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", int(port), timeout=60)

    def call(self, token, method, path, body=None):
        """(status, its Retry-After or None, the JSON body)"""
        self.c.request(method, path, body and json.dumps(body),
                       {"Authorization": "Bearer " + token,
                        "Content-Type": "application/json"})
        r = self.c.getresponse()
        text = r.read().decode()
        with open(os.environ["OPENAPI_CALLS"], "a") as log:
            log.write(json.dumps({"method": method, "path": path,
                                  "status": r.status, "body": text,
                                  "headers": [k.lower() for k in r.headers]})
                      + "\n")
        return r.status, r.getheader("Retry-After"), json.loads(text)
