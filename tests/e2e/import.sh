#!/bin/sh
# End-to-end tests of `playbook import`, run as a trainer would run it.
#
# Run from the repository root with PLAYBOOK set to the binary under test:
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/import.sh
# Checks that the ABCD sample imports to exactly the bundled
# scenarios/abcd-*.xml (their hand-written <expect> aside), that those
# replay to the checklist a support lead agrees with (where the default
# detectors fall short, counted apart and listed in docs/import.md), that
# text transcripts import from a file and a pipe, that the example in
# docs/import.md is what the command prints, and that bad input exits 2
# with file:line and leaves no file behind.  IMPORT_VERBOSE=1 lists the
# items where the detectors and the lead disagree.
set -u

NAME="e2e import"
. tests/e2e/lib/common.sh

FIX=tests/fixtures/import
SAMPLE=$FIX/abcd_sample.json
CORPUS=${ABCD_CORPUS:-/work/shared/corpus/abcd}

# The folder holds nothing but the files named (no temporary leftovers).
only_files() { # DIR WHAT FILE...
    dir=$1 what=$2
    shift 2
    got=$(cd "$dir" && ls -A | sort | tr '\n' ' ')
    want=$(for f in "$@"; do echo "$f"; done | sort | tr '\n' ' ')
    if [ "$got" = "$want" ]; then ok; else
        fail "$what: folder holds '$got', want '$want'"; fi
}
# A bad input: exit 2, the message, and nothing written to an empty DIR.
bad() { # WHAT WANT-STDERR-LINE ARGS...
    what=$1 want=$2
    shift 2
    rm -rf "$T/o"
    mkdir "$T/o"
    run "$PB" import -o "$T/o" "$@"
    expect_rc 2 "$what"
    if [ "$(head -n 1 "$T/err")" = "$want" ]; then ok; else
        fail "$what: stderr is '$(head -n 1 "$T/err")', want '$want'"; fi
    only_files "$T/o" "$what"
}

# --- the sample is the one in the corpus ------------------------------------
if [ -f "$CORPUS/abcd_sample.json" ]; then
    if cmp -s "$SAMPLE" "$CORPUS/abcd_sample.json" &&
       cmp -s "$FIX/abcd_LICENSE" "$CORPUS/LICENSE"; then ok; else
        fail "$FIX: not an unchanged copy of $CORPUS"; fi
fi

# --- ABCD: import, check, replay, same bytes as the bundled scenarios -------
mkdir "$T/abcd"
run "$PB" import -o "$T/abcd" "$SAMPLE"
expect_rc 0 "import the ABCD sample to a folder"
has "$T/out" "wrote $T/abcd/abcd-3592.xml (29 turns)" "import reports files"
only_files "$T/abcd" "ABCD import" abcd-3592.xml abcd-3695.xml abcd-9489.xml
for id in 3592 9489 3695; do
    f=$T/abcd/abcd-$id.xml
    run "$PB" check -p principles "$f"
    expect_rc 0 "check imported abcd-$id"
    run "$PB" replay -p principles "$f"
    expect_rc 0 "replay imported abcd-$id"
    # The bundled file is the import plus a hand-written <expect> block.
    sed '/^  <expect>$/,/^  <\/expect>$/d' "scenarios/abcd-$id.xml" \
        >"$T/bundled.xml"
    if cmp -s "$f" "$T/bundled.xml"; then ok; else
        fail "scenarios/abcd-$id.xml is not the import of $SAMPLE (plus" \
             "<expect>): regenerate it (docs/import.md)"
        diff "$T/bundled.xml" "$f" | sed -n '1,10p' | sed 's/^/    | /' >&2
    fi
    if grep -q '^  <expect>$' "scenarios/abcd-$id.xml"; then ok; else
        fail "scenarios/abcd-$id.xml has no <expect> block"; fi
done
# Deterministic: a second import gives the same bytes.
mkdir "$T/abcd2"
run "$PB" import -o "$T/abcd2" "$SAMPLE"
for f in abcd-3592.xml abcd-3695.xml abcd-9489.xml; do
    if cmp -s "$T/abcd/$f" "$T/abcd2/$f"; then ok; else
        fail "a second import of $f differs"; fi
