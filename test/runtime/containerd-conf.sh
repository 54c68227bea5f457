# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# containerd's config.toml for the tests that run a containerd of their
# own: test/runtime, the node suite (test/node/cri.sh) and the VM suite
# (test/vm/suite.sh, which sources this file alone).  Pure: functions
# that print.

# rt_containerd_conf DIR [PLUGIN...]: the top of a private containerd's
# config.toml on stdout: root, state and sockets in DIR, and none of the
# plugins that need what the test machine has not (aufs, btrfs, devmapper,
# zfs, tracing) or would reach outside the test (/opt/containerd), nor the
# PLUGINs named.  The caller appends its plugin sections.  CRI_STATE, when
# set, is the state dir instead (where a node keeps it: /run/containerd,
# the runtime bundles' root pflinkd reads by default).
rt_containerd_conf() {
	local d=$1 p extra=""
	shift
	for p in "$@"; do extra="$extra\"$p\", "; done
	cat <<EOF
version = 2
root = "$d/root"
state = "${CRI_STATE:-$d/state}"
disabled_plugins = [$extra"io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
EOF
}

# rt_cri_conf IMAGE CNI_BIN_DIR CNI_CONF_DIR: the CRI plugin's section, as
# the node and VM suites run it (the sandbox image, overlayfs, runc v2).
rt_cri_conf() {
	cat <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$1"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # The sandbox asks for oom_score_adj -998, and lowering it needs
  # CAP_SYS_RESOURCE, which the CI machine's root lacks: runc's init then
  # fails ("failed to update /proc/self/oom_score_adj: Permission
  # denied", seen by containerd as "can't get final child's PID from
  # pipe: EOF").  Restricted, the value is clamped to containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$2"
    conf_dir = "$3"
    max_conf_num = 1
EOF
}
