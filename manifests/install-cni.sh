#!/bin/sh
# SPDX-License-Identifier: MIT
# install-cni.sh: install the pflink CNI plugin into the host's CNI bin dir.
#
# Runs as the init container of the pflinkd DaemonSet, with the host's CNI bin
# dir (/opt/cni/bin) mounted at /host/opt/cni/bin. The kubelet / container
# runtime may exec pflink at any moment (every pod start on the node), so the
# binary is never written in place: it is copied to a temporary name in the
# same directory (same filesystem) and then renamed over the old one, which is
# atomic. A runtime sees either the old binary or the new one, never half of
# one.
#
# The plugin installed is pflink-static: the host's runtime runs it with
# the host's libraries, which the image does not choose, and the dynamic
# pflink (built on Debian 12) needs glibc >= 2.34, so on RHEL 8, RHCOS
# before 4.13, Ubuntu 20.04 or Debian 11 it would fail every pod start
# ("version `GLIBC_2.34' not found").  pflink-static needs no library of
# the host and starts faster (no loader).  PFLINK_SRC=/usr/lib/cni/pflink
# installs the dynamic one instead, for hosts known to have glibc >= 2.34.
#
# Environment (all optional):
#   PFLINK_SRC          plugin binary in the image   (default /usr/lib/cni/pflink-static)
#   PFLINK_CNI_BIN_DIR  host CNI bin dir, as mounted (default /host/opt/cni/bin)
#   PFLINK_NAME         name of the plugin there     (default pflink)
set -eu

src=${PFLINK_SRC:-/usr/lib/cni/pflink-static}
dir=${PFLINK_CNI_BIN_DIR:-/host/opt/cni/bin}
name=${PFLINK_NAME:-pflink}
dst=$dir/$name
tmp=$dir/.$name.tmp

log() {
	printf 'install-cni: %s\n' "$*"
}

die() {
	printf 'install-cni: error: %s\n' "$*" >&2
	exit 1
}

[ -f "$src" ] || die "plugin binary $src not found in the image"
[ -d "$dir" ] || die "CNI bin dir $dir is not mounted (hostPath /opt/cni/bin)"

if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
	log "$dst is already up to date, nothing to do"
	exit 0
fi

# A leftover from an interrupted run is not trusted.
rm -f "$tmp"
trap 'rm -f "$tmp"' EXIT

cp "$src" "$tmp" || die "cannot copy $src to $tmp"
chmod 0755 "$tmp" || die "cannot chmod $tmp"
# Make sure the data is on disk before the rename makes it visible (this
# file only: a bare sync would flush every filesystem of the node).
sync "$tmp"

if [ -e "$dst" ]; then
	action=replaced
else
	action=installed
fi
mv -f "$tmp" "$dst" || die "cannot rename $tmp to $dst"
trap - EXIT

log "$action $dst (from $src, $(wc -c <"$dst" | tr -d ' ') bytes)"
