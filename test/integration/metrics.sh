#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkd's /metrics scraped by a real Prometheus (Debian's) on loopback:
# PromQL answers "which pod holds VF X" and "traffic of pod Y" through
# pflink_vf_info joined to the counters; each leak series fires for a
# leak made here; the output passes promtool check metrics; hostile HTTP
# clients (garbage, a huge header, slowloris, 1000 connections) never
# stop the agent's answers to pflink.  VFs are veth links (their PCI
# address from the test shim); their traffic is real: pings between a
# "VF" in a pod netns and its peer, counted by the kernel.
# Usage: metrics.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT RULES_YAML DASHBOARD_JSON
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/prom.sh"
tl_skip_unless_root "metrics.sh" unshare prometheus promtool curl python3 ping
# Its own net, mount and pid namespaces: loopback and ports of its own,
# and the agent sees only this test's netns.
tl_own_namespaces "$0" "$@"

PFLINKD=$2 CTL=$3 RULES=$6 DASH=$7 HERE=$(cd "$(dirname "$0")" && pwd)
tl_setup "$1" "$4" "$5"
tl_fixture_extra
MP=9478 PP=9090
. "$(dirname "$0")/metrics_lib.sh"

# --- the node: two igb PFs, VFs in two pod netns, one in the host, a
#     vfio-pci VF (fixture extra) in a DPDK pod.
tl_dev "pfa$TAG" 02:dd:00:01:00:00 0000:01:00.0 igb
tl_dev "pfb$TAG" 02:dd:00:02:00:00 0000:02:00.0 igb
tl_dev "va0$TAG" 02:dd:01:10:00:00 0000:01:10.0 igbvf
tl_dev "va1$TAG" 02:dd:01:10:02:00 0000:01:10.2 igbvf
tl_dev "va3$TAG" 02:dd:01:10:06:00 0000:01:10.6 igbvf
tl_dev "vb0$TAG" 02:dd:02:10:00:00 0000:02:10.0 igbvf
tl_dev "ix0$TAG" 02:dd:0b:00:00:00 0000:0b:00.0 ixgbe
for p in a b c; do tl_netns "mx$p-$TAG"; done
NSA=/run/netns/mxa-$TAG NSB=/run/netns/mxb-$TAG NSC=/run/netns/mxc-$TAG
ip link set "va0$TAG" netns "mxa-$TAG" name net1
ip link set "vb0$TAG" netns "mxb-$TAG" name net1
ip link set "va1$TAG" netns "mxc-$TAG" name net1
ip -n "mxa-$TAG" addr add 10.99.1.2/24 dev net1
ip -n "mxa-$TAG" link set net1 up
ip addr add 10.99.1.1/24 dev "va0${TAG}p"
ip link set "va0${TAG}p" up
ip -n "mxb-$TAG" addr add 10.99.2.2/24 dev net1
ip -n "mxb-$TAG" link set net1 up
ip addr add 10.99.2.1/24 dev "vb0${TAG}p"
ip link set "vb0${TAG}p" up

check "pflinkd starts with --metrics-address 127.0.0.1:$MP" start_agent
add mxa "$NSA" net1 web-a
add mxb "$NSB" net1 web-b
add mxc "$NSC" net1 web-c
add mxd "$NSC" net9 dpdk-0 '"deviceID":"0000:0b:10.0"'

# --- the exposition itself
check "GET /metrics: 200, text format 0.0.4" \
	eval "curl -s -o $T/m1 -w '%{http_code} %{content_type}' $MURL | grep -qx '200 text/plain; version=0.0.4; charset=utf-8'"
check "promtool check metrics: no complaint" eval "[ -s $T/m1 ] && promtool check metrics < $T/m1"
check "pflink_vf_info: VF 0000:01:10.0 is net1 in $NSA, pod team/web-a" \
	grep -qE "^pflink_vf_info\{pf=\"0000:01:00.0\",pf_netdev=\"pfa$TAG\",vf=\"0\",vf_index=\"0\",vf_pci_address=\"0000:01:10.0\",driver=\"igbvf\",netdev=\"net1\",netns=\"$NSA\",pod_namespace=\"team\",pod=\"web-a\",pod_uid=\"uid-web-a\",pod_source=\"record\",interface=\"net1\",network=\"sriov-a\",mac=\"02:dd:01:10:00:00\"" "$T/m1"
check "pflink_vf_info: the vfio-pci VF 0000:0b:10.0 with its pod, no netdev" \
	grep -qE '^pflink_vf_info\{pf="0000:0b:00.0",.*vf_pci_address="0000:0b:10.0",driver="vfio-pci",netdev="",netns="",pod_namespace="team",pod="dpdk-0"' "$T/m1"