done
# Files are as shareable as the umask says (like any file the shell
# makes), not private as mkstemp makes them.
: >"$T/made-by-shell"
perm=$(ls -l "$T/abcd/abcd-3592.xml" | cut -c 1-10)
want=$(ls -l "$T/made-by-shell" | cut -c 1-10)
if [ "$perm" = "$want" ]; then ok; else
    fail "imported file mode $perm, want $want for umask $(umask)"; fi

# --- the bundled ABCD scenarios and the lead's checklist --------------------
run "$PB" replay -p principles scenarios/abcd-3592.xml scenarios/abcd-9489.xml \
    scenarios/abcd-3695.xml
expect_rc 0 "the bundled ABCD scenarios meet their <expect>"
run "$PB" replay -p principles --format json scenarios/abcd-3592.xml \
    scenarios/abcd-9489.xml scenarios/abcd-3695.xml
cp "$T/out" "$T/abcd.json"
# What a support lead says for each default item after reading the chats
# (docs/import.md, "The ABCD sample").  Items the detectors agree on are
# checked here and in the scenarios' <expect>; the others are detector
# shortfalls, reported as a count (and listed with IMPORT_VERBOSE=1).
if python3 - "$T/abcd.json" "${IMPORT_VERBOSE:-0}" >"$T/py" 2>&1 <<'EOF'
import json, sys
lead = {
  "abcd-3592": {
    "listen.hear_out": "done", "listen.restate": "open",
    "listen.real_problem": "waiting",
    "ask.essentials": "done", "ask.order_id": "done",
    "ask.return_reason": "done", "ask.no_repeat": "done",
    "explain.propose": "open", "explain.explain_steps": "waiting",
    "explain.check_understanding": "waiting",
    "own.take_ownership": "open", "own.commit": "waiting",
    "own.no_cold_handoff": "absent", "own.resolve_or_escalate": "done",
    "follow_up.schedule": "open", "follow_up.verify": "waiting",
    "boundaries.acknowledge": "absent",
  },
  "abcd-9489": {
    "listen.hear_out": "done", "listen.restate": "violated",
    "listen.real_problem": "waiting",
    "ask.essentials": "done", "ask.order_id": "done",
    "ask.refund_reason": "absent", "ask.no_repeat": "done",
    "explain.propose": "done", "explain.explain_steps": "done",
    "explain.check_understanding": "open",
    "own.take_ownership": "done", "own.commit": "done",
    "own.no_cold_handoff": "absent", "own.resolve_or_escalate": "done",
    "follow_up.schedule": "open", "follow_up.verify": "waiting",
    "boundaries.acknowledge": "absent",
  },
  "abcd-3695": {
    "listen.hear_out": "done", "listen.restate": "violated",
    "listen.real_problem": "waiting",
    "ask.essentials": "done", "ask.account_id": "absent",
    "ask.no_repeat": "done",
    "explain.propose": "done", "explain.explain_steps": "done",
    "explain.check_understanding": "open",
    "own.take_ownership": "done", "own.commit": "absent",
    "own.no_cold_handoff": "absent", "own.resolve_or_escalate": "done",
    "follow_up.schedule": "absent", "follow_up.verify": "absent",
    "boundaries.acknowledge": "absent",
  },
}
d = json.load(open(sys.argv[1]))
verbose = sys.argv[2] == "1"
agree = differ = 0
for s in d["scenarios"]:
    got = {c["principle"] + "." + c["item"]: c["state"] for c in s["checklist"]}
    # The agreed items are the scenario's own <item> expectations.
    expected = {x["ref"] for x in s["expectations"] if x["kind"] == "item"}
    for ref, want in lead[s["id"]].items():
        state = got.get(ref, "absent")
        if state == want:
            agree += 1
            if ref not in expected:
                print("%s %s: the detectors now agree with the lead (%s): "
                      "make it an <expect> item" % (s["id"], ref, want))
        else:
            differ += 1
            assert ref not in expected, (s["id"], ref)
            if verbose:
                print("  shortfall %s %s: lead %s, detectors %s"
                      % (s["id"], ref, want, state))
    assert s["passed"], s["id"]
