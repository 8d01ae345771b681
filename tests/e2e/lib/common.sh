# Shared by the end-to-end scripts in tests/e2e/: sourced, never run.
#
# A script sets NAME (e.g. NAME="e2e replay") and sources this file from the
# repository root; PLAYBOOK names the binary under test.  Checks call ok or
# fail; `summary` prints "NAME: N passed, N failed" and exits non-zero when
# any check failed.

PB=${PLAYBOOK:?set PLAYBOOK to the playbook binary under test}
passed=0 failed=0 known=0

if [ ! -d principles ] || [ ! -d scenarios ]; then
    echo "FAIL: run from the repository root (no principles/ or scenarios/)" >&2
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/pb-e2e.XXXXXX") || {
    echo "FAIL: mktemp -d" >&2; exit 1; }
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

ok() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $*" >&2
    # What the command said, to see why without rerunning it.
    for f in "$T/out" "$T/err"; do
        [ -s "$f" ] && sed -n '1,6p' "$f" | cut -c 1-300 | sed 's/^/    | /' >&2
    done
    return 0
}
# An engine bug that is known and reported: counted apart, not a failure.
known_bug() { known=$((known + 1)); echo "KNOWN BUG (xfail): $*" >&2; }

# run CMD...: stdout in $T/out, stderr in $T/err, exit status in $rc.  A
# sanitizer report is always a failure, whatever the exit status.
run() {
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$T/err"; then
        fail "sanitizer report from: $*"
    fi
}
# run_in FILE CMD...: like run, with stdin from FILE.
run_in() {
    input=$1
    shift
    "$@" <"$input" >"$T/out" 2>"$T/err"
    rc=$?
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$T/err"; then
        fail "sanitizer report from: $*"
    fi
}
# With a time limit where timeout(1) exists (exit 124 when it expires).
run_limited() {
    secs=$1
    shift
    if command -v timeout >/dev/null 2>&1; then
        run timeout "$secs" "$@"
    else
        run "$@"
    fi
}
expect_rc() { # WANT WHAT
    if [ "$rc" = "$1" ]; then ok; else fail "$2: exit $rc, want $1"; fi
}
has() { # FILE TEXT WHAT
    if grep -qF -- "$2" "$1"; then ok; else fail "$3: no '$2' in ${1##*/}"; fi
}
lacks() { # FILE TEXT WHAT
    if grep -qF -- "$2" "$1"; then fail "$3: unwanted '$2' in ${1##*/}"; else ok; fi
}
# The first line of stderr starts with "FILE:LINE: ".
err_at() { # FILE LINE WHAT
    if head -n 1 "$T/err" | grep -qF -- "$1:$2: "; then ok; else
        fail "$3: stderr does not start with '$1:$2: '"; fi
}
# Python check over a JSON file; the script raises (or exits 1) on failure.
json_ok() { # FILE WHAT PYTHON
    if python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$3" "$1" >"$T/py" 2>&1; then ok; else
        fail "$2: $(tail -n 1 "$T/py")"; fi
}
esc_count() { tr -dc '\033' <"$1" | wc -c | tr -d ' '; }

# hold_lock FILE: another program holds FILE's lock (flock), from when
# this returns until let_go (20 s at most), not for a set time: how soon
# the program under test gets to the lock depends on the machine
# (valgrind, other tests beside it).  $holder is its pid.
hold_lock() {
    rm -f "$T/let-go" "$T/let-go.held"
    flock -o "$1" sh -c ': >"$1.held"; i=0
        while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
        ' sh "$T/let-go" &
    holder=$!
    i=0
    while [ $i -lt 100 ] && [ ! -e "$T/let-go.held" ]; do
        sleep 0.1; i=$((i + 1)); done
}
let_go() { : >"$T/let-go"; }

# A headless Chromium screenshot of an HTML file, kept beside the
# binary under test (BUILD/screenshots/NAME.png) to look at; skipped,
# counted neither way, where chromium is not installed.
screenshot() { # HTML NAME WIDTHxHEIGHT
    if ! command -v chromium >/dev/null 2>&1; then
        echo "SKIP: chromium not installed"
        return 0
    fi
    prof=$(mktemp -d "${TMPDIR:-/tmp}/pb-chromium.XXXXXX")
    run_limited 120 chromium --headless --no-sandbox --disable-gpu \
        --disable-quic --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync \
        --user-data-dir="$prof" --screenshot="$T/$2.png" \
        --window-size="$(echo "$3" | tr x ,)" "file://$1"
    rm -rf "$prof"
    if [ -s "$T/$2.png" ] &&
       [ "$(od -An -c -N4 "$T/$2.png" | tr -d ' ')" = '211PNG' ]; then
        ok
        mkdir -p "${PB%/*}/screenshots" &&
            cp "$T/$2.png" "${PB%/*}/screenshots/$2.png"
    else
        fail "chromium wrote no PNG screenshot of $2 (exit $rc)"
    fi
}

summary() {
    if [ "$known" -gt 0 ]; then
        echo "$NAME: $passed passed, $failed failed ($known known bugs)"
    else
        echo "$NAME: $passed passed, $failed failed"
    fi
    [ "$failed" -eq 0 ]
}
