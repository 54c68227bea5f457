#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkd names the pod of every VF from the node itself, with no pflink
# in any chain: bundle trees shaped as containerd 1.6 and CRI-O write them
# (real directories, real inotify), real netns holding VFs (veth links
# whose PCI address comes from the test shim), a fixture sysfs with a vfio
# group and a vfio cdev, and for the fallback a process in a kubelet-shaped
# cgroup.  The same answers through pflinkctl, the socket and /metrics,
# each with its source; a record and the runtime agreeing, and disagreeing
# (vf_double_allocated); the bad-input table against the running agent.
# The node suite (test/node/cri.sh) does the same with containerd's real
# CRI, the VM suite with real vfio-pci VFs.
# Usage: pods.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "pods.sh"
for t in unshare curl; do
	command -v "$t" >/dev/null || { echo "FAIL: $t not installed (hack/deps.sh --test)"; echo "0 passed, 1 failed"; exit 1; }
done
# Its own net, mount and pid namespaces: a port of its own, and the
# agent's /proc walks see this test's processes only.
tl_own_namespaces "$0" "$@"

PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
tl_fixture_extra
SOCK=$T/pflinkd.sock MP=9479
MURL=http://127.0.0.1:$MP/metrics
CTD=$T/ctd CRIO=$T/crio
mkdir -p "$CTD" "$CRIO"
AGENT="" HOLDER="" CG=""
ctl() { "$CTL" --socket "$SOCK" "$@"; }
start_agent() {	# start_agent [pflinkd options]
	LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" --rescan-ms 300 \
		--metrics-address 127.0.0.1:$MP --log-level debug "$@" 2>>"$T/agent.log" &
	AGENT=$!
	for _ in $(seq 100); do ctl health >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
stop_agent() { [ -n "$AGENT" ] && { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }; AGENT=""; }
cleanup() {
	stop_agent
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	[ -n "$CG" ] && { sleep 0.2; find "$CG" -depth -type d -exec rmdir {} + 2>/dev/null; }
	tl_cleanup
}
trap cleanup EXIT
until_ok() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
# jok TEXT JQ-ARGS...: jq -e on TEXT, which must not be empty (jq 1.6
# passes empty input)
jok() { [ -n "$1" ] && jq -e "${@:2}" <<<"$1" >/dev/null; }
# vfj BDF JQ-ARGS...: jq -e on pflinkctl --json vf BDF, which must succeed
vfj() { local out; out=$(ctl --json vf "$1") || return 1; jok "$out" "${@:2}"; }
# leaksj JQ-ARGS...: the same on pflinkctl --json leaks (exit 1: leaks found)
leaksj() { local out rc; out=$(ctl --json leaks); rc=$?; [ "$rc" -le 1 ] && jok "$out" "$@"; }
# healthj JQ-ARGS...
healthj() { local out; out=$(ctl --json health) || return 1; jok "$out" "$@"; }
metrics() { curl -sf --max-time 5 "$MURL"; }
# mhas LINE: /metrics has LINE, within 3 s (scrapes within a second of
# the last snapshot share it: what changed since may not be there yet)
mhas() {
	local m i
	for i in $(seq 30); do
		m=$(metrics) && grep -qF -- "$1" <<<"$m" && return 0
		sleep 0.1
	done
	return 1
}

U1=0b0a7b4c-1f6e-4c1e-9c31-5a9d2e6f0d11 U2=1c1b8c5d-2f7e-4d2f-8d42-6b0e3f701e22
U3=2d2c9d6e-3081-4e30-9e53-7c1f40812f33 U4=3e3dae7f-4192-4f41-af64-8d2051923044
U5=4f4ebf80-52a3-4052-b075-9e3162a34155
S1=$(printf 'a1%.0s' $(seq 32)) C1=$(printf 'c1%.0s' $(seq 32)) S2=$(printf 'b2%.0s' $(seq 32))
C2=$(printf 'c2%.0s' $(seq 32)) SQ=$(printf 'e3%.0s' $(seq 32)) S4=$(printf 'd4%.0s' $(seq 32))
C5=$(printf 'f5%.0s' $(seq 32))

# ctd_sandbox NAME NS UID SID NETNS: containerd 1.6's sandbox spec (the
# annotations and the netns spelled /var/run/..., as the VM test bed showed)
ctd_sandbox() {
	jq -n --arg n "$1" --arg ns "$2" --arg u "$3" --arg s "$4" --arg net "$5" '{ociVersion:"1.0.2-dev",
		process:{args:["/pause"]}, annotations:{"io.kubernetes.cri.container-type":"sandbox",
		"io.kubernetes.cri.sandbox-id":$s, "io.kubernetes.cri.sandbox-log-directory":"/var/log/pods/x",
		"io.kubernetes.cri.sandbox-name":$n, "io.kubernetes.cri.sandbox-namespace":$ns,
		"io.kubernetes.cri.sandbox-uid":$u},
		linux:{cgroupsPath:("/kubepods/besteffort/pod"+$u+"/"+$s),
		namespaces:[{type:"pid"},{type:"ipc"},{type:"uts"},{type:"mount"},{type:"network",path:$net}]}}'
}
# ctd_container NAME NS UID SID CNAME MAJOR MINOR: a container given /dev/vfio/N
ctd_container() {
	jq -n --arg n "$1" --arg ns "$2" --arg u "$3" --arg s "$4" --arg c "$5" --argjson ma "$6" --argjson mi "$7" '{
		annotations:{"io.kubernetes.cri.container-type":"container", "io.kubernetes.cri.container-name":$c,
		"io.kubernetes.cri.image-name":"localhost/dpdk:1", "io.kubernetes.cri.sandbox-id":$s,
		"io.kubernetes.cri.sandbox-name":$n, "io.kubernetes.cri.sandbox-namespace":$ns,
		"io.kubernetes.cri.sandbox-uid":$u},
		linux:{namespaces:[{type:"network",path:"/proc/1/ns/net"}],
		devices:[{path:"/dev/vfio/7",type:"c",major:$ma,minor:$mi,fileMode:438},
			 {path:"/dev/vfio/vfio",type:"c",major:10,minor:196}],
		resources:{devices:[{allow:false,access:"rwm"},{allow:true,type:"c",major:$ma,minor:$mi,access:"rwm"}]}}}'
}
# crio_bundle TYPE NAME NS UID SID CNAME NETNS MAJOR MINOR: CRI-O's spec, its
# annotations as its source writes them (kubelet's labels copied in)
crio_bundle() {
	jq -n --arg t "$1" --arg n "$2" --arg ns "$3" --arg u "$4" --arg s "$5" --arg c "$6" --arg net "$7" \
		--argjson ma "${8:-0}" --argjson mi "${9:-0}" '{annotations:{"io.kubernetes.cri-o.ContainerType":$t,
		"io.kubernetes.cri-o.SandboxID":$s, "io.kubernetes.cri-o.Namespace":$ns, "io.kubernetes.cri-o.KubeName":$n,
		"io.container.manager":"cri-o", "io.kubernetes.pod.name":$n, "io.kubernetes.pod.namespace":$ns,
		"io.kubernetes.pod.uid":$u, "io.kubernetes.container.name":$c},
		linux:({cgroupsPath:("kubepods-besteffort-pod"+($u|gsub("-";"_"))+".slice:crio:"+$s)}
		+ if $net != "" then {namespaces:[{type:"network",path:$net}]} else {} end
		+ if $ma > 0 then {devices:[{path:"/dev/vfio/devices/vfio0",type:"c",major:$ma,minor:$mi}]} else {} end)}'
}
put() {	# put DIR JSON: DIR/config.json (DIR made)
	mkdir -p "$1" && printf '%s' "$2" > "$1/config.json"
}

