# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Step 2: the DaemonSet's pod as written (test/node/gen-pod.py makes it from
# the DaemonSet's template), run by podman: hostPID, hostNetwork, the
# hostPath mounts, drop ALL + four capabilities, seccomp RuntimeDefault,
# read-only root.  Then each capability and each mount dropped in turn.
# Sourced by run.sh.
#
# The node's devices: veth links standing in for PFs and VFs (their bus_info
# from the ethtool shim, keyed by MAC), the fixture tree standing in for the
# host's /sys.  What the generated pod gets on top of the manifest, and only
# that (gen-pod.py --test-shim, --host-path host-sys=): the shim and its map
# mounted read-only with LD_PRELOAD, and the fixture as the hostPath of the
# host-sys volume, so the agent's --sysfs /host/sys is the manifest's.

# node_devices: the node's PCI netdevs, in the host netns, and the fixture's
# extra functions: two ixgbe PFs (82599 layout: VFs at offset 128, stride 2)
# with 10 VFs each, for the CRI step's 20 sandboxes, and the standard tree's
# igb PF 0000:01:00.0 with its 4 VFs.
#   NODE_PFS:   "netdev bdf" of each PF
#   NODE_VFS:   "netdev bdf pfbdf" of each VF, in order
node_devices() {
	local i pf bdf dev fn vf n=0
	. "$FIXTURE"
	NODE_PFS="" NODE_VFS=""
	tl_dev "pn${TAG}a" "$(rt_mac 00 01)" 0000:01:00.0 igb
	NODE_PFS="pn${TAG}a 0000:01:00.0"
	for i in 0 1 2 3; do
		bdf=0000:01:10.$((i * 2))
		tl_dev "vn${TAG}a$i" "$(rt_mac 1a "$(printf %02x $i)")" "$bdf" igbvf
		NODE_VFS="$NODE_VFS${NODE_VFS:+$'\n'}vn${TAG}a$i $bdf 0000:01:00.0"
	done
	for fn in 0 1; do
		pf=0000:04:00.$fn
		fx_pf "$SYS" "$pf" ixgbe 63 || return 1
		tl_dev "pn${TAG}x$fn" "$(rt_mac 04 "0$fn")" "$pf" ixgbe
		NODE_PFS="$NODE_PFS"$'\n'"pn${TAG}x$fn $pf"
		for i in $(seq 0 9); do
			# routing ID = PF's + 128 + 2i: device 0x10 + (2i+fn)/8, function (2i+fn)%8
			n=$((2 * i + fn))
			bdf=$(printf '0000:04:%02x.%d' $((0x10 + n / 8)) $((n % 8)))
			fx_vf "$SYS" "$pf" "$i" "$bdf" ixgbevf || return 1
			dev=vn${TAG}x$fn$i
			tl_dev "$dev" "$(rt_mac "4$fn" "$(printf %02x "$i")")" "$bdf" ixgbevf
			NODE_VFS="$NODE_VFS"$'\n'"$dev $bdf $pf"
		done
	done
}

# node_gen_pod NAME [gen-pod.py options]: $T/NAME.yaml, the DaemonSet's pod
# with the test-only addition.
#
# And restartPolicy OnFailure in place of a DaemonSet's Always, for podman
# 4.3: it applies the pod's restartPolicy to init containers too, so under
# Always it restarts install-cni each time it exits 0 (Kubernetes never
# restarts an init container that succeeded), and kube play then fails
# removing that "once" init container while it runs again ("failed to
# remove once init container ... container state improper").  Under
# OnFailure an init container that succeeded stays done, and a crashed
# agent is still restarted.
node_gen_pod() {
	local name=$1; shift
	"$NODE_PY" "$NODE_SRC/test/node/gen-pod.py" --name "$name" --test-shim "$NODE_SHIMDIR" \
		--host-path "host-sys=$SYS" --restart-policy OnFailure --host-ip 127.0.0.1 "$@" "$NODE_DS" > "$T/$name.yaml"
}

# node_play NAME: podman kube play $T/NAME.yaml; $NODE_POD_CG is its cgroup.
node_play() {
	podman kube play "$T/$1.yaml" >"$T/$1.play" 2>&1
}

