#!/bin/sh
# End-to-end tests of the principle sandbox: hostile or broken Lua in one
# item gives that item an error state; the replay, the other items and the
# other principles carry on, and nothing escapes to the file system.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/sandbox.sh
set -u

NAME="e2e sandbox"
. tests/e2e/lib/common.sh
PRINCIPLES=principles
# Every command here runs hostile code: each gets a time limit.
LIMIT=60

no_escape() { # WHAT: none of the files the hostile code tried to make exist
    for f in "$T"/pwned*; do
        if [ -e "$f" ]; then fail "$1: sandboxed code created $f"; return; fi
    done
    ok
}

mkdir "$T/p"
# Paths are baked into the Lua so a sandbox escape would leave a file behind.
cat >"$T/p/hostile.lua" <<EOF
-- Each item tries one thing a principle must not be able to do.
return principle {
  id = "hostile", title = "Hostile items", order = 1,
  items = {
    { id = "loops", done = function(case) while true do end end },
    { id = "good", must = true,
      done = function(case) return case:has("customer.said") end },
    { id = "shell", done = function(case)
        os.execute("touch $T/pwned-os") return true end },
    { id = "file", done = function(case)
        local f = io.open("$T/pwned-io", "w") f:write("x") f:close()
        return true end },
    { id = "req", done = function(case)
        local m = require("os") m.execute("touch $T/pwned-require")
        return true end },
    { id = "dofile", done = function(case)
        return dofile("$T/dofile-target.lua") end },
    { id = "bytecode", done = function(case)
        return load(string.dump(function() return true end))() end },
    { id = "recurse", done = function(case)
        local function down(n) return 1 + down(n + 1) end
        return down(1) > 0 end },
    { id = "alloc", done = function(case)
        local t = {}
        for i = 1, 1e9 do t[i] = string.rep("x", 4096) .. i end
        return true end },
    { id = "bigstring", done = function(case)
        return #string.rep("x", 512 * 1024 * 1024) > 0 end },
    { id = "badtype", done = function(case) return "yes" end },
    { id = "raises", done = function(case) error("deliberate") end },
    { id = "after_good", after = { "good" },
      done = function(case) return case:has("agent.said") end },
  },
}
EOF
# If dofile worked it would run this and create a file.
echo "os.execute('touch $T/pwned-dofile')" >"$T/dofile-target.lua"

cat >"$T/s.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="sandbox" title="Hostile principle">
  <events>
    <event t="0" type="customer.said">Hello, my parcel is late.</event>
    <event t="5" type="agent.said">Sorry to hear that, let me look.</event>
    <event t="9" type="customer.said">Thanks.</event>
  </events>
  <expect>
    <item ref="hostile.loops" state="error"/>
    <item ref="hostile.good" state="done"/>
    <item ref="hostile.after_good" state="done"/>
    <item ref="hostile.shell" state="error"/>
    <item ref="hostile.file" state="error"/>
    <item ref="hostile.req" state="error"/>
  </expect>
</scenario>
EOF

# --- hostile items: error each, the rest carries on ----------------------------
start=$(date +%s)
run_limited $LIMIT "$PB" replay -p "$T/p" "$T/s.xml"
end=$(date +%s)
expect_rc 0 "replay with hostile items (expectations met)"
has "$T/out" "instruction budget exceeded" "an endless loop runs out of budget"
has "$T/out" "Expectations: 6 of 6 met" "hostile items: expectations"
case "$start$end" in
*[!0-9]*) ;; # no seconds since the epoch from date(1)
*) if [ $((end - start)) -le 30 ]; then ok; else
       fail "hostile replay took $((end - start))s"; fi ;;
esac
no_escape "replay with hostile items"

run_limited $LIMIT "$PB" replay -p "$T/p" --format json "$T/s.xml"
expect_rc 0 "replay with hostile items (json)"
json_ok "$T/out" "each hostile item is an error with its message" "
items = {i['item']: i for i in d['scenarios'][0]['checklist']
         if i['principle'] == 'hostile'}
