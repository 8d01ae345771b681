#!/bin/sh
# End-to-end test of the engine's layering (tools/layers.sh): the built
# engine has no cycle between its files and no file reaching past its
# layer; and the checker itself catches a cycle, a header or a symbol
# used past its layer, and a lower layer calling a higher one, in a small
# tree made here.
#
#   PLAYBOOK=$PWD/build/release/playbook sh tests/e2e/layers.sh
set -u

NAME="e2e layers"
. tests/e2e/lib/common.sh

OBJ=$(dirname "$PB")/engine
# Every folder is held to its layer: nothing is only a warning.
WARN=""

# --- the engine ----------------------------------------------------------------
run sh tools/layers.sh -w "$WARN" engine "$OBJ"
expect_rc 0 "the engine's files form layers without cycles"
lacks "$T/out" "layers: error:" "the engine"
has "$T/out" " 0 errors" "the engine"
# A cycle through any other folder is an error whatever -w says.
if grep 'cycle between' "$T/out" | grep -q -E ' (base|lang|lua|case|cli)/'; then
    fail "a cycle through the core: $(grep 'cycle between' "$T/out")"
else ok; fi

# --- the checker fails when it should ------------------------------------------
# A tree: case/a.c and case/b.c call each other; cli/main.c includes a
# header of case/ and calls a pb__ function of it; report/r.c and
# report/s.c call each other; case/c.c calls up into files/; lang/w.c
# calls up into lua/.
S="$T/src" O="$T/obj"
mkdir -p "$S/case" "$S/cli" "$S/report" "$S/files" "$S/lang" "$S/lua"
echo '/* contract */' >"$S/playbook.h"
echo 'void pb__a(void);' >"$S/case/a.h"
echo 'void pb__b(void);' >"$S/case/b.h"
printf '#include "a.h"\n#include "b.h"\nvoid pb__a(void) { pb__b(); }\n' \
    >"$S/case/a.c"
printf '#include "b.h"\nvoid pb__a(void);\nvoid pb__b(void) { pb__a(); }\n' \
    >"$S/case/b.c"
printf 'void pb_up(void);\nvoid pb__c(void);\nvoid pb__c(void) { pb_up(); }\n' \
    >"$S/case/c.c"
printf 'void pb_up(void);\nvoid pb_up(void) { }\n' >"$S/files/f.c"
printf 'void pb__run(void);\nvoid pb__w(void);\nvoid pb__w(void) { pb__run(); }\n' \
    >"$S/lang/w.c"
printf 'void pb__run(void);\nvoid pb__run(void) { }\n' >"$S/lua/x.c"
printf '#include "playbook.h"\n#include "a.h"\nint main(void) { pb__a(); return 0; }\n' \
    >"$S/cli/main.c"
printf 'void pb__s(void);\nvoid pb__r(void);\nvoid pb__r(void) { pb__s(); }\n' \
    >"$S/report/r.c"
printf 'void pb__r(void);\nvoid pb__s(void);\nvoid pb__s(void) { pb__r(); }\n' \
    >"$S/report/s.c"
for f in case/a case/b case/c files/f cli/main report/r report/s lang/w \
         lua/x; do
    mkdir -p "$O/$(dirname $f)"
    ${CC:-cc} -c -I"$S" -I"$S/case" "$S/$f.c" -o "$O/$f.o" || \
        fail "cannot compile the test tree ($f.c)"
done

run sh tools/layers.sh -w report "$S" "$O"
expect_rc 1 "a cycle in case/ is an error"
has "$T/out" "layers: error: cycle between case/a case/b:" "the cycle named"
has "$T/out" "case/a.o uses pb__b" "the cycle's edges"
has "$T/out" "case/b.o uses pb__a" "the cycle's edges"
has "$T/out" "layers: error: cli/main.c includes case/a.h (the internals of case/ are not for cli/)" \
    "a header past its layer"
has "$T/out" "layers: error: cli/main.o uses pb__a (the internals of case/ are not for cli/)" \
    "a symbol past its layer"
has "$T/out" "layers: error: case/c.o uses pb_up (files/ is a layer above case/)" \
    "a call up the layers"
has "$T/out" "layers: warning: cycle between report/r report/s:" \
    "a cycle in a folder on its way is a warning"
has "$T/out" "layers: error: lang/w.o uses pb__run (lua/ is a layer above lang/)" \
    "lang/ sits below lua/"

run sh tools/layers.sh "$S" "$O"
expect_rc 1 "without -w"
has "$T/out" "layers: error: cycle between report/r report/s:" \
    "the same cycle is an error without -w"

# Without the cycles and the reaching past, the tree passes.
rm "$O/case/b.o" "$O/case/c.o" "$O/files/f.o" "$O/cli/main.o" "$O/report/s.o"
rm "$S/case/b.c" "$S/case/c.c" "$S/files/f.c" "$S/cli/main.c" "$S/report/s.c"
rm "$O/lang/w.o" "$S/lang/w.c"
printf 'void pb__b(void);\nvoid pb__b(void) { }\n' >"$S/case/b.c"
${CC:-cc} -c "$S/case/b.c" -o "$O/case/b.o"
run sh tools/layers.sh "$S" "$O"
expect_rc 0 "a tree in layers"
has "$T/out" " 0 errors, 0 warnings" "a tree in layers"

# A source without its object is not passed over.
rm "$O/case/b.o"
run sh tools/layers.sh "$S" "$O"
expect_rc 1 "a missing object"
has "$T/err" "no object" "a missing object"

summary
