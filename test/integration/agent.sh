#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkd + pflinkctl + pflink against real netns/veth/netlink.
# Usage: agent.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "agent.sh" socat setpriv unshare
# Its own net, mount and pid namespaces: the agent's map holds this test's
# links and netns only, whatever else runs on the machine.
tl_own_namespaces "$0" "$@"
PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
SOCK=$T/pflinkd.sock
ctl() { "$CTL" --socket "$SOCK" "$@"; }
raw() { socat -t 7 - "UNIX-CONNECT:$SOCK"; }	# raw bytes to the agent

start_agent() {
	LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
		--rescan-ms 300 --log-level debug ${PFLINK_TEST_MOUNT_WALK:+--mount-walk "$PFLINK_TEST_MOUNT_WALK"} 2>>"$T/agent.log" &
	AGENT=$!
	for _ in $(seq 100); do ctl health >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
stop_agent() { kill "${1:--TERM}" "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }
trap 'stop_agent; tl_cleanup' EXIT

# until CMD: retry up to 5 s (the map is eventually consistent; how fast
# is a benchmark's business, hack/bench.sh)
until_ok() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
vfq() { ctl --json vf "$1"; }

tl_dev "pfa$TAG" 02:dd:00:01:00:00 0000:01:00.0 igb
tl_dev "pfb$TAG" 02:dd:00:02:00:00 0000:02:00.0 igb
tl_dev "va0$TAG" 02:dd:01:10:00:00 0000:01:10.0 igbvf
tl_dev "va1$TAG" 02:dd:01:10:02:00 0000:01:10.2 igbvf
tl_dev "vb0$TAG" 02:dd:02:10:00:00 0000:02:10.0 igbvf

check "pflinkd starts and answers health" start_agent
# Our mounts by listmount on 6.8 and later; mountinfo before, or when the
# old-kernel run of this test forces it (--mount-walk mountinfo).
WALK=mountinfo
IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
[ "${PFLINK_TEST_MOUNT_WALK:-}" != mountinfo ] && { [ "$kmaj" -gt 6 ] || { [ "$kmaj" = 6 ] && [ "${kmin%%[!0-9]*}" -ge 8 ]; }; } && WALK=listmount
check "netns discovery lists mounts by $WALK" grep -q "netns discovery lists mounts by $WALK\$" "$T/agent.log"
check "topology lists PF 0000:01:00.0 with its host netdev" \
	jq_cmd "ctl --json show" --arg n "pfa$TAG" '.pfs[] | select(.pciAddress=="0000:01:00.0") | .netdevs[0].name==$n and .netdevs[0].netns=="host" and (.vfs|length)==4'
check "VF 0 seen in the host netns" jq_cmd "vfq 0000:01:10.0" --arg n "va0$TAG" '.vf.netdevs[0].name==$n and .pf.pciAddress=="0000:01:00.0"'

# A pod sandbox made after the agent started (mount watch), then a VF moved in.
POD=agpod-$TAG NS=/run/netns/agpod-$TAG
tl_netns "$POD"
ip link set "va0$TAG" netns "$POD" name net1
check "VF moved into a new pod netns shows there" \
	until_ok jq_cmd "vfq 0000:01:10.0" --arg ns "$NS" '.vf.netdevs[0].name=="net1" and .vf.netdevs[0].netns==$ns'

# pflink with the agent: ADD records the pod; pflinkctl names it.
CONF=$(conf 1.1.0 '' net1 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s | .logLevel="info"')
CID=ag1 pflink_run ADD "$NS" net1 "$CONF" "K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=web-0;K8S_POD_UID=u1"
expect_ok "pflink ADD with the agent"
check "pflink took the PF from pflinkd" grep -q "from pflinkd" "$T/stderr"
check "pflinkctl pod names the VF of team-a/web-0" \
	until_ok jq_cmd "ctl --json pod team-a/web-0" '.attachments[0].vf.pciAddress=="0000:01:10.0"'
check "pflinkctl show draws the pod under its VF" until_ok eval "grep -E '0000:01:10.0.*team-a/web-0' <<<\"\$(ctl --no-color show)\""

# A PF held only by a process (no bind mount): only the agent finds it.
unshare --net sleep 600 &
HOLDER=$!
# Until unshare has made its netns, the PF would only move to the host's.
until_ok sh -c "[ \"\$(readlink /proc/$HOLDER/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]"
ip link set "pfb$TAG" netns "$HOLDER"
check "PF in a process-only netns is found through /proc" \
	until_ok jq_cmd "ctl --json pf 0000:02:00.0" --arg h "pid:$HOLDER" '.pf.netdevs[0].netns==$h'
ip link set "vb0$TAG" netns "$POD" name net2
CONF2=$(conf 1.1.0 '' net2 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s')
CID=ag2 pflink_run ADD "$NS" net2 "$CONF2"
expect_ok "pflink ADD resolves that PF through the agent"
check "the PF in the process-only netns is no interface of the result (it would say host)" \
	jqe --arg n "pfb$TAG" '[.interfaces[] | select(.name==$n)] == []'
check "... the record names it and its netns" \
	jq_file "$STATE/ag2_net2.json" --arg n "pfb$TAG" --arg p "pid:$HOLDER" '.pfPciAddress=="0000:02:00.0" and .pfNetdev==$n and .pfNetns==$p'
CID=ag3 pflink_run ADD "$NS" net2 "$(conf 1.1.0 '' net2 "$NS")"
expect_code "the same without the agent: PF not found" 102
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
check "agent drops the netns when its only process exits" \
	until_ok jq_cmd "ctl --json show" --arg h "pid:$HOLDER" '.pfs != [] and ([.. | .netns? | select(. == $h)] | length == 0)'

# Orphans: a VF back in the host netns while its pod record remains, and a
# VF the kernel renamed dev<N> when its netns died.
ip -n "$POD" link set net1 netns 1 name "va0$TAG"
check "VF back in the host with a pod record is flagged orphan" \
	until_ok jq_cmd "vfq 0000:01:10.0" '.vf.orphan | contains("team-a/web-0 is gone")'
check "pflinkctl show marks the orphan" eval 'grep -q orphan <<<"$(ctl --no-color show)"'
ip link set "va1$TAG" name "dev4242"
TL_LINKS="$TL_LINKS dev4242"
check "a VF renamed devN in the host is flagged" \
	until_ok jq_cmd "vfq 0000:01:10.2" '.vf.orphan | contains("dev4242")'

# Deleting a pod netns while the agent runs.
N0=$(ctl --json health | jq .netns)
ip netns del "$POD"
check "deleted pod netns is dropped (from $N0)" until_ok jq_cmd "ctl --json health" --argjson n "$N0" '.netns < $n'

# Switchdev: representors answer ethtool with the PF's address; the agent
# counts them as representors, never as PFs, and picks VF 1's by the same
# rule as the plugin's direct scan.
tl_fixture_extra
SW=b8599f0300aabbcc
P0=$(ctl --json health | jq .pfs)
tl_dev "up0$TAG" 02:dd:0a:00:00:00 0000:0a:00.0 mlx5_core p0 $SW
tl_dev "r01$TAG" 02:dd:0a:00:01:01 0000:0a:00.0 mlx5e_rep pf0vf1 $SW
tl_dev "rc1$TAG" 02:dd:0a:00:01:c1 0000:0a:00.0 mlx5e_rep c1pf0vf1 $SW
tl_dev "r11$TAG" 02:dd:0a:00:11:01 0000:0a:00.1 mlx5e_rep pf1vf1 $SW
tl_dev "rpf$TAG" 02:dd:0a:00:01:ff 0000:0a:00.0 mlx5e_rep pf0 $SW
tl_dev "vf3$TAG" 02:dd:0a:00:03:00 0000:0a:00.3 mlx5_core
check "agent: the uplink is the switchdev PF's only netdev" \
	until_ok jq_cmd "ctl --json pf 0000:0a:00.0" --arg u "up0$TAG" '[.pf.netdevs[].name]==[$u]'
check "agent: VF 1's representor is pf0vf1's" \
	jq_cmd "ctl --json pf 0000:0a:00.0" --arg r "r01$TAG" '.pf.vfs[] | select(.index==1) | .representor==$r'
# What the plugin asks: one VF's entry ("vfIndex"), or none.
pfq() { printf '{"v":1,"op":"pf","pciAddress":"0000:0a:00.0"%s}\n' "$1" | raw; }
check "agent: pf with vfIndex 1 holds VF 1 alone, with its representor" \
	jq_cmd "pfq ',\"vfIndex\":1'" --arg r "r01$TAG" --arg u "up0$TAG" '.pf.vfs==[.pf.vfs[0]] and .pf.vfs[0].index==1 and .pf.vfs[0].pciAddress=="0000:0a:00.3" and .pf.vfs[0].representor==$r and [.pf.netdevs[].name]==[$u]'
check "agent: pf with vfIndex -1 has no vfs" jq_cmd "pfq ',\"vfIndex\":-1'" '.ok and (.pf | has("vfs") | not) and .pf.totalvfs>0'
check "agent: pf with a vfIndex the PF lacks: vfs empty" jq_cmd "pfq ',\"vfIndex\":999'" '.ok and .pf.vfs==[]'
check "agent: pf without vfIndex: every VF" jq_cmd "pfq ''" '.pf.vfs | length>1'
for bad in '"1"' 1.5 -2 65536 null; do
	check "agent: vfIndex $bad refused" jq_cmd "pfq ',\"vfIndex\":$bad'" '.ok==false and (.error | test("vfIndex"))'
done
check "agent: PF 1 has no netdev (its representor is not one)" \
	jq_cmd "ctl --json pf 0000:0a:00.1" '.ok and .pf.netdevs==[]'
check "agent: one PF more, four representors" \
	until_ok jq_cmd "ctl --json health" --argjson p "$P0" '.pfs==$p + 1 and .representors==4'
SWPOD=agsw-$TAG SWNS=/run/netns/agsw-$TAG
tl_netns "$SWPOD"
ip link set "vf3$TAG" netns "$SWPOD" name net1
SWCONF=$(conf 1.1.0 '' net1 "$SWNS" | jq -c --arg s "$SOCK" '.agentSocket=$s | .logLevel="info"')
CID=agsw pflink_run ADD "$SWNS" net1 "$SWCONF"
expect_ok "pflink ADD on the switchdev PF through the agent"
check "... from pflinkd" grep -q "from pflinkd" "$T/stderr"
SWOUT=$OUT
check "... one host-side PF entry, the uplink" jqe --arg u "up0$TAG" '[.interfaces[] | select(.sandbox==null) | .name]==[$u]'
check "... the record's representor" jq_file "$STATE/agsw_net1.json" --arg r "r01$TAG" '.representor==$r'
pflink_run DEL "$SWNS" net1 "$SWCONF"
CID=agsw pflink_run ADD "$SWNS" net1 "$(conf 1.1.0 '' net1 "$SWNS")"
check "the direct scan gives the same result" test "$OUT" = "$SWOUT"
check "... and the same record" jq_file "$STATE/agsw_net1.json" --arg r "r01$TAG" '.representor==$r'
pflink_run DEL "$SWNS" net1 "$SWCONF"

# A VF with no netdev (vfio-pci): the agent shows it with its driver and pod.
tl_dev "ix0$TAG" 02:dd:0b:00:00:00 0000:0b:00.0 ixgbe
NDCONF=$(conf 1.1.0 '"deviceID":"0000:0b:10.0"' net9 "$SWNS" | jq -c --arg s "$SOCK" '.agentSocket=$s | .prevResult.interfaces=[]')
CID=agnd pflink_run ADD "$SWNS" net9 "$NDCONF" "K8S_POD_NAMESPACE=dpdk;K8S_POD_NAME=testpmd-0;K8S_POD_UID=u9"
expect_ok "pflink ADD of a vfio-pci VF with the agent"
check "pflinkctl vf: the netdev-less VF with its driver and pod" \
	until_ok jq_cmd "vfq 0000:0b:10.0" '.vf.driver=="vfio-pci" and .vf.netdevs==[] and .vf.pod.name=="testpmd-0" and .vf.orphan==""'
check "pflinkctl pod names it" jq_cmd "ctl --json pod dpdk/testpmd-0" '.attachments[0].vf.pciAddress=="0000:0b:10.0" and .attachments[0].pf.pciAddress=="0000:0b:00.0"'
check "pflinkctl show draws it" eval "grep -E '0000:0b:10.0 +vfio-pci .*dpdk/testpmd-0' <<<\"\$(ctl --no-color show)\""
check "the topology JSON has it" jq_cmd "ctl --json show" '.pfs[] | select(.pciAddress=="0000:0b:00.0") | .vfs[] | select(.pciAddress=="0000:0b:10.0") | .driver=="vfio-pci" and .pod.namespace=="dpdk"'
pflink_run DEL "$SWNS" net9 "$NDCONF"

# Bad clients never stop it.
check "garbage line: error answer" jq_cmd "printf 'hello\n' | raw" '.ok==false'
check "wrong version: error answer" jq_cmd "printf '{\"v\":2,\"op\":\"health\"}\n' | raw" '.ok==false'
check "repeated key: refused" jq_cmd "printf '{\"v\":1,\"op\":\"health\",\"op\":\"topology\"}\n' | raw" '.ok==false'
# (from a file: the agent answers before it has read it all, and a writer
# that is cut off would fail the pipeline)
head -c 71680 /dev/zero | tr '\0' 'a' > "$T/70k"
check "70 KiB line: error answer" jq_cmd "raw < '$T/70k'" '.ok==false'
check "binary junk: agent still healthy" eval "head -c 4096 /dev/urandom > '$T/junk'; raw < '$T/junk' >/dev/null; ctl health"
check "two requests on one connection" jq_cmd "printf '{\"v\":1,\"op\":\"health\"}\n{\"v\":1,\"op\":\"health\"}\n' | raw" -s 'length==2 and all(.ok)'
socat -u /dev/null "UNIX-CONNECT:$SOCK" &	# connects, sends nothing
exec 7> >(socat - "UNIX-CONNECT:$SOCK" >/dev/null)	# an idle client held open
check "served while an idle client is connected" ctl health
exec 7>&-
# (--timeout 20000: a hang guard, not a speed bound: 50 ASan clients at
# once on a loaded machine can take seconds to be scheduled at all)
ok=0 pids=""; for i in $(seq 50); do ctl --timeout 20000 health >/dev/null & pids="$pids $!"; done
for j in $pids; do wait "$j" && ok=$((ok + 1)); done
check "50 concurrent clients all answered" test "$ok" -ge 50
check "socket is 0600" test "$(stat -c %a "$SOCK")" = 600
# Access control, as user nobody.  The test dir is made 0700: open it up
# so that only the socket's own mode, then the agent's SO_PEERCRED check,
# stand between that user and the agent.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
refusals() { grep -c 'refused client pid [0-9]* uid 65534: root only' "$T/agent.log"; }
chmod 755 "$T"
R0=$(refusals)
OUT=$(nobody "$CTL" --socket "$SOCK" health 2>&1); RC=$?
check "non-root client cannot connect to the 0600 socket, the kernel refuses it before the agent sees it (rc $RC: $OUT)" \
	eval '[ "$RC" = 1 ] && grep -q "^pflinkctl: permission denied on $SOCK " <<<"$OUT" && [ "$(refusals)" = "$R0" ]'
chmod 666 "$SOCK"
# (read only: the agent answers a refused peer at once, without reading)
OUT=$(nobody socat -t 7 -u "UNIX-CONNECT:$SOCK" - 2>&1); RC=$?
check "non-root client on a 0666 socket: the agent answers 'root only' (SO_PEERCRED): $OUT" \
	jq_text "$OUT" '.ok==false and .error=="permission denied: pflinkd serves root only"'
check "... and logs the refusal of uid 65534" until_ok eval '[ "$(refusals)" = $((R0 + 1)) ]'
OUT=$(nobody "$CTL" --socket "$SOCK" health 2>&1); RC=$?
check "... pflinkctl as that user says the agent's words (rc $RC: $OUT)" \
	eval '[ "$RC" = 1 ] && grep -q "permission denied: pflinkd serves root only" <<<"$OUT"'
chmod 600 "$SOCK"
chmod 700 "$T"
check "agent alive after all of it" ctl health

# SIGKILL leaves a stale socket; a new agent replaces it and knows the same.
MAPQ='[.pfs[] | {p: .pciAddress, n: [.netdevs[].name]}]'
BEFORE=$(ctl --json show | jq -c "$MAPQ")
stop_agent -KILL
check "stale socket left by SIGKILL" test -S "$SOCK"
check "restarted agent replaces the stale socket" start_agent
check "restarted agent rebuilds the same map (${#BEFORE} bytes of it)" \
	jq_cmd "ctl --json show" --argjson b "${BEFORE:-null}" "$MAPQ == \$b and \$b != []"
OUT=$(LD_PRELOAD=$SHIM timeout 10 "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" 2>&1); RC=$?
check "a second agent on the same socket refuses to start (rc $RC: $OUT)" \
	eval '[ "$RC" = 1 ] && grep -q "Address already in use" <<<"$OUT" && ctl health'
stop_agent -TERM
check "SIGTERM removes the socket" test ! -e "$SOCK"
check "no sanitizer report from pflinkd" eval "! grep -qE 'Sanitizer|runtime error:' $T/agent.log"
grep -E 'Sanitizer|runtime error:' "$T/agent.log" | head -20

tl_summary
