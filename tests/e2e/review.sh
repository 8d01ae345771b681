#!/bin/sh
# End-to-end tests of `playbook review`: review sessions run from a pipe,
# the way a trainer's script (or this suite) drives them.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/review.sh
#
# Also checks that the transcript shown in docs/review.md is what the
# session prints today.
set -u

NAME="e2e review"
. tests/e2e/lib/common.sh

P=principles

# block FILE FROM TO: the lines from the first one starting with FROM up to
# (not including) the next one starting with TO.
block() {
    awk -v from="$2" -v to="$3" '
        on && index($0, to) == 1 { exit }
        !on && index($0, from) == 1 { on = 1 }
        on { print }' "$1"
}
# line_of FILE TEXT: number of the first line holding TEXT, or 0.
line_of() {
    n=$(grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1)
    echo "${n:-0}"
}
before() { # FILE A B WHAT: A is printed before B
    a=$(line_of "$1" "$2")
    b=$(line_of "$1" "$3")
    if [ "$a" -gt 0 ] && [ "$b" -gt "$a" ]; then ok; else
        fail "$4: '$2' (line $a) is not before '$3' (line $b)"; fi
}
no_escapes() { # FILE WHAT
    if [ "$(esc_count "$1")" = 0 ]; then ok; else
        fail "$2: escape bytes in the output"; fi
}

# --- help ----------------------------------------------------------------
run "$PB" review --help
expect_rc 0 "review --help"
has "$T/out" "usage: playbook review" "help has the usage line"
has "$T/out" "--notes FILE" "help documents --notes"
has "$T/out" "agent.*, case.*" "help says which events are agent moves"
has "$T/out" "q, quit" "help lists the prompt commands"

# --- billing-dispute from a pipe: the whole session -----------------------
# Step 1 answered, step 2 skipped with Enter, step 3 answered; then the
# input ends, and the other ten moves play without stopping.
printf 'ANSWER-ONE restate before offering anything\n\nANSWER-THREE\n' \
    >"$T/in"
run_in "$T/in" "$PB" review -p "$P" scenarios/billing-dispute.xml
expect_rc 0 "review billing-dispute from a pipe"
cp "$T/out" "$T/bd"
no_escapes "$T/bd" "piped billing-dispute session"
if [ -s "$T/err" ]; then fail "billing-dispute: unexpected stderr"; else ok; fi
has "$T/bd" "Review: Roaming charges for calls made at home" "header"
has "$T/bd" "Known from the start: account_id=MB-7734120" \
    "facts known from the start are shown"
has "$T/bd" "13 agent moves to review" "the agent moves are counted"
has "$T/bd" "-- Step 13 of 13 at 03:20 " "every agent move is a step"
# Customer turns and facts pass without a step of their own.
has "$T/bd" "  00:17  customer.said  \"Ten pounds?" "customer turn shown"
has "$T/bd" "  01:22  fact name=invoice_id  \"INV-2024-05-118839\"" \
    "fact shown as it passes"
if [ "$(grep -c '^-- Step ' "$T/bd")" = 13 ]; then ok; else
    fail "billing-dispute: $(grep -c '^-- Step ' "$T/bd") steps, want 13"; fi

# The checklist comes before the agent's move, and shows the state
# before it: restate still open at step 1, violated only after the move.
block "$T/bd" "-- Step 1 of" "-- Step 2 of" >"$T/s1"
before "$T/s1" "-- Step 1 of 13 at 00:11" "    [ ] restate" \
    "step 1: header, then the checklist"
before "$T/s1" "    [ ] restate" "Next:" "step 1: checklist, then next"
before "$T/s1" "  -> listen.restate" "Your move> " "step 1: next, then prompt"
before "$T/s1" "Your move> " "  Agent: agent.proposed" \
    "step 1: prompt, then the recorded move"
lacks "$T/s1" "[!] restate" "step 1 checklist is from before the move"
before "$T/s1" "  Agent: agent.proposed" "[!] listen.restate violated" \
    "step 1: the move, then its effect"
has "$T/s1" "[x] explain.propose done" "step 1: items done by the move"

# The answers are echoed at their own steps, and only there.
has "$T/s1" "  You:   ANSWER-ONE restate before offering anything" \
    "step 1 answer echoed"
