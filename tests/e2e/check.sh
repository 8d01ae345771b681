#!/bin/sh
# End-to-end tests of `playbook check`: principle files (*.lua) and
# scenario files (*.xml), good and broken, as a team lead meets them.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/check.sh
set -u

NAME="e2e check"
. tests/e2e/lib/common.sh
PRINCIPLES=principles

# bad NAME LINE WHAT TEXT...: the principle file $T/bad/NAME.lua (written
# before) fails `check` with exit 2 and a first stderr line
# "FILE:LINE: message" (LINE may be a grep -E pattern such as [0-9]+), and
# the message holds each TEXT.
bad() {
    f=$T/bad/$1.lua line=$2 what=$3
    shift 3
    run "$PB" check "$f"
    expect_rc 2 "check $what"
    if head -n 1 "$T/err" | grep -qE "^$f:$line: [^ ]"; then ok; else
        fail "check $what: stderr does not start with '$f:$line: message'"; fi
    for text in "$@"; do
        has "$T/err" "$text" "check $what"
    done
    lacks "$T/out" "ok  $f" "check $what: reported ok"
}

# names NAME WHAT: the message of the last check names NAME, in quotes;
# a known engine bug when it does not.
names() {
    if grep -qF "'$1'" "$T/err"; then ok; else
        known_bug "$2 is not named (want '$1'): $(head -n 1 "$T/err")"
    fi
}

# --- the default library -------------------------------------------------
run "$PB" check "$PRINCIPLES"
expect_rc 0 "check principles"
for p in listen ask explain own follow_up boundaries; do
    has "$T/out" "ok  $PRINCIPLES/$p.lua  $p:" "check principles reports $p"