print("ABCD: the detectors agree with the lead on %d of %d items"
      % (agree, agree + differ))
assert agree >= 50, "fewer agreements than when the scenarios were written"
EOF
then ok; sed 's/^/  /' "$T/py"; else
    fail "ABCD lead checklist: $(tail -n 1 "$T/py")"; fi

# --- plain text: a file, a pipe, the example of docs/import.md --------------
run "$PB" import --topic delivery "$FIX/late-parcel.txt"
expect_rc 0 "import a text transcript"
cp "$T/out" "$T/lp.xml"
run "$PB" check -p principles "$T/lp.xml"
expect_rc 0 "check the imported text transcript"
run "$PB" replay -p principles --format json "$T/lp.xml"
expect_rc 0 "replay the imported text transcript"
json_ok "$T/out" "the example's checklist" "
s = d['scenarios'][0]
st = {c['principle'] + '.' + c['item']: c['state'] for c in s['checklist']}
assert s['topic'] == 'delivery', s['topic']
for ref in ('listen.restate', 'listen.real_problem', 'ask.order_id',
            'explain.propose', 'own.take_ownership', 'own.commit'):
    assert st[ref] == 'done', (ref, st[ref])
assert st['ask.delivery_address'] == 'open', st['ask.delivery_address']
assert [e['t'] for e in s['events'] if not e['detected_by']][:3] == [0, 16, 24]"
# The same transcript through a pipe: same events, id "transcript".
cat "$FIX/late-parcel.txt" |
    "$PB" import --topic=delivery - >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "import from a pipe"
has "$T/out" 'id="transcript"' "a piped transcript's id"
if [ "$(grep '<event ' "$T/out")" = "$(grep '<event ' "$T/lp.xml")" ]; then
    ok; else fail "a piped transcript gives other events than the file"; fi
run_in "$FIX/late-parcel.txt" "$PB" import --format text -
expect_rc 0 "import --format text from stdin"
has "$T/out" '<case topic="delivery"/>' "no --topic: the customer's words say delivery"
has "$T/out" "Topic delivery inferred from the customer's words (delivery: parcel)." \
    "and the description says how it was found"
printf 'Agent: Good morning.\nCustomer: Hello, I have a question.\n' >"$T/vague.txt"
run "$PB" import "$T/vague.txt"
expect_rc 0 "a transcript that names no topic"
lacks "$T/out" "<case" "no topic, no <case>"
has "$T/err" "vague.txt: warning: vague: no topic, none inferred from the customer's words (no cue)" \
    "a warning says so"
has "$T/err" "give --topic T" "and what to do"
# Every cue docs/import.md lists infers its topic when the customer says it.
awk '/^## Topics$/ { on = 1; next } on && /^## / { exit }
     on && /^\| `[a-z_]*` \|/ { print }' docs/import.md |
    sed 's/^| `\([a-z_]*\)` | \(.*\) |$/\1|\2/' >"$T/cues"
[ "$(wc -l <"$T/cues")" -ge 7 ] && ok || fail "docs/import.md: no cue table"
while IFS='|' read -r topic cues; do
    echo "$cues" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | while read -r cue; do
        printf 'Customer: about %sxyz today\n' "$cue" >"$T/cue.txt"
        "$PB" import "$T/cue.txt" 2>/dev/null |
            grep -qF "<case topic=\"$topic\"/>" || echo "$topic: $cue"
    done
done <"$T/cues" >"$T/cue.bad"
if [ -s "$T/cue.bad" ]; then
    fail "docs/import.md: cues that do not infer their topic: $(tr '\n' ' ' <"$T/cue.bad")"
