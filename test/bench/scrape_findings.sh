#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a /metrics scrape costs with the vf_dirty and numa_misaligned
# findings, against another build's pflinkd (e.g. the commit before them),
# in one run, alternating: 128 VFs (2 PFs x 64 in a fixture sysfs, two
# NUMA nodes), each VF's netdev (a veth, bus address from the test shim)
# in a pod netns of its own with a pflink record and one process pinned
# with taskset (the process whose CPU list pflinkd reads).  Medians of
# SCRAPES scrapes 1.2 s apart (each a fresh snapshot) per round: curl's
# time, and the serving-loop time pflinkd reports for the snapshot
# (pflink_agent_collect_duration_seconds).
#
#   sudo bash test/bench/scrape_findings.sh BUILD BEFORE_BUILD
#
# Environment: SCRAPES (default 15), ROUNDS (default 2).
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 BUILD BEFORE_BUILD" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)
# Its own net, mount and pid namespaces: the agent sees only these netns.
if [ -z "${SF_OWN_NS:-}" ]; then
	SF_OWN_NS=1 exec unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
		bash "$0" "$(cd "$1" && pwd)" "$(cd "$2" && pwd)"
fi
mkdir -p /run/netns && mount -t tmpfs -o mode=0755 sf-ns /run/netns
ip link set lo up
AFTER=$1 BEFORE=$2 SCRAPES=${SCRAPES:-15} ROUNDS=${ROUNDS:-2}
SHIM=$AFTER/test/libpflink_ethtool_shim.so
# shellcheck source=test/fixtures/sysfs.sh
. "$HERE/../fixtures/sysfs.sh"
T=$(mktemp -d /tmp/pflink-sf.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$T"' EXIT
SYS=$T/sys MAP=$T/busmap STATE=$T/state
mkdir -p "$STATE"
: >"$MAP"
fx_standard "$SYS" >/dev/null
fx_node "$SYS" 0 0
fx_node "$SYS" 1 1-4095
n=0
for k in 0 1; do
	fx_pf "$SYS" "0000:4$k:00.0" igb 64
	for ((j = 0; j < 64; j++)); do
		bdf=$(printf '0000:4%d:%02x.%x' "$k" $((0x10 + j / 8)) $((j % 8)))
		fx_vf "$SYS" "0000:4$k:00.0" "$j" "$bdf" igbvf
		fx_numa "$SYS" "$bdf" "$k"
		mac=$(printf '02:5f:00:%02x:%02x:01' "$k" "$j")
		echo "$mac $bdf igbvf" >>"$MAP"
		ip link add "sf$n" address "$mac" type veth peer name "sf${n}p"
		ip netns add "pod$n"
		ip link set "sf$n" netns "pod$n" name net1
		ip netns exec "pod$n" taskset -c 0 sleep 100000 &
		printf '{"version":1,"containerID":"c%d","ifName":"net1","netns":"/run/netns/pod%d","vfPciAddress":"%s","pfPciAddress":"0000:4%d:00.0","vfIndex":%d,"vfNumaNode":%d,"podNamespace":"bench","podName":"pod-%d","podUID":"u%d","created":1}\n' \
			"$n" "$n" "$bdf" "$k" "$j" "$k" "$n" "$n" >"$STATE/c${n}_net1.json"
		n=$((n + 1))
	done
done
touch -d "@$(( $(date +%s) - 2 ))" "$MAP"
PORT=$((20000 + RANDOM % 20000))
mval() { awk -v p="$2" 'index($0, p) == 1 { print $NF; exit }' "$1"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
run() {	# run LABEL PFLINKD
	local i agent ok=0
	PFLINK_TEST_BUSINFO=$MAP LD_PRELOAD=$SHIM "$2" --socket "$T/s.sock" --sysfs "$SYS" --state-dir "$STATE" \
		--rescan-ms 3600000 --log-level warning --metrics-address "127.0.0.1:$PORT" 2>>"$T/agent.log" &
	agent=$!
	for _ in $(seq 600); do
		curl -sf -o "$T/m" "http://127.0.0.1:$PORT/metrics" &&
			[ "$(grep -c '^pflink_vf_info{.*pod="pod-' "$T/m")" = 128 ] && { ok=1; break; }
		sleep 0.1
	done
	[ "$ok" = 1 ] || { echo "$1: pflinkd never listed 128 pods" >&2; kill "$agent"; exit 1; }
	: >"$T/http" ; : >"$T/coll"
	for ((i = 0; i < SCRAPES; i++)); do
		sleep 1.2
		curl -s -o "$T/m" -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics" >>"$T/http"
		mval "$T/m" pflink_agent_collect_duration_seconds >>"$T/coll"
	done
	echo "$1 $(median <"$T/http") $(median <"$T/coll") $(wc -c <"$T/m") $(grep -c '^pflink_vf_numa_aligned{' "$T/m" || true) $(grep -c '^pflink_leaks{kind="numa_misaligned"} 64$' "$T/m" || true)"
	kill "$agent"; wait "$agent" 2>/dev/null || true
}
echo "| build | round | HTTP s (median) | loop s (median) | bytes | numa series | misaligned = 64 |"
echo "|---|---|---|---|---|---|---|"
for ((r = 1; r <= ROUNDS; r++)); do
	for b in before after; do
		if [ $b = before ]; then set -- $(run before "$BEFORE/pflinkd"); else set -- $(run after "$AFTER/pflinkd"); fi
		echo "| $1 | $r | $2 | $3 | $4 | $5 | $6 |"
	done
done
