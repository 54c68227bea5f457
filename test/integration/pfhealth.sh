#!/bin/bash
# SPDX-License-Identifier: MIT
# PF health -> pods (agent/pfhealth.c): two PFs (veth links whose PCI
# address comes from the test shim), a pod on a VF of each.  One PF taken
# down with ip link (admin down, then up without carrier): the PF's
# series, the pod's pflink_vf_pf_usable, pflinkctl's tree, pflinkctl pf
# and pflinkctl pf-health say so, one PromQL query in a real Prometheus
# names exactly that pod and the alert rule fires; pflinkctl health (the
# liveness probe) still exits 0; the other pod is untouched; up again ->
# clear.  Bad input: a PF that vanishes (its netdev deleted, sriov_numvfs
# to 0, its VF gone) while a pod holds a VF.  Double allocation: two pods'
# records on one VF, one written by pflink itself.
# Usage: pfhealth.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT RULES_YAML DASHBOARD_JSON
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/prom.sh"
tl_skip_unless_root "pfhealth.sh" unshare prometheus promtool curl python3
tl_own_namespaces "$0" "$@"

PFLINKD=$2 CTL=$3 RULES=$6 DASH=$7
tl_setup "$1" "$4" "$5"
tl_fixture_extra
MP=9481 PP=9091
. "$(dirname "$0")/metrics_lib.sh"
# mhas REGEX: a scrape has a line matching REGEX (fails on no scrape)
mhas() { local m; m=$(curl -sf --max-time 5 "$MURL") || return 1; grep -qE -- "$1" <<<"$m"; }
mnot() { local m; m=$(curl -sf --max-time 5 "$MURL") || return 1; ! grep -qE -- "$1" <<<"$m"; }
# phj JQ-ARGS...: jq -e on pflinkctl --json pf-health (exit 0 or 1: findings)
phj() { local out rc; out=$(ctl --json pf-health); rc=$?; [ "$rc" -le 1 ] && jq_text "$out" "$@"; }
# ph_rc WANT: pflinkctl pf-health exits WANT
ph_rc() { ctl --no-color pf-health >"$T/ph.txt" 2>&1; [ $? = "$1" ]; }
pfj() { local out; out=$(ctl --json pf "$1") || return 1; jq_text "$out" "${@:2}"; }

# --- the node: two igb PFs up with carrier (the veth peer up), a pod on a
#     VF of each.
tl_dev "pfa$TAG" 02:ee:00:01:00:00 0000:01:00.0 igb
tl_dev "pfb$TAG" 02:ee:00:02:00:00 0000:02:00.0 igb
tl_dev "va0$TAG" 02:ee:01:10:00:00 0000:01:10.0 igbvf
tl_dev "vb0$TAG" 02:ee:02:10:00:00 0000:02:10.0 igbvf
tl_dev "ix0$TAG" 02:ee:0b:00:00:00 0000:0b:00.0 ixgbe
for l in pfa pfb ix0; do ip link set "$l$TAG" up; ip link set "$l${TAG}p" up; done
tl_netns "pha-$TAG"
tl_netns "phb-$TAG"
NSA=/run/netns/pha-$TAG NSB=/run/netns/phb-$TAG
ip link set "va0$TAG" netns "pha-$TAG" name net1
ip link set "vb0$TAG" netns "phb-$TAG" name net1

check "pflinkd starts" start_agent
add pha "$NSA" net1 web-a
add phb "$NSB" net1 web-b
PA='pf="0000:01:00.0",pf_netdev="pfa'$TAG'"' PB='pf="0000:02:00.0",pf_netdev="pfb'$TAG'"'

check "both PFs up: pflink_pf_link_up 1, state up" \
	until_ok eval "mhas '^pflink_pf_link_up\{$PA,state=\"up\",operstate=\"up\"\} 1$' && mhas '^pflink_pf_link_up\{$PB,state=\"up\",operstate=\"up\"\} 1$'"
