#!/bin/sh
# Makes sure the compiler $1 (default clang) can build a libFuzzer target
# with ASan and UBSan; installs the Debian packages when it cannot (clang,
# and the compiler-rt package that holds libclang_rt.fuzzer), and nothing
# else.  Like tools/deps.sh, run by make.
CC=${1:-clang}

probe() {
    d=$(mktemp -d "${TMPDIR:-/tmp}/pb-fuzz-deps.XXXXXX") || return 1
    printf '%s\n' 'int LLVMFuzzerTestOneInput(const unsigned char *d,' \
        '                           unsigned long n);' \
        'int LLVMFuzzerTestOneInput(const unsigned char *d,' \
        '                           unsigned long n)' \
        '{ (void)d; (void)n; return 0; }' >"$d/p.c"
    "$CC" -fsanitize=fuzzer,address,undefined "$d/p.c" -o "$d/p" \
        >/dev/null 2>&1
    rc=$?
    rm -rf "$d"
    return $rc
}

probe && exit 0
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
apt() {
    echo "fuzz deps: installing $*" >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}
$SUDO apt-get update -qq || exit 1
if ! command -v "$CC" >/dev/null 2>&1; then
    apt clang || exit 1
fi
probe && exit 0
# The runtime lives apart from the compiler from LLVM 14 on (Debian 12:
# libclang-rt-14-dev); older releases shipped it with libclang-common.
v=$("$CC" --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' |
    head -n 1)
for pkg in "libclang-rt-$v-dev" "libclang-common-$v-dev"; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then
        apt "$pkg" && probe && exit 0
    fi
done
echo "fuzz deps: $CC cannot link -fsanitize=fuzzer; install the" \
     "compiler-rt (libFuzzer) package of your clang" >&2
exit 1
