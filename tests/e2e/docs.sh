#!/bin/sh
# docs.sh -- the examples in docs/ are tested code.
#
# Run from the repository root with PLAYBOOK set to the binary (as
# tests/run.sh does).  Checks that:
#  - every docs/examples/*.lua loads (`playbook check`, exit 0);
#  - docs/examples/first-scenario.xml replays against the default
#    principles plus docs/examples/*.lua with every expectation met;
#  - every complete principle shown in docs/authoring.md (a ```lua block
#    with a line starting `return principle`) is byte-identical to one of
#    docs/examples/*.lua, and every complete scenario shown in
#    docs/scenarios.md (a ```xml block starting `<?xml`) to one of
#    docs/examples/*.xml, so the docs cannot drift from the tested files;
#  - the error messages docs/authoring.md quotes are the ones printed.

set -u
: "${PLAYBOOK:?set PLAYBOOK to the playbook binary}"

if [ ! -d docs/examples ] || [ ! -d principles ]; then
    echo "FAIL: run from the repository root (no docs/examples or principles)" >&2
    exit 2
fi

passed=0
failed=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

pass() {
    passed=$((passed + 1))
}

fail() {
    failed=$((failed + 1))
    echo "FAIL: $1" >&2
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        sed 's/^/    /' "$2" >&2
    fi
}

# Extracts the ```LANG fenced blocks of a markdown file into DIR/NNN.LANG.
extract() { # file lang dir
    mkdir -p "$3"
    awk -v dir="$3" -v lang="$2" '
        !inb && $0 ~ "^```" lang "[ \t]*$" {
            n++; f = sprintf("%s/%03d.%s", dir, n, lang); inb = 1
            printf "" > f; next
        }
        inb && /^```[ \t]*$/ { inb = 0; close(f); next }
        inb { print > f }
    ' "$1"
}

# Is file $1 byte-identical to one of the files matching glob $2?
same_as_one() {
    for candidate in $2; do
        [ -f "$candidate" ] || continue
        if cmp -s "$1" "$candidate"; then
            return 0
        fi
    done
    return 1
}

# 1. The example principles load.
if "$PLAYBOOK" check docs/examples/*.lua >"$tmp/check.out" 2>&1; then
    pass
else
    fail "playbook check docs/examples/*.lua" "$tmp/check.out"
fi

# 2. The example scenario passes against the defaults plus the examples,
#    with the command the guides show.
"$PLAYBOOK" replay -p principles -p docs/examples \
    docs/examples/first-scenario.xml \
    >"$tmp/replay.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
    pass
else
    fail "replay docs/examples/first-scenario.xml exited $rc" "$tmp/replay.out"
fi

# 2b. The same as JSON: the fields docs/scenarios.md describes.
"$PLAYBOOK" replay -p principles -p docs/examples --format json \
    docs/examples/first-scenario.xml >"$tmp/replay.json" 2>&1
if grep -q '"summary":{"scenarios":1,"passed":1,"failed":0}' \
        "$tmp/replay.json" &&
   grep -q '"overall":{"value":0.9375,"musts":16,"done":15,"violations":0}' \
        "$tmp/replay.json"; then
    pass
else
    fail "replay --format json: summary or score not as documented" \
        "$tmp/replay.json"
fi

# 3. Complete principles in authoring.md are the tested files.
extract docs/authoring.md lua "$tmp/lua"
nblocks=0
for block in "$tmp"/lua/*.lua; do
    [ -f "$block" ] || continue
    grep -q '^return principle' "$block" || continue
    nblocks=$((nblocks + 1))
    if same_as_one "$block" "docs/examples/*.lua"; then
        pass
    else
        fail "docs/authoring.md: lua block $(basename "$block" .lua) is \
not identical to any docs/examples/*.lua" "$block"
    fi
done
if [ "$nblocks" -eq 0 ]; then
    fail "docs/authoring.md: no complete principle found (fences changed?)"
fi

# 3b. Complete scenarios in scenarios.md are the tested files.
extract docs/scenarios.md xml "$tmp/xml"
nblocks=0
for block in "$tmp"/xml/*.xml; do
    [ -f "$block" ] || continue
    head -n 1 "$block" | grep -q '^<?xml' || continue
    nblocks=$((nblocks + 1))
    if same_as_one "$block" "docs/examples/*.xml"; then
        pass
    else
        fail "docs/scenarios.md: xml block $(basename "$block" .xml) is \
not identical to any docs/examples/*.xml" "$block"
    fi
done
if [ "$nblocks" -eq 0 ]; then
    fail "docs/scenarios.md: no complete scenario found (fences changed?)"
fi

# 4. The error messages quoted in authoring.md.
mkdir "$tmp/broken"
sed 's/must = true/must = "yes"/' docs/examples/greeting.lua \
    >"$tmp/broken/greeting.lua"
msg="greeting.lua:7: item 'greet': item: field 'must' must be a boolean \
(got string)"
(cd "$tmp/broken" && "$PLAYBOOK" check greeting.lua) >"$tmp/err.out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -qF "$msg" "$tmp/err.out" &&
   grep -qF "$msg" docs/authoring.md; then
    pass
else
    fail "load error for must = \"yes\" (exit $rc) not as documented" \
        "$tmp/err.out"
fi

sed 's/return case:said("agent", "my name is")/return case.facts.plan:lower() == "gold"/' \
    docs/examples/greeting.lua >"$tmp/broken/greeting.lua"
cat >"$tmp/broken/hello.xml" <<'EOF'
<scenario xmlns="urn:playbook:scenario:1" id="hello">
  <events>
    <event t="0" type="agent.said">Hello, my name is Sam.</event>
  </events>
</scenario>
EOF
msg="[E] greet                must error: greeting.lua:7: attempt to index \
a nil value (field 'plan')"
(cd "$tmp/broken" && "$PLAYBOOK" replay -p greeting.lua hello.xml) \
    >"$tmp/err.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -qF "$msg" "$tmp/err.out" &&
   grep -qF "$msg" docs/authoring.md; then
    pass
else
    fail "run-time error in done (exit $rc) not as documented" "$tmp/err.out"
fi

echo "e2e docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