check "pflink_vf_pf_usable 1 for web-a and web-b" \
	until_ok eval "mhas '^pflink_vf_pf_usable\{$PA,pf_state=\"up\",vf_pci_address=\"0000:01:10.0\",pod_namespace=\"team\",pod=\"web-a\",pod_uid=\"uid-web-a\",interface=\"net1\"\} 1$' && mhas '^pflink_vf_pf_usable\{$PB,.*pod=\"web-b\".*\} 1$'"
check "the PF's speed from ethtool (veth: 10000 Mb/s = 1250000000 bytes/s)" \
	mhas "^pflink_pf_link_speed_bytes\{$PA\} 1250000000$"
check "pflinkctl pf-health: exit 0, no finding" ph_rc 0
check "... and says so" grep -q '^no PF down under a pod' "$T/ph.txt"
check "pflinkctl --json pf: link up, usable" pfj 0000:01:00.0 '.pf.link.state == "up" and .pf.link.usable and .pf.link.carrier'
CC0=$(ctl --json pf 0000:01:00.0 | jq -r '.pf.link.carrierChanges // empty')
check "... with its carrier changes (${CC0:-none})" test -n "$CC0"

# --- Prometheus with the PrometheusRule's rules
prom_start "$RULES" "$MP"
check "Prometheus scrapes pflinkd" until_prom 'up{job="pflinkd"}' '.[0].value[1] == "1"'
check "PromQL pflink_vf_pf_usable == 0: no pod behind a failed PF" until_prom 'pflink_vf_pf_usable' 'length == 2'
check "... and none with 0" jq_cmd 'pq "pflink_vf_pf_usable == 0"' '. == []'

# --- PF a admin down
ip link set "pfa$TAG" down
check "PF a down: pflink_pf_link_up 0, state admin_down" \
	until_ok mhas "^pflink_pf_link_up\{$PA,state=\"admin_down\",operstate=\"down\"\} 0$"
check "... web-a's pflink_vf_pf_usable 0 (pf_state admin_down)" \
	mhas "^pflink_vf_pf_usable\{$PA,pf_state=\"admin_down\",vf_pci_address=\"0000:01:10.0\",pod_namespace=\"team\",pod=\"web-a\",.*\} 0$"
check "... web-b untouched: PF b up, its VF usable" \
	eval "mhas '^pflink_pf_link_up\{$PB,state=\"up\",operstate=\"up\"\} 1$' && mhas '^pflink_vf_pf_usable\{$PB,pf_state=\"up\",.*pod=\"web-b\".*\} 1$'"
check "... pflink_pf_health_findings{kind=pf_down} 1" mhas '^pflink_pf_health_findings\{kind="pf_down"\} 1$'
check "... no speed series while down" mnot "^pflink_pf_link_speed_bytes\{$PA\}"
check "pflinkctl pf-health exits 1" ph_rc 1
check "... naming PF a, admin_down, and pod team/web-a on its VF" \
	eval "grep -qE '^pf_down +0000:01:00.0 +PF 0000:01:00.0 pfa$TAG is admin_down: 1 pod VF without network: team/web-a' '$T/ph.txt' && grep -qE '^  pod team/web-a  VF 0000:01:10.0  net1' '$T/ph.txt'"
check "... and not web-b" eval "! grep -q web-b '$T/ph.txt'"
check "pflinkctl --json pf-health: one pf_down finding, pods exactly [team/web-a]" \
	phj '.findings | length == 1 and .[0].kind == "pf_down" and .[0].pf == "0000:01:00.0" and ([.[0].pods[] | .namespace + "/" + .name] == ["team/web-a"])'
check "pflinkctl health (the liveness probe) still exits 0" ctl health
ctl --no-color pf 0000:01:00.0 > "$T/pf.txt"
check "pflinkctl pf 0000:01:00.0 marks the PF down and the pod without network" \
	eval "grep -qE '^PF .*link admin_down: 1 pod VF without network' '$T/pf.txt' && grep -qE 'team/web-a.*no network: PF link admin_down' '$T/pf.txt'"