# ---- the node --------------------------------------------------------------
tl_dev "pfa$TAG" 02:dd:00:01:00:00 0000:01:00.0 igb
tl_dev "pfb$TAG" 02:dd:00:02:00:00 0000:02:00.0 igb
tl_dev "va0$TAG" 02:dd:01:10:00:00 0000:01:10.0 igbvf
tl_dev "va1$TAG" 02:dd:01:10:02:00 0000:01:10.2 igbvf
tl_dev "vb0$TAG" 02:dd:02:10:00:00 0000:02:10.0 igbvf
tl_dev "vc1$TAG" 02:dd:03:00:01:00 0000:03:00.1 mlx4_core
bash "$FIXTURE" vfio_group "$SYS" 0000:01:10.4 7 240 7	# /dev/vfio/7
bash "$FIXTURE" vfio_cdev "$SYS" 0000:01:10.6 0 241 0	# /dev/vfio/devices/vfio0
bash "$FIXTURE" vfio_group "$SYS" 0000:02:10.2 8 1 7	# for the fallback: /dev/full's number
for p in a b q c d e; do tl_netns "pod$p-$TAG"; done
ip link set "va0$TAG" netns "poda-$TAG" name net1
ip link set "va1$TAG" netns "podb-$TAG" name net1
ip link set "vb0$TAG" netns "podq-$TAG" name net1

