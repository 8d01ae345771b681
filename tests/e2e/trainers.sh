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
for d in principles scenarios tests; do ln -s "$root/$d" "$d"; done
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
cd "$root" || exit 1
summary
