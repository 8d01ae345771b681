#!/bin/sh
# Installs the Debian packages the build needs, only when missing; with
# --test also what the tests need: PostgreSQL, Chromium, Node.js and npm
# from Debian, and puppeteer-core from npm (tests/browser/package-lock.json),
# which drives the installed Chromium and downloads no browser.
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
have() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
have libxml-2.0 || missing="$missing libxml2-dev"
have json-c || missing="$missing libjson-c-dev"
have cmocka || missing="$missing libcmocka-dev"
have libedit || missing="$missing libedit-dev"
have libmicrohttpd || missing="$missing libmicrohttpd-dev"
have libpq || missing="$missing libpq-dev"
# Snowball's stemmer has no pkg-config file: its header says.
[ -f /usr/include/libstemmer.h ] || missing="$missing libstemmer-dev"
if [ "${1:-}" = --test ]; then
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    command -v node >/dev/null 2>&1 || missing="$missing nodejs"
    command -v npm >/dev/null 2>&1 || missing="$missing npm"
    # diff's revisions (REV:PATH) are checked out with git archive
    command -v git >/dev/null 2>&1 || missing="$missing git"
    # a throwaway PostgreSQL cluster for the store's tests
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
        missing="$missing postgresql"
fi
if [ -n "$missing" ]; then
    echo "deps: installing$missing" >&2
    if [ "$(id -u)" != 0 ]; then
        SUDO=sudo
    fi
    $SUDO apt-get update -qq && \
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
            $missing || exit 1
fi
if [ "${1:-}" = --test ] &&
   [ ! -d "$(dirname "$0")/../tests/browser/node_modules/puppeteer-core" ]; then
    echo "deps: installing puppeteer-core (npm)" >&2
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix "$(dirname "$0")/../tests/browser" \
        --no-audit --no-fund --loglevel=error || exit 1
fi
exit 0
