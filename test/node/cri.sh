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
	for f in "$CRI_STATE"/io.containerd.runtime.v2.task/*/*/shim.pid; do
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

# cri_uuid: a pod UID as the API server makes them (kubelet's cgroup is
# named by it: pod<uid>).
cri_uuid() { cat /proc/sys/kernel/random/uuid; }

# cri_jq TEXT JQ-ARGS...: jq -e on TEXT, which must not be empty (jq 1.6
# passes empty input).
cri_jq() { [ -n "$1" ] && jq -e "${@:2}" <<<"$1" >/dev/null; }

# cri_vfj BDF JQ-ARGS...: the agent's answer for VF BDF (pflinkctl in its
# container), checked.
cri_vfj() { local out; out=$(cri_agent --json vf "$1") || return 1; cri_jq "$out" "${@:2}"; }

# cri_no_pod BDF: the agent names no pod for VF BDF, and no holder.
cri_no_pod() { local out; out=$(cri_agent --json vf "$1") || return 1; cri_jq "$out" '.vf.holders == [] and (.vf | has("pod") | not)'; }

# cri_sock_vf BDF: the same asked on the agent's socket by hand, as any
# client of the protocol would.
cri_sock_vf() { printf '{"v":1,"op":"vf","pciAddress":"%s"}\n' "$1" | socat -t 5 - UNIX-CONNECT:/run/pflink/pflinkd.sock; }

# cri_replay_agent: the DaemonSet's pod played again (after a node_unplay).
cri_replay_agent() {
	node_play pflinkd && node_wait_health pflinkd 20 ||
		{ bad "the agent's pod did not come back: $(tail -n3 "$T/pflinkd.play")"; return 1; }
}

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
	# containerd's state where a node's is, /run/containerd (this
	# namespace's private /run): its CRI bundles are then where the
	# DaemonSet mounts them from, for the agent of step 2.
	CRI_STATE=/run/containerd
	{ rt_containerd_conf "$C"; rt_cri_conf "$img" "$T/cri-bin" "$T/cri-net.d"; } > "$C/config.toml"
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
		jq_text "$st" '.state=="SANDBOX_READY" and (.ip | startswith("192.0.2."))'
	check "the sandbox's netns is the CRI's cni-<uuid> ($ns)" \
		sh -c "printf '%s' '$ns' | grep -Eq '^/var/run/netns/cni-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\$'"
	check "containerd called pflink ADD on that netns and it succeeded" \
		grep -q "^ADD id=$id if=eth0 netns=\[$ns\] rc=0 " "$CALLS"
	rec=$(cri_rec "$id")
	check "pflink's record has the K8S_POD_* arguments kubelet's metadata became" \
		jq_file "$rec" --arg n "web$TAG" --arg u "uid-web$TAG" '.podNamespace=="default" and .podName==$n and .podUID==$u'
	check "... the sandbox's netns, VF $vf of PF $pf" \
		jq_file "$rec" --arg ns "$ns" --arg vf "$vf" --arg pf "$pf" '.netns==$ns and .vfPciAddress==$vf and .pfPciAddress==$pf'
	inode=$(stat -L -c %i "$ns")
	out=$(cri_agent --json vf "$vf")
	agentns=$(jq -r '.vf.netdevs[0].netns' <<<"$out")
	check "pflinkd sees the VF in that netns: $agentns, inode $inode (the same file, through /run/netns)" \
		jq_text "$out" --arg b "$(basename "$ns")" --argjson i "${inode:-null}" '.vf.netdevs[0].netns == "/run/netns/" + $b and .vf.netdevs[0].netnsInode == $i and .vf.netdevs[0].name == "eth0"'
	check "pflinkctl pod default/web$TAG names VF $vf of PF $pf" \
		jq_cmd "cri_agent --json pod 'default/web$TAG'" --arg vf "$vf" --arg pf "$pf" '.attachments | length == 1 and .[0].vf.pciAddress == $vf and .[0].pf.pciAddress == $pf'
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
	rt_wait 8 jq_cmd "cri_agent --json vf $vf" '.vf.netdevs[0].netns == "host"'
	check "pflinkd: the pod holds nothing" jq_cmd "cri_agent --json pod 'default/web$TAG'" '.ok and .attachments == []'
	check "... the VF is in the host netns, no orphan" jq_cmd "cri_agent --json vf $vf" '.vf.netdevs[0].netns == "host" and .vf.orphan == ""'

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
			jq_cmd "cat '$T/after-$id' '$T/before-$id'" -s 'length == 2 and .[0].state == "SANDBOX_READY" and .[0].ip == .[1].ip and .[0].netns == .[1].netns and .[0].pid == .[1].pid'
		check "... pflink's record is still there" test -s "$(cri_rec "$id")"
	done
	check "... and pflinkd still names both pods' VFs" \
		jq_cmd "cri_agent --json pod 'default/keep1$TAG' && cri_agent --json pod 'default/keep2$TAG'" \
		--arg a "$(cri_vf_bdf 1)" --arg b "$(cri_vf_bdf 2)" -s 'length == 2 and .[0].attachments[0].vf.pciAddress == $a and .[1].attachments[0].vf.pciAddress == $b'
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
		jq_file "$rec" --arg vf "$vf" --arg pf "$pf" --arg ns "$ns" --arg n "par$i-$TAG" \
			'.vfPciAddress == $vf and .pfPciAddress == $pf and .netns == $ns and .podName == $n' 2>/dev/null &&
			jq_file "$T/par-topo.json" --arg vf "$vf" --arg pf "$pf" --arg n "par$i-$TAG" --arg b "$(basename "$ns")" \
			'.pfs[] | select(.pciAddress == $pf) | .vfs[] | select(.pciAddress == $vf) | .pod.name == $n and .netdevs[0].netns == "/run/netns/" + $b' \
			2>/dev/null || { bad_n=$((bad_n + 1)); echo "  par$i: record or agent wrong ($vf of $pf)"; }
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

	cri_pods_from_node || return 1

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

