#!/bin/bash
# SPDX-License-Identifier: MIT
# netdevsim for the VM's kernel, built out of tree and cached by kernel
# version.  Debian's linux-image-amd64 (the guest's kernel) does not ship
# drivers/net/netdevsim (CONFIG_NETDEVSIM is off), but Debian has that
# kernel's source (linux-source-6.1) and its headers
# (linux-headers-<abi>-amd64) at the exact version: the module built here
# loads in the guest (vermagic and symbol CRCs from those headers).
#
# usage: test/vm/netdevsim.sh GUEST_ROOT [CACHE_DIR]
#   GUEST_ROOT  the guest's unpacked kernel package (/opt/guest/root); its
#               lib/modules/<version> names the kernel, and the .deb beside
#               it (../debs) the package version
#   CACHE_DIR   default /opt/pflink-vm/netdevsim
# Prints the module's path on stdout.  A cached module costs nothing; a
# build downloads linux-source-6.1 (~140 MB), installs the matching
# linux-headers (~60 MB with linux-kbuild), unpacks drivers/net/netdevsim
# (~15 s) and compiles it (~45 s on 2 cores).  Needs root (apt).
set -euo pipefail

GUEST_ROOT=${1:?usage: netdevsim.sh GUEST_ROOT [CACHE_DIR]}
CACHE=${2:-/opt/pflink-vm/netdevsim}
say() { echo "netdevsim: $*" >&2; }

KV=$(ls "$GUEST_ROOT/lib/modules" | head -n1)
[ -n "$KV" ] || { say "no kernel under $GUEST_ROOT/lib/modules"; exit 2; }
deb=$(ls "$GUEST_ROOT"/../debs/linux-image-"$KV"_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || { say "no linux-image-$KV .deb beside $GUEST_ROOT (../debs)"; exit 2; }
VER=$(dpkg-deb -f "$deb" Version)
OUT=$CACHE/$KV-$VER
if [ -s "$OUT/netdevsim.ko" ]; then
	echo "$OUT/netdevsim.ko"
	exit 0
fi

T0=$(date +%s)
say "building for $KV ($VER): linux-source-6.1=$VER, linux-headers-$KV=$VER"
W=$(mktemp -d /tmp/pflink-netdevsim.XXXXXX)
trap 'rm -rf "$W"' EXIT
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
	make gcc "linux-headers-$KV=$VER" >"$W/apt.log" 2>&1 || { cat "$W/apt.log" >&2; exit 1; }
(cd "$W" && apt-get download -qq "linux-source-6.1=$VER") 2>"$W/dl.log" ||
	{ cat "$W/dl.log" >&2; exit 1; }
dpkg-deb --fsys-tarfile "$W"/linux-source-6.1_*_all.deb | tar -xO ./usr/src/linux-source-6.1.tar.xz |
	tar -xJ -C "$W" linux-source-6.1/drivers/net/netdevsim
rm -f "$W"/linux-source-6.1_*_all.deb
make -s -C "/usr/src/linux-headers-$KV" M="$W/linux-source-6.1/drivers/net/netdevsim" \
	CONFIG_NETDEVSIM=m modules >"$W/make.log" 2>&1 || { cat "$W/make.log" >&2; exit 1; }
mkdir -p "$OUT"
cp "$W/linux-source-6.1/drivers/net/netdevsim/netdevsim.ko" "$OUT/netdevsim.ko.tmp"
mv "$OUT/netdevsim.ko.tmp" "$OUT/netdevsim.ko"
say "built in $(($(date +%s) - T0)) s: $OUT/netdevsim.ko"
echo "$OUT/netdevsim.ko"
