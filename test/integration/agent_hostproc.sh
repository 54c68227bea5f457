#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkd as the DaemonSet runs it: without hostPID, in a PID namespace of
# its own, the host's /proc mounted elsewhere (--proc).  pflink, run by the
# runtime on the host, records the CNI_NETNS it was given; cri-dockerd and
# some runtimes give /proc/PID/ns/net, a host PID.  Read in the agent's
# own PID namespace that path names nothing (or another process): the
# live attachment was reported as record_stale and its VF as orphaned.
# Every place a record's netns is read (vf answers, the leaks op and
# /metrics' snapshot, the netns a pf request names) must read it through
# --proc.  And a record whose netns really is gone is still reported.
# Usage: agent_hostproc.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
set -o pipefail
tl_skip_unless_root "agent_hostproc.sh"
tl_need_tools unshare socat pgrep nsenter
# This test's namespaces are the host; the agent gets a PID namespace
# inside them.
tl_own_namespaces "$0" "$@"
PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
SOCK=$T/pflinkd.sock AGENT="" AGENT_PID=""
ctl() { "$CTL" --socket "$SOCK" "$@"; }
until_ok() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
# The host's /proc where the DaemonSet mounts it (here under $T).  $T is
# a shared mount, and the agent's copy of it a slave, so a netns
# bind-mounted under $T later shows in the agent's mount namespace too
# (the DaemonSet's /run/netns is HostToContainer).
mkdir -p "$T/host/proc"
{ mount --bind "$T" "$T" && mount --make-shared "$T" && mount --bind /proc "$T/host/proc"; } ||
	{ bad "cannot bind the host's /proc"; tl_summary; exit 1; }
# No periodic discovery: the pod's netns must reach the map through the
# pf request that names it; discovery runs when nudged.
nudge() { printf '{"v":1,"op":"nudge"}\n' | socat -t 5 - "UNIX-CONNECT:$SOCK"; }
start_agent() {
	# --mount-proc: the agent's own /proc shows its own PID namespace only.
	LD_PRELOAD="$SHIM" unshare --mount --pid --fork --mount-proc --propagation slave \
		"$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --proc "$T/host/proc" --state-dir "$STATE" \
		--rescan-ms 3600000 --log-level debug 2>>"$T/agent.log" &
	AGENT=$!
	until_ok ctl health && AGENT_PID=$(pgrep -P "$AGENT")
}
# unshare --fork ignores SIGTERM while it waits: stop the agent itself.
stop_agent() {
	[ -n "$AGENT" ] || return 0
	kill "${AGENT_PID:-$AGENT}" 2>/dev/null
	wait "$AGENT" 2>/dev/null
	AGENT="" AGENT_PID=""
}
trap 'stop_agent; umount -l "$T/host/proc" "$T" 2>/dev/null; tl_cleanup' EXIT

tl_dev "pfa$TAG" 02:dd:00:01:00:00 0000:01:00.0 igb
tl_dev "va0$TAG" 02:dd:01:10:00:00 0000:01:10.0 igbvf
check "pflinkd starts in its own PID namespace with --proc the host's" start_agent

# A pod sandbox held by a process only (as a runtime that passes
# /proc/PID/ns/net holds it), made after the agent's discovery, its VF
# moved in.
unshare --net sleep 600 &
HOLDER=$!
until_ok test -e "/proc/$HOLDER/ns/net"
ip link set "va0$TAG" netns "$HOLDER" name net1
NS=/proc/$HOLDER/ns/net
check "in the agent's PID namespace $NS names nothing" sh -c "[ -n '$AGENT_PID' ] && ! nsenter -t $AGENT_PID -p -m test -e $NS"
CONF=$(conf 1.1.0 '' net1 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s | .logLevel="info"')
CID=hp1 pflink_run ADD "$NS" net1 "$CONF" "K8S_POD_NAMESPACE=team;K8S_POD_NAME=web-0;K8S_POD_UID=u1"
expect_ok "pflink ADD with CNI_NETNS=$NS, the agent asked"
check "the record names the netns by /proc path" jq_file "$STATE/hp1_net1.json" --arg n "$NS" '.netns==$n'
check "the agent tracks the netns the pf request named (through --proc)" \
	grep -q "tracking netns $NS (" "$T/agent.log"

# The answers, captured with pflinkctl's status (vf) or as non-empty
# (leaks exits 1 when it lists any: the fixture's VFs without a netdev
# are vf_unseen), then read by jq.
vf() { OUT=$(ctl --json vf 0000:01:10.0) && [ -n "$OUT" ]; }
leaks() { OUT=$(ctl --json leaks); [ -n "$OUT" ]; }
vf
check "pflinkctl vf: the VF in that netns, in its pod, no orphan ($(jq -c '[.vf.netdevs[0].netns, .vf.orphan]' <<<"$OUT" 2>/dev/null))" \
	eval "vf && jqe --arg n '$NS' '.vf.pod.name==\"web-0\" and .vf.netdevs[0].name==\"net1\" and .vf.netdevs[0].netns==\$n and .vf.orphan==\"\"'"
# (The fixture's other VFs have a driver and no netdev anywhere:
# vf_unseen, not this test's business.)
mine() { leaks && jqe '.ok and ([.leaks[] | select(.kind=="record_stale" or .kind=="vf_orphaned")] | length==0)'; }
leaks
check "pflinkctl leaks: no record_stale, no vf_orphaned ($(jq -c '[.leaks[] | .kind]' <<<"$OUT" 2>/dev/null))" mine
check "discovery finds it too, under the host's PID ($(nudge))" \
	eval "vf && jqe '.vf.netdevs[0].netns==\"$NS\" or .vf.netdevs[0].netns==\"pid:$HOLDER\"'"
check "... still no record_stale, no vf_orphaned" mine

# The pod's netns really goes (its only process exits, no CNI DEL): now
# the record is stale, through the same path.
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
nudge >/dev/null	# the agent lets go of the netns (it would pin it)
check "its netns gone: the record is stale" \
	until_ok eval "leaks && jqe --arg n '$NS' '[.leaks[] | select(.kind==\"record_stale\" and .netns==\$n)] | length==1'"
check "... and the VF, in no netns, orphaned with it (netns_gone)" \
	until_ok eval "leaks && jqe '[.leaks[] | select(.kind==\"vf_orphaned\" and .vf==\"0000:01:10.0\" and .reason==\"netns_gone\")] | length==1'"
check "the agent is still up" ctl health

# A netns bind-mounted at a path with a newline in it: the agent logs the
# path, and the newline must not make a line of its own.
EVIL="$T/ns
2026-01-01T00:00:00Z pflinkd error: forged"
unshare --net sleep 600 &
HOLDER2=$!
until_ok test -e "/proc/$HOLDER2/ns/net"
touch "$EVIL" && mount --bind "/proc/$HOLDER2/ns/net" "$EVIL"
nudge >/dev/null
check "the agent logs the netns at that path on one line, the newline written \\x0a" \
	until_ok eval "grep -q 'tracking netns $T/ns\\\\x0a2026-01-01T00:00:00Z pflinkd error: forged' '$T/agent.log'"
check "... and no line of its own for the forged text" sh -c '! grep -q "^2026-01-01T00:00:00Z pflinkd" "$1"' _ "$T/agent.log"
umount "$EVIL"
kill "$HOLDER2"; wait "$HOLDER2" 2>/dev/null
tl_summary
