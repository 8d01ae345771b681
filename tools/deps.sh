#!/bin/sh
# Installs the Debian packages the build needs, only when missing.
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
have() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
have libxml-2.0 || missing="$missing libxml2-dev"
have json-c || missing="$missing libjson-c-dev"
have cmocka || missing="$missing libcmocka-dev"
have libedit || missing="$missing libedit-dev"
have libmicrohttpd || missing="$missing libmicrohttpd-dev"
# Snowball's stemmer has no pkg-config file: its header says.
[ -f /usr/include/libstemmer.h ] || missing="$missing libstemmer-dev"
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
$SUDO apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
