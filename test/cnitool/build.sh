#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the pflink libcni test client (cnitool) offline, from Debian's
# packaged libcni source only:
#   apt-get install golang-go golang-github-appc-cni-dev
#
# usage: test/cnitool/build.sh OUTPUT_PATH
#
# Works from any cwd. Uses GOPATH mode (GO111MODULE=off) with
# GOPATH=/usr/share/gocode, so nothing is downloaded; GOPROXY=off makes any
# attempt to reach the network fail instead of hanging.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTPUT_PATH" >&2
	exit 2
fi

GOCODE=${CNITOOL_GOPATH:-/usr/share/gocode}
LIBCNI=$GOCODE/src/github.com/containernetworking/cni/libcni

if ! command -v go >/dev/null 2>&1; then
	echo "$0: 'go' not found (apt-get install golang-go)" >&2
	exit 1
fi
if [ ! -f "$LIBCNI/api.go" ]; then
	echo "$0: libcni source not found under $GOCODE (apt-get install golang-github-appc-cni-dev)" >&2
	exit 1
fi

srcdir=$(cd "$(dirname "$0")" && pwd)

# Make OUTPUT_PATH absolute relative to the caller's cwd.
case $1 in
/*) out=$1 ;;
*) out=${PWD%/}/$1 ;;
esac
outdir=$(dirname "$out")
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
out=$outdir/$(basename "$out")

# The go build cache needs a writable directory; without HOME (or with an
# unwritable one) fall back to a cache next to the output.
if [ -z "${GOCACHE:-}" ]; then
	if [ -z "${HOME:-}" ] || [ ! -d "$HOME" ] || [ ! -w "$HOME" ]; then
		GOCACHE=$outdir/.gocache
	fi
fi
if [ -n "${GOCACHE:-}" ]; then
	mkdir -p "$GOCACHE"
	export GOCACHE
fi

export GO111MODULE=off
export GOPATH="$GOCODE"
export GOPROXY=off
export GOFLAGS=
export GOTOOLCHAIN=local
export CGO_ENABLED=0

cd "$srcdir"
go build -trimpath -o "$out" .
echo "built $out" >&2