block "$T/bd" "-- Step 2 of" "-- Step 3 of" >"$T/s2"
lacks "$T/s2" "You:" "step 2 was skipped with Enter"
block "$T/bd" "-- Step 3 of" "-- Step 4 of" >"$T/s3"
has "$T/s3" "  You:   ANSWER-THREE" "step 3 answer echoed"
before "$T/s3" "  You:   ANSWER-THREE" "  Agent: agent.said" \
    "step 3: the answer comes before the recorded move"
if [ "$(grep -c '^  You: ' "$T/bd")" = 2 ]; then ok; else
    fail "billing-dispute: want exactly 2 answers echoed"; fi

# Violations are called out at the move that caused them, nowhere else.
has "$T/s1" "  !! Violation: listen.restate" \
    "listen.restate called out at step 1"
has "$T/s2" "  !! Violation: ask.no_repeat" \
    "ask.no_repeat called out at step 2"
lacks "$T/s2" "!! Violation: listen.restate" "listen.restate called out once"
if [ "$(grep -c '!! Violation' "$T/bd")" = 2 ]; then ok; else
    fail "billing-dispute: want 2 violation call-outs"; fi

# The end of input lets the rest play: said once, no more prompts.
has "$T/bd" "(end of input: the rest plays without stopping)" "EOF noted"
if [ "$(grep -c 'Your move> ' "$T/bd")" = 4 ]; then ok; else
    fail "billing-dispute: want 4 prompts (3 lines read, then EOF)"; fi

# The summary: final checklist (the same as replay's), comparison.
block "$T/bd" "-- Summary " "NO-SUCH-LINE" >"$T/sum"
has "$T/sum" "All 21 events played." "summary: whole scenario played"
has "$T/sum" "You answered 2 of 13 agent moves." "summary: answers counted"
has "$T/sum" "Moves that caused violations:" "summary: violations listed"
has "$T/sum" "  step 1   00:11  agent.proposed       listen.restate" \
    "summary: step 1 caused listen.restate"
has "$T/sum" "  step 2   00:25  agent.asked          ask.no_repeat" \
    "summary: step 2 caused ask.no_repeat"
has "$T/sum" "            you: ANSWER-ONE restate" \
    "summary: the answer at a violating move"
has "$T/sum" "  step 3   agent.said         you: ANSWER-THREE" \
    "summary: the answers next to the recorded moves"
run "$PB" replay -p "$P" scenarios/billing-dispute.xml
block "$T/out" "  listen - " "Expectations:" >"$T/want"
block "$T/sum" "  listen - " "You answered" >"$T/got"
if cmp -s "$T/want" "$T/got"; then ok; else
    fail "the final checklist differs from replay's"
    diff "$T/want" "$T/got" | head -n 10 >&2
fi

# --- cold-transfer: a violation by a case.* move, detected events ---------
run_limited 10 "$PB" review -p "$P" scenarios/cold-transfer.xml </dev/null
expect_rc 0 "review cold-transfer with no input"
no_escapes "$T/out" "cold-transfer session"
block "$T/out" "-- Step 1 of" "-- Step 2 of" >"$T/s1"
has "$T/s1" "~ agent.restated  (detected by listen)" \
    "an utterance's detected event is shown under the move"
block "$T/out" "-- Step 5 of 5 at 01:20" "-- Summary" >"$T/s5"
before "$T/s5" "Next: " "  Agent: case.transferred to=security_team warm=no" \
    "a transfer is an agent move, with next shown before it"
has "$T/s5" "  !! Violation: own.no_cold_handoff" \
    "own.no_cold_handoff called out at the transfer"
has "$T/out" "  step 5   01:20  case.transferred     own.no_cold_handoff" \
    "summary: the transfer caused the violation"
has "$T/out" "You answered 0 of 5 agent moves." "no answers from empty input"

# --- q quits early with the summary so far --------------------------------
printf 'first thought\nq\nNEVER-READ\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" scenarios/billing-dispute.xml
expect_rc 0 "q quits with exit 0"
has "$T/out" "Stopped at step 2 of 13, before the agent's move" "q: where"
has "$T/out" "You answered 1 of 13 agent moves." "q: answers so far"
has "$T/out" "  step 1   00:11  agent.proposed       listen.restate" \
    "q: violations so far"
