#!/bin/bash
# SPDX-License-Identifier: MIT
# manifests/install-cni.sh as the DaemonSet's init container runs it, into
# the CNI bin dir of a host older than the build machine: a Debian 11 root
# (glibc 2.31; what RHEL 8, RHCOS before 4.13 and Ubuntu 20.04 have is as
# old or older), made with debootstrap --variant=minbase bullseye and kept
# outside the repository (PFLINK_ROOTFS_CACHE, default
# /var/cache/pflink-test: made once, a few minutes; reruns take seconds).
# The plugin install-cni installs by default must run there: its VERSION
# under chroot.  The dynamic pflink, which install-cni used to install,
# fails there ("GLIBC_2.34 not found"): shown too, as the reason.
# Usage: install_cni.sh PFLINK PFLINK_STATIC INSTALL_CNI_SH
. "$(dirname "$0")/lib.sh"
set -o pipefail
tl_skip_unless_root "install_cni.sh"
tl_need_tools debootstrap chroot unshare flock mount sh cmp
PFLINK=$1 PSTATIC=$2 INSTALL=$3 CHROOT=$(command -v chroot)
CACHE=${PFLINK_ROOTFS_CACHE:-/var/cache/pflink-test}
ROOT=$CACHE/debian-bullseye-minbase

# The root, once (before the private namespace: debootstrap needs the
# machine's network).  Made beside its final name and renamed when whole;
# the stamp says it is; a lock keeps two runs from making it at once.
if [ -z "${TL_IC_PRIVATE:-}" ] && [ ! -e "$ROOT.complete" ]; then
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.debian-bullseye.lock"
	flock 9
	if [ ! -e "$ROOT.complete" ]; then
		mirror=$(tl_debian_mirror) || mirror=http://deb.debian.org/debian
		rm -rf "$ROOT.tmp" "$ROOT"
		t0=$(date +%s)
		echo "making $ROOT: debootstrap --variant=minbase bullseye (once)"
		# bullseye leaves the mirrors for the archive when its LTS ends.
		if ! debootstrap --variant=minbase bullseye "$ROOT.tmp" "$mirror" >"$CACHE/debootstrap.log" 2>&1 &&
			! { rm -rf "$ROOT.tmp"; debootstrap --variant=minbase bullseye "$ROOT.tmp" http://archive.debian.org/debian \
				>>"$CACHE/debootstrap.log" 2>&1; }; then
			echo "FAIL: debootstrap bullseye: $(tail -n3 "$CACHE/debootstrap.log")"
			rm -rf "$ROOT.tmp"
			echo "0 passed, 1 failed"
			exit 1
		fi
		mv "$ROOT.tmp" "$ROOT" && touch "$ROOT.complete"
		echo "made in $(( $(date +%s) - t0 )) s"
	fi
	exec 9>&-
fi
# The rest in a mount namespace of its own: the root is an overlay over the
# cached one, so nothing installed here stays in the cache, and the mount
# dies with the namespace.
if [ -z "${TL_IC_PRIVATE:-}" ]; then
	TL_IC_PRIVATE=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
tl_setup "$PFLINK" none "$(dirname "$0")/../fixtures/sysfs.sh"

R=$T/host
mkdir -p "$R" "$T/upper" "$T/work" "$T/image"
if ! mount -t overlay overlay -o "lowerdir=$ROOT,upperdir=$T/upper,workdir=$T/work" "$R"; then
	bad "cannot mount an overlay over $ROOT"
	tl_summary
	exit 1
fi
trap 'umount -l /usr/lib/cni "$R" 2>/dev/null; tl_cleanup' EXIT

# The host's glibc: libc.so.6 run as a program says its version.
ver=$(chroot "$R" /lib/x86_64-linux-gnu/libc.so.6 2>&1 | sed -n 's/.*release version \([0-9]*\.[0-9]*\).*/\1/p' | head -n1)
echo "the host root's glibc: ${ver:-unknown}"
check "the host root is Debian 11 with glibc 2.31" \
	sh -c '[ "$1" = 2.31 ] && grep -q "^11\." "$2/etc/debian_version"' _ "$ver" "$R"

# The image's plugin dir, as the Containerfile stages it, where the image
# has it (this namespace's /usr/lib/cni: the machine's stays as it is).
cp "$PFLINK" "$T/image/pflink"
cp "$PSTATIC" "$T/image/pflink-static"
mkdir -p /usr/lib/cni "$R/opt/cni/bin"	# the hostPath is DirectoryOrCreate
mount --bind "$T/image" /usr/lib/cni || { bad "cannot put the image's plugins at /usr/lib/cni"; tl_summary; exit 1; }

# install [VAR=VALUE...]: install-cni.sh as the init container runs it,
# with the manifest's (empty) environment and VAR=VALUE; the host's CNI
# bin dir where the volume puts it.  Its output in $LOG.
install() {
	LOG=$(env "$@" PFLINK_CNI_BIN_DIR="$R/opt/cni/bin" sh "$INSTALL" 2>&1)
}

# version: the installed plugin's CNI VERSION, run by the host (chroot),
# with the runtime's empty environment but CNI_COMMAND; stdout in $OUT,
# stderr in $ERR, status in $RC.
version() {
	OUT=$(env -i CNI_COMMAND=VERSION "$CHROOT" "$R" /opt/cni/bin/pflink </dev/null 2>"$T/stderr")
	RC=$?
	ERR=$(cat "$T/stderr")
}

install
check "install-cni with the manifest's environment succeeds ($LOG)" sh -c 'case $1 in *"installed "*) exit 0 ;; esac; exit 1' _ "$LOG"
check "... and installs pflink-static" cmp -s "$T/image/pflink-static" "$R/opt/cni/bin/pflink"
version
check "the installed plugin answers VERSION on the glibc-2.31 host (rc $RC: $OUT$ERR)" \
	eval '[ "$RC" = 0 ] && jq_text "$OUT" ".supportedVersions | index(\"1.1.0\")"'

# Before: the dynamic pflink, install-cni's old default.
install PFLINK_SRC=/usr/lib/cni/pflink
check "install-cni with PFLINK_SRC=pflink installs the dynamic one ($LOG)" cmp -s "$T/image/pflink" "$R/opt/cni/bin/pflink"
version
echo "  the dynamic pflink on the glibc-2.31 host: rc $RC, $ERR"
check "the dynamic pflink cannot run there: GLIBC_2.34 not found (rc $RC)" \
	sh -c '[ "$1" != 0 ] && [ -z "$2" ] && printf "%s" "$3" | grep -q "GLIBC_2.34.* not found"' _ "$RC" "$OUT" "$ERR"

# And back: a rerun puts pflink-static over it, by rename.
install
check "install-cni replaces it with pflink-static again ($LOG)" \
	sh -c 'case $1 in *"replaced "*) cmp -s "$2" "$3" ;; *) exit 1 ;; esac' _ "$LOG" "$T/image/pflink-static" "$R/opt/cni/bin/pflink"
version
check "... which runs there (rc $RC)" test "$RC" = 0
tl_summary
