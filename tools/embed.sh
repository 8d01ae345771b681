#!/bin/sh
# embed.sh HEADER SYMBOL FILE: a C file holding FILE's bytes as SYMBOL
# (NUL-terminated) and SYMBOL_len, for files built into the binary: the
# scenario schema, the agent panel.  od, not xxd, which is not always
# there.
set -e
[ $# = 3 ] || { echo "usage: embed.sh HEADER SYMBOL FILE" >&2; exit 2; }
echo "/* Generated from $3 by tools/embed.sh: do not edit. */"
echo "#include \"$1\""
echo "const unsigned char $2[] = {"
od -An -v -t x1 "$3" | sed -e 's/ *$//' -e 's/ \([0-9a-f]*\)/0x\1,/g'
echo "0x00};"
echo "const size_t $2_len = sizeof $2 - 1;"
