#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkd under faults: SIGKILL in the middle of its first scan, netns
# deleted and added during a scan, a descriptor limit below what the netns
# need, 1000 idle clients.  After each, the agent must answer exactly what
# is there (or say honestly what it could not see) and never die or spin.
# How fast it answers meanwhile is the bench's (hack/bench.sh, "under
# load"); "spins" here is a core's worth of CPU, far above any real work.
# Usage: agent_faults.sh PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT HOLDCONN
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "agent_faults.sh" unshare prlimit socat

# The whole test runs in its own net, mount and pid namespaces, so the
# agent's netns count can be checked exactly.
tl_own_namespaces "$0" "$@"

PFLINKD=$1 CTL=$2 HOLD=$5
tl_setup "$1" "$3" "$4"
SOCK=$T/pflinkd.sock
AGENT=""
ctl() { "$CTL" --socket "$SOCK" "$@"; }
raw() { socat -t 7 - "UNIX-CONNECT:$SOCK"; }
nudge() { jq_cmd "printf '{\"v\":1,\"op\":\"nudge\"}\n' | raw" .ok; }
hf() { ctl --json health | jq -r ".$1"; }	# one health field
TCK=$(getconf CLK_TCK)

# start_agent [PRLIMIT-OPTION]: in the background, not waiting.
start_agent() {
	local lim=()
	[ -n "${1:-}" ] && lim=(prlimit "$1" --)
	LD_PRELOAD="$SHIM" "${lim[@]}" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
		--rescan-ms "${RESCAN:-1000}" --log-level info 2>>"$T/agent.log" &
	AGENT=$!
}
ready() { for _ in $(seq 200); do ctl health >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }
stop_agent() { [ -n "$AGENT" ] && { kill "${1:--TERM}" "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }; AGENT=""; }
alive() { kill -0 "$AGENT" 2>/dev/null; }
nfds() { local f=(/proc/"$1"/fd/*); echo "${#f[@]}"; }	# no fork: fast enough to catch a scan
cpu() { local s; read -r -a s < /proc/"$1"/stat; echo $(( s[13] + s[14] )); }	# utime+stime ticks
# not_spinning TICKS SECONDS: less than half a core over SECONDS.  A loop
# that spins (on EMFILE, on an idle client) burns a whole one; what the
# agent costs when it does not is the bench's to measure.
not_spinning() { [ "$1" -lt $(( $2 * TCK / 2 )) ]; }
until_ok() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

# Reality, without the agent: distinct netns behind /run/netns and every
# process (the agent's discovery looks at the same places, by other code).
reality() {
	{ for f in /run/netns/*; do [ -e "$f" ] && stat -L -c %i "$f"; done
	  for p in /proc/[0-9]*/ns/net; do stat -L -c %i "$p" 2>/dev/null; done; } | sort -u | wc -l
}
# mkns PREFIX N: N netns PREFIX1..N, each with a veth pair; delns PREFIX N.
mkns() {
	{ for i in $(seq "$2"); do echo "netns add $1$i"; done; } | ip -batch - || return 1
	{ for i in $(seq "$2"); do echo "link add a$i netns $1$i type veth peer name b$i netns $1$i"; done; } |
		ip -force -batch -
}
delns() { { for i in $(seq "${3:-1}" "$2"); do echo "netns del $1$i"; done; } | ip -force -batch - 2>/dev/null; }

cleanup() { stop_agent -KILL; [ -n "${CHURN:-}" ] && kill "$CHURN" 2>/dev/null; tl_cleanup; }
trap cleanup EXIT

# The PCI side: PFs stay in this test's host netns, VFs go into netns.
tl_dev "pf1$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:01:00" 0000:01:00.0 igb
tl_dev "pf2$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:02:00" 0000:02:00.0 igb
tl_dev "v12$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:12:00" 0000:01:10.2 igbvf
tl_dev "v14$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:14:00" 0000:01:10.4 igbvf
tl_dev "v16$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:16:00" 0000:01:10.6 igbvf
tl_dev "v20$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:20:00" 0000:02:10.0 igbvf
tl_dev "v22$TAG" "02:af:${TAG:0:2}:${TAG:2:2}:22:00" 0000:02:10.2 igbvf
# vf BDF: "netdev-name netns" of the VF as the agent says, or "none".
vfwhere() { ctl --json vf "$1" | jq -r 'if .ok then (.vf.netdevs[0] // {name:"none",netns:""}) | "\(.name) \(.netns)" else "error" end'; }

echo "== 1. SIGKILL in the middle of the first scan, restart"
N1=500
mkns k "$N1"
ip link set "v12$TAG" netns k250 name net1
check "first agent up with $N1 netns" eval 'start_agent && ready'
stop_agent -KILL
STALE=$(stat -c %i "$SOCK" 2>/dev/null)
check "SIGKILL leaves a stale socket" test -S "$SOCK"
FULL=$(( 3 * (N1 + 1) ))	# three sockets per netns once the scan is done
hit=0
for try in 1 2 3 4 5; do
	start_agent
	n=0 t0=$SECONDS
	while alive && [ $SECONDS -lt $((t0 + 20)) ]; do
		n=$(nfds "$AGENT")
		[ "$n" -ge 120 ] && break
	done
	kill -KILL "$AGENT" 2>/dev/null
	wait "$AGENT" 2>/dev/null
	AGENT=""
	echo "   try $try: SIGKILL at $n open fds (a whole scan holds >= $FULL)"
	if [ "$n" -ge 120 ] && [ "$n" -lt $((FULL - 100)) ] && [ "$(stat -c %i "$SOCK")" = "$STALE" ]; then
		hit=1
		break
	fi
done
check "SIGKILL landed mid-scan (fds 120..$((FULL - 100)), socket not yet replaced)" test "$hit" = 1
check "nothing serves the stale socket after it (a client is refused)" \
	eval 'OUT=$(ctl health 2>&1); [ $? = 1 ] && grep -q "nothing listens on" <<<"$OUT"'
T1=$(date +%s%N)
check "restarted agent replaces the stale socket and answers" eval 'start_agent && ready'
echo "   restart to first answer: $(( ($(date +%s%N) - T1) / 1000000 )) ms"
R=$(reality)
check "netns count exact after restart ($R)" test "$(hf netns)" = "$R"
check "VF 0000:01:10.2 is net1 in k250" test "$(vfwhere 0000:01:10.2)" = "net1 /run/netns/k250"
check "its PF is 0000:01:00.0, in the host" \
	jq_cmd "ctl --json vf 0000:01:10.2" --arg n "pf1$TAG host" '.pf.pciAddress=="0000:01:00.0" and [.pf.netdevs[] | .name + " " + .netns] == [$n]'
check "map holds exactly the 7 test netdevs (2 PFs, 5 VFs)" \
	jq_cmd "ctl --json health" '.devices==7 and .pfs==2 and .vfs==5 and .nsSkipped==0'
check "topology: PF 0000:01:00.0 lists VF 1 in k250, VFs 2,3 in the host" \
	jq_cmd "ctl --json show" --argjson r "$R" '.netns==$r and ([.pfs[] | select(.pciAddress=="0000:01:00.0") | .vfs[] | {i:.index, ns:(.netdevs[0].netns // "")}] == [{i:0,ns:""},{i:1,ns:"/run/netns/k250"},{i:2,ns:"host"},{i:3,ns:"host"}])'
stop_agent
delns k "$N1"

echo "== 2. netns deleted and added during the scan"
mkns c 500
ip netns add cva; ip netns add cvb
ip link set "v14$TAG" netns cva name net1
ip link set "v16$TAG" netns cvb name net1
IDX=$(ip -n cvb -j link show net1 | jq -r '.[0].ifindex')
touch "$T/churn"
( r=0; while [ -e "$T/churn" ]; do
	r=$((r + 1)); mkns "x${r}_" 30 2>/dev/null; sleep 0.01; delns "x${r}_" 30
  done; echo "$r" > "$T/churn.rounds" ) &
CHURN=$!
sleep 0.3
rm -f "$SOCK"
start_agent
n=0; t0=$SECONDS
# The agent is stopped mid-scan (SIGSTOP as soon as it holds 60 fds) so
# that the netns are deleted while its scan is under way however loaded
# the machine is; the socket comes only after the first scan.
while alive && [ $SECONDS -lt $((t0 + 20)) ] && [ ! -S "$SOCK" ]; do
	n=$(nfds "$AGENT"); [ "$n" -ge 60 ] && { kill -STOP "$AGENT"; break; }
done
MID=$([ ! -S "$SOCK" ] && echo yes || echo no)
# What the kernel does to a PCI VF when its netns dies (a veth dies with
# its netns instead): it comes back to the host as dev<ifindex>.
ip -n cvb link set net1 netns 1 name "dev$IDX"
ip netns del cvb; ip netns del cva
kill -CONT "$AGENT"
echo "   agent stopped at $n fds, scan still running: $MID; VF netns deleted, agent resumed"
check "VF netns deleted while the first scan ran" test "$MID" = yes
answered=0
for _ in $(seq 20); do ctl health >/dev/null 2>&1 && answered=$((answered + 1)); sleep 0.1; done
check "agent answers during churn ($answered/20)" test "$answered" -ge 15
rm -f "$T/churn"; wait "$CHURN"; CHURN=""
echo "   churn rounds: $(cat "$T/churn.rounds") (30 netns added and deleted each)"
check "agent alive after the churn" alive
check "nudge after the churn" nudge
R=$(reality)
check "netns count exact after the churn ($R)" test "$(hf netns)" = "$R"
check "no netns skipped" test "$(hf nsSkipped)" = 0
check "VF whose netns was deleted (veth died with it) has no netdev" test "$(vfwhere 0000:01:10.4)" = "none "
check "VF that fell back is shown in the host as dev$IDX" test "$(vfwhere 0000:01:10.6)" = "dev$IDX host"
check "and flagged as fallen back" jq_cmd "ctl --json vf 0000:01:10.6" '.vf.orphan | contains("fell back")'
check "topology agrees" \
	jq_cmd "ctl --json show" --arg d "dev$IDX" --argjson r "$R" '.netns==$r and ([.pfs[] | select(.pciAddress=="0000:01:00.0") | .vfs[] | .netdevs[0].name // "-"] | .[2:]) == ["-", $d]'
stop_agent
delns c 500

echo "== 3. RLIMIT_NOFILE below what the netns need"
LIM=400 N3=300
mkns f "$N3"
ip link set "v20$TAG" netns f1 name net1
ip link set "v22$TAG" netns f$N3 name net1
rm -f "$SOCK"
start_agent "--nofile=$LIM:$LIM"
check "agent starts at RLIMIT_NOFILE $LIM with $N3 netns" ready
sleep 1
C0=$(cpu "$AGENT"); sleep 3; C1=$(cpu "$AGENT")
echo "   CPU over 3 s at the limit: $((C1 - C0)) ticks of $((3 * TCK)); fds $(nfds "$AGENT")/$LIM"
check "alive and not spinning at the limit ($((C1 - C0)) ticks in 3 s)" eval "alive && not_spinning $((C1 - C0)) 3"
R=$(reality)
H=$(ctl --json health)
echo "   health: $(jq -c '{netns,nsSkipped,clientsRefused,lastError}' <<<"$H")"
check "health says netns were skipped, and how many" \
	jq_text "$H" --argjson r "$R" '.nsSkipped > 0 and .netns < $r and .netns + .nsSkipped == $r'
check "health says why" jq_text "$H" '.lastError | contains("out of file descriptors")'
check "VF in a tracked netns answered right" test "$(vfwhere 0000:02:10.0)" = "net1 /run/netns/f1"
check "VF in an untracked netns is not placed anywhere" test "$(vfwhere 0000:02:10.2)" = "none "
check "topology at the limit: PF 0000:02:00.0 with VF 0 in f1, VF 1 unseen" \
	jq_cmd "ctl --json show" '[.pfs[] | select(.pciAddress=="0000:02:00.0") | .vfs[] | .netdevs[0].netns // "-"] == ["/run/netns/f1", "-"]'
# 200 clients at once, more than the descriptors left: each is served or
# refused in words, and the listener must not spin on EMFILE.
"$HOLD" "$SOCK" 200 7000 > "$T/hold3" &
HP=$!
until_ok grep -q connected "$T/hold3"
C0=$(cpu "$AGENT"); sleep 3; C1=$(cpu "$AGENT")
echo "   CPU over 3 s with 200 clients at the limit: $((C1 - C0)) ticks; agent fds $(nfds "$AGENT")/$LIM"
check "no spin with clients at the descriptor limit ($((C1 - C0)) ticks in 3 s)" not_spinning $((C1 - C0)) 3
OUT=$(ctl --timeout 2000 --json health 2>&1); RC=$?
echo "   a client now: rc $RC: ${OUT:0:120}"
check "a client at the limit is answered or refused cleanly" \
	eval '{ [ "$RC" = 0 ] && jq_text "$OUT" .ok; } || { [ "$RC" = 1 ] && grep -q "out of file descriptors" <<<"$OUT"; }'
wait "$HP"
echo "   $(tail -1 "$T/hold3")"
check "every held client was refused or dropped, each with an error line" \
	eval "grep -Eq '^closed 200 of 200, .* with-error 200$' $T/hold3"
check "refusals are counted" test "$(hf clientsRefused)" -gt 0
# Pressure gone: the agent must get back to exact.
delns f $((N3 - 1)) 100
check "nudge after the pressure is gone" nudge
R=$(reality)
check "netns count exact again ($R)" until_ok eval "nudge; [ \"\$(hf netns)\" = $R ]"
check "nothing skipped any more" test "$(hf nsSkipped)" = 0
check "the VF it could not see is found" test "$(vfwhere 0000:02:10.2)" = "net1 /run/netns/f$N3"
check "the other VF still right" test "$(vfwhere 0000:02:10.0)" = "net1 /run/netns/f1"
stop_agent
delns f "$N3"

echo "== 4. 1000 idle clients (soft limit 1024, hard 20000)"
mkns i 10
rm -f "$SOCK"
start_agent "--nofile=1024:20000"
check "agent up" ready
sleep 0.5
BASE=$(nfds "$AGENT")
"$HOLD" "$SOCK" 1000 9000 > "$T/hold4" &
HP=$!
until_ok grep -q connected "$T/hold4"
C0=$(cpu "$AGENT") W0=$SECONDS
check "1000 idle connections made" grep -qx 'connected 1000' "$T/hold4"
check "agent holds all of them" until_ok eval "[ \$(nfds $AGENT) -ge $((BASE + 1000)) ]"
T1=$(date +%s%N)
OUT=$(ctl --timeout 10000 --json health 2>&1); RC=$?
MS=$(( ($(date +%s%N) - T1) / 1000000 ))
echo "   health among 1000 idle clients: rc $RC in $MS ms, agent fds $(nfds "$AGENT") (baseline $BASE)"
check "a real client is answered among them" jq_text "$OUT" .ok
wait "$HP"
C1=$(cpu "$AGENT") W1=$SECONDS
echo "   $(tail -1 "$T/hold4"); agent CPU $((C1 - C0)) ticks in $((W1 - W0)) s"
check "no spin while 1000 clients idle ($((C1 - C0)) ticks in $((W1 - W0 + 1)) s)" not_spinning $((C1 - C0)) $((W1 - W0 + 1))
FIRST=$(sed -n 's/.*first after \([0-9]*\) ms.*/\1/p' "$T/hold4")
LAST=$(sed -n 's/.*last after \([0-9]*\) ms.*/\1/p' "$T/hold4")
check "all 1000 dropped with the idle error" grep -Eq '^closed 1000 of 1000, .* with-error 1000$' "$T/hold4"
check "none dropped before the protocol's 5 s idle timeout (first at ${FIRST:-?}, last at ${LAST:-?} ms)" \
	test "${FIRST:-0}" -ge 4000
check "descriptors back to baseline" until_ok eval "[ \$(nfds $AGENT) -le $BASE ]"
check "no client refused" test "$(hf clientsRefused)" = 0
check "agent alive and healthy after" eval "alive && ctl health"
stop_agent
delns i 10

check "no sanitizer report from pflinkd" eval "! grep -qE 'Sanitizer|runtime error:' $T/agent.log"
grep -E 'Sanitizer|runtime error:' "$T/agent.log" | head -20
tl_summary