# containerd: team-a/web-0's sandbox (netns poda), team-a/dpdk-0's
# container given vfio group 7; CRI-O: team-b/db-0's sandbox (podb) and a
# container given the vfio cdev; a podman container (no pod).
put "$CTD/$S1" "$(ctd_sandbox web-0 team-a "$U1" "$S1" "/var/run/netns/poda-$TAG")"
put "$CTD/$C1" "$(ctd_container dpdk-0 team-a "$U2" "$C1" dpdk 240 7)"
put "$CRIO/$S2/userdata" "$(crio_bundle sandbox db-0 team-b "$U3" "$S2" POD "/var/run/netns/podb-$TAG")"
put "$CRIO/$C2/userdata" "$(crio_bundle container db-0 team-b "$U3" "$S2" app "" 241 0)"
put "$CRIO/$(printf 'ab%.0s' $(seq 32))/userdata" \
	'{"annotations":{"io.kubernetes.cri-o.ContainerType":"sandbox","io.container.manager":"libpod"}}'
# The bad-input table, in containerd's root: a name with a newline and a
# quote (kept, escaped wherever printed), truncated JSON, 10 MiB, names
# that are no container IDs, a symlinked bundle, a symlinked config.json,
# a FIFO, a sandbox ID with "../".
put "$CTD/$SQ" "$(ctd_sandbox "$(printf 'we"b\n0')" team-q "$U4" "$SQ" "/var/run/netns/podq-$TAG")"
ctd_sandbox web-0 team-a "$U1" "$S1" /x | head -c 200 > "$T/trunc.json"
put "$CTD/truncated" "$(cat "$T/trunc.json")"
mkdir -p "$CTD/huge"
{ printf '{"a":"'; head -c $((10 << 20)) /dev/zero | tr '\0' x; printf '"}'; } > "$CTD/huge/config.json"
put "$CTD/...evil" "$(ctd_sandbox evil-0 team-e "$U1" "$S1" "/var/run/netns/poda-$TAG")"
put "$CTD/has space" "$(ctd_sandbox evil-1 team-e "$U1" "$S1" "/var/run/netns/poda-$TAG")"
ln -s "$S1" "$CTD/symlinked"
mkdir -p "$CTD/cfglink" && ln -s "../$S1/config.json" "$CTD/cfglink/config.json"
mkdir -p "$CTD/fifo" && mkfifo "$CTD/fifo/config.json"
put "$CTD/dotdot" "$(ctd_sandbox evil-2 team-e "$U1" '../../../../etc' "/var/run/netns/poda-$TAG")"

check "pflinkd starts with a containerd and a CRI-O root" start_agent --containerd-root "$CTD" --crio-root "$CRIO"

# ---- named from the runtime's files, no pflink anywhere ---------------------
check "no record anywhere" test -z "$(ls -A "$STATE" 2>/dev/null)"
check "socket: VF 0000:01:10.0 (containerd sandbox's netns, spelled /var/run) is team-a/web-0, uid, source runtime" \
	until_ok vfj 0000:01:10.0 --arg u "$U1" --arg s "$S1" '.vf.pod == {source:"runtime",runtime:"containerd",via:"netns",namespace:"team-a",name:"web-0",uid:$u,containerID:$s}'
check "... its holders: the runtime's sandbox alone" \
	vfj 0000:01:10.0 '[.vf.holders[].source] == ["runtime"] and .vf.holders[0].via == "netns"'