check "pflink_vf_info: numa_node from sysfs (1 for 0000:02:10.0)" \
	grep -qE '^pflink_vf_info\{.*vf_pci_address="0000:02:10.0".*numa_node="1"\} 1$' "$T/m1"
check "every VF of the fixture listed once ($(grep -c '^pflink_vf_info{' "$T/m1"))" \
	test "$(grep -c '^pflink_vf_info{' "$T/m1")" = "$(grep -o '^pflink_vf_info{[^}]*vf_pci_address="[^"]*"' "$T/m1" | sort -u | wc -l)"
check "pflink_pf_vfs: PF 0000:01:00.0 has 2 VFs in pods" grep -qx 'pflink_pf_vfs{pf="0000:01:00.0",state="in_pod"} 2' "$T/m1"
check "no vf_stats series from veth PFs (no VF table)" eval "! grep -q 'source=\"vf_stats\"' $T/m1"
check "GET / is 404, POST /metrics 405, HEAD /metrics 200" \
	eval "[ \"\$(curl -s -o /dev/null -w %{http_code} http://127.0.0.1:$MP/)\$(curl -s -o /dev/null -w %{http_code} -X POST -d x $MURL)\$(curl -s -o /dev/null -w %{http_code} -I $MURL)\" = 404405200 ]"

# --- traffic: 40 pings from pod web-a, 90 from web-b, paced
ping -q -c 40 -i 0.01 -W 1 10.99.1.2 >/dev/null
ip netns exec "mxb-$TAG" ping -q -c 90 -i 0.01 -W 1 10.99.2.1 >/dev/null
curl -s -o "$T/m2" "$MURL"
tx_a=$(awk '/^pflink_vf_receive_packets_total\{pf="0000:01:00.0",vf_pci_address="0000:01:10.0",source="netdev"\}/ { print $2 }' "$T/m2")
check "VF 0000:01:10.0 (web-a, pinged 40 times): receive_packets_total $tx_a >= 40" test "${tx_a:-0}" -ge 40
tx_b=$(awk '/^pflink_vf_transmit_packets_total\{pf="0000:02:00.0",vf_pci_address="0000:02:10.0",source="netdev"\}/ { print $2 }' "$T/m2")
check "VF 0000:02:10.0 (web-b, pinged out 90 times): transmit_packets_total $tx_b >= 90" test "${tx_b:-0}" -ge 90
idle=$(awk '/^pflink_vf_transmit_packets_total\{pf="0000:01:00.0",vf_pci_address="0000:01:10.2",source="netdev"\}/ { print $2 }' "$T/m2")
check "VF 0000:01:10.2 (web-c, no traffic sent): transmit_packets_total ${idle:-absent} < 10" test "${idle:-99}" -lt 10
# One line of each family, for whoever reads the log.
awk '!/^#/ { n = $0; sub(/[{ ].*/, "", n); sub(/_(bucket|sum|count)$/, "", n); if (!seen[n]++) print "    sample| " $0 }' "$T/m2"

# --- a real Prometheus scrapes it
prom_start "$RULES" "$MP"
check "Prometheus scrapes pflinkd (up == 1)" until_prom 'up{job="pflinkd"}' '.[0].value[1] == "1"'
check "PromQL: which pod holds VF 0000:01:10.0 -> team/web-a" \
	until_prom 'pflink_vf_info{vf_pci_address="0000:01:10.0"}' '.[0].metric.pod == "web-a" and .[0].metric.pod_namespace == "team" and .[0].metric.node == "node-1"'
check "PromQL: which pod holds the vfio-pci VF 0000:0b:10.0 -> team/dpdk-0" \
	until_prom 'pflink_vf_info{vf_pci_address="0000:0b:10.0"}' '.[0].metric.pod == "dpdk-0"'
check "PromQL: the VFs of pod team/web-b -> 0000:02:10.0 only" \
	until_prom 'pflink_vf_info{pod="web-b"}' '[.[].metric.vf_pci_address] == ["0000:02:10.0"]'
J='* on (pf, vf_pci_address) group_left (pod_namespace, pod) pflink_vf_info{pod!=""}'
check "PromQL: transmit packets by pod, joined: web-b >= 90, web-a < web-b" \
	until_prom "sum by (pod) (pflink_vf_transmit_packets_total{source=\"netdev\"} $J)" \
	'(map({(.metric.pod): (.value[1]|tonumber)}) | add) as $p | $p["web-b"] >= 90 and $p["web-a"] < $p["web-b"]'
ip netns exec "mxb-$TAG" ping -q -c 100 -i 0.01 -W 1 10.99.2.1 >/dev/null
check "PromQL: increase over 1m of web-b's transmitted packets >= 100 after 100 more" \
	until_prom "sum by (pod) (increase(pflink_vf_transmit_packets_total{source=\"netdev\"}[1m]) $J)" \
	'map(select(.metric.pod == "web-b"))[0].value[1] | tonumber >= 100'
check "recording rules pflink:vf_transmit_packets:rate1m and pflink:pod_transmit_packets:rate1m: web-b sends" \
	until_prom 'pflink:pod_transmit_packets:rate1m{pod="web-b"}' '.[0].value[1] | tonumber > 0'
check "recording rule pflink:pf_vfs_in_pod counts PF 0000:01:00.0's pods" \
	until_prom 'pflink:pf_vfs:in_pod{pf="0000:01:00.0"}' '.[0].value[1] == "2"'
# The dashboard's queries, as Grafana sends them ($instance: all).
jq -r '.panels[].targets[].expr' "$DASH" | sed 's/\$instance/.*/g' > "$T/dash.q"
bad_q="" n_q=0
while read -r q; do
	n_q=$((n_q + 1))
	pq "$q" >/dev/null || bad_q="$bad_q [$q]"
done < "$T/dash.q"
check "every query of the Grafana dashboard ($n_q) is valid PromQL here${bad_q:+:$bad_q}" \
	test -z "$bad_q" -a "$n_q" -gt 0
check "dashboard 'Pods by VF' shows web-b on 0000:02:10.0" \
	until_prom "$(jq -r '.panels[] | select(.title == "Pods by VF") | .targets[0].expr' "$DASH" | sed 's/\$instance/.*/g')" \
	'any(.[]; .metric.pod == "web-b" and .metric.vf_pci_address == "0000:02:10.0")'
check "dashboard 'Traffic by pod, sent' has web-b" \
	until_prom "$(jq -r '.panels[] | select(.title | startswith("Traffic by pod, sent")) | .targets[0].expr' "$DASH" | sed 's/\$instance/.*/g')" \
	'any(.[]; .metric.pod == "web-b" and (.value[1] | tonumber) > 0)'

# --- the leaks, each made here, each seen by Prometheus
check "before the leaks: no orphan series" jq_cmd "pq pflink_vf_orphaned" '. == []'
check "vf_unseen fires for VF 0000:01:10.4 (igbvf, no netdev anywhere)" \
	until_prom 'pflink_vf_unseen' 'any(.[]; .metric.vf_pci_address == "0000:01:10.4") and all(.[]; .metric.vf_pci_address != "0000:0b:10.0" and .metric.vf_pci_address != "0000:01:10.0")'
ip -n "mxa-$TAG" link set net1 netns 1 name "va0$TAG"	# pod web-a's VF back in the host, record kept
check "vf_orphaned{reason=pod_gone} fires for web-a's VF back in the host" \
	until_prom 'pflink_vf_orphaned{vf_pci_address="0000:01:10.0"}' '.[0].metric.reason == "pod_gone" and .[0].metric.pod == "web-a"'
ip netns del "mxc-$TAG"		# sandbox gone without CNI DEL (a veth dies with it)
check "record_stale fires for web-c's record (netns $NSC gone, no DEL)" \
	until_prom 'pflink_record_stale' "any(.[]; .metric.pod == \"web-c\" and .metric.netns == \"$NSC\")"
check "... and for dpdk-0's, which shared that netns" \
	until_prom 'pflink_record_stale{pod="dpdk-0"}' 'length == 1'
check "vf_orphaned{reason=netns_gone}: the vfio-pci VF of the dead sandbox, and web-c's (its veth died)" \
	until_prom 'pflink_vf_orphaned{reason="netns_gone"}' '[.[].metric.vf_pci_address] | sort == ["0000:01:10.2","0000:0b:10.0"]'
ip link set "va3$TAG" address 02:dd:02:10:00:00	# web-b's VF's MAC, on another VF
check "mac_duplicate fires for both VFs with MAC 02:dd:02:10:00:00" \
	until_prom 'pflink_vf_mac_duplicate{mac="02:dd:02:10:00:00"}' '[.[].metric.vf_pci_address] | sort == ["0000:01:10.6","0000:02:10.0"]'
check "pflink_leaks{kind} counts them (orphaned 3, stale 2, duplicate 2)" \
	until_prom 'pflink_leaks' 'map({(.metric.kind): .value[1]}) | add | .vf_orphaned == "3" and .record_stale == "2" and .mac_duplicate == "2"'
check "alert rule PflinkVFOrphaned is pending or firing" \
	until_prom 'ALERTS{alertname="PflinkVFOrphaned"}' 'length >= 1'

# --- pflinkctl leaks: the same findings, exit 1
ctl --no-color leaks > "$T/leaks.txt"
rc=$?
check "pflinkctl leaks exits 1 with leaks" test "$rc" = 1
for k in vf_orphaned record_stale vf_unseen mac_duplicate; do
	check "pflinkctl leaks lists $k" grep -q "^$k " "$T/leaks.txt"
done
# The leak counts /metrics gives, as JSON (fails when it gives none).
leak_counts() {
	local m
	m=$(curl -sf "$MURL") || return 1
	sed -nE 's/^pflink_leaks\{kind="([a-z_]+)"\} ([0-9]+)$/"\1":\2/p' <<<"$m" | paste -sd, | sed 's/^/{/; s/$/}/'
}
LC=$(leak_counts)
# (pflinkctl leaks exits 1 when there are leaks; an error prints nothing)
check "pflinkctl --json leaks: the same counts as /metrics (${LC:-none})" \
	jq_cmd 'ctl --json leaks || [ $? = 1 ]' --argjson m "${LC:-null}" '.counts == $m and .counts.vf_orphaned > 0'
sed 's/^/    | /' "$T/leaks.txt"

# --- hostile HTTP clients: the protocol socket keeps answering
lookups_ok() {	# lookups_ok N: N pf lookups, each answered (how fast: hack/bench.sh)
	local i
	for i in $(seq "$1"); do jq_cmd "ctl --timeout 10000 --json pf 0000:01:00.0" '.ok' || return 1; done
}
H="python3 $HERE/httpclients.py"
check "garbage bytes: a 400 or a close, nothing else ($($H garbage 127.0.0.1 $MP))" \
	eval "$H garbage 127.0.0.1 $MP | grep -qE '^(HTTP/1.1 400|-)'"
check "a 64 KiB header: refused ($($H bigheader 127.0.0.1 $MP))" \
	eval "$H bigheader 127.0.0.1 $MP | grep -qE '^(HTTP/1.1 4[0-9][0-9]|-)'"
$H hold 127.0.0.1 $MP 1000 12 > "$T/hold.out" &
HOLD=$!
$H slow 127.0.0.1 $MP 50 12 > "$T/slow.out" &
SLOW=$!
sleep 1
check "during 1000 idle and 50 slowloris connections: 50 pf lookups, each answered" lookups_ok 50
CID=mxe pflink_run ADD "$NSB" net1 "$(conf 1.1.0 '' net1 "$NSB" | jq -c --arg s "$SOCK" '.agentSocket=$s | .logLevel="info"')"
check "... and pflink's ADD takes the PF from pflinkd" eval "[ $RC = 0 ] && grep -q 'from pflinkd' $T/stderr"
check "... and a scrape from another address (127.0.0.2) is served" \
	eval "curl -s --max-time 5 --interface 127.0.0.2 -o /dev/null -w %{http_code} $MURL | grep -qx 200"
fds=$(ls "/proc/$AGENT/fd" | wc -l)
wait "$HOLD" "$SLOW"
# made FILE MIN: the hostile client made at least MIN connections (more
# than the server's limits); shut_all_but FILE MIN: and all but the 8 one
# address may keep were shut.
made() { local c; read -r _ c _ < "$1" && [ "${c:-0}" -ge "$2" ]; }
shut_all_but() { local c k; made "$1" "$2" && read -r _ c _ k < "$1" && [ "$k" -ge $((c - 8)) ]; }
check "... pflinkd held $fds descriptors during the attack (connections beyond the per-address limit are shut)" \
	eval 'made "$T/hold.out" 100 && [ "$fds" -lt 200 ]'
check "the server shut most held connections ($(cat "$T/hold.out"))" shut_all_but "$T/hold.out" 100
check "slowloris connections beyond the per-address limit shut ($(cat "$T/slow.out"))" shut_all_but "$T/slow.out" 40
check "after the attack Prometheus scrapes again" until_prom 'up{job="pflinkd"}' '.[0].value[1] == "1"'
check "pflinkd alive, health ok" ctl health

stop_all
check "no sanitizer report from pflinkd" eval "! grep -qE 'Sanitizer|runtime error:' $T/agent.log"
grep -E 'Sanitizer|runtime error:' "$T/agent.log" | head -20
tl_summary
