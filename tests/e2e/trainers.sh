#!/bin/sh
# The session in docs/trainers.md runs as written, with `playbook` being
# the binary under test.
set -u
NAME="e2e trainers"
. tests/e2e/lib/common.sh

root=$PWD
# The sh block of the page, as a trainer would paste it.
awk '/^```sh$/ { on = 1; next } /^```$/ { on = 0 } on' docs/trainers.md \
    >"$T/session.sh"
[ -s "$T/session.sh" ] && ok || fail "no sh block in docs/trainers.md"

mkdir "$T/work" && cd "$T/work" || exit 1
for d in principles scenarios tests docs; do ln -s "$root/$d" "$d"; done
run sh -c "playbook() { \"$PB\" \"\$@\"; }; set -e; . \"$T/session.sh\""
expect_rc 0 "the trainers' session"
for f in imported/abcd-3592.xml imported/abcd-3695.xml \
         imported/abcd-9489.xml report.html junit.xml stats.txt review.txt; do
    if [ -s "$f" ]; then ok; else fail "the session made no $f"; fi
done
has report.html "abcd-3592" "the HTML report holds the imported calls"
has junit.xml "<testsuite" "JUnit output"
has stats.txt "root" "stats shows root causes"
has review.txt "I'd restate the problem first" "review echoes the answer"
for f in team.html ben.txt ben.html practice.txt; do
    if [ -s "$f" ]; then ok; else fail "the coaching session made no $f"; fi
done
has team.html "Principles by agent" "the team page has the heatmap"
has team.html "Over time" "and the months"
has ben.txt "Coaching: Ben Okafor (Orders)" "coach names the agent"
has practice.txt "yours: ~ agent.restated" "the practised restatement counts"

# The coach output shown on the page is today's (UPDATE_DOCS=1 renews it).
doc="$root/docs/trainers.md"
mark='<!-- example: coach "Ben Okafor" -p principles --practice scenarios docs/examples/team -->'
awk -v m="$mark" '$0 == m { s = 1; next } s == 1 && /^```text$/ { s = 2; next }
     s == 2 && /^```$/ { exit } s == 2 { print }' "$doc" >"$T/doc.txt"
if cmp -s "$T/doc.txt" ben.txt; then ok
elif [ "${UPDATE_DOCS:-}" = 1 ]; then
    awk -v m="$mark" -v f="$PWD/ben.txt" '
        $0 == m { s = 1 }
        s == 1 && /^```text$/ { print; while ((getline l < f) > 0) print l
                                s = 2; next }
        s == 2 && /^```$/ { s = 3 }
        s == 2 { next }
        { print }' "$doc" >"$T/doc.md" && cp "$T/doc.md" "$doc"
    echo "updated the coach example in $doc" >&2
    ok
else
    fail "docs/trainers.md: the coach example is not today's output"
    diff "$T/doc.txt" ben.txt | sed -n '1,10p' >&2
fi
cd "$root" || exit 1
summary
