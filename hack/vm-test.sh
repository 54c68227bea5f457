#!/bin/bash
# SPDX-License-Identifier: MIT
# Run pflink's real-SR-IOV suite (test/vm/suite.sh) in a QEMU VM with two
# emulated Intel 82576 (igb) PFs and igbvf VFs.
#
# usage: hack/vm-test.sh [--probe] [-x] [CASE...]
#   --probe   run test/vm/probe-kernel.sh instead: what the real kernel and
#             drivers answer (ethtool, sysfs, IFLA_VFINFO_LIST, netns moves)
#   -x, CASE  passed to test/vm/suite.sh (trace; run only these cases);
#             the numa case runs in a VM of its own with two NUMA nodes
#             (run-in-vm.sh -N -c 2), as it does when no case is named
# Environment:
#   BUILD_DIR   build directory (default build-vm, relative to the repo)
#   VM_OPTS     extra run-in-vm.sh options, e.g. "-v" or "-t 900"
#   SRIOV_VM    the test-bed directory (default ../shared/sriov-vm beside the
#               clone); its setup.sh runs first when /opt/sriov-vm/config.sh
#               is missing (as root; idempotent, ~10 min on a fresh machine)
# Exit code: the suite's (0 all passed, 1 a check failed, 2 cannot run), or
# run-in-vm.sh's own (124 timeout, 253/254/255 VM trouble).  Needs root.
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-vm}
SRIOV_VM=${SRIOV_VM:-../shared/sriov-vm}
JOB=test/vm/suite.sh
if [ "${1:-}" = --probe ]; then
	JOB=test/vm/probe-kernel.sh
	shift
fi
# -i: an emulated IOMMU, so a VF can be bound to vfio-pci (the vfio case).
read -r -a VMOPTS <<<"-i ${VM_OPTS:-}"

say() { echo "vm-test: $*" >&2; }
T0=$(date +%s%N)
elapsed() { awk -v a="$T0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }'; }

[ "$(id -u)" = 0 ] || { say "needs root (QEMU setup, netns in the guest)"; exit 2; }
[ -x "$SRIOV_VM/run-in-vm.sh" ] || { say "no $SRIOV_VM/run-in-vm.sh (clone beside ../shared)"; exit 2; }

if [ ! -f /opt/sriov-vm/config.sh ]; then
	say "SR-IOV test bed not set up: running $SRIOV_VM/setup.sh (~10 min)"
	"$SRIOV_VM/setup.sh"
fi

# The suite's tools on the machine (the guest sees the host's root fs).
missing=()
for t in go:golang-go jq:jq ethtool:ethtool cmake:cmake pkg-config:pkg-config curl:curl scdoc:scdoc \
	prometheus:prometheus promtool:prometheus ping:iputils-ping; do
	command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
done
[ -x /usr/lib/cni/host-device ] || missing+=(containernetworking-plugins)
[ -f /usr/include/microhttpd.h ] || missing+=(libmicrohttpd-dev)
[ -f /usr/share/gocode/src/github.com/containernetworking/cni/libcni/api.go ] ||
	missing+=(golang-github-appc-cni-dev)
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$JOB" = test/vm/suite.sh ]; then
	say "building pflink-static, pflinkd, pflinkctl and cnitool in $BUILD_DIR"
	cmake -S . -B "$BUILD_DIR" -DPFLINK_WERROR=ON >/dev/null
	cmake --build "$BUILD_DIR" -j2 --target pflink pflink-static pflinkd pflinkctl pflink_ethtool_shim \
		gen_devlink_seed >/dev/null
	test/cnitool/build.sh "$BUILD_DIR/cnitool"
	# netdevsim for the guest's kernel (the devlink case), cached by kernel
	# version: built once per kernel (about a minute and 200 MB of
	# packages), a cache hit costs nothing.  A failure is the devlink
	# case's, with these words, not the whole suite's.
	. /opt/sriov-vm/config.sh
	rm -f "$BUILD_DIR/netdevsim.ko" "$BUILD_DIR/netdevsim.err"
	if ko=$(test/vm/netdevsim.sh "$GUEST" 2>"$BUILD_DIR/netdevsim.log"); then
		ln -s "$ko" "$BUILD_DIR/netdevsim.ko"
	else
		tail -n 5 "$BUILD_DIR/netdevsim.log" >"$BUILD_DIR/netdevsim.err"
		say "netdevsim could not be built: $(cat "$BUILD_DIR/netdevsim.err")"
	fi
	say "built in $(elapsed)"
fi

# The numa case needs two NUMA nodes (run-in-vm.sh -N -c 2), which moves
# the last PF behind an expander bridge (another address): it gets a boot
# of its own, after the others.  No case named: every case, numa too.
TRACE=() CASES=() NUMA=0
for a in "$@"; do
	case $a in
	numa) NUMA=1 ;;
	-x) TRACE=(-x) ;;
	*) CASES+=("$a") ;;
	esac
done
[ ${#CASES[@]} -gt 0 ] || [ "$NUMA" = 1 ] || [ "$JOB" != test/vm/suite.sh ] || NUMA=2	# 2: all cases
[ "$JOB" = test/vm/suite.sh ] || NUMA=0
rc=0
if [ ${#CASES[@]} -gt 0 ] || [ "$NUMA" != 1 ]; then
	say "booting the VM"
	"$SRIOV_VM/run-in-vm.sh" ${VMOPTS[@]+"${VMOPTS[@]}"} "$JOB" 4 -- "$BUILD_DIR" ${TRACE[@]+"${TRACE[@]}"} \
		${CASES[@]+"${CASES[@]}"} || rc=$?
fi
if [ "$NUMA" != 0 ]; then
	say "booting a two-NUMA-node VM (run-in-vm.sh -N -c 2) for the numa case"
	nrc=0
	"$SRIOV_VM/run-in-vm.sh" ${VMOPTS[@]+"${VMOPTS[@]}"} -N -c 2 "$JOB" 4 -- "$BUILD_DIR" ${TRACE[@]+"${TRACE[@]}"} \
		numa || nrc=$?
	[ "$rc" != 0 ] || rc=$nrc
fi
say "exit $rc after $(elapsed) end to end"
exit "$rc"