lacks "$T/out" "!! Violation: ask.no_repeat" "q: step 2's move is not played"
lacks "$T/out" "-- Step 3 of" "q: nothing after the quit"
lacks "$T/out" "NEVER-READ" "q: no line is read after it"
has "$T/out" "Score: " "q: the score so far"
printf 'QUIT\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" scenarios/billing-dispute.xml
has "$T/out" "Stopped at step 1 of 13" "QUIT works in capitals"

# --- prompt commands: ? and c do not use up the step ----------------------
printf '?\nc\nMY-ANSWER\nq\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" scenarios/billing-dispute.xml
expect_rc 0 "? and c"
has "$T/out" "  c, checklist    show the checklist again" \
    "? lists the commands"
block "$T/out" "-- Step 1 of" "-- Step 2 of" >"$T/s1"
if [ "$(grep -c '^Next:' "$T/s1")" = 2 ]; then ok; else
    fail "c shows the checklist again"; fi
has "$T/s1" "  You:   MY-ANSWER" "the answer after ? and c is step 1's"
has "$T/out" "Stopped at step 2 of 13" "? and c use up no step"

# --- the end of input never blocks or spins -------------------------------
for input in /dev/null "$T/partial"; do
    printf 'one answer without a newline' >"$T/partial"
    run_limited 10 "$PB" review -p "$P" scenarios/billing-dispute.xml \
        <"$input"
    if [ "$rc" = 124 ]; then fail "review blocked at the end of $input"; else
        ok; fi
    expect_rc 0 "review with input from $input"
    has "$T/out" "All 21 events played." "EOF from $input: session ends"
done
has "$T/out" "  You:   one answer without a newline" "a last line without \\n"

# --- what the trainee types cannot put escape codes on the screen ---------
printf 'red \033[31malert\033[0m\a\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" --notes "$T/esc-notes" \
    scenarios/cold-transfer.xml
expect_rc 0 "answer with control bytes"
no_escapes "$T/out" "control bytes in an answer"
no_escapes "$T/esc-notes" "control bytes in the notes"
has "$T/out" 'red \x1b[31malert\x1b[0m\x07' "control bytes shown as \\xNN"
# A very long line is cut, not a crash, and ends on a whole character.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "\303\251"; print "" }' \
    >"$T/in"
run_in "$T/in" "$PB" review -p "$P" scenarios/cold-transfer.xml
expect_rc 0 "a very long answer"
if grep '^  You: ' "$T/out" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    ok; else fail "a cut answer is not valid UTF-8"; fi

# --- colours: only on a terminal, never with NO_COLOR ---------------------
if command -v script >/dev/null 2>&1 &&
    script -qec true /dev/null >/dev/null 2>&1; then
    script -qec "$PB review -p $P scenarios/cold-transfer.xml </dev/null" \
        /dev/null >"$T/tty" 2>&1
    if [ "$(esc_count "$T/tty")" -gt 0 ]; then ok; else
        fail "no colours on a terminal"; fi
    NO_COLOR=1 script -qec \
        "$PB review -p $P scenarios/cold-transfer.xml </dev/null" \
        /dev/null >"$T/tty" 2>&1
    no_escapes "$T/tty" "NO_COLOR on a terminal"
    has "$T/tty" "-- Summary" "the session ran on a terminal"
fi

# --- notes: appended, step and recorded move, temp+rename -----------------
mkdir "$T/n"
printf 'NOTE-ONE\n\nNOTE-THREE\nq\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" --notes "$T/n/notes.txt" \
    scenarios/billing-dispute.xml
expect_rc 0 "review --notes"
has "$T/n/notes.txt" \
    "Review of scenarios/billing-dispute.xml [billing-dispute]" \
    "notes: session header"
has "$T/n/notes.txt" "  step 1 at 00:11: NOTE-ONE" "notes: step 1 answer"
has "$T/n/notes.txt" \
    "    recorded: agent.proposed  \"I can offer you a 10 pound" \
    "notes: the recorded move"
has "$T/n/notes.txt" "  step 3 at 00:38: NOTE-THREE" "notes: step 3 answer"
has "$T/n/notes.txt" "answered 2 of 13 agent moves (stopped early)" \
    "notes: count"