check "VF 0000:01:10.4 on vfio-pci, no netdev: team-a/dpdk-0 through its vfio group (240:7), container dpdk" \
	vfj 0000:01:10.4 --arg u "$U2" '.vf.driver == "vfio-pci" and .vf.netdevs == [] and .vf.pod.name == "dpdk-0" and .vf.pod.uid == $u and .vf.pod.source == "runtime" and .vf.pod.via == "device" and .vf.pod.container == "dpdk"'
check "VF 0000:01:10.2 (CRI-O sandbox's netns): team-b/db-0, runtime cri-o" \
	vfj 0000:01:10.2 --arg u "$U3" '.vf.pod.name == "db-0" and .vf.pod.namespace == "team-b" and .vf.pod.uid == $u and .vf.pod.runtime == "cri-o"'
check "VF 0000:01:10.6 (CRI-O container given the vfio cdev): team-b/db-0, container app" \
	vfj 0000:01:10.6 '.vf.pod.name == "db-0" and .vf.pod.via == "device" and .vf.pod.container == "app"'
OUT=$(ctl --json pod team-b/db-0)
check "pflinkctl pod team-b/db-0: both its VFs, no record needed" \
	jok "$OUT" '[.attachments[].vf.pciAddress] | sort == ["0000:01:10.2","0000:01:10.6"]'
ctl --no-color show > "$T/show.txt"
check "pflinkctl show: the VF's line names team-a/web-0 [runtime]" grep -qE '0000:01:10\.0 .*net1 .*/run/netns/poda-.* team-a/web-0 \[runtime\]' "$T/show.txt"
check "... and the vfio VF team-a/dpdk-0 [runtime], no netdev" grep -qE '0000:01:10\.4 +vfio-pci .*team-a/dpdk-0 \[runtime\]' "$T/show.txt"
sed -n '1,8p' "$T/show.txt"
check "/metrics: pflink_vf_info names team-a/web-0 with pod_source runtime" \
	mhas "vf_pci_address=\"0000:01:10.0\",driver=\"igbvf\",netdev=\"net1\",netns=\"/run/netns/poda-$TAG\",pod_namespace=\"team-a\",pod=\"web-0\",pod_uid=\"$U1\",pod_source=\"runtime\""
check "/metrics: the vfio VF with its pod and no netdev" \
	mhas "vf_pci_address=\"0000:01:10.4\",driver=\"vfio-pci\",netdev=\"\",netns=\"\",pod_namespace=\"team-a\",pod=\"dpdk-0\",pod_uid=\"$U2\",pod_source=\"runtime\""
check "/metrics: pflink_vf_holder for it, via device, container dpdk" \
	mhas "pflink_vf_holder{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.4\",source=\"runtime\",via=\"device\",pod_namespace=\"team-a\",pod=\"dpdk-0\",pod_uid=\"$U2\",container_id=\"$C1\",container=\"dpdk\"} 1"
check "/metrics: VFs in pods per PF count the vfio one" mhas 'pflink_pf_vfs{pf="0000:01:00.0",state="in_pod"} 4'

# ---- the bad-input table, against the running agent ---------------------------
H=$(ctl --json health)
echo "health: $(jq -c '.runtimes' <<<"$H")"
check "health: containerd's root ok, 3 indexed (the two above, the quoted one)" \
	jok "$H" --arg r "$CTD" '.runtimes[] | select(.runtime == "containerd") | .state == "ok" and .root == $r and .entries == 3'
check "... skipped: malformed 3 (truncated, FIFO, ../ sandbox ID), too_big 1 (10 MiB), bad_id 2, symlink 2" \
	jok "$H" '.runtimes[] | select(.runtime == "containerd") | .skipped == {malformed:3,too_big:1,bad_id:2,symlink:2}'
check "... CRI-O's root ok, 2 indexed (not podman's container)" \
	jok "$H" '.runtimes[] | select(.runtime == "cri-o") | .state == "ok" and .entries == 2'
check "/metrics counts them: pflink_agent_runtime_bundles_skipped_total{reason=too_big} 1" \
	mhas 'pflink_agent_runtime_bundles_skipped_total{runtime="containerd",reason="too_big"} 1'