assert items['good']['state'] == 'done', items['good']
assert items['after_good']['state'] == 'done', items['after_good']
want = {
    'loops': 'instruction budget exceeded',
    'shell': 'os', 'file': 'io', 'req': 'require', 'dofile': 'dofile',
    'bytecode': '', 'recurse': '', 'alloc': '', 'bigstring': '',
    'badtype': 'true or false', 'raises': 'deliberate',
}
for k, text in want.items():
    it = items[k]
    assert it['state'] == 'error', (k, it['state'])
    assert it['error'] and text in it['error'], (k, it['error'])
    assert 'hostile.lua:' in it['error'], (k, it['error'])
"

# An expectation the hostile principle breaks still gives exit 1, not a crash.
sed 's|<item ref="hostile.good" state="done"/>|<item ref="hostile.loops" state="done"/>|' \
    "$T/s.xml" >"$T/s-unmet.xml"
run_limited $LIMIT "$PB" replay -p "$T/p" "$T/s-unmet.xml"
expect_rc 1 "replay with hostile items (an expectation not met)"
has "$T/out" "FAIL" "hostile items: the unmet expectation is shown"
no_escape "replay with hostile items, unmet"

# --- the default playbook next to a hostile principle is unchanged -------------
mkdir "$T/all"
cp "$PRINCIPLES"/*.lua "$T/all/"
cp -R "$PRINCIPLES"/lib "$T/all/"
cp "$T/p/hostile.lua" "$T/all/"
run_limited $LIMIT "$PB" replay -p "$T/all" scenarios/late-delivery.xml
expect_rc 0 "late-delivery with a hostile principle loaded"
has "$T/out" "Expectations: " "late-delivery with a hostile principle"
no_escape "late-delivery with a hostile principle"

# --- hostile code at load time, in applies, and in a detector -------------------
mkdir "$T/q"
cat >"$T/q/loadloop.lua" <<'EOF'
while true do end
return principle { id = "loadloop", items = { { id = "a" } } }
EOF
cat >"$T/q/loadshell.lua" <<EOF
os.execute("touch $T/pwned-load")
return principle { id = "loadshell", items = { { id = "a" } } }
EOF
cat >"$T/q/applies.lua" <<'EOF'
return principle {
  id = "applies", title = "Looping applies", order = 2,
  applies = function(case) while true do end end,
  items = { { id = "a", done = function(case) return true end } },
}
EOF
cat >"$T/q/detector.lua" <<EOF
return principle {
  id = "detector", title = "Hostile detectors", order = 3,
  items = { { id = "a", done = function(case) return case:has("x.y") end } },
  detect = {
    { on = "customer.said", fn = function(case, event) while true do end end },
    { on = "customer.said", fn = function(case, event)
        io.open("$T/pwned-detector", "w") end },
  },
}
EOF
cat >"$T/q/fine.lua" <<'EOF'
return principle {
  id = "fine", title = "Fine", order = 4,
  items = { { id = "heard", must = true,
              done = function(case) return case:has("customer.said") end } },
}
EOF
cat >"$T/q.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="q" title="Hostile at every stage">
  <events>
    <event t="0" type="customer.said">Hello?</event>
  </events>
  <expect>
    <item ref="fine.heard" state="done"/>
    <item ref="applies.a" state="error"/>
  </expect>
</scenario>
EOF
run_limited $LIMIT "$PB" check "$T/q"
expect_rc 2 "check principles that misbehave while loading"
has "$T/err" "$T/q/loadloop.lua:" "a loop while loading is reported"
has "$T/err" "$T/q/loadshell.lua:" "os.execute while loading is reported"
has "$T/out" "ok  $T/q/fine.lua" "the fine principle loads"
no_escape "check with hostile principles"
run_limited $LIMIT "$PB" replay -p "$T/q" --format json "$T/q.xml"
# The two files that fail to load make this bad input (2), yet the report
# is complete for the principles that did load.
expect_rc 2 "replay with principles that fail to load"
json_ok "$T/out" "hostile applies and detectors leave the rest working" "
s = d['scenarios'][0]
items = {i['principle'] + '.' + i['item']: i for i in s['checklist']}
assert items['fine.heard']['state'] == 'done', items['fine.heard']
assert items['applies.a']['state'] == 'error', items['applies.a']
assert 'budget' in items['applies.a']['error'], items['applies.a']
assert any('budget' in w for w in s['warnings']), s['warnings']
assert all(e['met'] for e in s['expectations']), s['expectations']
"
no_escape "replay with hostile applies and detectors"

summary