# The pods the agent names from containerd's own bundles (the DaemonSet
# mounts them read-only): a pod with no pflink in its chain, a pod started
# while the agent was down, the bundles unreadable (the cgroup fallback),
# a pod with pflink in its chain (both sources, agreeing).  Leaves the
# conflist with pflink and containerd running.
cri_pods_from_node() {
	local line out sid_solo sid_early sid_both vf_solo vf_early vf_both u_solo u_early u_both
	local bundles=$CRI_STATE/io.containerd.runtime.v2.task/k8s.io
	u_solo=$(cri_uuid) u_early=$(cri_uuid) u_both=$(cri_uuid)
	vf_solo=$(cri_vf_bdf 7) vf_early=$(cri_vf_bdf 8) vf_both=$(cri_vf_bdf 9)
	echo "solo$TAG $(cri_vf_dev 7)" >> "$CRI_ALLOC"
	echo "early$TAG $(cri_vf_dev 8)" >> "$CRI_ALLOC"
	echo "both$TAG $(cri_vf_dev 9)" >> "$CRI_ALLOC"
	cri_containerd_stop
	cri_conflist "$T/cri-net.d" without
	cri_containerd_start || return 1

	# ---- host-device alone: no pflink, no record ------------------------
	line=$(cri run --cgroup-parent "/$RT_CG" --log-root "$T/pods" "default/solo$TAG/$u_solo")
	sid_solo=$(echo "$line" | awk '{print $2}')
	check "RunPodSandbox default/solo$TAG, its network host-device alone (no pflink): ${sid_solo:0:12}" \
		test -n "$sid_solo" -a "$sid_solo" != -
	check "... pflink ran for none of it: no ADD, no record" \
		sh -c "! grep -q 'id=$sid_solo' '$CALLS' && [ ! -e '$(cri_rec "$sid_solo")' ]"
	check "pflinkctl (in the agent's container): VF $vf_solo is default/solo$TAG, its UID, source runtime (containerd's bundle)" \
		rt_wait 8 cri_vfj "$vf_solo" --arg n "solo$TAG" --arg u "$u_solo" --arg s "$sid_solo" \
		'.vf.pod == {source:"runtime",runtime:"containerd",via:"netns",namespace:"default",name:$n,uid:$u,containerID:$s}'
	out=$(cri_sock_vf "$vf_solo")
	check "the socket, asked by hand: the same pod, the same source" \
		cri_jq "$out" --arg n "solo$TAG" --arg u "$u_solo" '.ok and .vf.pod.name == $n and .vf.pod.uid == $u and .vf.pod.source == "runtime" and ([.vf.holders[].source] == ["runtime"])'
	curl -sf --max-time 5 -o "$T/m-solo" http://127.0.0.1:9478/metrics
	check "/metrics: pflink_vf_info names default/solo$TAG, its UID, pod_source runtime" \
		grep -qE "^pflink_vf_info\\{.*vf_pci_address=\"$vf_solo\",.*pod_namespace=\"default\",pod=\"solo$TAG\",pod_uid=\"$u_solo\",pod_source=\"runtime\"" "$T/m-solo"
	cri_agent --no-color vf "$vf_solo" | sed 's/^/  /'

	# ---- a pod started while the agent was down --------------------------
	node_unplay pflinkd
	line=$(cri run --cgroup-parent "/$RT_CG" --log-root "$T/pods" "default/early$TAG/$u_early")
	sid_early=$(echo "$line" | awk '{print $2}')
	check "RunPodSandbox default/early$TAG while the agent is down" test -n "$sid_early" -a "$sid_early" != -
	cri_replay_agent || return 1
	check "the agent started: VF $vf_early is default/early$TAG at its first answer (the start-up index)" \
		cri_vfj "$vf_early" --arg n "early$TAG" --arg u "$u_early" '.vf.pod.name == $n and .vf.pod.uid == $u and .vf.pod.source == "runtime"'
	out=$(node_health pflinkd)
	echo "health: $(printf '%s' "$out" | jq -c '{runtimes, runtimeIndexUs, runtimeIndexBundles}' 2>/dev/null)"

	# ---- the bundles unreadable: the cgroup fallback ----------------------
	# The agent is root without CAP_DAC_OVERRIDE: a directory of mode 0
	# is closed to it (containerd, with every capability, goes on).
	node_unplay pflinkd
	chmod 000 "$bundles"
	cri_replay_agent || { chmod 755 "$bundles"; return 1; }
	out=$(node_health pflinkd)
	check "health: containerd's bundles unreadable (Permission denied), never a failure" \
		cri_jq "$out" '.ok and (.runtimes[] | select(.runtime == "containerd") | .state == "unreadable" and .error == "Permission denied")'
	out=$(cri_agent --no-color health)
	check "pflinkctl health says so in a line" \
		grep -qF "containerd bundles /run/containerd/io.containerd.runtime.v2.task/k8s.io: unreadable (Permission denied): pods it runs are named by record or cgroup only" <<<"$out"
	printf '%s\n' "$out" | sed 's/^/  /'
	check "VF $vf_solo named by its pause process's cgroup: the pod's UID, the sandbox's ID, source cgroup" \
		rt_wait 8 cri_vfj "$vf_solo" --arg u "$u_solo" --arg s "$sid_solo" \
		'.vf.pod == {source:"cgroup",via:"netns",namespace:"",name:"",uid:$u,containerID:$s}'
	curl -sf --max-time 5 -o "$T/m-cg" http://127.0.0.1:9478/metrics
	check "/metrics: the root unreadable (0)" \
		grep -q '^pflink_agent_runtime_root_readable{runtime="containerd",.*state="unreadable"} 0$' "$T/m-cg"
	check "/metrics: the VF's pod_uid, pod_source cgroup" \
		grep -qE "vf_pci_address=\"$vf_solo\",.*pod_uid=\"$u_solo\",pod_source=\"cgroup\"" "$T/m-cg"
	chmod 755 "$bundles"
	check "the bundles readable again: on the next rescan the runtime names the pod again" \
		rt_wait 12 cri_vfj "$vf_solo" --arg n "solo$TAG" '.vf.pod.source == "runtime" and .vf.pod.name == $n'
	for id in $sid_solo $sid_early; do cri stop "$id" && cri remove "$id"; done
	check "sandbox solo removed (its bundle gone): VF $vf_solo has no pod" rt_wait 8 cri_no_pod "$vf_solo"
	check "sandbox early removed: VF $vf_early has no pod" rt_wait 8 cri_no_pod "$vf_early"

	# ---- pflink in the chain too: both sources, which agree ----------------
	cri_containerd_stop
	cri_conflist "$T/cri-net.d" with
	cri_containerd_start || return 1
	line=$(cri run --cgroup-parent "/$RT_CG" --log-root "$T/pods" "default/both$TAG/$u_both")
	sid_both=$(echo "$line" | awk '{print $2}')
	check "RunPodSandbox default/both$TAG, pflink in its chain: a record" test -s "$(cri_rec "$sid_both")"
	check "VF $vf_both named from both sources, which agree: the record's pod (network, ifname), record and runtime holders with one UID" \
		rt_wait 8 cri_vfj "$vf_both" --arg u "$u_both" --arg n "both$TAG" \
		'.vf.pod.source == "record" and .vf.pod.name == $n and .vf.pod.network == "sriov-node" and .vf.pod.ifname == "eth0" and ([.vf.holders[] | [.source, .uid, .name]] == [["record",$u,$n],["runtime",$u,$n]])'
	out=$(cri_agent --json leaks)
	check "... and no finding (no vf_double_allocated)" cri_jq "$out" '.counts.vf_double_allocated == 0'
	cri stop "$sid_both" && cri remove "$sid_both"
}
