#!/bin/bash
# pflinkd + pflinkctl + pflink against real netns/veth/netlink.
# Usage: agent.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "agent.sh"
command -v socat >/dev/null || { echo "SKIP: socat not installed"; exit 77; }
PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
SOCK=$T/pflinkd.sock
ctl() { "$CTL" --socket "$SOCK" "$@"; }
raw() { socat -t 7 - "UNIX-CONNECT:$SOCK"; }	# raw bytes to the agent

start_agent() {
	LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
		--rescan-ms 300 --log-level debug 2>>"$T/agent.log" &
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
check "topology lists PF 0000:01:00.0 with its host netdev" \
	eval "ctl --json show | jq -e --arg n pfa$TAG '.pfs[] | select(.pciAddress==\"0000:01:00.0\") | .netdevs[0].name==\$n and .netdevs[0].netns==\"host\" and (.vfs|length)==4'"
check "VF 0 seen in the host netns" eval "vfq 0000:01:10.0 | jq -e --arg n va0$TAG '.vf.netdevs[0].name==\$n and .pf.pciAddress==\"0000:01:00.0\"'"

# A pod sandbox made after the agent started (mount watch), then a VF moved in.
POD=agpod-$TAG NS=/run/netns/agpod-$TAG
tl_netns "$POD"
ip link set "va0$TAG" netns "$POD" name net1
check "VF moved into a new pod netns shows there" \
	until_ok eval "vfq 0000:01:10.0 | jq -e '.vf.netdevs[0].name==\"net1\" and .vf.netdevs[0].netns==\"$NS\"'"

# pflink with the agent: ADD records the pod; pflinkctl names it.
CONF=$(conf 1.1.0 '' net1 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s | .logLevel="info"')
CID=ag1 pflink_run ADD "$NS" net1 "$CONF" "K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=web-0;K8S_POD_UID=u1"
expect_ok "pflink ADD with the agent"
check "pflink took the PF from pflinkd" grep -q "from pflinkd" "$T/stderr"
check "pflinkctl pod names the VF of team-a/web-0" \
	until_ok eval "ctl --json pod team-a/web-0 | jq -e '.attachments[0].vf.pciAddress==\"0000:01:10.0\"'"
check "pflinkctl show draws the pod under its VF" until_ok eval "ctl --no-color show | grep -E '0000:01:10.0.*team-a/web-0'"

# A PF held only by a process (no bind mount): only the agent finds it.
unshare --net sleep 600 &
HOLDER=$!
sleep 0.2
ip link set "pfb$TAG" netns "$HOLDER"
check "PF in a process-only netns is found through /proc" \
	until_ok eval "ctl --json pf 0000:02:00.0 | jq -e '.pf.netdevs[0].netns==\"pid:$HOLDER\"'"
ip link set "vb0$TAG" netns "$POD" name net2
CONF2=$(conf 1.1.0 '' net2 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s')
CID=ag2 pflink_run ADD "$NS" net2 "$CONF2"
expect_ok "pflink ADD resolves that PF through the agent"
check "result names the PF in the process-only netns" jqe --arg n "pfb$TAG" '.interfaces[] | select(.name==$n) | .pciID=="0000:02:00.0"'
CID=ag3 pflink_run ADD "$NS" net2 "$(conf 1.1.0 '' net2 "$NS")"
expect_code "the same without the agent: PF not found" 102
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
check "agent drops the netns when its only process exits" \
	until_ok eval "! ctl --json show | jq -e '.. | .netns? | select(. == \"pid:$HOLDER\")'"

# Orphans: a VF back in the host netns while its pod record remains, and a
# VF the kernel renamed dev<N> when its netns died.
ip -n "$POD" link set net1 netns 1 name "va0$TAG"
check "VF back in the host with a pod record is flagged orphan" \
	until_ok eval "vfq 0000:01:10.0 | jq -e '.vf.orphan | contains(\"team-a/web-0 is gone\")'"
check "pflinkctl show marks the orphan" eval "ctl --no-color show | grep -q orphan"
ip link set "va1$TAG" name "dev4242"
TL_LINKS="$TL_LINKS dev4242"
check "a VF renamed devN in the host is flagged" \
	until_ok eval "vfq 0000:01:10.2 | jq -e '.vf.orphan | contains(\"dev4242\")'"

# Deleting a pod netns while the agent runs.
N0=$(ctl --json health | jq .netns)
ip netns del "$POD"
check "deleted pod netns is dropped" until_ok eval "[ \$(ctl --json health | jq .netns) -lt $N0 ]"

# Bad clients never stop it.
check "garbage line: error answer" eval "printf 'hello\n' | raw | jq -e '.ok==false'"
check "wrong version: error answer" eval "printf '{\"v\":2,\"op\":\"health\"}\n' | raw | jq -e '.ok==false'"
check "repeated key: refused" eval "printf '{\"v\":1,\"op\":\"health\",\"op\":\"topology\"}\n' | raw | jq -e '.ok==false'"
check "70 KiB line: error answer" eval "head -c 71680 /dev/zero | tr '\\0' 'a' | raw | jq -e '.ok==false'"
check "binary junk: agent still healthy" eval "head -c 4096 /dev/urandom | raw >/dev/null; ctl health"
check "two requests on one connection" eval "printf '{\"v\":1,\"op\":\"health\"}\n{\"v\":1,\"op\":\"health\"}\n' | raw | jq -s -e 'length==2 and all(.ok)'"
socat -u /dev/null "UNIX-CONNECT:$SOCK" &	# connects, sends nothing
exec 7> >(socat - "UNIX-CONNECT:$SOCK" >/dev/null)	# an idle client held open
check "served while an idle client is connected" ctl health
exec 7>&-
ok=0 pids=""; for i in $(seq 50); do ctl health >/dev/null & pids="$pids $!"; done
for j in $pids; do wait "$j" && ok=$((ok + 1)); done
check "50 concurrent clients all answered" test "$ok" -ge 50
check "socket is 0600" test "$(stat -c %a "$SOCK")" = 600
check "non-root client cannot connect (0600)" eval "! setpriv --reuid=65534 --regid=65534 --clear-groups $CTL --socket $SOCK health 2>/dev/null"
chmod 666 "$SOCK"
check "non-root client refused by SO_PEERCRED" \
	eval "setpriv --reuid=65534 --regid=65534 --clear-groups $CTL --socket $SOCK health 2>&1 | grep -q 'root only'"
chmod 600 "$SOCK"
check "agent alive after all of it" ctl health

# SIGKILL leaves a stale socket; a new agent replaces it and knows the same.
BEFORE=$(ctl --json show | jq -c '[.pfs[] | {p: .pciAddress, n: [.netdevs[].name]}]')
stop_agent -KILL
check "stale socket left by SIGKILL" test -S "$SOCK"
check "restarted agent replaces the stale socket" start_agent
check "restarted agent rebuilds the same map" \
	eval "[ \"\$(ctl --json show | jq -c '[.pfs[] | {p: .pciAddress, n: [.netdevs[].name]}]')\" = '$BEFORE' ]"
check "a second agent on the same socket refuses to start" \
	eval "! LD_PRELOAD=$SHIM $PFLINKD --socket $SOCK --sysfs $SYS --state-dir $STATE 2>/dev/null"
stop_agent -TERM
check "SIGTERM removes the socket" test ! -e "$SOCK"
check "no sanitizer report from pflinkd" eval "! grep -qE 'Sanitizer|runtime error:' $T/agent.log"
grep -E 'Sanitizer|runtime error:' "$T/agent.log" | head -20

tl_summary
