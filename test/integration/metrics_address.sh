#!/bin/bash
# SPDX-License-Identifier: MIT
# The DaemonSet's --metrics-address as kubelet expands it, on an IPv4, an
# IPv6 and a dual-stack node.  pflinkd's arguments are taken from
# manifests/pflinkd-daemonset.yaml by test/node/gen-pod.py (the node
# suite's Pod maker: status.hostIP put in NODE_IP, $(NODE_IP) expanded as
# kubelet does); this test's own netns plays the node, with its address on
# a veth, and pflinkd, started with those arguments (only the paths of
# socket, sysfs, proc and state dir added after them, which getopt lets
# win), is scraped from a second netns over the veth.  On a dual-stack
# node status.hostIP is the primary family's address: both orders run,
# and the other family's address must stay unbound.
# Usage: metrics_address.sh PFLINKD PFLINKCTL FIXTURE_SCRIPT DAEMONSET GEN_POD
. "$(dirname "$0")/lib.sh"
set -o pipefail
tl_skip_unless_root "metrics_address.sh"
tl_need_tools unshare curl python3 ss
python3 -c 'import yaml' 2>/dev/null || { echo "FAIL: python3 cannot import yaml (python3-yaml)"; echo "0 passed, 1 failed"; exit 1; }
tl_own_namespaces "$0" "$@"

PFLINKD=$1 CTL=$2 DS=$4 GEN=$5
tl_setup "$PFLINKD" none "$3"
SOCK=$T/pflinkd.sock AGENT=""
stop_agent() { [ -n "$AGENT" ] && { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }; AGENT=""; }
trap 'stop_agent; tl_cleanup' EXIT

# The node's link to the world: node0 here, scr0 in the scraper's netns.
SCR=mxaddr-$TAG
tl_netns "$SCR"
ip link add node0 type veth peer name scr0 netns "$SCR"
ip link set node0 up
ip -n "$SCR" link set scr0 up
ip -n "$SCR" link set lo up

# pflinkd's command and arguments in the Pod kubelet would run for a node
# whose status.hostIP is $1, one per line.
pod_argv() {
	local pod
	pod=$(python3 "$GEN" --host-ip "$1" "$DS") || return 1
	printf '%s' "$pod" | python3 -c '
import sys, yaml
pod = yaml.safe_load(sys.stdin)
c = [c for c in pod["spec"]["containers"] if c["name"] == "pflinkd"][0]
for a in c.get("command", []) + c.get("args", []):
    if "\n" in a:
        sys.exit("an argument holds a newline")
    print(a)
'
}

# addresses CIDR...: the node's addresses on node0, the scraper's beside
# each (.20 / ::20) on scr0.  nodad: an address still in duplicate address
# detection cannot be bound.
addresses() {
	local a
	ip addr flush dev node0
	ip -n "$SCR" addr flush dev scr0
	for a in "$@"; do
		case $a in
		*:*) ip addr add "$a" dev node0 nodad
		     ip -n "$SCR" addr add "${a%::*}::20/64" dev scr0 nodad ;;
		*)   ip addr add "$a" dev node0
		     ip -n "$SCR" addr add "${a%.*}.20/24" dev scr0 ;;
		esac
	done
}

url() { case $1 in *:*) echo "http://[$1]:9478/metrics" ;; *) echo "http://$1:9478/metrics" ;; esac; }

# node NAME HOSTIP OTHER CIDR...: a node whose addresses are CIDR..., its
# status.hostIP HOSTIP; OTHER, when not "-", is an address of the node
# that must not be served.
node() {
	local name=$1 ip=$2 other=$3 argv out rc bound want
	shift 3
	addresses "$@"
	if ! argv=$(pod_argv "$ip"); then
		bad "$name: gen-pod.py made no Pod of $DS"
		return
	fi
	mapfile -t args <<<"$argv"
	check "$name: the Pod runs /usr/bin/pflinkd" test "${args[0]}" = /usr/bin/pflinkd
	out=""
	for ((i = 1; i < ${#args[@]}; i++)); do
		[ "${args[i]}" = --metrics-address ] && out=${args[i + 1]:-}
	done
	echo "  $name: status.hostIP $ip -> --metrics-address $out"
	check "$name: the manifest's --metrics-address names $ip" \
		sh -c 'case $1 in "$2":9478|"[$2]:9478") exit 0 ;; esac; exit 1' _ "$out" "$ip"
	"$PFLINKD" "${args[@]:1}" --socket "$SOCK" --sysfs "$SYS" --proc /proc --state-dir "$STATE" \
		--log-level info 2>"$T/agent-$name.log" &
	AGENT=$!
	for _ in $(seq 100); do
		"$CTL" --socket "$SOCK" health >/dev/null 2>&1 && break
		kill -0 "$AGENT" 2>/dev/null || break
		sleep 0.05
	done
	if ! kill -0 "$AGENT" 2>/dev/null; then
		wait "$AGENT"
		rc=$?
		bad "$name: pflinkd exited (rc $rc) with the manifest's arguments: $(tail -n2 "$T/agent-$name.log")"
		AGENT=""
		return
	fi
	ok "$name: pflinkd runs with the manifest's arguments"
	out=$(ip netns exec "$SCR" curl -sS -g --max-time 5 "$(url "$ip")" 2>&1)
	rc=$?
	check "$name: scraped from another netns at $(url "$ip") (curl rc $rc)" \
		sh -c '[ "$1" = 0 ] && printf "%s\n" "$2" | grep -q "^pflink_build_info{"' _ "$rc" "$out"
	bound=$(ss -Hltn 'sport = :9478' | awk '{ print $4 }')
	case $ip in *:*) want="[$ip]:9478" ;; *) want="$ip:9478" ;; esac
	check "$name: exactly $want is bound (ss: $(echo $bound))" test "$bound" = "$want"
	if [ "$other" != - ]; then
		ip netns exec "$SCR" curl -sS -g --max-time 5 "$(url "$other")" >/dev/null 2>&1
		rc=$?
		check "$name: the other family's $other is not served (curl rc $rc)" test "$rc" = 7
	fi
	stop_agent
}

node ipv4 192.0.2.10 - 192.0.2.10/24
node ipv6 2001:db8::5 - 2001:db8::5/64
node dual-ipv4-primary 192.0.2.10 2001:db8::5 192.0.2.10/24 2001:db8::5/64
node dual-ipv6-primary 2001:db8::5 192.0.2.10 2001:db8::5/64 192.0.2.10/24
tl_summary
