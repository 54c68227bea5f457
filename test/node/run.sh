#!/bin/bash
# SPDX-License-Identifier: MIT
# The node suite: pflink as Kubernetes runs it, on this machine, without a
# kubelet or an API server but with every other real part.
#
#   1 image    manifests/Containerfile built as a user builds it
#   2 pod      the DaemonSet's pod, generated from its template, run by podman
#              with its exact security context; each capability and mount
#              dropped in turn
#   3 cri      pods started through containerd's CRI plugin (a CRI client in
#              test/node/cri), pflink in the chain, the agent of step 2 up
#   4 upgrade  install-cni replacing pflink under 50 ADDs; pflinkd restarted
#              under load
#   5 deb      the Debian package, installed and run
#
# Usage: run.sh [BUILD_DIR] (default: build).  Root only (exit 77 otherwise).
# PFLINK_NODE_STEPS="1 2 ..." runs some steps (3 and 4 need 1 and 2);
# PFLINK_NODE_FRESH=1 drops the base image and storage kept in
# BUILD_DIR/node-work.  Prints "N passed, N failed"; exits 1 on a failure.
set -u
NODE_SRC=$(cd "$(dirname "$0")/../.." && pwd)
NODE_BUILD=$(cd "${1:-$NODE_SRC/build}" 2>/dev/null && pwd) ||
	{ echo "FAIL: no build dir ${1:-$NODE_SRC/build} (cmake -S . -B build && cmake --build build)"; exit 1; }
NODE_WORK=$NODE_BUILD/node-work
export NODE_SRC NODE_BUILD NODE_WORK
. "$NODE_SRC/test/node/lib.sh"
rt_need_root "test/node/run.sh"
rt_need_tools podman buildah runc conmon catatonit containerd ctr debootstrap unshare nsenter \
	protoc cpack dpkg-deb systemd-analyze lintian zcmp readelf
for m in yaml grpc google.protobuf; do
	"$NODE_PY" -c "import $m" 2>/dev/null ||
		{ echo "FAIL: $NODE_PY cannot import $m (run hack/deps.sh --test)"; echo "0 passed, 1 failed"; exit 1; }
done
for f in pflink pflinkd pflinkctl test/libpflink_ethtool_shim.so; do
	[ -e "$NODE_BUILD/$f" ] || { echo "FAIL: $NODE_BUILD/$f not built"; echo "0 passed, 1 failed"; exit 1; }
done
if [ "${PFLINK_NODE_FRESH:-0}" = 1 ] && [ -z "${PFLINK_RT_PRIVATE_MOUNTS:-}" ]; then
	rm -rf "$NODE_WORK"
fi
mkdir -p "$NODE_WORK"
node_private "$@"
tl_setup "$NODE_BUILD/pflink" "$NODE_BUILD/test/libpflink_ethtool_shim.so" "$NODE_SRC/test/fixtures/sysfs.sh"
rt_setup
node_podman_env

for s in image pod cri upgrade deb; do
	[ -f "$NODE_SRC/test/node/$s.sh" ] && . "$NODE_SRC/test/node/$s.sh"
done

STEPS=${PFLINK_NODE_STEPS:-1 2 3 4 5}
run_step() {
	local n=$1 name=$2 t0
	case " $STEPS " in *" $n "*) ;; *) return 0 ;; esac
	printf '\n--- node step %s: %s ---\n' "$n" "$name"
	t0=$(node_ms)
	"step_$name" || { bad "step $n ($name) could not go on"; return 1; }
	echo "--- step $n took $(( ($(node_ms) - t0) / 1000 )) s"
}
T0=$(node_ms)
run_step 1 image &&
	run_step 2 pod &&
	run_step 3 cri &&
	run_step 4 upgrade
run_step 5 deb
echo "node suite: $(( ($(node_ms) - T0) / 1000 )) s"
tl_summary
