#!/bin/bash
# SPDX-License-Identifier: MIT
# NUMA alignment (the numa_misaligned finding, pflink_vf_numa_aligned) on
# the fixture sysfs: VFs with a numa_node, NUMA nodes' cpulists under
# devices/system/node, pod netns (real netns, veth "VFs") each with a
# process pinned with taskset.  The node table is read at every snapshot:
# rewriting it moves the finding; a memory-only node is left out; a pod
# whose process exits has no CPUs known and no finding; processes exiting
# while pflinkd reads their CPU list leave it answering.  The record
# carries vfNumaNode.
# Usage: numa.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "numa.sh" unshare taskset curl
tl_own_namespaces "$0" "$@"

PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
SOCK=$T/pflinkd.sock MP=9481 MURL=http://127.0.0.1:9481/metrics
AGENT="" PIDS=""
ctl() { "$CTL" --socket "$SOCK" "$@"; }
stop_all() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	[ -n "$AGENT" ] && { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }
	AGENT=""
}
trap 'stop_all; tl_cleanup' EXIT
not() { ! "$@"; }
until_ok() { for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
scrape() { curl -sf -o "$T/m" "$MURL"; }
# scrape_has LINE-REGEX: a scrape (retried, 20 s) has a line matching it
# (PAT, not $1: eval runs inside until_ok, whose $1 is "eval".)
scrape_has() { PAT=$1; until_ok eval 'scrape && grep -qE "$PAT" "$T/m"'; }
scrape_lacks() { PAT=$1; until_ok eval 'scrape && ! grep -qE "$PAT" "$T/m"'; }
add() {	# add CID NETNS POD
	local conf
	conf=$(conf 1.1.0 "" net1 "$2" | jq -c --arg s "$SOCK" '.agentSocket=$s')
	CID=$1 pflink_run ADD "$2" net1 "$conf" "K8S_POD_NAMESPACE=team;K8S_POD_NAME=$3;K8S_POD_UID=uid-$3"
	expect_ok "pflink ADD of $3 ($1)"
}

# --- the node: node 0 has CPU 0, node 1 every other CPU; the fixture's
#     0000:02:10.0 and 0000:02:10.2 are on node 1, 0000:01:10.0 has -1.
bash "$FIXTURE" node "$SYS" 0 0
bash "$FIXTURE" node "$SYS" 1 1-4095
tl_dev "pfb$TAG" 02:de:00:02:00:00 0000:02:00.0 igb
tl_dev "vb0$TAG" 02:de:02:10:00:00 0000:02:10.0 igbvf
tl_dev "vb1$TAG" 02:de:02:10:02:00 0000:02:10.2 igbvf
tl_dev "pfa$TAG" 02:de:00:01:00:00 0000:01:00.0 igb
tl_dev "va0$TAG" 02:de:01:10:00:00 0000:01:10.0 igbvf
for p in far any churn; do tl_netns "$p-$TAG"; done
ip link set "vb0$TAG" netns "far-$TAG" name net1
ip link set "va0$TAG" netns "any-$TAG" name net1
ip link set "vb1$TAG" netns "churn-$TAG" name net1
# One process per pod netns, pinned to CPU 0 (node 0).
ip netns exec "far-$TAG" taskset -c 0 sleep 600 &
FAR=$!
ip netns exec "any-$TAG" taskset -c 0 sleep 600 &
PIDS="$FAR $!"

LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" --rescan-ms 300 \
	--metrics-address 127.0.0.1:$MP --log-level info 2>>"$T/agent.log" &
AGENT=$!
check "pflinkd starts" until_ok ctl health
add nfar "/run/netns/far-$TAG" far-0
rec=$(ls "$STATE"/nfar_net1.json 2>/dev/null)
check "the record of far-0 carries vfNumaNode 1 (the fixture's numa_node)" jq_file "$rec" '.vfNumaNode == 1'
add nany "/run/netns/any-$TAG" any-0
rec=$(ls "$STATE"/nany_net1.json 2>/dev/null)
check "the record of any-0 carries vfNumaNode -1" jq_file "$rec" '.vfNumaNode == -1'

check "pinned to node 0 with its VF on node 1: pflink_vf_numa_aligned 0" \
	scrape_has '^pflink_vf_numa_aligned\{pf="0000:02:00.0",vf_pci_address="0000:02:10.0",pod_namespace="team",pod="far-0",numa_node="1",cpus="0",cpu_nodes="0"\} 0$'
check "numa_node -1: aligned (1), never misaligned (its CPUs not even read)" \
	grep -qE '^pflink_vf_numa_aligned\{pf="0000:01:00.0",vf_pci_address="0000:01:10.0",pod_namespace="team",pod="any-0",numa_node="-1",cpus="",cpu_nodes=""\} 1$' "$T/m"
check "pflink_leaks{kind=\"numa_misaligned\"} 1" grep -qx 'pflink_leaks{kind="numa_misaligned"} 1' "$T/m"
check "pflink_vf_info carries numa_node 1 for 0000:02:10.0" \
	grep -qE '^pflink_vf_info\{.*vf_pci_address="0000:02:10.0".*numa_node="1"\} 1$' "$T/m"
grep '^pflink_vf_numa_aligned' "$T/m" | sed 's/^/    sample| /'
ctl leaks >"$T/leaks.txt" 2>&1
sed 's/^/    | /' "$T/leaks.txt"
check "pflinkctl leaks: numa_misaligned 0000:02:10.0, pod team/far-0 on CPUs 0 (node 0), VF on node 1" \
	grep -qE '^numa_misaligned +0000:02:10.0 +pod team/far-0 may run only on CPUs 0 \(NUMA node 0\); its VF is on node 1$' "$T/leaks.txt"
check "pflinkctl leaks: no finding for any-0 (numa_node -1)" not grep -q 'any-0' "$T/leaks.txt"
ans=$(ctl --json leaks)
check "the leaks op: numaNode 1, cpus \"0\", cpuNodes \"0\", pod far-0" \
	jq_text "$ans" 'any(.leaks[]; .kind == "numa_misaligned" and .vf == "0000:02:10.0" and .numaNode == 1 and .cpus == "0" and .cpuNodes == "0" and .pod.name == "far-0") and .counts.numa_misaligned == 1'

# --- the node table is read at every snapshot: CPU 0 moved to node 1,
#     node 0 memory-only (an empty cpulist, left out)
bash "$FIXTURE" node "$SYS" 0 ""
bash "$FIXTURE" node "$SYS" 1 0-4095
check "CPU 0 on node 1 now: far-0 aligned (1), cpu_nodes 1" \
	scrape_has '^pflink_vf_numa_aligned\{.*pod="far-0",numa_node="1",cpus="0",cpu_nodes="1"\} 1$'
check "and no numa_misaligned finding" grep -qx 'pflink_leaks{kind="numa_misaligned"} 0' "$T/m"
bash "$FIXTURE" node "$SYS" 0 0
bash "$FIXTURE" node "$SYS" 1 1-4095
check "back: misaligned again" scrape_has '^pflink_vf_numa_aligned\{.*pod="far-0",.*\} 0$'

# --- its process exits: the pod's CPUs are unknown, no series, no finding
kill "$FAR"
wait "$FAR" 2>/dev/null
check "far-0's process gone: no pflink_vf_numa_aligned for it" scrape_lacks 'pod="far-0",numa_node'
check "and pflink_leaks{kind=\"numa_misaligned\"} 0" grep -qx 'pflink_leaks{kind="numa_misaligned"} 0' "$T/m"

# --- processes that live a few ms each in a pod netns: pflinkd reads the
#     CPU list of one that may exit during the read (or whose pid is
#     reused), scrape after scrape.  Every scrape must be answered.
add nchurn "/run/netns/churn-$TAG" churn-0
( while :; do ip netns exec "churn-$TAG" taskset -c 0 true; done ) 2>/dev/null &
CHURN=$!
PIDS="$PIDS $CHURN"
fails=0
for _ in $(seq 60); do
	scrape || fails=$((fails + 1))
	ctl health >/dev/null 2>&1 || fails=$((fails + 1))
done
kill "$CHURN" 2>/dev/null
wait "$CHURN" 2>/dev/null
check "60 scrapes and health checks while pod processes come and go: all answered ($fails failed)" test "$fails" = 0
check "pflinkd still runs" kill -0 "$AGENT"
check "no sanitizer report in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"
tl_summary
