#!/bin/sh
# tools/timelines.sh BIN OUT -- what a change to the engine must not
# change: the replay (JSON and text) of every bundled scenario, every
# scenario under $TIMELINES_EXTRA (a folder of *.xml, e.g. the real-abcd
# corpus), every transcript of tests/fixtures/import and of the import
# fuzz corpus imported and replayed, and every file of the scenario fuzz
# corpus, written to OUT, one file per input.  Run it with the binary
# before and after a change and compare: `diff -r OUT1 OUT2` must print
# nothing (docs/architecture.md, "Changing the engine").
set -u
[ $# -eq 2 ] || { echo "usage: tools/timelines.sh BIN OUT" >&2; exit 2; }
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
OUT=$2
cd "$(dirname "$0")/.." || exit 2
rm -rf "$OUT" && mkdir -p "$OUT" || exit 2
# One work folder of a fixed name: its path appears in messages.
W=${TMPDIR:-/tmp}/playbook-timelines
rm -rf "$W" && mkdir -p "$W" || exit 2
P=principles

replay() { # NAME FILE
    "$BIN" replay -p "$P" --format json "$2" >"$OUT/$1.json" 2>"$OUT/$1.err"
    echo "exit $?" >>"$OUT/$1.err"
}

for f in scenarios/*.xml ${TIMELINES_EXTRA:+"$TIMELINES_EXTRA"/*.xml}; do
    n=$(echo "$f" | tr / _)
    replay "$n" "$f"
    "$BIN" replay -p "$P" "$f" >"$OUT/$n.txt" 2>/dev/null
done
for f in tests/fixtures/import/*.json tests/fixtures/import/*.txt \
         tests/fuzz/corpus/fuzz_import/*; do
    [ -f "$f" ] || continue
    n=import_$(basename "$f")
    rm -rf "$W/i" && mkdir "$W/i"
    "$BIN" import -o "$W/i" "$f" >"$OUT/$n.import" 2>&1
    echo "exit $?" >>"$OUT/$n.import"
    for x in "$W"/i/*.xml; do
        [ -f "$x" ] || continue
        cp "$x" "$OUT/$n.$(basename "$x")"
        replay "$n.$(basename "$x")" "$x"
    done
done
for f in tests/fuzz/corpus/fuzz_scenario/*; do
    cp "$f" "$W/x.xml"
    replay "fuzz_$(basename "$f")" "$W/x.xml"
done
rm -rf "$W"
echo "$(ls "$OUT" | wc -l) files in $OUT"