ctl --no-color show > "$T/tree.txt"
check "pflinkctl show: PF a marked, PF b not" \
	eval "[ \$(grep -c 'link admin_down' '$T/tree.txt') = 2 ] && ! grep -qE 'web-b.*no network' '$T/tree.txt'"
sed 's/^/    | /' "$T/ph.txt" "$T/pf.txt"
check "PromQL pflink_vf_pf_usable == 0 lists exactly team/web-a" \
	until_prom 'pflink_vf_pf_usable == 0' '[.[].metric | .pod_namespace + "/" + .pod] == ["team/web-a"]'
check "dashboard 'Pods behind a down PF' shows exactly team/web-a" \
	until_prom "$(jq -r '.panels[] | select(.title == "Pods behind a down PF") | .targets[0].expr' "$DASH" | sed 's/\$instance/.*/g')" \
	'[.[].metric | .pod_namespace + "/" + .pod] == ["team/web-a"]'
check "alert PflinkPFDownWithPods pending or firing for PF a" \
	until_prom 'ALERTS{alertname="PflinkPFDownWithPods"}' 'length == 1 and .[0].metric.pf == "0000:01:00.0"'

# --- up, but no carrier (the veth peer down)
ip link set "pfa${TAG}p" down
ip link set "pfa$TAG" up
check "PF a up without carrier: state no_carrier, web-a still not usable" \
	until_ok eval "mhas '^pflink_pf_link_up\{$PA,state=\"no_carrier\",operstate=\"lowerlayerdown\"\} 0$' && mhas '^pflink_vf_pf_usable\{$PA,pf_state=\"no_carrier\",.*pod=\"web-a\".*\} 0$'"
check "... pflinkctl pf-health still exits 1" ph_rc 1
ip link set "pfa${TAG}p" up
check "PF a with carrier again: up, web-a usable, no finding" \
	until_ok eval "mhas '^pflink_pf_link_up\{$PA,state=\"up\",operstate=\"up\"\} 1$' && mhas '^pflink_vf_pf_usable\{$PA,pf_state=\"up\",.*pod=\"web-a\".*\} 1$' && mhas '^pflink_pf_health_findings\{kind=\"pf_down\"\} 0$'"
check "pflinkctl pf-health exits 0 again" ph_rc 0
check "carrier changes counted (was $CC0)" \
	eval "[ \"\$(ctl --json pf 0000:01:00.0 | jq -r '.pf.link.carrierChanges')\" -gt $CC0 ]"
check "PromQL: no pod behind a failed PF any more" until_prom 'pflink_vf_pf_usable == 0' '. == []'
check "pflinkd counted its speed probes (one per change with carrier)" \
	eval "[ \"\$(ctl --json health | jq -r .speedProbes)\" -ge 3 ]"

# --- double allocation by two pods' records on one VF.  pflink refuses
#     a second pod a netdev VF it cannot find in its netns; a vfio-pci VF
#     (the fixture's 0000:0b:10.0) it gives by deviceID to any pod: two
#     pods' ADDs through the real plugin.
tl_netns "phc-$TAG"
tl_netns "phd-$TAG"
NSC=/run/netns/phc-$TAG NSD=/run/netns/phd-$TAG
add phc "$NSC" net9 dpdk-c '"deviceID":"0000:0b:10.0"'
add phd "$NSD" net9 dpdk-d '"deviceID":"0000:0b:10.0"'
leaksj() { local out rc; out=$(ctl --json leaks); rc=$?; [ "$rc" -le 1 ] && jq_text "$out" "$@"; }
dbl() {	# dbl VF POD...: one vf_double_allocated leak on VF, its record holders exactly these pods
	local vf=$1; shift
	leaksj --arg vf "$vf" --args '[.leaks[] | select(.kind == "vf_double_allocated" and .vf == $vf)] | length == 1 and .[0].pods == ($ARGS.positional | length) and ([.[0].holders[] | select(.source == "record") | .name] | sort == $ARGS.positional)' "$@"
}
check "two pflink ADDs on vfio-pci VF 0000:0b:10.0: vf_double_allocated, both records" \
	until_ok dbl 0000:0b:10.0 dpdk-c dpdk-d