check "/metrics: both roots readable" until_ok eval 'metrics | grep -c "^pflink_agent_runtime_root_readable{.*} 1$" | grep -qx 2'
check "a pod named with a newline and a quote: exact in JSON" \
	vfj 0000:02:10.0 '.vf.pod.name == "we\"b\n0" and .vf.pod.namespace == "team-q"'
check "... escaped in /metrics" mhas 'pod_namespace="team-q",pod="we\"b\n0"'
check "... a '?' for the newline in the tree" grep -qF 'team-q/we"b?0 [runtime]' <(ctl --no-color show)
check "the agent still answers after all that (health)" ctl health

# ---- inotify: a bundle made and removed while it runs --------------------------
ip link set "vc1$TAG" netns "podc-$TAG" name net1
T0=$(date +%s%N)
mkdir "$CTD/$S4"
ctd_sandbox late-0 team-c "$U1" "$S4" "/var/run/netns/podc-$TAG" > "$CTD/$S4/config.json"
check "a sandbox made while pflinkd runs: its VF named (inotify, no rescan)" \
	until_ok vfj 0000:03:00.1 '.vf.pod.name == "late-0" and .vf.pod.source == "runtime"'
echo "    named after $(( ($(date +%s%N) - T0) / 1000000 )) ms"
rm -rf "${CTD:?}/$S4"
check "its bundle removed: the VF has no pod any more" until_ok vfj 0000:03:00.1 '(.vf | has("pod") | not) and .vf.holders == []'

# ---- pflink in the chain too: record and runtime agree -------------------------
CID=$S1 pflink_run ADD "/run/netns/poda-$TAG" net1 "$(conf 1.1.0 '' net1 "/run/netns/poda-$TAG")" \
	"K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=web-0;K8S_POD_UID=$U1"
expect_ok "pflink ADD for team-a/web-0's VF"
check "the VF is named from both sources, which agree: the record's pod (network, ifname), both holders" \
	until_ok vfj 0000:01:10.0 --arg u "$U1" '.vf.pod.source == "record" and .vf.pod.network == "sriov-a" and .vf.pod.ifname == "net1" and ([.vf.holders[] | [.source, .uid]] == [["record",$u],["runtime",$u]])'
check "/metrics: a holder series per source" \
	until_ok eval "metrics | grep -c '^pflink_vf_holder{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.0\",source=\"\(record\|runtime\)\",.*pod=\"web-0\",pod_uid=\"$U1\"' | grep -qx 2"
check "... and no finding" leaksj '.counts.vf_double_allocated == 0'

# ---- a record naming another pod while a container holds the VF ---------------
CONF=$(conf 1.1.0 '"deviceID":"0000:01:10.4"' net9 "/run/netns/podd-$TAG" | jq -c '.prevResult.interfaces=[]')
CID=other pflink_run ADD "/run/netns/podd-$TAG" net9 "$CONF" "K8S_POD_NAMESPACE=team-x;K8S_POD_NAME=other-0;K8S_POD_UID=$U5"
expect_ok "pflink ADD naming team-x/other-0 for the vfio VF team-a/dpdk-0's container holds"
check "leaks: vf_double_allocated for 0000:01:10.4, two pods, both holders with their sources" \
	until_ok leaksj --arg a "$U2" --arg b "$U5" '[.leaks[] | select(.kind == "vf_double_allocated")] | length == 1 and .[0].vf == "0000:01:10.4" and .[0].pods == 2 and ([.[0].holders[] | [.source, .uid]] | sort == [["record",$b],["runtime",$a]])'
ctl --no-color leaks > "$T/leaks.txt"
rc=$?
check "pflinkctl leaks: exit 1, the finding in words" \
	eval "[ $rc = 1 ] && grep -qE '^vf_double_allocated +0000:01:10.4 +VF held by 2 pods: team-x/other-0 \(record\), team-a/dpdk-0 \(runtime\)' '$T/leaks.txt'"
