#!/bin/sh
# layers.sh [-w "FOLDERS"] SRC OBJ -- checks how the engine's files depend
# on each other (docs/architecture.md): SRC is the engine folder
# (engine), OBJ the same tree of built objects (build/release/engine).
#
# A module is a folder's x.c with its x.h.  Module a depends on module b
# when a file of a includes b's header (#include "b.h", looked up in a's
# folder first, then in the others), or a's object uses a pb_ or pb__
# symbol that b's object defines (nm).  The rules:
#
#   1. No cycles: the modules form a DAG, so every file can be read and
#      tested on top of the ones below it.
#   2. Layers, in the order data flows: base, lang, lua, case, files,
#      report, serve, cli.  Nothing depends on a layer above its own.  A
#      folder's internal headers and pb__ symbols are its own, except
#      that every layer may use base/, case/ may use lang/ and lua/
#      (the Lua headers, <lua.h> and the like, count as lua/), and cli/
#      may use serve/ (the server is a verb's).  Everyone
#      may include playbook.h and call the pb_ functions it declares.
#
# A folder named in -w (default: "$LAYERS_WARN") is on its way to the
# rules: what it breaks, and cycles wholly inside such folders, are
# printed as warnings.  Everything else is an error: exit 1.
set -u

warn=${LAYERS_WARN-}
if [ "${1-}" = "-w" ]; then
    warn=$2
    shift 2
fi
if [ $# -ne 2 ] || [ ! -d "$1" ] || [ ! -d "$2" ]; then
    echo "usage: layers.sh [-w \"FOLDERS\"] SRC OBJ" >&2
    exit 2
fi
SRC=${1%/} OBJ=${2%/}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/layers.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 2' HUP INT TERM

# The engine's own files: the folders of the layers and playbook.h.
find "$SRC" -path "$SRC/vendor" -prune -o \( -name '*.[ch]' -print \) |
    sed "s|^$SRC/||" | sort >"$tmp/files"

# Edges "from to what", one a line.
: >"$tmp/edges"
while read -r f; do
    dir=$(dirname "$f")
    sed -n -E -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*/q \1/p' \
        -e 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<(lua|lauxlib|lualib)\.h>.*/a \1.h/p' \
        "$SRC/$f" |
    while read -r kind h; do
        if [ "$kind" = a ]; then
            to="lua/<$h>"
        elif [ -f "$SRC/$dir/$h" ]; then
            to="$dir/$h"
        else
            to=$(awk -v h="/$h" '"/" $0 == h ||
                substr($0, length($0) - length(h) + 1) == h { print; exit }' \
                "$tmp/files")
            [ -n "$to" ] || continue   # a system or generated header
        fi
        echo "${f%.*} ${to%.h} $f includes ${to#./}"
    done
done <"$tmp/files" >>"$tmp/edges"

# Symbols: "D|U symbol module" from every object of a source file.
: >"$tmp/syms"
for f in $(grep '\.c$' "$tmp/files"); do
    o="$OBJ/${f%.c}.o"
    if [ ! -f "$o" ]; then
        echo "layers: error: no object $o for $SRC/$f (build first)" >&2
        exit 1
    fi
    nm -P -g "$o" | awk -v m="${f%.c}" '
        $1 ~ /^pb_/ { print ($2 == "U" ? "U" : "D"), $1, m }' >>"$tmp/syms"
done
awk 'NR == FNR { if ($1 == "D") def[$2] = $3; next }
     $1 == "U" && ($2 in def) { print $3, def[$2], $3 ".o uses " $2 }' \
    "$tmp/syms" "$tmp/syms" >>"$tmp/edges"
sed -i 's|^\./||; s| \./| |' "$tmp/edges"

sort -u "$tmp/edges" | awk -v warn=" $warn " '
function folder(m) { return m ~ /\// ? substr(m, 1, index(m, "/") - 1) : "" }
function warned(m) { return index(warn, " " folder(m) " ") > 0 }
function say(level, msg) {
    print "layers: " level ": " msg
    if (level == "error")
        errors++
    else
        warnings++
}
# Tarjan: the strongly connected components; one of more than one
# module is a cycle.
function visit(v,    i, w, n, k, all_warned, list) {
    order[v] = low[v] = ++count
    stack[++sp] = v
    on[v] = 1
    for (i = 1; i <= nout[v]; i++) {
        w = out[v, i]
        if (!(w in order)) {
            visit(w)
            if (low[w] < low[v])
                low[v] = low[w]
        } else if (on[w] && order[w] < low[v]) {
            low[v] = order[w]
        }
    }
    if (low[v] != order[v])
        return
    n = 0
    do {
        w = stack[sp--]
        on[w] = 0
        member[++n] = w
        scc[w] = v
    } while (w != v)
    if (n == 1)
        return
    all_warned = 1
    list = ""
    for (k = n; k >= 1; k--) {
        list = list " " member[k]
        if (!warned(member[k]))
            all_warned = 0
    }
    msg = "cycle between" list ":"
    for (k = 1; k <= nedges; k++)
        if (scc[efrom[k]] == v && scc[eto[k]] == v)
            msg = msg "\n    " ewhat[k]
    say(all_warned ? "warning" : "error", msg)
}
BEGIN {
    rank["base"] = 0; rank["lang"] = 1; rank["lua"] = 2; rank["case"] = 3
    rank["files"] = 4; rank["report"] = 5; rank["serve"] = 6
    rank["cli"] = 7
}
{
    from = $1; to = $2
    what = $0
    sub(/^[^ ]+ [^ ]+ /, "", what)
    if (from == to)
        next
    if (!((from SUBSEP to) in seen)) {
        seen[from, to] = 1
        out[from, ++nout[from]] = to
    }
    if (!(from in node)) { node[from] = 1; nodes[++nnodes] = from }
    if (!(to in node)) { node[to] = 1; nodes[++nnodes] = to }
    efrom[++nedges] = from; eto[nedges] = to; ewhat[nedges] = what

    ff = folder(from); ft = folder(to)
    if (ff == ft || ft == "")
        next
    internal = what ~ / includes / || what ~ / uses pb__/
    if (!(ff in rank) || !(ft in rank))
        bad = ""                        # a folder the rules do not know
    else if (rank[ft] > rank[ff])
        bad = ft "/ is a layer above " ff "/"
    else if (internal && !(ft == "base" ||
                           (ff == "case" && (ft == "lua" || ft == "lang")) ||
                           (ff == "cli" && ft == "serve")))
        bad = "the internals of " ft "/ are not for " ff "/"
    else
        next
    if (bad == "")
        bad = "unknown layer"
    say(warned(from) ? "warning" : "error", what " (" bad ")")
}
END {
    for (i = 1; i <= nnodes; i++)
        if (!(nodes[i] in order))
            visit(nodes[i])
    printf "layers: %d modules, %d dependencies, %d errors, %d warnings\n",
           nnodes, nedges, errors, warnings
    exit errors > 0
}'