else ok; fi
# docs/import.md shows the transcript, the command and its output.
awk '/^```text$/ { n++; if (n == 1) { on = 1; next } }
     on && /^```$/ { exit } on' docs/import.md >"$T/doc.txt"
awk '/^```xml$/ { n++; if (n == 1) { on = 1; next } }
     on && /^```$/ { exit } on' docs/import.md >"$T/doc.xml"
if cmp -s "$T/doc.txt" "$FIX/late-parcel.txt"; then ok; else
    fail "docs/import.md: the first text block is not $FIX/late-parcel.txt"; fi
if cmp -s "$T/doc.xml" "$T/lp.xml"; then ok; else
    fail "docs/import.md: the first xml block is not what the import prints"
    diff "$T/doc.xml" "$T/lp.xml" | sed -n '1,10p' | sed 's/^/    | /' >&2
fi
has docs/import.md "playbook import --topic delivery $FIX/late-parcel.txt" \
    "docs/import.md shows the command"

# --- output: -o FILE, several conversations, usage ---------------------------
run "$PB" import -o "$T/one.xml" "$FIX/late-parcel.txt"
expect_rc 0 "import -o FILE"
if cmp -s "$T/one.xml" "$T/lp.xml"; then fail "-o FILE ignored --topic?"; else
    ok; fi
has "$T/one.xml" 'id="late-parcel"' "-o FILE holds the scenario"

# --- an existing file is refused without --force; --channel ------------------
cp "$T/one.xml" "$T/before.xml"
run "$PB" import --topic billing -o "$T/one.xml" "$FIX/late-parcel.txt"
expect_rc 2 "-o FILE that exists"
has "$T/err" "one.xml: exists; not overwritten (give --force to replace it)" "says so"
if cmp -s "$T/one.xml" "$T/before.xml"; then ok; else
    fail "the existing -o FILE changed"; fi
run "$PB" import --force --topic billing --channel phone -o "$T/one.xml" \
    "$FIX/late-parcel.txt"
expect_rc 0 "--force replaces it"
has "$T/one.xml" '<case topic="billing" channel="phone"' "the new topic and channel"
rm -rf "$T/f" && mkdir "$T/f"
run "$PB" import -o "$T/f" "$SAMPLE"
expect_rc 0 "into an empty folder"
ls "$T/f" >"$T/f.list"
first=$(head -n 1 "$T/f.list")
echo "mine" >"$T/f/$first"
run "$PB" import --channel email -o "$T/f" "$SAMPLE"
expect_rc 2 "a folder where one of the files exists"
has "$T/err" "$first: exists; not overwritten" "names the file"
if [ "$(cat "$T/f/$first")" = mine ]; then ok; else
    fail "the existing file in -o DIR changed"; fi
if grep -q 'channel="email"' "$T"/f/*.xml; then
    fail "some file was rewritten beside the refused one"; else ok; fi
run "$PB" import --force --channel email -o "$T/f" "$SAMPLE"
expect_rc 0 "--force into the folder"
if [ "$(grep -l 'channel="email"' "$T"/f/*.xml | wc -l)" = 3 ]; then ok; else
    fail "--channel email not on every conversation"; fi
for bad in "" "two words"; do
    run "$PB" import --channel "$bad" "$FIX/late-parcel.txt"
    expect_rc 2 "--channel '$bad'"
done
# who handled it: --agent and --team on every conversation
run "$PB" import --agent "Ana Silva" --team North --topic delivery \
    -o "$T/ag.xml" "$FIX/late-parcel.txt"
expect_rc 0 "--agent and --team"
has "$T/ag.xml" '<case topic="delivery" agent="Ana Silva" team="North"/>' "on the case"
run "$PB" replay -p principles -f json "$T/ag.xml"
has "$T/out" '"agent":"Ana Silva","team":"North"' "replay carries them"
run "$PB" import --agent "Ana" -o "$T/ag2" "$SAMPLE"
expect_rc 2 "-o DIR that is not there"
mkdir "$T/ag2"
run "$PB" import --agent "Ana" -o "$T/ag2" "$SAMPLE"
expect_rc 0 "--agent on every ABCD conversation"
if [ "$(grep -l 'agent="Ana"' "$T"/ag2/*.xml | wc -l)" = 3 ]; then ok; else
    fail "--agent not on every conversation"; fi
run "$PB" import --agent "" "$FIX/late-parcel.txt"
expect_rc 2 "--agent ''"
has "$T/err" "bad agent ''" "says which"
run "$PB" import --team "$(printf 'a\tb')" "$FIX/late-parcel.txt"
expect_rc 2 "--team with a tab"
has "$T/err" "bad team" "says which"
rm -rf "$T/o" && mkdir "$T/o"
run "$PB" import "$SAMPLE"
expect_rc 2 "several conversations to stdout"
has "$T/err" "$SAMPLE: 3 conversations: give -o DIR" "several: message"
if [ -s "$T/out" ]; then fail "several to stdout: wrote something"; else ok; fi
run "$PB" import -o "$T/o/x.xml" "$SAMPLE"
expect_rc 2 "several conversations to -o FILE"
only_files "$T/o" "several to -o FILE"
run "$PB" import -o "$T/nowhere/dir" "$FIX/late-parcel.txt"
expect_rc 2 "-o into a missing folder"
run "$PB" import --topic 'no spaces' "$FIX/late-parcel.txt"
expect_rc 2 "--topic with a space"
run "$PB" import --topic
expect_rc 2 "--topic without a value"
run "$PB" import --format xml "$FIX/late-parcel.txt"
expect_rc 2 "--format xml"
has "$T/err" "unknown format 'xml' (auto, json, text)" "--format message"
run "$PB" import
expect_rc 2 "no transcript"
run "$PB" import a b
expect_rc 2 "two transcripts"
run "$PB" import "$T/missing.txt"
expect_rc 2 "a missing transcript"
has "$T/err" "$T/missing.txt: cannot open" "missing file: message"
run "$PB" import --help
expect_rc 0 "import --help"
has "$T/out" "usage: playbook import" "--help text"

# --- bad input: exit 2, file:line, no file left ------------------------------
b=$T/bad
mkdir "$b"
# bad_input FILE CONTENT WANT...: CONTENT (printf format) into $b/FILE,
# imported; WANT (joined by spaces) is stderr after "$b/FILE".
bad_input() {
    f=$1 content=$2
    shift 2
    printf "$content" >"$b/$f"
    bad "$f" "$b/$f$*" "$b/$f"
}
bad_input speaker.txt 'Agent: hi\nBot: hello\n' \
    ":2: unknown speaker 'Bot' (Agent, Customer or Action; indent a" \
    "continuation line that starts with a word and a colon)"
bad_input empty.txt 'Agent: hi\nCustomer:\nAgent: well?\n' \
    ":2: empty turn (a speaker with no text)"
bad_input back.txt '[00:00] Agent: a\n[00:40] Agent: b\n\n[00:39] Agent: c\n' \
    ":4: time goes backwards: [00:39] after [00:40] on line 2"
bad_input latin1.txt 'Agent: hi\nCustomer: caf\351\n' \
    ":2: invalid UTF-8 (byte 0xE9) at column 14"
bad_input overlong.txt 'Agent: hi\nCustomer: a/b \300\257\n' \
    ":2: invalid UTF-8 (byte 0xC0) at column 15"
bad_input surrogate.txt 'Agent: hi\n\nCustomer: half \355\240\200 a pair\n' \
    ":3: invalid UTF-8 (byte 0xED) at column 16"
bad_input nul.txt 'Agent: hi\nCustomer: a\000b\n' \
    ":2: NUL byte (a transcript is text) at column 12"
bad_input syntax.json \
    '[{"convo_id": 1,\n  "original": [["agent", "hi"],\n  ["customer" "x"]]}]' \
    ":3: invalid JSON: array value separator ',' expected at column 15"
bad_input split.json '{"train": [], "dev": []}\n' \
    ": no \"original\" list of [speaker, text] turns (not an ABCD" \
    "conversation)"
bad_input strings.json '["agent: hi"]\n' \
    ": conversation 1: expected a conversation object, found a string" \
    "(the file must be a list of conversations with \"original\" turns," \
    "as in ABCD)"
bad_input empty.json \
    '[{"convo_id": 5, "original": [["agent", "hi"], ["customer", " "]]}]' \
    ": conversation 1 (abcd-5): turn 2: empty turn (no text)"
# A bad second conversation: the good first one is not written either.
bad_input second.json \
    '[{"convo_id": 1, "original": [["agent", "hi"]]},\n {"convo_id": 2,
  "original": [["robot", "hi"]]}]' \
    ": conversation 2 (abcd-2): turn 1: unknown speaker 'robot' (agent," \
    "customer or action)"
# From a pipe, named <stdin>.
printf 'Agent: hi\nBot: hello\n' >"$b/pipe.txt"
run_in "$b/pipe.txt" "$PB" import -
expect_rc 2 "bad input from a pipe"
err_at "<stdin>" 2 "bad input from a pipe"
# -o FILE: the file is not created, an old one is left as it was.
echo "old" >"$b/keep.xml"
run "$PB" import -o "$b/keep.xml" "$b/speaker.txt"
expect_rc 2 "bad input to -o FILE"
if [ "$(cat "$b/keep.xml")" = "old" ]; then ok; else
    fail "a failed import replaced -o FILE"; fi
if ls "$b" | grep -q tmp; then fail "temporary file left in $b"; else ok; fi

# --- HTML and script in utterances -------------------------------------------
printf '%s\n' 'Customer: <script>alert("x")</script> & <b>bold</b> ]]>' \
    'Agent: So what I'"'"'m hearing is <img src=x onerror=alert(1)>?' \
    >"$b/html.txt"
run "$PB" import "$b/html.txt"
expect_rc 0 "import HTML in utterances"
cp "$T/out" "$T/html.xml"
lacks "$T/html.xml" "<script>" "script escaped in the XML"
has "$T/html.xml" "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp;" \
    "script escaped in the XML"
run "$PB" replay -p principles --format json "$T/html.xml"
expect_rc 0 "replay HTML in utterances"
json_ok "$T/out" "HTML comes back as the same text" "
ev = [e for e in d['scenarios'][0]['events'] if not e['detected_by']]
assert ev[0]['text'] == '<script>alert(\"x\")</script> & <b>bold</b> ]]>', ev[0]
assert ev[1]['text'].endswith('<img src=x onerror=alert(1)>?'), ev[1]"
run "$PB" replay -p principles --format html "$T/html.xml"
if [ "$rc" = 0 ]; then
    lacks "$T/out" "<script>alert" "HTML report escapes the utterance"
    lacks "$T/out" "<img src=x" "HTML report escapes the utterance"
fi

# --- 50 MB transcripts: bounded time, clean failure, no file -----------------
awk 'BEGIN { t = sprintf("%400s", ""); gsub(/ /, "x", t);
             s = "Customer: " t "\n"
             for (n = 0; n < 50000000; n += length(s)) printf "%s", s }' \
    >"$b/big.txt"
rm -rf "$T/o" && mkdir "$T/o"
run_limited 120 "$PB" import -o "$T/o" "$b/big.txt"
expect_rc 2 "a 50 MB text transcript"
err_at "$b/big.txt" 24938 "a 50 MB text transcript"
has "$T/err" "too long for one scenario (over 10000000 bytes of text)" \
    "a 50 MB text transcript: message"
only_files "$T/o" "a 50 MB text transcript"
# Past the file cap (64 MiB) it is refused before it is parsed.
head -c 70000000 /dev/zero >"$b/huge.txt"
run_limited 120 "$PB" import -o "$T/o" "$b/huge.txt"
expect_rc 2 "a 70 MB transcript"
has "$T/err" "$b/huge.txt: file too large (over 67108864 bytes)" \
    "a 70 MB transcript: message"
only_files "$T/o" "a 70 MB transcript"
rm -f "$b/big.txt" "$b/huge.txt"

summary