lacks "$T/n/notes.txt" "step 2 at" "notes: skipped steps are left out"
chmod 640 "$T/n/notes.txt"
printf 'SECOND-SESSION\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" --notes="$T/n/notes.txt" \
    scenarios/cold-transfer.xml
expect_rc 0 "review --notes=FILE, second session"
has "$T/n/notes.txt" "NOTE-ONE" "notes: the first session is kept"
has "$T/n/notes.txt" "  step 1 at 00:28: SECOND-SESSION" \
    "notes: the second session is appended"
if [ "$(grep -c '^Review of ' "$T/n/notes.txt")" = 2 ]; then ok; else
    fail "notes: want two sessions"; fi
if [ "$(ls "$T/n")" = notes.txt ]; then ok; else
    fail "notes: temporary files left: $(ls "$T/n")"; fi
if [ "$(ls -l "$T/n/notes.txt" | cut -c 1-10)" = "-rw-r-----" ]; then ok; else
    fail "notes: the file's mode is not kept"; fi
run "$PB" review -p "$P" --notes "$T/nodir/notes.txt" \
    scenarios/cold-transfer.xml </dev/null
expect_rc 2 "--notes in a folder that does not exist"
if [ -s "$T/out" ]; then fail "unwritable notes: the session started"; else
    ok; fi
has "$T/err" "$T/nodir/notes.txt" "unwritable notes: the file is named"
run "$PB" review -p "$P" --notes </dev/null
expect_rc 2 "--notes without a value"
run "$PB" review -p "$P" --notes a --notes b scenarios/cold-transfer.xml \
    </dev/null
expect_rc 2 "--notes twice"

# --- bad input --------------------------------------------------------------
run "$PB" review -p "$P" </dev/null
expect_rc 2 "no scenario"
has "$T/err" "no scenario given" "no scenario: message"
run "$PB" review -p "$P" scenarios/billing-dispute.xml \
    scenarios/cold-transfer.xml </dev/null
expect_rc 2 "two scenarios"
run "$PB" review -p "$P" --format json scenarios/cold-transfer.xml </dev/null
expect_rc 2 "an option review does not take"
run "$PB" review -p "$P" "$T/missing.xml" </dev/null
expect_rc 2 "missing scenario"
has "$T/err" "$T/missing.xml: " "missing scenario: named"
cat >"$T/bad.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="bad" title="Bad">
  <events>
    <event t="0" type="customer.said">Hello</event>
    <event t="soon" type="agent.said">Hi</event>
  </events>
</scenario>
EOF
run "$PB" review -p "$P" "$T/bad.xml" </dev/null
expect_rc 2 "invalid scenario"
err_at "$T/bad.xml" 5 "invalid scenario: file:line"
if [ -s "$T/out" ]; then fail "invalid scenario: a session started"; else
    ok; fi
printf '<scenario' >"$T/trunc.xml"
run "$PB" review -p "$P" "$T/trunc.xml" </dev/null
expect_rc 2 "truncated scenario"
err_at "$T/trunc.xml" 1 "truncated scenario: file:line"

# An event the case refuses: reported with its line, skipped, exit 2.
cat >"$T/rej.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="rej" title="Refused">
  <case topic="billing"/>
  <events>
    <event t="0" type="customer.said">My bill is wrong.</event>
    <event t="5" type="item.checked" ref="nope.item">done</event>
    <event t="8" type="agent.said">Let me look.</event>
  </events>
</scenario>
EOF
run_limited 10 "$PB" review -p "$P" "$T/rej.xml" </dev/null
expect_rc 2 "a refused event"
err_at "$T/rej.xml" 6 "refused event: file:line"
has "$T/out" "item.checked: event rejected (line 6), skipped" \
    "refused event: said in the session"
has "$T/out" "All 3 events played (1 rejected)." "refused event: session ran"