check "/metrics: a pflink_vf_double_allocated series per record" \
	until_ok eval "[ \"\$(curl -sf $MURL | grep -c '^pflink_vf_double_allocated{pf=\"0000:0b:00.0\",vf_pci_address=\"0000:0b:10.0\",source=\"record\"')\" = 2 ]"
ctl --no-color leaks > "$T/leaks.txt"
check "pflinkctl leaks names both pods" grep -qE '^vf_double_allocated +0000:0b:10.0 +VF held by 2 pods: team/dpdk-[cd] \(record\), team/dpdk-[cd] \(record\)' "$T/leaks.txt"
CID=phd pflink_run DEL "$NSD" net9 "$(conf 1.1.0 '"deviceID":"0000:0b:10.0"' net9 "$NSD" | jq -c --arg s "$SOCK" '.agentSocket=$s | .prevResult.interfaces=[]')"
expect_ok "pflink DEL of dpdk-d"
check "dpdk-d's DEL: no double allocation" until_ok leaksj '.counts.vf_double_allocated == 0'
# web-b's netdev VF claimed by a second record, written as pflink writes
# one (atomically, into the state dir) for a pod in a live netns: the
# plugin would have refused the ADD, a stale or hand-made record is not.
rec() {	# rec CID POD NETNS
	printf '{"version":1,"network":"n","containerID":"%s","ifName":"net1","netns":"%s","vfPciAddress":"0000:02:10.0","pfPciAddress":"0000:02:00.0","podNamespace":"team","podName":"%s","podUID":"uid-%s","vfIndex":0,"created":1}' \
		"$1" "$3" "$2" "$2" > "$STATE/.$1.tmp" && mv "$STATE/.$1.tmp" "$STATE/$1_net1.json"
}
rec phx web-x "$NSC"
check "a second record on web-b's VF 0000:02:10.0: vf_double_allocated, web-b and web-x" \
	until_ok dbl 0000:02:10.0 web-b web-x
rec phy web-y "/run/netns/gone-$TAG"
check "a third record whose netns is gone is no holder: still web-b and web-x" \
	until_ok eval "leaksj '.counts.record_stale >= 1' && dbl 0000:02:10.0 web-b web-x"
rm -f "$STATE/phx_net1.json" "$STATE/phy_net1.json"
check "the records removed: no double allocation" until_ok leaksj '.counts.vf_double_allocated == 0'

# --- bad input: PF b vanishes (its netdev, its VFs: sriov_numvfs 0)
#     while web-b holds its VF
ip -n "phb-$TAG" link del net1
ip link del "pfb$TAG"
bash "$FIXTURE" rm "$SYS" 0000:02:10.0
rm -f "$SYS"/bus/pci/devices/0000:02:00.0/virtfn*
printf '0\n' > "$SYS/bus/pci/devices/0000:02:00.0/sriov_numvfs"
check "PF b vanished: its link series gone, no finding, web-b not claimed usable" \
	until_ok eval "mnot '^pflink_pf_link_up\{pf=\"0000:02:00.0\"' && mnot 'pod=\"web-b\"' && mhas '^pflink_pf_health_findings\{kind=\"pf_down\"\} 0$'"
check "... pflinkctl pf-health exits 0, PF b's state unknown" \
	eval "ph_rc 0 && phj '[.pfs[] | select(.pf == \"0000:02:00.0\")][0].state == \"unknown\"'"
ip link set "pfa$TAG" down
check "... and PF a down is still found with PF b gone" until_ok phj '.counts.pf_down == 1'
check "pflinkd alive, health ok" ctl health

stop_all
check "no sanitizer report from pflinkd" eval "! grep -qE 'Sanitizer|runtime error:' $T/agent.log"
grep -E 'Sanitizer|runtime error:' "$T/agent.log" | head -20
tl_summary
