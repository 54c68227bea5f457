# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Step 3: pods started through containerd's CRI plugin, as kubelet starts
# them, with the agent of step 2 running in its container.  Sourced by
# run.sh, after step 2 (its devices, its agent, its /opt/cni/bin).
#
#   containerd (Debian's 1.6, CRI plugin on) with its own root, state,
#     socket and config; runc; the sandbox image built here (catatonit -P,
#     as podman's own pause image is);
#   a CNI conf dir: host-device (IPAM host-local on the documentation
#     prefix 192.0.2.0/24: the CRI plugin fails RunPodSandbox with "failed
#     to find network info for sandbox" when the sandbox interface gets no
#     address) -> pflink, the binary install-cni put into /opt/cni/bin; the
#     CRI plugin also runs loopback from the same bin dir.  Not IPv6
#     (2001:db8::/32): host-device 1.1.1 then waits for duplicate address
#     detection to finish, up to 10 s, and on a link with no carrier (a
#     veth whose peer is down) it never does: every ADD took 10.1 s;
#   test/node/cri/cri.py, the CRI client, in kubelet's place.
#
# Two test-only pieces in the bin dir, standing in for what this machine
# lacks: "pflink" runs /opt/cni/bin/pflink with the ethtool shim (as in
# test/runtime), and "host-device" first writes into its config the VF the
# device plugin allocated to the pod (Multus passes it as deviceID in a
# cluster; here a file maps pod name -> VF netdev), then runs Debian's
# host-device.

# cri_bin DIR: the CRI plugin's CNI bin dir.
cri_bin() {
	local d=$1
	PFLINK=/opt/cni/bin/pflink rt_cni_bin "$d"
	rm -f "$d/host-device"
	ln -s /usr/lib/cni/loopback "$d/loopback"
	ln -s /usr/lib/cni/host-local "$d/host-local"
	cat > "$d/host-device" <<EOF
#!/bin/sh
# TEST ONLY: the device plugin's allocation (pod name -> VF netdev, one
# line each in $CRI_ALLOC), written into host-device's config as "device".
pod=\$(printf '%s' "\$CNI_ARGS" | tr ';' '\n' | sed -n 's/^K8S_POD_NAME=//p')
dev=\$(awk -v p="\$pod" '\$1 == p {print \$2}' '$CRI_ALLOC')
if [ -z "\$dev" ]; then
	printf '{"cniVersion":"1.0.0","code":7,"msg":"no VF allocated to pod %s"}' "\$pod"
	exit 1
fi
jq -c --arg d "\$dev" '.device = \$d' | exec /usr/lib/cni/host-device
EOF
	chmod 755 "$d/host-device"
}

