# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared set-up for pflink's container-runtime tests (podman, ctr).
#
# Builds on test/integration/lib.sh: the same fixture sysfs tree, the same
# ethtool shim, real veth links standing in for the PF and the VF.  What is
# added here: a busybox directory rootfs, a wrapper that the runtime runs as
# "pflink" (it adds the shim and logs every call), a private mount namespace
# for the runtime's fixed state paths, and cleanup of what the runtimes
# leave behind (cgroups, daemons).
#
# Order in a test: rt_need_root NAME; rt_private_mounts "$@"; tl_setup ...;
# rt_setup; then trap-protected work.  rt_cleanup runs on EXIT.

. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/containerd-conf.sh"

RT_CLEANUP_HOOKS=""
RT_HOST_DIRS=""

# Skip (77) only when not root; as root a missing tool is a failure: CI
# installs everything with hack/deps.sh --test (need_tools, test/checks.sh).
rt_need_root() {
	tl_skip_unless_root "$1"
}

rt_need_tools() { need_tools "$(basename "$0")" "$@"; }

# Re-run the calling script in a private mount namespace and give it its
# own /run.  The runtimes keep state at fixed places there (runc's
# /run/runc, podman's /run/netns/netns-*, containerd's shim sockets in
# /run/containerd/s); private, they cannot meet another runtime on the
# machine, and whatever they leave vanishes with the namespace.  Network
# namespaces, links and cgroups are not affected: the test sees and cleans
# those as everyone else does.
rt_private_mounts() {
	if [ -z "${PFLINK_RT_PRIVATE_MOUNTS:-}" ]; then
		command -v unshare >/dev/null || { echo "FAIL: unshare not installed"; exit 1; }
		PFLINK_RT_PRIVATE_MOUNTS=1 exec unshare --mount --propagation private bash "$0" "$@"
	fi
	mount -t tmpfs -o mode=0755 pflink-rt /run || { echo "FAIL: cannot mount a private /run"; exit 1; }
	mkdir -p /run/netns /run/lock
}

# rt_private_dir PATH: PATH, in this mount namespace only, is the test's
# directory $T/private/PATH (bind mount).  When PATH does not exist: if its
# nearest existing ancestor is /opt or /var/lib, that ancestor gets an
# empty tmpfs in this namespace (nothing the test runs needs what it
# hides) and PATH is made there; anywhere else the missing directories are
# made on the machine and removed again on exit, if still empty.
rt_private_dir() {
	local path=$1 top=$1
	if [ ! -d "$path" ]; then
		while [ ! -d "$(dirname "$top")" ]; do top=$(dirname "$top"); done
		case $(dirname "$top") in
		/opt|/var/lib)
			mount -t tmpfs -o mode=0755 pflink-rt "$(dirname "$top")" || return 1 ;;
		*)
			RT_HOST_DIRS="$top $RT_HOST_DIRS" ;;
		esac
		mkdir -p "$path" || return 1
	fi
	mkdir -p "$T/private$path"
	mount --bind "$T/private$path" "$path" || return 1
	RT_MOUNTS="$path ${RT_MOUNTS:-}"
}

# rt_setup: after tl_setup.  The EXIT trap now runs rt_cleanup.
rt_setup() {
	trap rt_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	CALLS=$T/pflink-calls.log
	: > "$CALLS"
	RT_CG=pflink-rt-$TAG-$$
}

rt_on_cleanup() { RT_CLEANUP_HOOKS="$1 $RT_CLEANUP_HOOKS"; }

rt_cleanup() {
	local h m d
	for h in $RT_CLEANUP_HOOKS; do "$h"; done
	rt_cgroup_rm "$RT_CG"
	for m in ${RT_MOUNTS:-}; do umount -l "$m" 2>/dev/null; done
	for d in $RT_HOST_DIRS; do
		# Only what this test made, and only while empty.
		find "$d" -depth -type d -empty -delete 2>/dev/null
	done
	tl_cleanup
}

# rt_cgroup_rm NAME: remove cgroup NAME (and its empty children) from
# every hierarchy; the runtimes leave their parent cgroups behind.
rt_cgroup_rm() {
	local h
	[ -n "$1" ] || return 0
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		for h in /sys/fs/cgroup /sys/fs/cgroup/*/; do
			[ -d "$h/$1" ] && find "$h/$1" -depth -type d -exec rmdir {} + 2>/dev/null
		done
		compgen -G "/sys/fs/cgroup/*/$1" >/dev/null || [ -d "/sys/fs/cgroup/$1" ] || return 0
		sleep 0.2
	done
	echo "warning: cgroup $1 still busy" >&2
}