node_unplay() {
	podman pod rm -f -t 0 "$1" >/dev/null 2>&1
}

# node_ctr POD: the pflinkd container of POD (kube play names it POD-pflinkd).
node_ctr() { echo "$1-pflinkd"; }

# node_health POD: the agent's health answer, asked inside the container as
# the probes ask.
node_health() {
	podman exec "$(node_ctr "$1")" /usr/bin/pflinkctl --json --socket /run/pflink/pflinkd.sock health 2>&1
}

# node_wait_health POD [SECONDS]: until the agent answers ok inside POD.
node_wait_health() {
	local n=$(( ${2:-20} * 10 ))
	while [ $n -gt 0 ]; do
		jq_cmd "node_health '$1'" '.ok' 2>/dev/null && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}

# node_workload: what the agent must find, made after it started.
#   a VF in a netns held by a bind mount only (ip netns: /run/netns/NAME),
#     with pflink's record of a pod attachment (pflink ADD on the host);
#   a VF in a netns held by a process only (no bind mount anywhere);
#   the other VFs and the PFs in the host netns.
node_workload() {
	NSB=pnb$TAG
	tl_netns "$NSB"
	ip link set "vn${TAG}a1" netns "$NSB"
	ip -n "$NSB" link set "vn${TAG}a1" name net1
	# As a pod's processes often are: not root, a netns of its own.
	unshare --net sh -c 'echo $$ > "$1"; exec setpriv --reuid=65534 --regid=65534 --clear-groups sleep 3600' \
		_ "$T/nsp.pid" &
	rt_wait 5 test -s "$T/nsp.pid"
	NSP_PID=$(cat "$T/nsp.pid")
	ip link set "vn${TAG}a2" netns "$NSP_PID"
}