done
if [ -s "$T/err" ]; then fail "check principles: unexpected stderr"; else ok; fi
run "$PB" check "$PRINCIPLES" scenarios
expect_rc 0 "check principles scenarios"
for f in scenarios/*.xml; do
    has "$T/out" "ok  $f" "check reports $f"
done
run "$PB" check -p "$PRINCIPLES" scenarios/late-delivery.xml
expect_rc 0 "check -p principles one scenario"
has "$T/out" "ok  scenarios/late-delivery.xml" "check one scenario"
run "$PB" check --help
expect_rc 0 "check --help"
has "$T/out" "usage" "check --help"
run "$PB" check --format json "$PRINCIPLES"
expect_rc 2 "check with an option it does not take"

# --- broken principle files, one per mistake --------------------------------
mkdir "$T/bad"
cat >"$T/bad/syntax.lua" <<'EOF'
return principle {
  id = "syntax", title = "Syntax error",
  items = {
    { id = "a", done = function(case) return case:has("customer.said") end },
    { id = "b" must = true },
  },
}
EOF
bad syntax 5 "a syntax error" "expected" "near 'must'"

cat >"$T/bad/nothing.lua" <<'EOF'
-- Forgot the return.
local p = principle { id = "nothing", items = { { id = "a" } } }
EOF
bad nothing '[0-9]+' "a file that returns nothing" "return principle"

printf 'return 42\n' >"$T/bad/number.lua"
bad number 1 "a file that returns a number" "return principle" "number"

cat >"$T/bad/field.lua" <<'EOF'
return principle {
  id = "field", title = "Unknown field",
  colour = "red",
  items = { { id = "a" } },
}
EOF
bad field '[0-9]+' "an unknown field in a principle" "unknown field"
names colour "the unknown principle field"

cat >"$T/bad/itemfield.lua" <<'EOF'
return principle {
  id = "itemfield", title = "Unknown item field",
  items = {
    { id = "a", mustt = true },
  },
}
EOF
bad itemfield '[0-9]+' "an unknown field in an item" "unknown field" "item"
names mustt "the unknown item field"

cat >"$T/bad/type.lua" <<'EOF'
return principle {
  id = "type", title = "Wrong type",
  order = "first",
  items = { { id = "a" } },
}
EOF
bad type '[0-9]+' "a field of the wrong type" "'order'" "number" "string"

cat >"$T/bad/itemtype.lua" <<'EOF'
return principle {
  id = "itemtype",
  items = {
    { id = "a", must = "yes", done = function(case) return true end },
  },
}
EOF
bad itemtype 4 "an item field of the wrong type" "'must'" "boolean"

cat >"$T/bad/dupitem.lua" <<'EOF'
return principle {
  id = "dupitem",
  items = {
    { id = "a", done = function(case) return true end },
    { id = "b", done = function(case) return true end },
    { id = "a", done = function(case) return false end },
  },
}
EOF
bad dupitem 6 "a duplicate item id" "duplicate item id 'a'"

cat >"$T/bad/after.lua" <<'EOF'
return principle {
  id = "after",
  items = {
    { id = "a" },
    { id = "b", after = { "zzz" } },
  },
}
EOF
bad after '[0-9]+' "after naming an unknown item" "'b'" "unknown item 'zzz'"

cat >"$T/bad/cycle.lua" <<'EOF'
return principle {
  id = "cycle",
  items = {
    { id = "a", after = { "c" } },
    { id = "b", after = { "a" } },
    { id = "c", after = "b" },
  },
}
EOF
bad cycle '[0-9]+' "a cycle in after" "cycle"
if grep -qF "(null)" "$T/err"; then
    known_bug "the cycle message names item '(null)': $(head -n 1 "$T/err")"
else ok; fi

cat >"$T/bad/noid.lua" <<'EOF'
return principle {
  title = "No id",
  items = { { id = "a" } },
}
EOF
bad noid '[0-9]+' "a principle without an id" "no id"

cat >"$T/bad/noitems.lua" <<'EOF'
return principle { id = "noitems", items = {} }
EOF
bad noitems 1 "a principle without items" "items"

cat >"$T/bad/raises.lua" <<'EOF'
local x = 1
error("principle file refuses to load")
EOF
bad raises 2 "a file that raises an error" "refuses to load"

cat >"$T/bad/loops.lua" <<'EOF'
while true do end
return principle { id = "loops", items = { { id = "a" } } }
EOF
bad loops '[0-9]+' "a file that loops while loading" "budget"

cat >"$T/bad/detector.lua" <<'EOF'
return principle {
  id = "detector",
  items = { { id = "a" } },
  detect = {
    { on = "agent.said", pattern = "hello" },
  },
}
EOF
bad detector '[0-9]+' "a detector without emit" "emit"

: >"$T/bad/empty.lua"
bad empty 1 "an empty file" "empty"

printf -- '-- caf\351\nreturn principle { id = "latin1", items = { { id = "a" } } }\n' \
    >"$T/bad/latin1.lua"
bad latin1 1 "a non-UTF-8 file" "UTF-8"

printf '\033Lua return principle { id = "binary", items = { { id = "a" } } }\n' \
    >"$T/bad/binary.lua"
bad binary 1 "a file starting with ESC Lua (a binary chunk)" "binary"

printf '\033LuaT\000\031\223\r\n\032\n' >"$T/bad/bytecode.lua"
run "$PB" check "$T/bad/bytecode.lua"
expect_rc 2 "check real bytecode"
if grep -qE "^$T/bad/bytecode.lua:[0-9]+: " "$T/err"; then ok; else
    fail "check real bytecode: no file:line: message"; fi

# --- duplicate principle id across two files --------------------------------
mkdir "$T/dup"
cat >"$T/dup/a.lua" <<'EOF'
return principle { id = "same", items = { { id = "x" } } }
EOF
cp "$T/dup/a.lua" "$T/dup/b.lua"
run "$PB" check "$T/dup"
expect_rc 2 "check a duplicate principle id across files"
if head -n 1 "$T/err" | grep -qE "^$T/dup/b.lua:[0-9]+: "; then ok; else
    fail "duplicate principle id: the second file is not named with a line"; fi
has "$T/err" "duplicate principle id 'same'" "duplicate principle id"
has "$T/err" "$T/dup/a.lua" "duplicate principle id names the first file"
has "$T/out" "ok  $T/dup/a.lua" "duplicate principle id: the first file is ok"

# --- one broken, one good: the good one still loads -------------------------
mkdir "$T/mixed"
cp "$T/bad/syntax.lua" "$T/mixed/broken.lua"
cat >"$T/mixed/good.lua" <<'EOF'
return principle {
  id = "good", title = "A good principle",
  items = {
    { id = "greet", must = true, prompt = "Greet the customer.",
      done = function(case) return case:has("agent.said") end },
  },
}
EOF
run "$PB" check "$T/mixed"
expect_rc 2 "check a folder with one broken principle"
has "$T/err" "$T/mixed/broken.lua:5: " "the broken one is reported with file:line"
lacks "$T/err" "good.lua" "the good one is not reported as broken"
has "$T/out" "ok  $T/mixed/good.lua  good: 1 item" "the good one is reported ok"
run "$PB" check "$T/mixed/good.lua"
expect_rc 0 "check the good principle alone"
run "$PB" check "$T/mixed/good.lua" "$T/bad/number.lua"
expect_rc 2 "check a good and a bad file"
has "$T/out" "ok  $T/mixed/good.lua" "good and bad file: good one ok"

# --- scenarios ----------------------------------------------------------------
mkdir "$T/sc"
cp scenarios/late-delivery.xml "$T/sc/good.xml"
cat >"$T/sc/bad.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="bad" title="Bad">
  <events>
    <event t="0" type="customer.said">Hi</event>
  </events>
  <expect>
    <item ref="listen.no_such_item" state="done"/>
  </expect>
</scenario>
EOF
run "$PB" check -p "$PRINCIPLES" "$T/sc"
expect_rc 2 "check a scenario folder with a bad expectation"
has "$T/err" "$T/sc/bad.xml:7: " "bad scenario reported with file:line"
has "$T/err" "listen.no_such_item" "bad scenario names the item"
has "$T/out" "ok  $T/sc/good.xml" "good scenario in the same folder is ok"
printf '<?xml version="1.0"?>\n<scenario xmlns="urn:playbook:scenario:1" id="x" title="t">\n<events>\n' \
    >"$T/sc/truncated.xml"
run "$PB" check -p "$PRINCIPLES" "$T/sc/truncated.xml"
expect_rc 2 "check a truncated scenario"
if grep -qE "^$T/sc/truncated.xml:[0-9]+: " "$T/err"; then ok; else
    fail "check a truncated scenario: no file:line: message"; fi
# Scenarios checked against the principles given on the same command line.
run "$PB" check "$T/mixed/good.lua" "$T/sc/good.xml"
expect_rc 2 "scenario naming items the given principles lack"
has "$T/err" "$T/sc/good.xml:" "scenario against other principles: file named"
run "$PB" check -p "$PRINCIPLES" "$T/missing.xml"
expect_rc 2 "check a missing scenario"
has "$T/err" "$T/missing.xml" "missing scenario is named"

summary
