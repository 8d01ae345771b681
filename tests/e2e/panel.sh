#!/bin/sh
# The agent panel in a real browser (docs/agents.md, "In the browser"):
# Debian's Chromium, headless, driven by puppeteer-core
# (tests/browser/panel.js) against `playbook serve`, once without tokens
# and once with.  The screenshots are kept in the build folder
# (build/release/screenshots/panel-*.png) to be looked at.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/panel.sh
set -u

NAME="e2e panel"
. tests/e2e/lib/common.sh

SHOTS=$(dirname "$PB")/screenshots
mkdir -p "$SHOTS"
# Installed by `make test` (tools/deps.sh --test); missing is a failure,
# never a skip.
for tool in node "${CHROMIUM:-chromium}"; do
    command -v "$tool" >/dev/null 2>&1 || {
        fail "$tool is not installed (make test installs it)"; summary
        exit 1; }
done
[ -d tests/browser/node_modules/puppeteer-core ] || {
    fail "puppeteer-core is not installed (make test installs it)"; summary
    exit 1; }

P="-p principles"
D="$T/data"
. tests/e2e/lib/server.sh
browse() { # mode [token]
    if node tests/browser/panel.js "$1" "$URL" "$SHOTS" ${2:+"$2"} \
        >"$T/out" 2>"$T/err"; then ok; else
        fail "the panel in Chromium ($1)"; sed 's/^/    /' "$T/out" >&2; fi
    grep '^panel: ' "$T/out" | grep -v 'passed' | sed 's/^/    /'
}

# --- the panel on a server without tokens --------------------------------
start
browse open
stop
# What the browser did is on disk: the case file replays to where the
# page left it, a follow-up call that ended with nothing left.
run "$PB" replay -p principles --format json "$D/P-1.xml"
if [ "$rc" = 0 ] && grep -q '"state": *"closed"' "$T/out"; then ok; else
    fail "the panel's case replays, closed (exit $rc)"; fi

# --- sign-in on a server with tokens -------------------------------------
"$PB" serve --tokens "$T/tokens" --add-token agent:ann >"$T/token" 2>"$T/err"
start --tokens "$T/tokens"
browse tokens "$(cat "$T/token")"
stop

for s in start call between keys dark sign-in; do
    if [ -s "$SHOTS/panel-$s.png" ]; then ok; else
        fail "no screenshot panel-$s.png"; fi
done

summary
