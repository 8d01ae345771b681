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
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/docs.sh
set -u

NAME="e2e docs"
. tests/e2e/lib/common.sh

if [ ! -d docs/examples ]; then
    echo "FAIL: run from the repository root (no docs/examples/)" >&2
    exit 1
fi

# fail_showing FILE WHAT: a failed check, with FILE shown to see why.
fail_showing() {
    fail "$2"
    sed 's/^/    /' "$1" >&2
}

# run_at DIR CMD...: like run, with DIR as the working folder.
run_at() {
    run sh -c 'cd "$1" && shift && exec "$@"' sh "$@"
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
run "$PB" check docs/examples/*.lua
expect_rc 0 "playbook check docs/examples/*.lua"

# 2. The example scenario passes against the defaults plus the examples,
#    with the command the guides show.
run "$PB" replay -p principles -p docs/examples \
    docs/examples/first-scenario.xml
expect_rc 0 "replay docs/examples/first-scenario.xml"

# 2b. The same as JSON: the fields docs/scenarios.md describes.
run "$PB" replay -p principles -p docs/examples --format json \
    docs/examples/first-scenario.xml
if grep -q '"summary":{"scenarios":1,"passed":1,"failed":0}' "$T/out" &&
   grep -q '"overall":{"value":0.9375,"musts":16,"done":15,"violations":0}' \
        "$T/out"; then
    ok
else
    fail "replay --format json: summary or score not as documented"
fi

# 2c. Words, examples and the text library (docs/authoring.md, "Words
#     and examples"): the ownership example meets its expectations, and
#     the report says why each event was detected, as the guide shows.
run "$PB" replay -p docs/examples/ownership.lua docs/examples/ownership.xml
expect_rc 0 "replay docs/examples/ownership.xml"
for line in '~ agent.took_on  [ownership.lua:36 words "look into"]' \
            '~ agent.did  [ownership.lua:39 example "I have issued you a refund" 0.58]'; do
    if grep -qF -- "$line" "$T/out" && grep -qF -- "$line" docs/authoring.md
    then ok; else fail "ownership replay: '$line' not as documented"; fi
done

# 3. Complete principles in authoring.md and complete scenarios in
#    scenarios.md are the tested files.
complete_lua() { grep -q '^return principle' "$1"; }
complete_xml() { head -n 1 "$1" | grep -q '^<?xml'; }
# shown_are_tested DOC LANG WHAT: every complete ```LANG block of DOC
# (complete_LANG) is byte-identical to one of docs/examples/*.LANG.
shown_are_tested() {
    extract "$1" "$2" "$T/$2"
    nblocks=0
    for block in "$T/$2"/*."$2"; do
        [ -f "$block" ] || continue
        "complete_$2" "$block" || continue
        nblocks=$((nblocks + 1))
        if same_as_one "$block" "docs/examples/*.$2"; then
            ok
        else
            fail_showing "$block" "$1: $2 block \
$(basename "$block" ".$2") is not identical to any docs/examples/*.$2"
        fi
    done
    if [ "$nblocks" -eq 0 ]; then
        fail "$1: no complete $3 found (fences changed?)"
    fi
}
shown_are_tested docs/authoring.md lua principle
shown_are_tested docs/scenarios.md xml scenario

# 4. The error messages quoted in authoring.md, as printed (on stdout or
#    stderr) by the command run in the file's folder.
mkdir "$T/broken"
sed 's/must = true/must = "yes"/' docs/examples/greeting.lua \
    >"$T/broken/greeting.lua"
msg="greeting.lua:5: item 'greet': item: field 'must' must be a boolean \
(got string)"
run_at "$T/broken" "$PB" check greeting.lua
if [ "$rc" -eq 2 ] && grep -qF -- "$msg" "$T/out" "$T/err" &&
   grep -qF -- "$msg" docs/authoring.md; then
    ok
else
    fail "load error for must = \"yes\" (exit $rc) not as documented"
fi

# Words and examples: the lines of what is wrong in them.
sed 's/"I have sent you a new password" }/"" }/' docs/examples/ownership.lua \
    >"$T/broken/ownership.lua"
run_at "$T/broken" "$PB" check ownership.lua
msg="ownership.lua:42: detector 2: examples: example 3 is empty"
if [ "$rc" -eq 2 ] && grep -qF -- "$msg" "$T/out" "$T/err" &&
   grep -qF -- "$msg" docs/authoring.md; then
    ok
else
    fail "load error for an empty example (exit $rc) not as documented"
fi
sed 's/"help you with",/"help you with", "...",/' docs/examples/ownership.lua \
    >"$T/broken/ownership.lua"
run_at "$T/broken" "$PB" check ownership.lua
msg="ownership.lua:37: detector 1: words: phrase 4 ('...') has no words"
if [ "$rc" -eq 2 ] && grep -qF -- "$msg" "$T/out" "$T/err" &&
   tr '\n' ' ' <docs/authoring.md | sed 's/  */ /g' | grep -qF -- "$msg"; then
    ok
else
    fail "load error for a phrase without words (exit $rc) not as documented"
fi

sed 's/return case:said("agent", "my name is")/return case.facts.plan:lower() == "gold"/' \
    docs/examples/greeting.lua >"$T/broken/greeting.lua"
cat >"$T/broken/hello.xml" <<'EOF'
<scenario xmlns="urn:playbook:scenario:1" id="hello">
  <events>
    <event t="0" type="agent.said">Hello, my name is Sam.</event>
  </events>
</scenario>
EOF
msg="[E] greet                must error: greeting.lua:7: attempt to index \
a nil value (field 'plan')"
run_at "$T/broken" "$PB" replay -p greeting.lua hello.xml
if [ "$rc" -eq 0 ] && grep -qF -- "$msg" "$T/out" "$T/err" &&
   grep -qF -- "$msg" docs/authoring.md; then
    ok
else
    fail "run-time error in done (exit $rc) not as documented"
fi

# 5. docs/deploy.md: the systemd unit runs serve with options it takes,
#    and the proxy passes streams on unbuffered.
execstart=$(sed -n 's/^ExecStart=[^ ]*playbook serve //p' docs/deploy.md)
run "$PB" serve --help
nopt=0
for opt in $execstart; do
    case $opt in --*)
        nopt=$((nopt + 1))
        if grep -qF -- "$opt" "$T/out"; then ok; else
            fail "docs/deploy.md: the unit's $opt is not in serve --help"; fi ;;
    esac