sed 's/^/    | /' "$T/leaks.txt"
check "/metrics: pflink_leaks{kind=vf_double_allocated} 1, a series per holder" \
	until_ok eval "mhas 'pflink_leaks{kind=\"vf_double_allocated\"} 1' && [ \"\$(metrics | grep -c '^pflink_vf_double_allocated{pf=\"0000:01:00.0\",vf_pci_address=\"0000:01:10.4\"')\" = 2 ]"
leak_counts() { metrics | sed -nE 's/^pflink_leaks\{kind="([a-z_]+)"\} ([0-9]+)$/"\1":\2/p' | paste -sd, | sed 's/^/{/; s/$/}/'; }
leaks_counts() { local out; out=$(ctl --json leaks); [ $? -le 1 ] && [ -n "$out" ] && jq -c .counts <<<"$out"; }
# (scrapes within a second share a snapshot: the one above is it)
LC=$(leak_counts)
check "the leaks op and /metrics agree ($LC)" eval '[ -n "$LC" ] && [ "$(leaks_counts)" = "$LC" ]'
CID=other pflink_run DEL "/run/netns/podd-$TAG" net9 "$CONF"
expect_ok "pflink DEL of team-x/other-0"
check "the record gone: no finding" until_ok leaksj '.counts.vf_double_allocated == 0'
stop_agent

# ---- no runtime root: the cgroup fallback ---------------------------------------
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then CGR=/sys/fs/cgroup; else CGR=/sys/fs/cgroup/pids; fi
CG=$CGR/pflink-pods-$TAG
mkdir -p "$CG/pod$U5/$C5"
# A pod's process: its own netns, /dev/full (1:7, vfio group 8 in the
# fixture) held open, in kubelet's cgroup (cgroupfs driver) of the pod.
unshare --net sh -c 'exec 3</dev/full; exec sleep 600' &
HOLDER=$!
check "a process in cgroup pod$U5/$C5" sh -c "sleep 0.2; echo $HOLDER > '$CG/pod$U5/$C5/cgroup.procs'"
ip -n "podc-$TAG" link set net1 netns "$HOLDER"
check "pflinkd starts with containerd's root absent and no CRI-O root" \
	start_agent --containerd-root "$T/nothere" --crio-root ""
check "the VF in that process's netns: pod UID and container ID from its cgroup, source cgroup" \
	until_ok vfj 0000:03:00.1 --arg u "$U5" --arg c "$C5" '.vf.pod == {source:"cgroup",via:"netns",namespace:"",name:"",uid:$u,containerID:$c}'
check "the VF behind the device it holds open (vfio group 8): the same pod, via device" \
	until_ok vfj 0000:02:10.2 --arg u "$U5" '.vf.pod.source == "cgroup" and .vf.pod.via == "device" and .vf.pod.uid == $u'
check "health: containerd's root absent (ENOENT), CRI-O's not read, a device holder found" \
	healthj --arg r "$T/nothere" '(.runtimes | length) == 1 and .runtimes[0].state == "absent" and .runtimes[0].root == $r and .runtimes[0].error == "No such file or directory" and .fdHolders >= 1'
check "pflinkctl health says so in a line" \
	eval "ctl --no-color health | grep -qF 'containerd bundles $T/nothere: absent (No such file or directory): pods it runs are named by record or cgroup only'"
ctl --no-color health
check "/metrics: the root unreadable (0) and counted" \
	eval "mhas 'pflink_agent_runtime_root_readable{runtime=\"containerd\",root=\"$T/nothere\",state=\"absent\"} 0' && mhas 'pflink_agent_runtime_root_unavailable_total{runtime=\"containerd\"} 1'"
check "/metrics: pflink_vf_info with the pod's UID, pod_source cgroup (kube-state-metrics joins the name)" \
	mhas "pod_namespace=\"\",pod=\"\",pod_uid=\"$U5\",pod_source=\"cgroup\""
check "pflinkctl show: pod <uid> [cgroup]" grep -qF "pod $U5 [cgroup]" <(ctl --no-color show)
mkdir "$T/nothere"
check "the root made: read on the next recheck, health ok, the device walk ends" \
	until_ok healthj '.runtimes[0].state == "ok" and .fdHolders == 0'
stop_agent
check "no sanitizer report in the agent's log" eval '! grep -qE "Sanitizer|runtime error:" "$T/agent.log"'
tl_summary