# rt_rootfs DIR: a directory rootfs of busybox applets.  Static busybox
# only: the rootfs has no libc.
rt_rootfs() {
	local d=$1 a
	if ! [ -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		bad "/bin/busybox is missing or not static (apt-get install busybox-static)"
		return 1
	fi
	mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev" "$d/etc" "$d/tmp" "$d/run"
	cp /bin/busybox "$d/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"
	done
	echo "root:x:0:0:root:/:/bin/sh" > "$d/etc/passwd"
	echo "root:x:0:" > "$d/etc/group"
}

# rt_cni_bin DIR: the runtime's CNI bin dir: Debian's host-device and a
# wrapper named pflink.  The wrapper runs the pflink under test with the
# ethtool shim and the fixture's environment (the runtimes pass their own
# environment to plugins, which must not matter here), and appends one line
# per call to $CALLS: verb, container, ifname, CNI_NETNS, exit status, and
# pflink's stdout.  Sanitizer reports go to $T/sanitizer.* files.
rt_cni_bin() {
	local d=$1
	mkdir -p "$d"
	ln -s /usr/lib/cni/host-device "$d/host-device"
	cat > "$d/pflink" <<EOF
#!/bin/sh
# pflink with the test's ethtool shim; generated by pflink's runtime tests.
out=\$(env LD_PRELOAD='$SHIM' PFLINK_TEST_BUSINFO='$MAP' PFLINK_NETNS_DIRS='$NOMOUNTS' \\
	ASAN_OPTIONS='${ASAN_OPTIONS:-}:log_path=$T/sanitizer' \\
	UBSAN_OPTIONS='print_stacktrace=1:log_path=$T/sanitizer' \\
	'$(readlink -f "$PFLINK")' "\$@")
rc=\$?
printf '%s id=%s if=%s netns=[%s] rc=%s out=%s\n' "\$CNI_COMMAND" "\$CNI_CONTAINERID" \\
	"\$CNI_IFNAME" "\${CNI_NETNS-unset}" "\$rc" "\$out" >> '$CALLS'
printf '%s' "\$out"
exit \$rc
EOF
	chmod 755 "$d/pflink"
}

# rt_podman_conf DIR CNI_BIN_DIR CNI_CONF_DIR DRIVER GRAPHROOT: podman with
# everything it would take from /etc or /var/lib the test's own: its config
# (DIR/containers.conf), its storage (DRIVER at GRAPHROOT, run root in DIR),
# its CNI dirs.  runc and cgroupfs, a file event log and lower ulimits are
# what works on a machine with hybrid cgroups and no systemd (crun fails
# there; podman's default nofile/nproc exceed the machine's hard limits).
rt_podman_conf() {
	local d=$1
	mkdir -p "$d/tmp"
	cat > "$d/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[network]
network_backend = "cni"
cni_plugin_dirs = ["$2"]
network_config_dir = "$3"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
tmp_dir = "$d/tmp"
lock_type = "file"
EOF
	cat > "$d/storage.conf" <<EOF
[storage]
driver = "$4"
graphroot = "$5"
runroot = "$d/run"
EOF
	export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf
}

# rt_calls VERB: the wrapper's log lines for VERB.
rt_calls() { grep "^$1 " "$CALLS"; }

# No sanitizer report from any pflink the runtime ran.
rt_no_sanitizer_reports() {
	if compgen -G "$T/sanitizer*" >/dev/null; then
		bad "sanitizer reported while the runtime ran pflink:"
		cat "$T"/sanitizer*
	else
		ok "no sanitizer report from any pflink call"
	fi
}

# rt_wait SECONDS CMD...: poll until CMD succeeds.
rt_wait() {
	local n=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# A MAC unique to this run: the shim answers by MAC, and concurrent tests
# must not share one.
# rt_conflist DIR NET DEVICE [LOGLEVEL]: the chain under test, host-device
# moving DEVICE into the pod, then pflink (no agent, the test's dirs).
rt_conflist() {
	cat > "$1/10-$2.conflist" <<JSON
{"cniVersion":"1.0.0","name":"$2","plugins":[
  {"type":"host-device","device":"$3"},
  {"type":"pflink","sysfsRoot":"$SYS","stateDir":"$STATE","deviceInfoDir":"$DEVINFO","agentSocket":"","logLevel":"${4:-debug}","logFile":"$T/pflink.log"}]}
JSON
}

rt_mac() { printf '02:7e:%s:%s:%s:%s' "${TAG:0:2}" "${TAG:2:2}" "$1" "$2"; }