# An item whose error clears while it waits: under the move it is marked
# as the checklist marks a waiting item, [.], not as an open one.
mkdir "$T/pw"
cat >"$T/pw/w.lua" <<'EOF'
return principle {
  id = "w", title = "Waits",
  items = {
    { id = "first", must = true, prompt = "First.",
      done = function(case) return case:has("agent.proposed") end },
    { id = "second", must = true, after = { "first" }, prompt = "Second.",
      done = function(case)
        if case:has("customer.said") and not case:has("agent.said") then
          error("not yet")
        end
        return false
      end },
  },
}
EOF
cat >"$T/w.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<scenario xmlns="urn:playbook:scenario:1" id="w" title="Waits">
  <case topic="billing"/>
  <events>
    <event t="0" type="customer.said">Hello.</event>
    <event t="5" type="agent.said">Hi.</event>
  </events>
</scenario>
EOF
run_limited 10 "$PB" review -p "$T/pw" "$T/w.xml" </dev/null
expect_rc 0 "an error that clears"
has "$T/out" "[E] w.second error" "an error that clears: the error"
has "$T/out" "[.] w.second waiting" "an error that clears: marked waiting"

# Principles that fail to load: listed, the session runs, exit 2.
mkdir "$T/p"
cp principles/*.lua "$T/p/"
cp -R principles/lib "$T/p/"
printf 'return principle {\n  id = \n' >"$T/p/broken.lua"
run_limited 10 "$PB" review -p "$T/p" scenarios/cold-transfer.xml </dev/null
expect_rc 2 "a principle that fails to load"
err_at "$T/p/broken.lua" 3 "broken principle: file:line"
has "$T/err" "1 principle file did not load" "broken principle: summed up"
has "$T/out" "Not loaded: $T/p/broken.lua" "broken principle: in the session"
has "$T/out" "!! Violation: own.no_cold_handoff" \
    "broken principle: the others still work"
has "$T/out" "-- Summary" "broken principle: the session ran to the end"

# --- the trainee's words through the detectors -------------------------------
printf 'So you are being charged roaming for calls made at home, is that right?\nI will make sure this gets fixed for you today\nq\n' >"$T/in"
run_in "$T/in" "$PB" review -p "$P" --notes "$T/teach.txt" scenarios/billing-dispute.xml
expect_rc 0 "answers that say something"
has "$T/out" "  yours: ~ agent.restated" "a restatement, detected in the answer"
has "$T/out" "the agent's did: listen.restate violated, explain.propose" "next to what the agent's move did"
has "$T/out" "did: ~ agent.restated" "the summary: what the answer did"
has "$T/teach.txt" "    yours did: ~ agent.restated" "the notes keep it"
nyours=$(grep -c '^  yours: ' "$T/out")
if [ "$nyours" = 2 ]; then ok; else
    fail "want a yours: line for each of the 2 answers, got $nyours"; fi
# the answers change nothing of the call itself
printf '\n\nq\n' >"$T/in0"
run_in "$T/in0" "$PB" review -p "$P" scenarios/billing-dispute.xml
sed -n '/^-- Summary/,/^You answered/p' "$T/out" | grep -v "^You answered" >"$T/plain"
run_in "$T/in" "$PB" review -p "$P" scenarios/billing-dispute.xml
sed -n '/^-- Summary/,/^You answered/p' "$T/out" | grep -v "^You answered" >"$T/taught"
if [ -s "$T/plain" ] && cmp -s "$T/plain" "$T/taught"; then ok; else
    fail "an answer changed the call's own checklist"; fi

# --- docs/review.md shows a real session ------------------------------------
DOC_INPUT='So you are being charged roaming for calls made at home, is that right?\n\n?\n'
DOC_INPUT=$DOC_INPUT'Look at the account on screen\nq\n'
DOC_CMD='playbook review scenarios/billing-dispute.xml'
# shellcheck disable=SC2059 # the input is a printf format on purpose
printf "$DOC_INPUT" >"$T/in"
run_in "$T/in" "$PB" review -p "$P" scenarios/billing-dispute.xml
{
    printf '%s\n' "\$ printf '$DOC_INPUT' | $DOC_CMD"
    cat "$T/out"
} >"$T/want"
awk '/^```/ { if (on) exit; if (want) on = 1; next }
     on { print }
     /^<!-- transcript -->$/ { want = 1 }' docs/review.md >"$T/got"
if cmp -s "$T/want" "$T/got"; then ok; else
    fail "docs/review.md: the transcript is not what the session prints"
    diff "$T/want" "$T/got" | head -n 10 >&2
fi

summary