# node_add_record NETNS IFNAME CONTAINERID POD_NS POD_NAME: pflink ADD as
# the runtime runs it on the host (the binary install-cni put into the CNI
# bin dir, the shim preloaded), recording the attachment in the default
# stateDir /run/pflink/state and asking the agent on its default socket.
node_add_record() {
	local conf
	conf=$(printf '{"cniVersion":"1.0.0","name":"node-net","type":"pflink","sysfsRoot":"%s","logFile":"%s","logLevel":"info","prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[],"dns":{}}}' \
		"$SYS" "$T/pflink.log" "$2" "$1")
	OUT=$(printf '%s' "$conf" | env CNI_COMMAND=ADD CNI_CONTAINERID="$3" CNI_NETNS="$1" CNI_IFNAME="$2" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$4;K8S_POD_NAME=$5;K8S_POD_UID=uid-$5" CNI_PATH=/opt/cni/bin \
		LD_PRELOAD="$NODE_SHIMDIR/libpflink_ethtool_shim.so" PFLINK_NETNS_DIRS="$NOMOUNTS" \
		/opt/cni/bin/pflink 2>"$T/stderr")
	RC=$?
}

# node_vf_netns JSON BDF: the netns of the VF's first netdev in a topology
# answer, "-" when it has none.
node_vf_netns() {
	printf '%s' "$1" | jq -r --arg b "$2" '[.pfs[].vfs[] | select(.pciAddress == $b) | .netdevs[0].netns // "-"][0] // "-"'
}

# node_topology POD: pflinkctl's JSON topology, asked inside POD.
node_topology() {
	podman exec "$(node_ctr "$1")" /usr/bin/pflinkctl --json --socket /run/pflink/pflinkd.sock show 2>/dev/null
}

# node_wait_exit CTR SECONDS: until CTR has exited; its exit code on stdout.
node_wait_exit() {
	local n=$(( $2 * 10 )) st
	while [ $n -gt 0 ]; do
		st=$(podman inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$1" 2>/dev/null)
		case $st in exited*|stopped*) echo "${st#* }"; return 0 ;; esac
		sleep 0.1; n=$((n - 1))
	done
	return 1
}

# What the agent must see of the workload, three ways a netns is held.
VF_BIND=0000:01:10.2 VF_PROC=0000:01:10.4

step_pod() {
	local ctr pid caps want out topo h base_denied v code log rmem
	NODE_SHIMDIR=$T/pt
	mkdir -p "$NODE_SHIMDIR"
	cp "$SHIM" "$NODE_SHIMDIR/libpflink_ethtool_shim.so"
	MAP=$NODE_SHIMDIR/busmap
	: > "$MAP"
	export PFLINK_TEST_BUSINFO=$MAP
	node_devices || { bad "cannot build the node's devices"; return 1; }
	# /var/lib/cni (libcni's cache, host-local's leases) is made on the
	# machine when it is missing, rather than on a tmpfs over /var/lib as
	# rt_private_dir would: that would hide /var/lib/dpkg from step 5's
	# dpkg-shlibdeps (the package would lose its Depends).  Removed again
	# on exit when empty.
	if [ ! -d /var/lib/cni ]; then
		mkdir /var/lib/cni && RT_HOST_DIRS="/var/lib/cni $RT_HOST_DIRS"
	fi
	for d in /opt/cni/bin /etc/cni/net.d /var/lib/cni; do
		rt_private_dir "$d" || { bad "cannot make a private $d"; return 1; }
	done
	rt_on_cleanup node_pod_cleanup

	# ---- the pod as written -------------------------------------------
	node_gen_pod pflinkd || { bad "gen-pod.py failed"; return 1; }
	if node_play pflinkd && node_wait_health pflinkd 20; then
		ok "podman kube play runs the DaemonSet's pod; the agent answers"
	else
		bad "podman kube play: $(tail -n5 "$T/pflinkd.play"); $(podman logs pflinkd-pflinkd 2>&1 | tail -n3)"
		return 1
	fi
	ctr=$(node_ctr pflinkd)
	pid=$(podman inspect --format '{{.State.Pid}}' "$ctr")
	want=$("$NODE_PY" -c 'import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
c = [c for c in p["spec"]["containers"] if c["name"] == "pflinkd"][0]
print(" ".join(sorted("CAP_" + x for x in c["securityContext"]["capabilities"]["add"])))' "$T/pflinkd.yaml")
	caps=$(podman inspect --format '{{range .EffectiveCaps}}{{.}} {{end}}' "$ctr" | xargs -n1 | sort | xargs)
	check "the agent holds exactly the manifest's capabilities ($caps)" test "$caps" = "$want"
	check "... and so does the kernel: CapEff of pflinkd = CapBnd, nothing else" \
		sh -c "grep -q '^CapEff:' /proc/$pid/status && test \"\$(awk '/^CapEff/{print \$2}' /proc/$pid/status)\" = \"\$(awk '/^CapBnd/{print \$2}' /proc/$pid/status)\""
	check "seccomp filter on (RuntimeDefault: Seccomp 2)" grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status"
	check "read-only root filesystem" test "$(podman inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$ctr")" = true
	check "host network namespace (hostNetwork)" test "$(readlink "/proc/$pid/ns/net")" = "$(readlink /proc/self/ns/net)"
	# podman 4.3's kube play ignores hostPID: the agent runs in a PID
	# namespace of its own, and sees the node's processes through the
	# host-proc mount alone.  That is why the DaemonSet has no hostPID.
	check "its own PID namespace, the node's processes through /host/proc" \
		test "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)"
	check "/run/netns is mounted rslave (mountPropagation: HostToContainer)" \
		grep -q ' /run/netns .* master:' "/proc/$pid/mountinfo"
	check "every manifest mount is there, read-only where the manifest says" \
		sh -c "grep -q ' /host/sys ro' /proc/$pid/mountinfo && grep -q ' /host/proc ro' /proc/$pid/mountinfo && grep -q ' /run/pflink rw' /proc/$pid/mountinfo"
	check "the runtimes' bundles read-only and rslave (HostToContainer)" \
		sh -c "grep -q ' /run/containerd/io.containerd.runtime.v2.task/k8s.io ro,.* master:' /proc/$pid/mountinfo && grep -q ' /run/containers/storage/overlay-containers ro,.* master:' /proc/$pid/mountinfo"

	# /metrics, as the manifest has it: the node's IP (here 127.0.0.1: the
	# value gen-pod.py gives status.hostIP), port 9478, nothing else bound.
	check "the agent serves /metrics on the node's IP, port 9478, in the image (libmicrohttpd12)" \
		sh -c "curl -sf --max-time 5 http://127.0.0.1:9478/metrics | grep -q '^pflink_build_info{'"
	check "... bound to that address only" \
		sh -c "ss -Hltn 'sport = :9478' | awk '{ print \$4 }' | grep -qx '127.0.0.1:9478'"

	# install-cni: the image's plugin, in the host's CNI bin dir, by rename.
	podman run --rm --network=none --entrypoint /bin/cat "$NODE_IMAGE" /usr/lib/cni/pflink > "$T/image-pflink"
	check "install-cni put the image's pflink into the host's /opt/cni/bin" cmp -s "$T/image-pflink" /opt/cni/bin/pflink
	check "... mode 0755, no temporary file left" \
		sh -c "[ \"\$(stat -c %a /opt/cni/bin/pflink)\" = 755 ] && [ -z \"\$(ls -A /opt/cni/bin | grep -v '^pflink\$')\" ]"
	check "install-cni ran once (podman events: one start)" \
		test "$(podman events --stream=false --filter container=pflinkd-install-cni --filter event=start 2>/dev/null | wc -l)" = 1
	# The manifest's install-cni, without the test's PFLINK_SRC, as the
	# init container runs: it installs pflink-static (any host's glibc).
	mkdir -p "$T/cni-bin-default"
	podman run --rm --network=none --entrypoint /bin/cat "$NODE_IMAGE" /usr/lib/cni/pflink-static > "$T/image-pflink-static"
	podman run --rm --read-only --cap-drop=ALL --network=none -v "$T/cni-bin-default:/host/opt/cni/bin" \
		--entrypoint /bin/sh "$NODE_IMAGE" /usr/lib/pflink/install-cni.sh > "$T/install-default.log" 2>&1
	check "without PFLINK_SRC the image's install-cni installs pflink-static ($(tail -n1 "$T/install-default.log"))" \
		sh -c "[ -s '$T/image-pflink-static' ] && cmp -s '$T/image-pflink-static' '$T/cni-bin-default/pflink'"

	# The probes: podman turned the livenessProbe into its healthcheck
	# (it runs it on a systemd timer, none here, so run it once by hand);
	# the readinessProbe's command, as kubelet would exec it.
	check "the liveness probe passes (podman healthcheck run)" podman healthcheck run "$ctr"
	check "the readiness probe's command exits 0" \
		podman exec "$ctr" /usr/bin/pflinkctl --socket /run/pflink/pflinkd.sock health

	# ---- what the agent sees -------------------------------------------
	node_workload
	node_add_record "/run/netns/$NSB" net1 "ctr-$TAG-b" default "pod-b$TAG"
	check "pflink ADD on the host, the agent in its container answering (rc $RC)" test "$RC" = 0
	rt_wait 8 jq_cmd "podman exec $ctr /usr/bin/pflinkctl --json show" --arg v "$VF_PROC" '[.pfs[].vfs[] | select(.pciAddress==$v) | .netdevs[0].netns][0] | startswith("pid:")'
	topo=$(node_topology pflinkd)
	check "host netns: the PF and its VFs" \
		eval '[ "$(node_vf_netns "$topo" 0000:01:10.0)" = host ] && jq_text "$topo" ".pfs[] | select(.pciAddress==\"0000:01:00.0\") | .netdevs[0].netns==\"host\""'
	check "a netns bind-mounted after the agent started (/run/netns/$NSB, propagated)" \
		test "$(node_vf_netns "$topo" "$VF_BIND")" = "/run/netns/$NSB"
	check "a netns held only by a process of another user (pid:$NSP_PID)" \
		test "$(node_vf_netns "$topo" "$VF_PROC")" = "pid:$NSP_PID"
	check "pflinkctl pod default/pod-b$TAG names VF $VF_BIND of PF 0000:01:00.0 (the record, through /run/pflink)" \
		jq_cmd "podman exec $ctr /usr/bin/pflinkctl --json pod default/pod-b$TAG" --arg v "$VF_BIND" '.attachments[0].vf.pciAddress==$v and .attachments[0].pf.pciAddress=="0000:01:00.0"'
	podman exec "$ctr" /usr/bin/pflinkctl --no-color show > "$T/show.txt" 2>&1
	check "podman exec ... pflinkctl show draws the node (PF, VFs, the pod)" \
		sh -c "grep -q '^PF .*0000:01:00.0 .*igb' '$T/show.txt' && grep -q 'VF 1 .*$VF_BIND .*net1 .*/run/netns/$NSB .*default/pod-b$TAG' '$T/show.txt'"
	sed -n '1,6p' "$T/show.txt"
	check "pflinkctl on the host reaches the agent's socket (/run/pflink, hostPath)" \
		"$NODE_BUILD/pflinkctl" --socket /run/pflink/pflinkd.sock health
	h=$(node_health pflinkd)
	base_denied=$(jq -r .nsDenied <<<"$h")
	check "with NET_ADMIN its link-event buffers are 2 MiB (eventBuffer $(jq .eventBuffer <<<"$h"))" \
		jq_text "$h" '.eventBuffer >= 2097152'
	echo "health: $(jq -c '{netns,devices,pfs,vfs,attachments,nsDenied,lastError}' <<<"$h")"
	node_unplay pflinkd

	# ---- each capability dropped ---------------------------------------
	# The manifest adds SYS_ADMIN, SYS_PTRACE and NET_ADMIN.
	# DAC_READ_SEARCH was in it too, until this run dropped it and saw
	# nothing lost: everything the agent reads is root's or world-readable.
	node_gen_pod pfd-sa --drop-cap SYS_ADMIN --restart-policy Never
	node_play pfd-sa
	code=$(node_wait_exit pfd-sa-pflinkd 10)
	log=$(podman logs pfd-sa-pflinkd 2>&1 | tail -n3)
	check "without SYS_ADMIN pflinkd exits (code $code) and says why: $log" \
		sh -c "[ '$code' != 0 ] && printf '%s' \"\$1\" | grep -q 'cannot start: the host netns (.*): Operation not permitted'" _ "$log"
	node_unplay pfd-sa

	# net.core.rmem_max at the kernel's default for this one pod (this
	# machine raises it), put back at once.
	rmem=$(cat /proc/sys/net/core/rmem_max)
	echo 212992 > /proc/sys/net/core/rmem_max
	node_gen_pod pfd-na --drop-cap NET_ADMIN --restart-policy Never
	node_play pfd-na && node_wait_health pfd-na 10
	h=$(node_health pfd-na)
	echo "$rmem" > /proc/sys/net/core/rmem_max
	check "without NET_ADMIN the link-event buffers stop at rmem_max: eventBuffer $(jq .eventBuffer <<<"$h") < 2097152" \
		jq_text "$h" '.ok and .eventBuffer < 2097152'
	check "... and its log says so" sh -c "podman logs pfd-na-pflinkd 2>&1 | grep -q 'no CAP_NET_ADMIN for SO_RCVBUFFORCE'"
	node_unplay pfd-na

	node_gen_pod pfd-sp --drop-cap SYS_PTRACE --restart-policy Never
	node_play pfd-sp && node_wait_health pfd-sp 10
	topo=$(node_topology pfd-sp)
	h=$(node_health pfd-sp)
	check "without SYS_PTRACE the process-held netns is missing (VF $VF_PROC: $(node_vf_netns "$topo" "$VF_PROC"))" \
		test "$(node_vf_netns "$topo" "$VF_PROC")" = -
	check "... bind-mounted netns are still seen" test "$(node_vf_netns "$topo" "$VF_BIND")" = "/run/netns/$NSB"
	check "... and health says so: nsDenied $(jq .nsDenied <<<"$h") (with it: $base_denied), lastError names CAP_SYS_PTRACE" \
		jq_text "$h" --argjson b "${base_denied:-null}" '.nsDenied > $b and (.lastError | contains("CAP_SYS_PTRACE"))'
	check "... and so does its log" sh -c "podman logs pfd-sp-pflinkd 2>&1 | grep -q 'warning: the netns of .* processes cannot be opened'"
	node_unplay pfd-sp

	# ---- each mount dropped --------------------------------------------
	for v in host-sys host-proc run-pflink; do
		node_gen_pod "pfd-$v" --drop-mount "$v" --restart-policy Never
		node_play "pfd-$v"
		code=$(node_wait_exit "pfd-$v-pflinkd" 10)
		log=$(podman logs "pfd-$v-pflinkd" 2>&1 | tail -n1)
		case $v in
		host-sys) want='cannot start: sysfs /host/sys has no readable bus/pci/devices (the host'"'"'s /sys, --sysfs): No such file or directory' ;;
		host-proc) want='cannot start: procfs /host/proc cannot be read (the host'"'"'s /proc, --proc): No such file or directory' ;;
		run-pflink) want='cannot serve on /run/pflink/pflinkd.sock (its directory must be writable: the host'"'"'s /run/pflink): Read-only file system' ;;
		esac
		check "without the $v mount pflinkd exits (code $code) and says: $log" \
			sh -c "[ '$code' != 0 ] && printf '%s' \"\$1\" | grep -qF \"\$2\"" _ "$log" "$want"
		node_unplay "pfd-$v"
	done
	node_gen_pod pfd-rn --drop-mount host-run-netns --restart-policy Never
	node_play pfd-rn && node_wait_health pfd-rn 10
	topo=$(node_topology pfd-rn)
	# The agent cannot tell a netns it cannot see from none: it is silent.
	check "without /run/netns the bind-mount-only netns is missing (VF $VF_BIND: $(node_vf_netns "$topo" "$VF_BIND"))" \
		test "$(node_vf_netns "$topo" "$VF_BIND")" = -
	check "... process-held netns are still seen" test "$(node_vf_netns "$topo" "$VF_PROC")" = "pid:$NSP_PID"
	node_unplay pfd-rn
	# Without the runtimes' bundles the agent serves on: health says the
	# root is absent, and pods are named by record or cgroup.
	node_gen_pod pfd-ct --drop-mount containerd-bundles --restart-policy Never
	node_play pfd-ct && node_wait_health pfd-ct 10
	h=$(node_health pfd-ct)
	check "without the containerd-bundles mount pflinkd serves, and health says the root is absent" \
		jq_text "$h" '.ok and (.runtimes[] | select(.runtime == "containerd") | .state == "absent")'
	node_unplay pfd-ct
	node_gen_pod pfd-cb --drop-mount cni-bin --restart-policy Never
	rm -f /opt/cni/bin/pflink
	node_play pfd-cb
	log=$(podman logs pfd-cb-install-cni 2>&1 | tail -n1)
	check "without the cni-bin mount install-cni fails and says why: $log" \
		sh -c "grep -q 'init container .* exited with code 1' '$T/pfd-cb.play' && printf '%s' \"\$1\" | grep -q 'is not mounted'" _ "$log"
	check "... and the agent does not start" \
		sh -c "[ \"\$(podman inspect --format '{{.State.Status}}' pfd-cb-pflinkd)\" != running ]"
	node_unplay pfd-cb

	# ---- the pod as written, again: the agent of steps 3 and 4 ---------
	node_play pflinkd && node_wait_health pflinkd 20 ||
		{ bad "the DaemonSet's pod did not come back: $(tail -n3 "$T/pflinkd.play")"; return 1; }
	check "install-cni installed pflink again" cmp -s "$T/image-pflink" /opt/cni/bin/pflink
}

node_pod_cleanup() {
	local p
	[ -n "${NSP_PID:-}" ] && kill "$NSP_PID" 2>/dev/null
	for p in $(podman pod ls -q 2>/dev/null); do
		podman pod rm -f -t 0 "$p" >/dev/null 2>&1
	done
	# kube play has no --cgroup-parent: podman's pods live under
	# libpod_parent, which it leaves behind (only empty dirs go).
	rt_cgroup_rm libpod_parent
}
