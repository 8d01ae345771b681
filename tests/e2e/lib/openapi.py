#!/usr/bin/env python3
"""Checks the server's real answers against docs/openapi.json.

    openapi.py SPEC CALLS

CALLS holds one JSON object per line, {"method", "path", "status",
"body", "headers"}, as request.py writes them when OPENAPI_CALLS names
the file ("headers": the names of the answer's headers, lower case).
Each answer must be one the spec lists for its route (the status
documented, a JSON body valid against the schema, the headers it says
are required), and every operation of the spec must have been answered
with success at least once.  Prints what is wrong and exits 1; prints
"ok N calls, M operations" else.

The schemas use the subset of OpenAPI 3.0 the spec needs: type,
nullable, enum, required, properties, additionalProperties, items,
minItems, maxItems, minimum, oneOf, $ref.
"""
import json
import re
import sys


def resolve(spec, s):
    while "$ref" in s:
        node = spec
        for part in s["$ref"].lstrip("#/").split("/"):
            node = node[part]
        s = node
    return s


def check(spec, s, v, at, errors):
    s = resolve(spec, s)
    if "oneOf" in s:
        fits = 0
        for alt in s["oneOf"]:
            e = []
            check(spec, alt, v, at, e)
            fits += not e
        if fits != 1:
            errors.append("%s: fits %d of the oneOf alternatives" % (at, fits))
        return
    if v is None:
        if not s.get("nullable"):
            errors.append("%s: null where it may not be" % at)
        return
    t = s.get("type")
    kinds = {"object": dict, "array": list, "string": str, "boolean": bool}
    if t in kinds and not isinstance(v, kinds[t]):
        errors.append("%s: %r is not a %s" % (at, v, t))
        return
    if t in ("integer", "number") and (isinstance(v, bool) or not isinstance(
            v, int if t == "integer" else (int, float))):
        errors.append("%s: %r is not a %s" % (at, v, t))
        return
    if "enum" in s and v not in s["enum"]:
        errors.append("%s: %r is not one of %s" % (at, v, s["enum"]))
    if "minimum" in s and v < s["minimum"]:
        errors.append("%s: %r below %r" % (at, v, s["minimum"]))
    if t == "object":
        for k in s.get("required", []):
            if k not in v:
                errors.append("%s: no %s" % (at, k))
        props = s.get("properties", {})
        extra = s.get("additionalProperties", True)
        for k, x in v.items():
            if k in props:
                check(spec, props[k], x, at + "." + k, errors)
            elif extra is False:
                errors.append("%s: %s is not in the spec" % (at, k))
            elif isinstance(extra, dict):
                check(spec, extra, x, at + "." + k, errors)
    if t == "array":
        if len(v) < s.get("minItems", 0) or len(v) > s.get("maxItems", 1 << 30):
            errors.append("%s: %d items" % (at, len(v)))
        for i, x in enumerate(v):
            check(spec, s.get("items", {}), x, "%s[%d]" % (at, i), errors)


def route(spec, method, path):
    path = path.split("?")[0]
    for template, item in spec["paths"].items():
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(rx, path) and method.lower() in item:
            return template, item[method.lower()]
    return None, None


def main():
    spec = json.load(open(sys.argv[1]))
    errors, used, n = [], set(), 0
    for line in open(sys.argv[2]):
        call = json.loads(line)
        n += 1
        where = "%s %s -> %s" % (call["method"], call["path"], call["status"])
        template, op = route(spec, call["method"], call["path"])
        if op is None:
            if call["status"] not in (404, 405):
                errors.append(where + ": no such operation in the spec")
            continue
        resp = op["responses"].get(str(call["status"]))
        if resp is None:
            errors.append(where + ": status not in the spec")
            continue
        if 200 <= call["status"] < 300:
            used.add((call["method"].lower(), template))
        resp = resolve(spec, resp)
        for name, h in resp.get("headers", {}).items():
            if h.get("required") and "headers" in call and \
               name.lower() not in call["headers"]:
                errors.append(where + ": no " + name + " header")
        content = resp.get("content", {})
        if "application/json" in content:
            try:
                body = json.loads(call["body"])
            except ValueError:
                errors.append(where + ": the body is not JSON")
                continue
            check(spec, content["application/json"]["schema"], body, where,
                  errors)
    ops = {(m, p) for p, item in spec["paths"].items() for m in item
           if m in ("get", "post", "put", "delete")}
    for m, p in sorted(ops - used):
        errors.append("%s %s: never answered with success" % (m.upper(), p))
    for e in errors[:40]:
        print(e)
    if errors:
        sys.exit(1)
    print("ok %d calls, %d operations" % (n, len(ops)))


main()