# cri_conflist DIR with|without: the sandbox network, with or without pflink.
cri_conflist() {
	local p=''
	[ "$2" = with ] && p=$(printf ',{"type":"pflink","sysfsRoot":"%s","logFile":"%s","logLevel":"info"}' "$SYS" "$T/pflink.log")
	rm -f "$1"/*.conflist
	cat > "$1/10-sriov.conflist" <<EOF
{"cniVersion":"1.0.0","name":"sriov-node","plugins":[
  {"type":"host-device","ipam":{"type":"host-local","ranges":[[{"subnet":"192.0.2.0/24"}]]}}$p]}
EOF
}

# cri_containerd_start: containerd with the CRI plugin, in the background.
cri_containerd_start() {
	containerd --config "$C/config.toml" >>"$C/containerd.log" 2>&1 &
	CTRD_PID=$!
	rt_wait 30 cri version || { bad "containerd's CRI did not come up: $(tail -n5 "$C/containerd.log")"; return 1; }
}

cri_containerd_stop() {
	[ -n "${CTRD_PID:-}" ] || return 0
	if kill "$CTRD_PID" 2>/dev/null; then
		rt_wait 15 sh -c "! kill -0 $CTRD_PID" || kill -9 "$CTRD_PID" 2>/dev/null
	fi
	wait "$CTRD_PID" 2>/dev/null
	CTRD_PID=""
}

cri() { CRI_PY_OUT=$T/cri-py "$NODE_PY" "$NODE_SRC/test/node/cri/cri.py" "$C/containerd.sock" "$@"; }

cri_cleanup() {
	local id
	if [ -n "${CTRD_PID:-}" ]; then
		for id in $(cri list 2>/dev/null | awk '{print $1}'); do
			cri stop "$id" >/dev/null 2>&1
			cri remove "$id" >/dev/null 2>&1
		done
	fi
	cri_containerd_stop
	# Shims outlive containerd when their sandbox was not removed.
	local f
	for f in "$C"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
		[ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	for f in /run/netns/cni-*; do
		[ -e "$f" ] && umount "$f" 2>/dev/null && rm -f "$f"
	done
}

# cri_rec CID: pflink's record of the sandbox's eth0.
cri_rec() { echo "/run/pflink/state/${1}_eth0.json"; }

# cri_agent ARGS...: pflinkctl in the agent's container.
cri_agent() { podman exec "$(node_ctr pflinkd)" /usr/bin/pflinkctl --socket /run/pflink/pflinkd.sock "$@"; }

# cri_vf_dev N: the netdev of the N-th ixgbe VF (0..19); cri_vf_bdf, its PCI
# address; cri_vf_pf, its PF's.
cri_vf_line() { printf '%s\n' "$NODE_VFS" | grep " 0000:04:" | sed -n "$(($1 + 1))p"; }
cri_vf_dev() { cri_vf_line "$1" | awk '{print $1}'; }
cri_vf_bdf() { cri_vf_line "$1" | awk '{print $2}'; }
cri_vf_pf() { cri_vf_line "$1" | awk '{print $3}'; }

# cri_timed_runs with|without N FILE: N RunPodSandbox calls one after the
# other (each sandbox stopped and removed before the next), their times in
# FILE, one per line.
cri_timed_runs() {
	local i line id
	: > "$3"
	for i in $(seq 1 "$2"); do
		line=$(cri run --cgroup-parent "/$RT_CG" --log-root "$T/pods" "bench/bench$TAG-$1/uid-b$i") || {
			bad "RunPodSandbox ($1 pflink) failed: $line"; return 1; }
		id=$(echo "$line" | awk '{print $2}')
		echo "$line" | awk '{print $3}' >> "$3"
		cri stop "$id" && cri remove "$id" || { bad "stop/remove of $id failed"; return 1; }
	done
}

step_cri() {
	local img=localhost/pflink-pause:node line id st ns rec vf pf agentns inode out i pods ids bad_n t0 n0 n1 di pids left left_di back
	C=$T/containerd CRI_ALLOC=$T/alloc
	mkdir -p "$C" "$T/cri-bin" "$T/cri-net.d" "$T/pods"
	: > "$CRI_ALLOC"

	# ---- the sandbox image: catatonit -P (pause mode), nothing else ------
	mkdir -p "$T/pause"
	cp "$(command -v catatonit)" "$T/pause/catatonit"
	if ! { tar -C "$T/pause" -c catatonit | podman import --change 'ENTRYPOINT ["/catatonit", "-P"]' - "$img" >/dev/null &&
		podman save -o "$T/pause.tar" "$img" >/dev/null 2>&1; }; then
		bad "cannot build the sandbox image"; return 1
	fi

	cri_bin "$T/cri-bin"
	cri_conflist "$T/cri-net.d" with
	rt_containerd_conf "$C" > "$C/config.toml"
	cat >> "$C/config.toml" <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$img"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # The sandbox asks for oom_score_adj -998, and lowering it needs
  # CAP_SYS_RESOURCE, which this machine's root lacks: runc's init then
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
    bin_dir = "$T/cri-bin"
    conf_dir = "$T/cri-net.d"
    max_conf_num = 1
EOF
	rt_on_cleanup cri_cleanup
	cri_containerd_start || return 1
	echo "CRI: $(cri version)"
	if ! ctr --address "$C/containerd.sock" -n k8s.io images import "$T/pause.tar" >"$T/import.log" 2>&1; then
		bad "ctr images import: $(cat "$T/import.log")"; return 1
	fi

	# ---- one pod, as kubelet starts it ----------------------------------
	vf=$(cri_vf_bdf 0) pf=$(cri_vf_pf 0)
	echo "web$TAG $(cri_vf_dev 0)" >> "$CRI_ALLOC"
	line=$(cri run --cgroup-parent "/$RT_CG" --log-root "$T/pods" "default/web$TAG/uid-web$TAG")
	id=$(echo "$line" | awk '{print $2}')
	if [ "$id" = - ] || [ -z "$id" ]; then
		bad "RunPodSandbox: $line"; cat "$CALLS"; cat "$T/pflink.log"; grep -i -E 'error|warn' "$C/containerd.log" | tail -n 20; return 1
	fi
	ok "RunPodSandbox default/web$TAG: sandbox ${id:0:12} in $(echo "$line" | awk '{print $3}') ms"
	st=$(cri status "$id")
	echo "status: $st"
	ns=$(printf '%s' "$st" | jq -r .netns)
	check "PodSandboxStatus: READY, an address from 192.0.2.0/24" \
		sh -c "printf '%s' '$st' | jq -e '.state==\"SANDBOX_READY\" and (.ip | startswith(\"192.0.2.\"))'"
	check "the sandbox's netns is the CRI's cni-<uuid> ($ns)" \
		sh -c "printf '%s' '$ns' | grep -Eq '^/var/run/netns/cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\$'"
	check "containerd called pflink ADD on that netns and it succeeded" \
		grep -q "^ADD id=$id if=eth0 netns=\[$ns\] rc=0 " "$CALLS"
	rec=$(cri_rec "$id")
	check "pflink's record has the K8S_POD_* arguments kubelet's metadata became" \
		jq -e --arg n "web$TAG" --arg u "uid-web$TAG" '.podNamespace=="default" and .podName==$n and .podUID==$u' "$rec"
	check "... the sandbox's netns, VF $vf of PF $pf" \
		jq -e --arg ns "$ns" --arg vf "$vf" --arg pf "$pf" '.netns==$ns and .vfPciAddress==$vf and .pfPciAddress==$pf' "$rec"
	inode=$(stat -L -c %i "$ns")
	out=$(cri_agent --json vf "$vf")
	agentns=$(printf '%s' "$out" | jq -r '.vf.netdevs[0].netns')
	check "pflinkd sees the VF in that netns: $agentns, inode $inode (the same file, through /run/netns)" \
		sh -c "printf '%s' \"\$1\" | jq -e --arg b \"\$(basename '$ns')\" --argjson i $inode '.vf.netdevs[0].netns == \"/run/netns/\" + \$b and .vf.netdevs[0].netnsInode == \$i and .vf.netdevs[0].name == \"eth0\"'" _ "$out"
	out=$(cri_agent --json pod "default/web$TAG")
	check "pflinkctl pod default/web$TAG names VF $vf of PF $pf" \
		sh -c "printf '%s' \"\$1\" | jq -e '.attachments | length == 1 and .[0].vf.pciAddress == \"$vf\" and .[0].pf.pciAddress == \"$pf\"'" _ "$out"
	cri_agent --no-color pod "default/web$TAG" | sed 's/^/  /'
	di=$(jq -r .deviceInfoFile "$rec")
	check "pflink wrote device-info ($di)" test -s "$di"

	check "StopPodSandbox" cri stop "$id"
	check "containerd called pflink DEL on the live netns, and it succeeded" \
		grep -q "^DEL id=$id if=eth0 netns=\[$ns\] rc=0 " "$CALLS"
	check "RemovePodSandbox" cri remove "$id"
	check "the VF is back in the host netns as $(cri_vf_dev 0)" ip link show "$(cri_vf_dev 0)"
	check "no record left" test ! -e "$rec"
	check "no device-info left" test ! -e "$di"
	check "the netns is gone" test ! -e "$ns"
	rt_wait 8 sh -c "podman exec $(node_ctr pflinkd) /usr/bin/pflinkctl --json vf $vf | jq -e '.vf.netdevs[0].netns == \"host\"'"
	out=$(cri_agent --json pod "default/web$TAG" 2>&1)
	check "pflinkd: the pod holds nothing, the VF is in the host netns" \
		sh -c "! printf '%s' \"\$1\" | jq -e '.attachments | length > 0' && podman exec $(node_ctr pflinkd) /usr/bin/pflinkctl --json vf $vf | jq -e '.vf.netdevs[0].netns == \"host\" and .vf.orphan == \"\"'" _ "$out"

	# ---- containerd restarts with sandboxes up -----------------------------
	for i in 1 2; do echo "keep$i$TAG $(cri_vf_dev "$i")" >> "$CRI_ALLOC"; done
	out=$(cri run --cgroup-parent "/$RT_CG" --log-root "$T/pods" "default/keep1$TAG/uid-k1" "default/keep2$TAG/uid-k2")
	ids=$(echo "$out" | awk '{print $2}' | xargs)
	for id in $ids; do cri status "$id" > "$T/before-$id"; done
	cri_containerd_stop
	check "containerd stopped, the pause processes live on" \
		sh -c "for id in $ids; do kill -0 \$(jq .pid $T/before-\$id) || exit 1; done"
	cri_containerd_start || return 1
	for id in $ids; do
		cri status "$id" > "$T/after-$id"
		check "after containerd's restart sandbox ${id:0:12} is READY, same IP, same netns, same pause" \
			sh -c "jq -e -s '.[0].state == \"SANDBOX_READY\" and .[0].ip == .[1].ip and .[0].netns == .[1].netns and .[0].pid == .[1].pid' $T/after-$id $T/before-$id"
		check "... pflink's record is still there" test -s "$(cri_rec "$id")"
	done
	out="$(cri_agent --json pod "default/keep1$TAG") $(cri_agent --json pod "default/keep2$TAG")"
	check "... and pflinkd still names both pods' VFs" \
		sh -c "printf '%s' \"\$1\" | jq -e -s '.[0].attachments[0].vf.pciAddress == \"$(cri_vf_bdf 1)\" and .[1].attachments[0].vf.pciAddress == \"$(cri_vf_bdf 2)\"'" _ "$out"
	for id in $ids; do cri stop "$id" && cri remove "$id"; done
	check "stop + remove after the restart: DEL succeeded, records gone, VFs back" \
		sh -c "for id in $ids; do grep -q \"^DEL id=\$id if=eth0 .* rc=0 \" '$CALLS' && [ ! -e /run/pflink/state/\${id}_eth0.json ] || exit 1; done; ip link show $(cri_vf_dev 1) && ip link show $(cri_vf_dev 2)"

	# ---- 20 sandboxes at once ---------------------------------------------
	pods=""
	for i in $(seq 0 19); do
		echo "par$i-$TAG $(cri_vf_dev "$i")" >> "$CRI_ALLOC"
		pods="$pods default/par$i-$TAG/uid-p$i"
	done
	t0=$(node_ms)
	# shellcheck disable=SC2086
	cri run --parallel --cgroup-parent "/$RT_CG" --log-root "$T/pods" $pods > "$T/par.out"
	echo "20 RunPodSandbox in parallel: $(( $(node_ms) - t0 )) ms wall, each $(awk '{print $3}' "$T/par.out" | sort -n | sed -n '1p;$p' | xargs | sed 's/ / to /') ms"
	check "20 sandboxes in parallel: all started" sh -c "! grep -q ' - ' '$T/par.out' && [ \$(wc -l < '$T/par.out') = 20 ]"
	grep ' - ' "$T/par.out" | head -n3
	bad_n=0
	cri_agent --json show > "$T/par-topo.json"
	for i in $(seq 0 19); do
		id=$(awk -v p="default/par$i-$TAG" '$1 == p {print $2}' "$T/par.out")
		rec=$(cri_rec "$id")
		vf=$(cri_vf_bdf "$i") pf=$(cri_vf_pf "$i")
		ns=$(cri status "$id" | jq -r .netns)
		jq -e --arg vf "$vf" --arg pf "$pf" --arg ns "$ns" --arg n "par$i-$TAG" \
			'.vfPciAddress == $vf and .pfPciAddress == $pf and .netns == $ns and .podName == $n' "$rec" >/dev/null 2>&1 &&
			jq -e --arg vf "$vf" --arg pf "$pf" --arg n "par$i-$TAG" --arg b "$(basename "$ns")" \
			'.pfs[] | select(.pciAddress == $pf) | .vfs[] | select(.pciAddress == $vf) | .pod.name == $n and .netdevs[0].netns == "/run/netns/" + $b' \
			"$T/par-topo.json" >/dev/null 2>&1 || { bad_n=$((bad_n + 1)); echo "  par$i: record or agent wrong ($vf of $pf)"; }
	done
	check "every one of the 20 has the right VF and PF, in pflink's record and in pflinkd's map ($bad_n wrong)" test "$bad_n" = 0
	ids=$(awk '$2 != "-" {print $2}' "$T/par.out" | xargs)
	pids=""
	for id in $ids; do (cri stop "$id" && cri remove "$id") & pids="$pids $!"; done
	# Not a bare wait: containerd and the workload are children too.
	# shellcheck disable=SC2086
	wait $pids
	left=$(cat /run/pflink/state/*.json 2>/dev/null | jq -r .podName | grep -c "^par")
	left_di=$(ls /run/k8s.cni.cncf.io/devinfo/cni | grep -c '^sriov-node-')
	back=0
	for i in $(seq 0 19); do ip link show "$(cri_vf_dev "$i")" >/dev/null 2>&1 && back=$((back + 1)); done
	check "all 20 stopped and removed: records left $left, device-info left $left_di, VFs back $back/20" \
		test "$left $left_di $back" = "0 0 20"

	# ---- RunPodSandbox with pflink in the chain vs without -----------------
	echo "bench$TAG-with $(cri_vf_dev 5)" >> "$CRI_ALLOC"
	echo "bench$TAG-without $(cri_vf_dev 6)" >> "$CRI_ALLOC"
	n0=$(grep -c '^ADD ' "$CALLS")
	cri_timed_runs with 20 "$T/t-with" || return 1
	n1=$(grep -c '^ADD ' "$CALLS")
	cri_containerd_stop
	cri_conflist "$T/cri-net.d" without
	cri_containerd_start || return 1
	cri_timed_runs without 20 "$T/t-without" || return 1
	CRI_MED_WITH=$(node_median "$T/t-with") CRI_MED_WITHOUT=$(node_median "$T/t-without")
	echo "RunPodSandbox, median of 20: $CRI_MED_WITH ms with pflink in the chain, $CRI_MED_WITHOUT ms without"
	check "pflink ran in each of the first 20 and in none of the second ($((n1 - n0)), $(($(grep -c '^ADD ' "$CALLS") - n1)))" \
		test "$((n1 - n0)) $(($(grep -c '^ADD ' "$CALLS") - n1))" = "20 0"
	cri_containerd_stop
	cri_conflist "$T/cri-net.d" with
	cri_containerd_start
}
