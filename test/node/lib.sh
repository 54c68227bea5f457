# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared set-up of the node suite (test/node): the image, podman, containerd
# and the host side of a node, all on this machine, none of it in /etc.
#
# Builds on test/runtime/lib.sh (private mount namespace, the wrapper that
# runs pflink with the ethtool shim, cleanup of what runtimes leave) and so
# on test/integration/lib.sh (fixture sysfs, veth links standing in for PCI
# netdevs, PASS/FAIL counting).
#
# The environment every script of the suite gets from run.sh:
#   NODE_SRC   the repository root
#   NODE_BUILD the CMake build dir (pflink, pflinkd, pflinkctl, the shim)
#   NODE_WORK  the suite's work dir (podman's storage, the base rootfs), kept
#              between runs of one build dir; PFLINK_NODE_FRESH=1 wipes it
#   NODE_IMAGE the image built from manifests/Containerfile, tagged with the
#              name the DaemonSet gives it

. "$(dirname "${BASH_SOURCE[0]}")/../runtime/lib.sh"

NODE_PY=/usr/bin/python3	# Debian's, with python3-yaml and python3-grpcio
NODE_DS=$NODE_SRC/manifests/pflinkd-daemonset.yaml

# node_private "$@": as rt_private_mounts, and /run is a shared mount in
# this namespace: the DaemonSet mounts /run/netns with mountPropagation
# HostToContainer (rslave), which only receives the netns bind mounts made
# after the container started if the host side is shared, as / is on a
# systemd host.  Shared here means shared with this namespace's children
# (the containers), never with the machine.
node_private() {
	rt_private_mounts "$@"
	mount --make-rshared /run || { echo "FAIL: cannot make the private /run shared"; exit 1; }
}

# node_podman_env: podman as in test/runtime (rt_podman_conf), with an
# empty CNI config dir: the pods here use the host's network, never a
# podman network.  Overlay storage, kept in $NODE_WORK: the image is built
# once per run and used by every step.  Its run root and tmp dir are in the
# private /run, at fixed paths: podman records both in its database the
# first time and uses the recorded ones ever after, so a per-run temp dir
# would be written to by every later run.
node_podman_env() {
	local d=/run/pflink-node/podman
	mkdir -p "$d/net.d" "$d/cni-bin"
	rt_podman_conf "$d" "$d/cni-bin" "$d/net.d" overlay "$NODE_WORK/storage"
}

# node_ds_image: the image the DaemonSet names (both containers use one).
node_ds_image() {
	"$NODE_PY" "$NODE_SRC/test/node/gen-pod.py" --print-image "$NODE_DS"
}

# node_ms: milliseconds since the epoch.
node_ms() { date +%s%3N; }

# node_median FILE: the median of the numbers in FILE, one per line.
node_median() {
	sort -n "$1" | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