done
if [ "$nopt" -ge 4 ]; then ok; else
    fail "docs/deploy.md: the unit's ExecStart has $nopt options"; fi
if grep -q 'proxy_buffering off;' docs/deploy.md; then ok; else
    fail "docs/deploy.md: the proxy buffers streams"; fi

# 6. docs/authoring.md, "Workflow": its commands, as written, each exit
#    0, in a scratch copy of the principles and scenarios under git.
ws="$T/workflow"
mkdir -p "$ws"
cp -r principles scenarios "$ws/"
awk '/^## Workflow$/ { w = 1; next } w && /^## / { exit }
     w && /^```sh$/ { b = 1; next } b && /^```$/ { exit }
     b && /^\$ playbook / { sub(/^\$ playbook /, ""); print }' \
    docs/authoring.md >"$T/workflow.txt"
nsteps=$(wc -l <"$T/workflow.txt")
if [ "$nsteps" -ge 6 ]; then ok; else
    fail "authoring.md, Workflow: $nsteps commands found"; fi
for verb in new check lint test coverage diff; do
    if grep -q "^$verb " "$T/workflow.txt"; then ok; else
        fail "authoring.md, Workflow: no '$verb' step"; fi
done
if command -v git >/dev/null 2>&1; then
    (cd "$ws" && git init -q && git add -A &&
     git -c user.email=t@e -c user.name=t commit -qm principles) >/dev/null 2>&1
    while IFS= read -r args; do
        # shellcheck disable=SC2086 # the words of the documented command
        (cd "$ws" && "$PB" $args) >"$T/out" 2>"$T/err"
        rc=$?
        expect_rc 0 "authoring.md, Workflow: playbook $args"
    done <"$T/workflow.txt"
    if [ -f "$ws/leads/.luarc.json" ]; then ok; else
        fail "authoring.md, Workflow: new wrote no leads/.luarc.json"; fi
else
    echo "SKIP: git not installed (the workflow's last step)"
fi

summary
