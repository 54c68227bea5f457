#!/bin/bash
# SPDX-License-Identifier: MIT
# pflink on real SR-IOV VFs (QEMU igb / Intel 82576 PFs, igbvf VFs).
#
# Runs inside the test VM as root; hack/vm-test.sh boots the VM and passes
# the build dir (with pflink and cnitool in it):
#     suite.sh BUILD_DIR [-x] [CASE...]
# CASE: chain map direct pf-netns swap del-gone devinfo-file parallel agent
# metrics pf-down errors vfio runtime agent-stress devlink vf-dirty sysfs-cache
# numa
# (default: all but numa, which needs a two-node VM: hack/vm-test.sh boots
# one for it);
# -x traces every command with a timestamp.
# Prints PASS:/FAIL: lines, then "N passed, N failed"; exits 1 on any
# failure, 2 when it cannot run at all.
# shellcheck disable=SC2016  # $x in single quotes are jq variables
# shellcheck disable=SC2034  # globals used by lib.sh
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=test/vm/lib.sh
. "$HERE/lib.sh"

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [-x] [CASE...]" >&2; exit 2; }
[ "${SRIOV_VM:-}" = 1 ] || { echo "$0: runs inside the SR-IOV test VM (see hack/vm-test.sh)" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || exit 2
shift
TRACE=0
[ "${1:-}" = -x ] && { TRACE=1; shift; }
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(chain map direct pf-netns swap del-gone devinfo-file parallel agent metrics pf-down devlink errors vfio runtime agent-stress vf-dirty sysfs-cache)
for f in "$BUILD/pflink-static" "$BUILD/pflinkd" "$BUILD/pflinkctl" "$BUILD/cnitool" /usr/lib/cni/host-device; do
	[ -x "$f" ] || { echo "$0: $f missing" >&2; exit 2; }
done
command -v jq >/dev/null || { echo "$0: jq missing" >&2; exit 2; }

T=$(mktemp -d /tmp/pflink-vm.XXXXXX)
BIN=$T/bin
NETDIR=$T/net.d
mkdir -p "$BIN" "$NETDIR" "$T/cache"
# Real drivers need no test shim, so the chain runs pflink-static, the
# plugin as it ships for hosts of any glibc (the same objects as pflink).
ln -s "$BUILD/pflink-static" "$BIN/pflink"
ln -s /usr/lib/cni/host-device "$BIN/host-device"
PFLINK=$BIN/pflink
CNITOOL=$BUILD/cnitool
PFLINKD=$BUILD/pflinkd
PFLINKCTL=$BUILD/pflinkctl
IFN=net1

read -r -a PFS <<<"$SRIOV_PFS"
read -r -a VFS <<<"$SRIOV_VFS"
[ "${#PFS[@]}" -ge 2 ] && [ "$SRIOV_NUMVFS" -ge 4 ] || {
	echo "$0: needs 2 PFs with 4 VFs each (run-in-vm.sh defaults)" >&2
	exit 2
}
declare -A PFDEV PFMAC
for p in "${PFS[@]}"; do
	PFDEV[$p]=$(netdev_of "$p")
	PFMAC[$p]=$(mac_of "${PFDEV[$p]}")
done
# The expected VF -> PF map, from the runner's summary (QEMU's topology).
declare -A WANT_PF
while read -r kind bdf _; do
	case $kind in PF) cur=$bdf ;; VF) WANT_PF[$bdf]=$cur ;; esac
done </run/sriov-vm/summary

echo "pflink VM suite: kernel $(uname -r), PFs: $(for p in "${PFS[@]}"; do printf '%s=%s ' "$p" "${PFDEV[$p]}"; done)"
echo "pflink VERSION: $(CNI_COMMAND=VERSION "$PFLINK" </dev/null)"

all_vfs_home() {
	local v
	for v in "${VFS[@]}"; do in_host "$v" || return 1; done
}
# Delete netns (if any) and wait for the kernel to hand its VFs back.
drop_ns() {
	local n
	for n in "$@"; do ip netns del "$n" 2>/dev/null; done
	wait_for 10 all_vfs_home || echo "    (warning: not every VF came back to the host netns)"
}

# -----------------------------------------------------------------------------
# 1. libcni chain host-device(pciBusID) -> pflink at 1.0.0, ADD/CHECK/DEL, one
#    VF of each PF.
case_chain() {
	local p=$1 idx=1 vf net ns cid res df sf
	vf=$(vf_n "$p" "$idx")
	net=chain-${p//[:.]/-}
	ns=/run/netns/$net
	cid=ctr-$net
	begin "chain 1.0.0 VF $vf of PF $p"
	ip netns add "$net"
	conflist "$net" "$vf"

	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add succeeds" [ "$RC" = 0 ]
	res=$T/$net/add.json
	cp "$T/out" "$res"
	check "VF is $IFN in the pod netns (bus-info $vf)" \
		[ "$(ip netns exec "$net" ethtool -i "$IFN" 2>/dev/null | awk '/^bus-info:/{print $2}')" = "$vf" ]
	check "result cniVersion is 1.0.0" jqf "$res" '.cniVersion == "1.0.0"'
	check "result keeps the sandbox interface $IFN in $ns" \
		jqf "$res" 'any(.interfaces[]; .name == $i and .sandbox == $n)' --arg i "$IFN" --arg n "$ns"
	check "result has host-side PF interface ${PFDEV[$p]} ${PFMAC[$p]}" \
		jqf "$res" 'any(.interfaces[]; .name == $n and .mac == $m and ((.sandbox // "") == ""))' \
		--arg n "${PFDEV[$p]}" --arg m "${PFMAC[$p]}"
	check "result has exactly one host-side interface" \
		jqf "$res" '[.interfaces[] | select((.sandbox // "") == "")] | length == 1'
	cni cached "$net" "$ns" "$IFN" "$cid"
	check "libcni cache (prevResult of CHECK/DEL) keeps the PF interface" \
		succeeded_with 'any(.interfaces[]; .name == $n and ((.sandbox // "") == ""))' --arg n "${PFDEV[$p]}"

	df=$(devinfo_file "$net")
	check "one device-info file in deviceInfoDir" [ "$(count_in "$T/$net/devinfo")" = 1 ]
	check "device-info: type pci, version 1.1.0, pci-address $vf, pf-pci-address $p" \
		jqf "$df" '.type == "pci" and .version == "1.1.0" and .pci."pci-address" == $v and .pci."pf-pci-address" == $p' \
		--arg v "$vf" --arg p "$p"
	sf=$(state_file "$net")
	check "one state file in stateDir" [ "$(count_in "$T/$net/state")" = 1 ]
	check "state: VF $vf index $idx, PF $p netdev ${PFDEV[$p]}, pod $cid" \
		jqf "$sf" '.vfPciAddress == $v and .vfIndex == ($i|tonumber) and .pfPciAddress == $p and .pfNetdev == $d and .podName == $c and .deviceInfoFile == $f' \
		--arg v "$vf" --arg i "$idx" --arg p "$p" --arg d "${PFDEV[$p]}" --arg c "$cid" --arg f "$df"

	cni check "$net" "$ns" "$IFN" "$cid"
	check "cnitool check succeeds" [ "$RC" = 0 ]

	cni del "$net" "$ns" "$IFN" "$cid"
	check "cnitool del succeeds" [ "$RC" = 0 ]
	check "DEL removed the state" [ "$(count_in "$T/$net/state")" = 0 ]
	check "DEL removed the device-info file" [ "$(count_in "$T/$net/devinfo")" = 0 ]
	check "VF $vf is back in the host netns" wait_for 5 in_host "$vf"
	drop_ns "$net"
}

# -----------------------------------------------------------------------------
# 2. Every VF of both PFs maps to its own PF (through libcni), the conflist's
#    cniVersion going round the older ones too.
case_map() {
	local vf net=map ns=/run/netns/map cid=ctr-map p got gotdev i=0 CONF_VERSION
	local -a versions=(1.0.0 0.4.0 0.3.1 0.3.0)
	begin "every VF maps to its PF"
	ip netns add "$net"
	for vf in "${VFS[@]}"; do
		p=${WANT_PF[$vf]}
		CONF_VERSION=${versions[i++ % 4]}
		conflist "$net" "$vf"
		cni add "$net" "$ns" "$IFN" "$cid"
		if [ "$RC" != 0 ]; then
			fail "add VF $vf at $CONF_VERSION (rc $RC)"
			continue
		fi
		gotdev=$(jq -r '[.interfaces[] | select((.sandbox // "") == "") | .name] | join(",")' "$T/out")
		got=$(jq -r '.pci."pf-pci-address"' "$(devinfo_file "$net")" 2>/dev/null)
		cni del "$net" "$ns" "$IFN" "$cid"
		if [ "$got" = "$p" ] && [ "$gotdev" = "${PFDEV[$p]}" ] && [ "$RC" = 0 ]; then
			pass "VF $vf -> PF $p (${PFDEV[$p]}), cniVersion $CONF_VERSION"
		else
			fail "VF $vf at $CONF_VERSION -> want PF $p (${PFDEV[$p]}), got pf-pci-address '$got', host-side '$gotdev', del rc $RC"
		fi
		wait_for 5 in_host "$vf"
	done
	check "no state or device-info left" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	drop_ns "$net"
}

# -----------------------------------------------------------------------------
# 3. Direct 1.1.0 calls (what a 1.1 runtime does per plugin): pciID on both
#    sides, CHECK with the ADD result, STATUS, VERSION, DEL; also a netns given
#    as /proc/PID/ns/net; also a deviceID that names another VF.
case_direct_110() {
	local p=${PFS[1]} vf vf2 net=direct ns=/run/netns/direct cid=ctr-direct conf prev res pid
	vf=$(vf_n "$p" 2)
	vf2=$(vf_n "$p" 3)
	begin "direct 1.1.0 VF $vf of PF $p"
	ip netns add "$net"
	prev=$(prev_result 1.1.0 "$IFN" "$ns" "$(mac_of "$(netdev_of "$vf")")")
	vf_into "$vf" "$net" "$IFN"
	conf=$(pflink_conf 1.1.0 "$net" "$prev")

	pflink_run ADD "$ns" "$IFN" "$cid" "$conf"
	check "ADD exits 0" [ "$RC" = 0 ]
	check "ADD prints exactly one JSON object" one_json_object
	res=$T/$net/add.json
	cp "$T/out" "$res"
	check "result cniVersion 1.1.0" jqf "$res" '.cniVersion == "1.1.0"'
	check "sandbox $IFN carries pciID $vf" \
		jqf "$res" 'any(.interfaces[]; .name == $i and .sandbox == $n and .pciID == $v)' \
		--arg i "$IFN" --arg n "$ns" --arg v "$vf"
	check "host-side ${PFDEV[$p]} ${PFMAC[$p]} carries pciID $p" \
		jqf "$res" 'any(.interfaces[]; .name == $d and .mac == $m and .pciID == $p and ((.sandbox // "") == ""))' \
		--arg d "${PFDEV[$p]}" --arg m "${PFMAC[$p]}" --arg p "$p"
	check "prevResult passes through (ips kept)" jqf "$res" '.ips == []'
	check "device-info pf-pci-address $p" jqf "$(devinfo_file "$net")" '.pci."pf-pci-address" == $p' --arg p "$p"

	pflink_run CHECK "$ns" "$IFN" "$cid" "$(pflink_conf 1.1.0 "$net" "$(cat "$res")")"
	check "CHECK with the ADD result exits 0 and prints nothing" quiet_success
	pflink_run STATUS - "" "" "$(pflink_conf 1.1.0 "$net" null)"
	check "STATUS exits 0" [ "$RC" = 0 ]
	pflink_run VERSION - "" "" '{"cniVersion":"1.1.0"}'
	check "VERSION lists 0.3.0..1.1.0" \
		succeeded_with '.supportedVersions == ["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'

	pflink_run DEL "$ns" "$IFN" "$cid" "$(pflink_conf 1.1.0 "$net" "$(cat "$res")")"
	check "DEL exits 0 and prints nothing" quiet_success
	check "DEL removed state and device-info" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]

	# deviceID (Multus) that is not the VF in the pod: refused, nothing left.
	pflink_run ADD "$ns" "$IFN" "$cid" "$(pflink_conf 1.1.0 "$net" "$prev" "\"deviceID\":\"$vf2\"")"
	check "ADD with deviceID $vf2 for VF $vf fails with code 103" failed_with 103
	check "failed ADD leaves no state or device-info" \
		[ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	pflink_run ADD "$ns" "$IFN" "$cid" "$(pflink_conf 1.1.0 "$net" "$prev" "\"deviceID\":\"$vf\"")"
	check "ADD with the right deviceID succeeds" [ "$RC" = 0 ]
	pflink_run DEL "$ns" "$IFN" "$cid" "$(pflink_conf 1.1.0 "$net" "$prev")"

	# GC (1.1.0; libcni 1.1.2 has no GC, so directly): two attachments, one
	# of them still valid.
	vf_into "$vf2" "$net" net2
	pflink_run ADD "$ns" "$IFN" "$cid-keep" "$(pflink_conf 1.1.0 "$net" "$prev")"
	pflink_run ADD "$ns" net2 "$cid-stale" \
		"$(pflink_conf 1.1.0 "$net" "$(prev_result 1.1.0 net2 "$ns" 00:00:00:00:00:00)")"
	check "two attachments recorded" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 22 ]
	pflink_run GC - "" "" "$(pflink_conf 1.1.0 "$net" null \
		"\"cni.dev/valid-attachments\":[{\"containerID\":\"$cid-keep\",\"ifname\":\"$IFN\"}]")"
	check "GC exits 0" [ "$RC" = 0 ]
	check "GC left one state and one device-info file" \
		[ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 11 ]
	check "the state GC kept is the valid attachment's" \
		jqf "$(state_file "$net")" '.containerID == $c' --arg c "$cid-keep"
	pflink_run DEL "$ns" "$IFN" "$cid-keep" "$(pflink_conf 1.1.0 "$net" "$prev")"
	drop_ns "$net"

	# A pod netns that is only /proc/PID/ns/net (no bind mount).
	unshare -n sleep 60 &
	pid=$!
	wait_for 5 own_netns "$pid"
	ip link set "$(netdev_of "$vf")" netns "$pid" name "$IFN"
	prev=$(prev_result 1.1.0 "$IFN" "/proc/$pid/ns/net" 00:00:00:00:00:00)
	pflink_run ADD "/proc/$pid/ns/net" "$IFN" "$cid-proc" "$(pflink_conf 1.1.0 "$net" "$prev")"
	check "ADD with CNI_NETNS=/proc/PID/ns/net resolves VF $vf to PF $p" \
		succeeded_with 'any(.interfaces[]; .pciID == $v) and any(.interfaces[]; .pciID == $p and .name == $d)' \
		--arg v "$vf" --arg p "$p" --arg d "${PFDEV[$p]}"
	pflink_run DEL "/proc/$pid/ns/net" "$IFN" "$cid-proc" "$(pflink_conf 1.1.0 "$net" "$prev")"
	check "DEL of it exits 0" [ "$RC" = 0 ]
	kill "$pid"
	wait "$pid" 2>/dev/null
	drop_ns
}

# -----------------------------------------------------------------------------
# 4. The PF lives in another netns, bind-mounted under /run/netns, renamed.
case_pf_in_netns() {
	local p=${PFS[1]} vf net=pfns-pod ns=/run/netns/pfns-pod cid=ctr-pfns pfns=pflink-pfns conf res
	vf=$(vf_n "$p" 0)
	begin "PF $p in netns /run/netns/$pfns"
	ip netns add "$pfns"
	ip link set "${PFDEV[$p]}" netns "$pfns" name uplink1
	check "PF is uplink1 in /run/netns/$pfns (bus-info $p)" \
		[ "$(ip netns exec "$pfns" ethtool -i uplink1 | awk '/^bus-info:/{print $2}')" = "$p" ]
	check "PF has no netdev in the host netns" not in_host "$p"
	check "the host's sysfs lists none under PF $p either (pflink's shortcut does not hold: it scans)" \
		eval '[ -z "$(ls "/sys/bus/pci/devices/$p/net" 2>/dev/null)" ]'
	ip netns add "$net"
	conflist "$net" "$vf"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add succeeds" [ "$RC" = 0 ]
	res=$T/$net/add.json
	cp "$T/out" "$res"
	# Listed without a sandbox it would say "host"; with one, Multus would
	# take it for the pod's interface: left out (docs/plugin.md).
	check "the PF in another netns is no interface of the result" \
		jqf "$res" '[.interfaces[] | select(.name == "uplink1")] == []'

	check "device-info pf-pci-address $p" jqf "$(devinfo_file "$net")" '.pci."pf-pci-address" == $p' --arg p "$p"
	check "state records pfNetns /run/netns/$pfns" \
		jqf "$(state_file "$net")" '.pfNetdev == "uplink1" and .pfNetns == $n' --arg n "/run/netns/$pfns"
	cni check "$net" "$ns" "$IFN" "$cid"
	check "cnitool check succeeds" [ "$RC" = 0 ]
	cni del "$net" "$ns" "$IFN" "$cid"
	check "cnitool del succeeds" [ "$RC" = 0 ]

	# 1.1.0: no interface for the PF in another netns; the VF's pciID.
	vf_into "$vf" "$net" "$IFN"
	conf=$(pflink_conf 1.1.0 "$net" "$(prev_result 1.1.0 "$IFN" "$ns" 00:00:00:00:00:00)")
	pflink_run ADD "$ns" "$IFN" "$cid" "$conf"
	check "1.1.0 ADD: no uplink1 entry, the VF's pciID $vf on $IFN" \
		jqf "$T/out" '([.interfaces[] | select(.name == "uplink1")] == []) and any(.interfaces[]; .name == $i and .pciID == $v)' \
		--arg i "$IFN" --arg v "$vf"
	pflink_run DEL "$ns" "$IFN" "$cid" "$conf"

	ip -n "$pfns" link set uplink1 netns 1 name "${PFDEV[$p]}"
	ip link set "${PFDEV[$p]}" up
	drop_ns "$net" "$pfns"
}

# -----------------------------------------------------------------------------
# 5. CHECK notices that the interface in the pod is not the VF of the ADD.
case_check_swap() {
	local p=${PFS[0]} q=${PFS[1]} vfa vfb vfc maca net=swap ns=/run/netns/swap cid=ctr-swap conf
	vfa=$(vf_n "$p" 2)
	vfb=$(vf_n "$p" 3)
	vfc=$(vf_n "$q" 1)
	begin "CHECK after a VF swap"
	ip netns add "$net"
	conflist "$net" "$vfa"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add of VF $vfa succeeds" [ "$RC" = 0 ]
	cni check "$net" "$ns" "$IFN" "$cid"
	check "cnitool check before the swap succeeds" [ "$RC" = 0 ]

	# host-device's own CHECK (first in the chain) compares the MAC, so the
	# swapped-in VF takes the old one: only pflink's BDF check can tell.
	# The VF goes up first, as host-device leaves it: a MAC change on a VF
	# that is down was refused (EADDRNOTAVAIL, nothing in dmesg) for a VF of
	# the PF that the PF-in-netns case had taken down and up; once the VF is
	# up (igbvf's open redoes its mailbox handshake with the PF) it works.
	maca=$(ip -n "$net" -j link show "$IFN" | jq -r '.[0].address')
	if_out "$net" "$IFN" swapped-a
	vf_into "$vfb" "$net" "$IFN"
	ip -n "$net" link set "$IFN" up
	macb=$(ip -n "$net" -j link show "$IFN" | jq -r '.[0].address')
	check "VF $vfb takes VF $vfa's MAC $maca in the pod" ip -n "$net" link set "$IFN" address "$maca"
	cni check "$net" "$ns" "$IFN" "$cid"
	check "VF $vfa swapped for $vfb (same PF, same MAC): cnitool check fails with code 104" \
		cni_failed_with 104
	note "$(jq -r .msg "$T/err" 2>/dev/null)"

	if_out "$net" "$IFN" swapped-b
	vf_into "$vfc" "$net" "$IFN"
	ip -n "$net" link set "$IFN" up
	macc=$(ip -n "$net" -j link show "$IFN" | jq -r '.[0].address')
	check "VF $vfc takes VF $vfa's MAC $maca in the pod" ip -n "$net" link set "$IFN" address "$maca"
	cni check "$net" "$ns" "$IFN" "$cid"
	check "VF $vfa swapped for $vfc (other PF, same MAC): cnitool check fails with code 104" \
		cni_failed_with 104
	note "$(jq -r .msg "$T/err" 2>/dev/null)"

	# Interface gone: host-device's CHECK says so first (through libcni),
	# so ask pflink itself, with the prevResult libcni cached.
	if_out "$net" "$IFN" swapped-c
	cni cached "$net" "$ns" "$IFN" "$cid"
	pflink_run CHECK "$ns" "$IFN" "$cid" "$(pflink_conf 1.0.0 "$net" "$(cat "$T/out")")"
	check "interface gone from the pod: pflink CHECK fails with code 105" failed_with 105

	ip link set swapped-a netns "$net" name "$IFN"
	cni check "$net" "$ns" "$IFN" "$cid"
	check "VF $vfa back as $IFN: cnitool check succeeds again" [ "$RC" = 0 ]

	# Without pflink state the prevResult's pciID (1.1.0) is the reference.
	conf=$(pflink_conf 1.1.0 "$net" "$(prev_result 1.1.0 "$IFN" "$ns" 00:00:00:00:00:00)")
	pflink_run ADD "$ns" "$IFN" "$cid-110" "$conf"
	cp "$T/out" "$T/$net/add110.json"
	rm -f "$T/$net/state/$cid-110_$IFN.json"
	if_out "$net" "$IFN" swapped-a
	ip link set swapped-b netns "$net" name "$IFN"
	pflink_run CHECK "$ns" "$IFN" "$cid-110" "$(pflink_conf 1.1.0 "$net" "$(cat "$T/$net/add110.json")")"
	check "no state, 1.1.0 prevResult pciID $vfa, pod has $vfb: CHECK fails with code 104" \
		failed_with 104
	pflink_run DEL "$ns" "$IFN" "$cid-110" "$conf"
	if_out "$net" "$IFN" swapped-b
	ip link set swapped-a netns "$net" name "$IFN"

	cni del "$net" "$ns" "$IFN" "$cid"
	check "cnitool del succeeds" [ "$RC" = 0 ]
	check "no state or device-info left" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	# Their own MACs back: three VFs with one MAC on the PFs' shared hub
	# would send a later case's traffic to the wrong VF (igb's switch
	# delivers a frame for a MAC of its own VF locally).
	check "VFs $vfb and $vfc get their own MACs back" \
		eval 'ip link set swapped-b address "$macb" && ip link set swapped-c address "$macc"'
	drop_ns "$net"
}

# -----------------------------------------------------------------------------
# 6. DEL after the pod netns is gone (the runtime tore the sandbox down first).
case_del_netns_gone() {
	local p=${PFS[0]} vf net=gone ns=/run/netns/gone cid=ctr-gone conf t0 t1
	vf=$(vf_n "$p" 1)
	begin "DEL after the pod netns is deleted"
	ip netns add "$net"
	conflist "$net" "$vf"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add succeeds" [ "$RC" = 0 ]
	cni cached "$net" "$ns" "$IFN" "$cid"
	conf=$(pflink_conf 1.0.0 "$net" "$(cat "$T/out")")
	t0=$(date +%s%N)
	ip netns del "$net"
	check "kernel returns VF $vf to the host netns after ip netns del" wait_for 5 in_host "$vf"
	t1=$(date +%s%N)
	note "VF back as $(netdev_of "$vf") after $(((t1 - t0) / 1000000)) ms"

	pflink_run DEL "$ns" "$IFN" "$cid" "$conf"
	check "DEL with CNI_NETNS=$ns (deleted) exits 0, prints nothing" quiet_success
	check "DEL removed state and device-info" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	pflink_run DEL "$ns" "$IFN" "$cid" "$conf"
	check "a second DEL exits 0" [ "$RC" = 0 ]
	# What a runtime gets from the whole chain (libcni: pflink's DEL, then
	# host-device's, which needs the netns; not pflink's to fix):
	cni del "$net" "$ns" "$IFN" "$cid"
	note "for comparison, cnitool del of the chain now: rc $RC $(cat "$T/err")"

	# Same with CNI_NETNS empty and unset (CNI allows DEL without a netns).
	ip netns add "$net"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add (again) succeeds" [ "$RC" = 0 ]
	ip netns del "$net"
	wait_for 5 in_host "$vf"
	pflink_run DEL "" "$IFN" "$cid" "$conf"
	check "DEL with CNI_NETNS empty exits 0" [ "$RC" = 0 ]
	check "DEL removed state and device-info" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	pflink_run DEL - "$IFN" "$cid" "$conf"
	check "DEL with CNI_NETNS unset exits 0" [ "$RC" = 0 ]
	pflink_run DEL - "$IFN" "never-added" "$(pflink_conf 1.0.0 "$net" null)"
	check "DEL of an attachment never added, no prevResult, exits 0" [ "$RC" = 0 ]
	drop_ns
}

# -----------------------------------------------------------------------------
# 7. Multus' CNIDeviceInfoFile (runtimeConfig): merge into the device
#    plugin's file, keep it on DEL.
case_devinfo_file() {
	local p=${PFS[1]} vf net=dpfile ns=/run/netns/dpfile cid=ctr-dpfile f
	vf=$(vf_n "$p" 1)
	f=$T/dp/$cid-$IFN.json
	begin "runtimeConfig.CNIDeviceInfoFile"
	mkdir -p "$T/dp"
	printf '{"type":"pci","version":"1.0.0","pci":{"pci-address":"%s"},"extra":1}\n' "$vf" >"$f"
	ip netns add "$net"
	conflist "$net" "$vf" '"capabilities": {"CNIDeviceInfoFile": true}'
	cni add "$net" "$ns" "$IFN" "$cid" "{\"CNIDeviceInfoFile\": \"$f\"}"
	check "cnitool add succeeds" [ "$RC" = 0 ]
	check "device plugin's file: pf-pci-address $p added, version 1.1.0, other keys kept" \
		jqf "$f" '.version == "1.1.0" and .pci."pci-address" == $v and .pci."pf-pci-address" == $p and .extra == 1' \
		--arg v "$vf" --arg p "$p"
	check "nothing written to deviceInfoDir" [ "$(count_in "$T/$net/devinfo")" = 0 ]
	cni del "$net" "$ns" "$IFN" "$cid" "{\"CNIDeviceInfoFile\": \"$f\"}"
	check "cnitool del succeeds" [ "$RC" = 0 ]
	check "DEL keeps the file pflink did not create" [ -f "$f" ]
	check "DEL removed the state" [ "$(count_in "$T/$net/state")" = 0 ]
	drop_ns "$net"
}

# -----------------------------------------------------------------------------
# 8. Pods start in parallel: one direct ADD per VF, all at once, then DEL.
case_parallel() {
	local v i=0 net=par ns
	local -a pids=()
	begin "parallel ADD of every VF"
	for v in "${VFS[@]}"; do
		ip netns add "$net$i"
		vf_into "$v" "$net$i" "$IFN"
		i=$((i + 1))
	done
	i=0
	for v in "${VFS[@]}"; do
		ns=/run/netns/$net$i
		pflink_conf 1.1.0 "$net" "$(prev_result 1.1.0 "$IFN" "$ns" 00:00:00:00:00:00)" >"$T/par$i.conf"
		CNI_COMMAND=ADD CNI_NETNS=$ns CNI_IFNAME=$IFN CNI_CONTAINERID=ctr-par$i CNI_PATH=$BIN \
			"$PFLINK" <"$T/par$i.conf" >"$T/par$i.out" 2>&1 &
		pids+=($!)
		i=$((i + 1))
	done
	i=0
	for v in "${VFS[@]}"; do
		if wait "${pids[i]}" &&
			jqf "$T/par$i.out" 'any(.interfaces[]; .pciID == $v) and any(.interfaces[]; .pciID == $p and .name == $d)' \
				--arg v "$v" --arg p "${WANT_PF[$v]}" --arg d "${PFDEV[${WANT_PF[$v]}]}"; then
			pass "VF $v in $net$i -> PF ${WANT_PF[$v]}"
		else
			cp "$T/par$i.out" "$T/out"
			fail "VF $v in $net$i"
		fi
		i=$((i + 1))
	done
	check "${#VFS[@]} state files" [ "$(count_in "$T/$net/state")" = "${#VFS[@]}" ]
	for ((i = 0; i < ${#VFS[@]}; i++)); do
		CNI_COMMAND=DEL CNI_NETNS=/run/netns/$net$i CNI_IFNAME=$IFN CNI_CONTAINERID=ctr-par$i \
			CNI_PATH=$BIN "$PFLINK" <"$T/par$i.conf" >/dev/null 2>&1 &
	done
	wait
	check "parallel DELs removed every state and device-info" \
		[ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	for ((i = 0; i < ${#VFS[@]}; i++)); do ip netns del "$net$i"; done
	drop_ns
}

# -----------------------------------------------------------------------------
# 9. What pflink says about real non-VF interfaces and a VF that vanished.
#    Runs last: it takes a PF down and destroys its VFs (then recreates them).
case_errors() {
	local p=${PFS[1]} vf net=errs ns=/run/netns/errs cid=ctr-errs conf n
	vf=$(vf_n "$p" 0)
	begin "errors on real devices"
	ip netns add "$net"
	conf=$(pflink_conf 1.1.0 "$net" "$(prev_result 1.1.0 "$IFN" "$ns" 00:00:00:00:00:00)")

	ip link set "${PFDEV[$p]}" netns "$net" name "$IFN"
	pflink_run ADD "$ns" "$IFN" "$cid" "$conf"
	check "the PF itself as the pod interface: code 101" failed_with 101
	check "... and the message names the PF's driver (igb)" grep -q 'driver igb)' "$T/out"
	ip -n "$net" link set "$IFN" netns 1 name "${PFDEV[$p]}"
	ip link set "${PFDEV[$p]}" up

	# (host-side names of their own: VFs the kernel handed back may be
	# called net1 by now)
	ip link add vm-veth0 type veth peer name vm-veth1
	ip link set vm-veth0 netns "$net" name "$IFN"
	pflink_run ADD "$ns" "$IFN" "$cid" "$conf"
	check "a veth as the pod interface (empty bus-info): code 100" failed_with 100
	ip -n "$net" link del "$IFN"

	pflink_run ADD "$ns" "$IFN" "$cid" "$conf"
	check "no interface in the pod: code 105" failed_with 105

	vf_into "$vf" "$net" "$IFN"
	pflink_run ADD "$ns" "$IFN" "$cid" "$conf"
	check "ADD of VF $vf succeeds" [ "$RC" = 0 ]
	cp "$T/out" "$T/$net/add.json"
	conf=$(pflink_conf 1.1.0 "$net" "$(cat "$T/$net/add.json")")
	echo 0 >"/sys/bus/pci/devices/$p/sriov_numvfs"
	check "sriov_numvfs=0 removed the VF from the pod" not ns_has "$net" "$IFN"
	pflink_run CHECK "$ns" "$IFN" "$cid" "$conf"
	check "CHECK after the VF vanished: code 105" failed_with 105
	pflink_run DEL "$ns" "$IFN" "$cid" "$conf"
	check "DEL after the VF vanished exits 0, prints nothing" quiet_success
	check "... and removed state and device-info" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]

	echo "$SRIOV_NUMVFS" >"/sys/bus/pci/devices/$p/sriov_numvfs"
	for ((n = 0; n < SRIOV_NUMVFS; n++)); do
		wait_for 20 in_host "$(vf_n "$p" "$n")" || echo "    (warning: VF $n of $p has no netdev)"
	done
	drop_ns "$net"
}

# -----------------------------------------------------------------------------
# 10. pflinkd + pflinkctl on the real drivers: the map, IFLA_VFINFO_LIST
#     config, a pod followed through libcni, an orphan after ip netns del
#     (and that the agent lets the netns die), and pflink's result with and
#     without the agent.
AGENT=
AGSOCK=
ctl() { "$PFLINKCTL" --socket "$AGSOCK" "$@"; }
start_agent() {
	"$PFLINKD" --socket "$AGSOCK" --state-dir "$T/agent/state" --rescan-ms 500 \
		--log-level debug 2>>"$T/agent.log" &
	AGENT=$!
	wait_for 10 eval 'ctl health >/dev/null 2>&1'
}
stop_agent() {
	[ -n "$AGENT" ] || return 0
	kill -TERM "$AGENT" 2>/dev/null
	wait "$AGENT" 2>/dev/null
	AGENT=
}
# agq CTL-ARGS...: pflinkctl --json's answer in $T/ag.json
agq() { ctl --json "$@" >"$T/ag.json" 2>"$T/ag.err"; }
# ag_until SECONDS "CTL ARGS" JQ-FILTER [JQ ARGS...]: the map (eventually
# consistent, rescan 500 ms) satisfies FILTER within SECONDS.
ag_until() {
	local s=$1 a=$2
	shift 2
	local -a jqa=("$@")
	# shellcheck disable=SC2086
	wait_for "$s" eval 'agq $a && jq_file "$T/ag.json" "${jqa[@]}" 2>/dev/null'
}
# Time (ms) for VF $1 to be back in the host netns after ip netns del $2.
# $3: seconds to wait.  Sets BACK_MS (or "never").
del_and_time() {
	local t0 t1
	t0=$(date +%s%N)
	ip netns del "$2"
	if wait_for "$3" in_host "$1"; then
		t1=$(date +%s%N)
		BACK_MS=$(((t1 - t0) / 1000000))
	else
		BACK_MS=never
	fi
}

case_agent() {
	local p=${PFS[0]} q=${PFS[1]} vf vf2 v net=agent pod=agent-pod cid=ctr-agent ns
	local ino out refused="" bad="" with_ms without_ms holder
	ns=/run/netns/$pod
	vf=$(vf_n "$p" 0)
	vf2=$(vf_n "$q" 2)
	begin "pflinkd and pflinkctl on real VFs"
	AGSOCK=$(mktemp -d /tmp/pflinkd.XXXXXX)/pflinkd.sock
	mkdir -p "$T/$net/state" "$T/$net/devinfo"
	check "pflinkd starts (state dir $T/$net/state, rescan 500 ms) and answers health" start_agent
	note "$(ctl health 2>&1)"
	note "$(ctl --json health 2>&1)"

	# --- the map: both PFs in the host netns, every VF with its netdev
	agq show
	cp "$T/ag.json" "$T/agent-show0.json"
	for v in "${PFS[@]}"; do
		check "show: PF $v igb, ${PFDEV[$v]} ${PFMAC[$v]} in the host netns, $SRIOV_NUMVFS VFs" \
			jqf "$T/agent-show0.json" 'any(.pfs[]; .pciAddress == $p and .driver == "igb" and .numvfs == ($n|tonumber) and (.vfs|length) == ($n|tonumber) and any(.netdevs[]; .name == $d and .mac == $m and .netns == "host"))' \
			--arg p "$v" --arg d "${PFDEV[$v]}" --arg m "${PFMAC[$v]}" --arg n "$SRIOV_NUMVFS"
	done
	for v in "${VFS[@]}"; do
		jqf "$T/agent-show0.json" 'any(.pfs[] | select(.pciAddress == $p) | .vfs[]; .pciAddress == $v and .driver == "igbvf" and any(.netdevs[]; .name == $d and .netns == "host"))' \
			--arg p "${WANT_PF[$v]}" --arg v "$v" --arg d "$(netdev_of "$v")" || bad="$bad $v"
	done
	check "show: all ${#VFS[@]} VFs under their PF, igbvf, with their host netdev${bad:+ (wrong:$bad)}" [ -z "$bad" ]

	# --- VF config from the PF's IFLA_VFINFO_LIST
	out=$(ip link set "${PFDEV[$p]}" vf 0 mac 02:11:22:33:44:55 vlan 10 2>&1)
	check "igb accepts 'vf 0 mac 02:11:22:33:44:55 vlan 10'${out:+ ($out)}" [ -z "$out" ]
	for v in "trust on" "spoofchk off"; do
		# shellcheck disable=SC2086
		if out=$(ip link set "${PFDEV[$p]}" vf 0 $v 2>&1); then
			note "igb accepts 'vf 0 $v'"
		else
			note "igb REFUSES 'vf 0 $v': $out"
			refused="$refused ${v%% *}"
		fi
	done
	note "ip link: $(ip link show "${PFDEV[$p]}" | grep -E '^ +vf 0 ' | sed 's/^ *//')"
	check "pflinkctl vf $vf: config mac 02:11:22:33:44:55 vlan 10" \
		ag_until 5 "vf $vf" '.vf.config.mac == "02:11:22:33:44:55" and .vf.config.vlan == 10'
	note "config: $(jq -c .vf.config "$T/ag.json" 2>/dev/null)"
	case $refused in *spoofchk*) ;; *)
		check "pflinkctl vf $vf: config spoofchk false" jqf "$T/ag.json" '.vf.config.spoofchk == false' ;;
	esac
	case $refused in *trust*) ;; *)
		check "pflinkctl vf $vf: config trust true" jqf "$T/ag.json" '.vf.config.trust == true' ;;
	esac
	check "pflinkctl vf $vf: .pf is $p" jqf "$T/ag.json" '.pf.pciAddress == $p and (.pf | has("vfs") | not)' --arg p "$p"
	out=$(ip link set "${PFDEV[$p]}" vf 0 vlan 0 spoofchk on trust off 2>&1) ||
		note "reset 'vf 0 vlan 0 spoofchk on trust off' refused: $out"
	out=$(ip link set "${PFDEV[$p]}" vf 0 mac 00:00:00:00:00:00 2>&1) || note "reset 'vf 0 mac 00:00:00:00:00:00' refused: $out"
	check "pflinkctl vf $vf follows the reset (vlan 0, mac 00:00:00:00:00:00, spoofchk on, trust off)" \
		ag_until 5 "vf $vf" '.vf.config.vlan == 0 and .vf.config.mac == "00:00:00:00:00:00" and .vf.config.spoofchk and (.vf.config.trust | not)'
	note "config: $(jq -c .vf.config "$T/ag.json" 2>/dev/null)"

	# Earlier cases leave VFs the kernel renamed dev<N> in the host netns;
	# pflinkd flags those orphan by name (no record needed), and
	# host-device's DEL gives a VF back its pre-ADD name.  Give this VF a
	# name of its own so that a clean DEL is expected to clear the flag.
	v=$(netdev_of "$vf2")
	if [[ $v =~ ^dev[0-9]+$ ]]; then
		ag_until 5 "vf $vf2" '.vf.orphan != ""'
		note "VF $vf2 is $v before the pod: pflinkctl says orphan='$(jq -r .vf.orphan "$T/ag.json" 2>/dev/null)'"
		ip link set "$v" down
		ip link set "$v" name agvf
	fi

	# --- a pod through libcni: host-device -> pflink with agentSocket
	ip netns add "$pod"
	conflist "$net" "$vf2" "\"agentSocket\": \"$AGSOCK\""
	: >"$T/pflink.log"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add (agentSocket set) succeeds" [ "$RC" = 0 ]
	cp "$T/out" "$T/$net/add-agent.json"
	jq -S 'del(.pci."pci-address") ' "$(devinfo_file "$net")" >"$T/$net/devinfo-agent.json" 2>/dev/null
	# The PF is in the host netns, where sysfs (the host's) lists its
	# netdev: pflink names it from there, checked by netlink, and asks
	# nobody; pflinkd is asked below, for a PF only it can find.
	check "pflink named the PF from sysfs, checked by netlink (no question to pflinkd)" \
		sh -c "grep -q 'from sysfs checked by netlink' '$T/pflink.log' && ! grep -q 'from pflinkd' '$T/pflink.log'"
	grep -h "PF .* is " "$T/pflink.log" | tail -n 1 | sed 's/^/    pflink.log| /'
	check "pflinkctl vf $vf2: $IFN in $ns, pod vmtest/$cid, not orphan" \
		ag_until 5 "vf $vf2" '.vf.netdevs[0].name == $i and .vf.netdevs[0].netns == $n and .vf.pod.namespace == "vmtest" and .vf.pod.name == $c and .vf.pod.ifname == $i and .vf.pod.network == $w and .vf.orphan == ""' \
		--arg i "$IFN" --arg n "$ns" --arg c "$cid" --arg w "$net"
	check "pflinkctl pod vmtest/$cid: one attachment, VF $vf2 of PF $q" \
		ag_until 5 "pod vmtest/$cid" '(.attachments | length) == 1 and .attachments[0].vf.pciAddress == $v and .attachments[0].pf.pciAddress == $p' \
		--arg v "$vf2" --arg p "$q"

	# The real tree, as a person sees it.
	ctl --no-color show >"$T/show.txt" 2>&1
	echo "    --- pflinkctl --no-color show (pod $cid attached) ---"
	sed 's/^/    | /' "$T/show.txt"
	for v in "${PFS[@]}"; do
		check "show: PF line '$v igb ${PFDEV[$v]} host VFs $SRIOV_NUMVFS/...'" \
			grep -qE "^PF +$v +igb +${PFDEV[$v]} +host +VFs $SRIOV_NUMVFS/[0-9]+ .*mac ${PFMAC[$v]}" "$T/show.txt"
	done
	check "show: VF 2 line '$vf2 igbvf $IFN $ns vmtest/$cid'" \
		grep -qE "VF 2 +$vf2 +igbvf +$IFN +$ns +vmtest/$cid" "$T/show.txt"
	check "show: one VF line per VF (${#VFS[@]})" [ "$(grep -cE 'VF [0-9]+ +0000:' "$T/show.txt")" = "${#VFS[@]}" ]
	check "show: summary '2 PFs, ${#VFS[@]} VFs (1 in pods'" grep -qF "2 PFs, ${#VFS[@]} VFs (1 in pods" "$T/show.txt"
	check "show: no colour escapes with --no-color" not grep -q $'\033' "$T/show.txt"

	cni del "$net" "$ns" "$IFN" "$cid"
	check "cnitool del succeeds" [ "$RC" = 0 ]
	check "after DEL pflinkctl shows VF $vf2 back in the host netns without a pod" \
		ag_until 5 "vf $vf2" '.vf.netdevs[0].netns == "host" and (.vf | has("pod") | not) and .vf.orphan == ""'

	# --- the same ADD with agentSocket "": identical result and device-info
	conflist "$net" "$vf2" '"agentSocket": ""'
	: >"$T/pflink.log"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add (agentSocket \"\") succeeds" [ "$RC" = 0 ]
	check "pflink resolved the PF itself" grep -q "from sysfs checked by netlink" "$T/pflink.log"
	check "ADD result identical with and without the agent" \
		[ "$(jq -S . "$T/out")" = "$(jq -S . "$T/$net/add-agent.json")" ]
	check "device-info identical with and without the agent" \
		[ "$(jq -S 'del(.pci."pci-address")' "$(devinfo_file "$net")")" = "$(cat "$T/$net/devinfo-agent.json")" ]
	if ! [ "$(jq -S . "$T/out")" = "$(jq -S . "$T/$net/add-agent.json")" ]; then
		diff <(jq -S . "$T/$net/add-agent.json") <(jq -S . "$T/out") | sed 's/^/    diff| /'
	fi
	cni del "$net" "$ns" "$IFN" "$cid"

	# --- a PF only pflinkd can find: in a netns a process holds, no bind
	#     mount.  The host's sysfs lists no netdev under a PF whose netdev
	#     left the host netns, so pflink asks the agent.
	unshare -n sleep 600 &
	holder=$!
	wait_for 5 eval '[ "$(stat -L -c %i /proc/$holder/ns/net)" != "$(stat -L -c %i /proc/self/ns/net)" ]'
	ip link set "${PFDEV[$q]}" netns "$holder" name uplinkq
	check "the kernel's sysfs lists no netdev under PF $q once its netdev left the host netns" \
		eval '[ -z "$(ls "/sys/bus/pci/devices/$q/net" 2>/dev/null)" ]'
	check "pflinkctl pf $q: uplinkq in the holder's netns" \
		ag_until 5 "pf $q" '.pf.netdevs[0].name == "uplinkq"'
	conflist "$net" "$vf2" "\"agentSocket\": \"$AGSOCK\""
	: >"$T/pflink.log"
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add, the PF in a process's netns, succeeds" [ "$RC" = 0 ]
	check "... pflink took the PF from pflinkd" grep -q "from pflinkd" "$T/pflink.log"
	check "... the PF in the process's netns is no interface of the result, the record names it" \
		eval 'jqf "$T/out" "[.interfaces[] | select(.name == \"uplinkq\")] == []" && jqf "$(state_file "$net")" ".pfNetdev == \"uplinkq\" and .pfNetns == \"pid:$holder\""'
	cni del "$net" "$ns" "$IFN" "$cid"
	check "cnitool del succeeds" [ "$RC" = 0 ]
	nsenter -t "$holder" -n ip link set uplinkq netns 1 name "${PFDEV[$q]}"
	ip link set "${PFDEV[$q]}" up
	kill "$holder"; wait "$holder" 2>/dev/null

	# --- orphan: ADD, then ip netns del without a CNI DEL.  pflinkd holds
	#     sockets in every netns it tracks: it must let this one die.
	conflist "$net" "$vf2" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add (for the orphan) succeeds" [ "$RC" = 0 ]
	ag_until 5 "vf $vf2" '.vf.netdevs[0].netns == $n' --arg n "$ns"
	ino=$(stat -L -c %i "$ns")
	check "pflinkd tracks the pod netns (inode $ino)" \
		wait_for 5 grep -q "tracking netns $ns (inode $ino)" "$T/agent.log"
	del_and_time "$vf2" "$pod" 20
	with_ms=$BACK_MS
	# The VF comes back only when the netns's last reference goes: the
	# agent's sockets in it would keep it alive.
	check "VF $vf2 comes back to the host while pflinkd runs (after $with_ms ms)" [ "$with_ms" != never ]
	check "pflinkd logs the netns gone" wait_for 5 grep -q "netns $ns (inode $ino) is gone" "$T/agent.log"
	check "pflinkctl flags VF $vf2 orphan within 5 s" ag_until 5 "vf $vf2" '.vf.orphan != ""'
	note "orphan: $(jq -r .vf.orphan "$T/ag.json" 2>/dev/null) (VF is $(netdev_of "$vf2"))"
	ctl --no-color show >"$T/show.txt" 2>&1
	check "show marks the orphan on VF $vf2's line" grep -qE "$vf2 .*orphan" "$T/show.txt"
	grep -E "$vf2 |orphan" "$T/show.txt" | sed 's/^/    | /'
	pflink_run DEL "$ns" "$IFN" "$cid" "$(pflink_conf 1.0.0 "$net" null)"
	check "pflink DEL (netns gone) clears the record" [ "$RC" = 0 ]
	check "... and pflinkctl drops the pod and the pod orphan (a dev<N> name may stay flagged)" \
		ag_until 5 "vf $vf2" '(.vf | has("pod") | not) and (.vf.orphan | contains("vmtest/") | not)'
	note "after DEL: orphan='$(jq -r .vf.orphan "$T/ag.json" 2>/dev/null)' netdev $(netdev_of "$vf2")"
	check "pflinkd still healthy" eval 'ctl health >/dev/null'
	check "no sanitizer report or crash in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"

	# The same deletion without the agent, for the time.
	stop_agent
	ip netns add "$pod"
	conflist "$net" "$vf2" '"agentSocket": ""'
	cni add "$net" "$ns" "$IFN" "$cid"
	del_and_time "$vf2" "$pod" 20
	without_ms=$BACK_MS
	note "VF back in the host after ip netns del: $with_ms ms with pflinkd running, $without_ms ms without"
	pflink_run DEL "$ns" "$IFN" "$cid" "$(pflink_conf 1.0.0 "$net" null)"
	check "SIGTERM removed the socket" [ ! -e "$AGSOCK" ]
	rm -rf "${AGSOCK%/*}"
	drop_ns
}

# -----------------------------------------------------------------------------
# 11. A VF bound to vfio-pci (what DPDK and KubeVirt pods get): no netdev
#     anywhere.  host-device (pciBusID) -> pflink through libcni, with the
#     VF's address in pflink's deviceID as Multus injects it; pflinkd names
#     its pod; then the VF given back to igbvf while the record says
#     vfio-pci: CHECK says the attachment drifted.
bind_to() {	# bind_to BDF DRIVER
	local cur
	cur=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && echo "$1" >"/sys/bus/pci/devices/$1/driver/unbind"
	echo "$2" >"/sys/bus/pci/devices/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	echo >"/sys/bus/pci/devices/$1/driver_override"
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = "$2" ]
}
case_vfio() {
	local p=${PFS[0]} vf net=vfio pod=vfio-pod cid=ctr-vfio ns res sf df grp
	ns=/run/netns/$pod
	vf=$(vf_n "$p" 2)
	begin "VF $vf on vfio-pci (no netdev) through libcni"
	if [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
		CASE='' fail "no IOMMU groups: the VM needs run-in-vm.sh -i (hack/vm-test.sh passes it)"
		return
	fi
	modprobe vfio-pci 2>/dev/null
	check "VF $vf rebinds to vfio-pci" bind_to "$vf" vfio-pci
	grp=$(basename "$(readlink "/sys/bus/pci/devices/$vf/iommu_group")")
	check "... has no netdev anywhere, keeps its physfn, and /dev/vfio/$grp exists" \
		eval '! in_host "$vf" && [ "$(basename "$(readlink /sys/bus/pci/devices/$vf/physfn)")" = "$p" ] && [ -e "/dev/vfio/$grp" ]'
	AGSOCK=$(mktemp -d /tmp/pflinkd.XXXXXX)/pflinkd.sock
	mkdir -p "$T/$net/state"
	"$PFLINKD" --socket "$AGSOCK" --state-dir "$T/$net/state" --rescan-ms 500 \
		--log-level debug 2>>"$T/agent.log" &
	AGENT=$!
	check "pflinkd starts" wait_for 10 eval 'ctl health >/dev/null 2>&1'
	ip netns add "$pod"
	conflist "$net" "$vf" '"deviceID": "'"$vf"'", "agentSocket": "'"$AGSOCK"'"'
	cni add "$net" "$ns" "$IFN" "$cid"
	check "cnitool add succeeds (host-device moves nothing, pflink takes the VF from deviceID)" [ "$RC" = 0 ]
	res=$T/$net/add.json
	cp "$T/out" "$res"
	check "result: the sandbox interface $IFN" \
		jqf "$res" 'any(.interfaces[]; .name == $i and .sandbox == $n)' --arg i "$IFN" --arg n "$ns"
	check "result: host-side PF interface ${PFDEV[$p]} ${PFMAC[$p]}, the only one" \
		jqf "$res" '[.interfaces[] | select((.sandbox // "") == "") | {name, mac}] == [{name: $d, mac: $m}]' \
		--arg d "${PFDEV[$p]}" --arg m "${PFMAC[$p]}"
	df=$(devinfo_file "$net")
	check "device-info: pci-address $vf, pf-pci-address $p" \
		jqf "$df" '.pci."pci-address" == $v and .pci."pf-pci-address" == $p' --arg v "$vf" --arg p "$p"
	sf=$(state_file "$net")
	check "record: VF $vf on vfio-pci, index 2, PF $p (${PFDEV[$p]}), pod vmtest/$cid" \
		jqf "$sf" '.vfPciAddress == $v and .vfDriver == "vfio-pci" and .vfIndex == 2 and .pfPciAddress == $p and .pfNetdev == $d and .podNamespace == "vmtest" and .podName == $c' \
		--arg v "$vf" --arg p "$p" --arg d "${PFDEV[$p]}" --arg c "$cid"
	check "pflinkctl vf $vf: driver vfio-pci, no netdev, pod vmtest/$cid" \
		ag_until 5 "vf $vf" '.vf.driver == "vfio-pci" and .vf.netdevs == [] and .vf.pod.namespace == "vmtest" and .vf.pod.name == $c and .vf.orphan == ""' --arg c "$cid"
	ctl --no-color vf "$vf" | sed 's/^/    | /'
	# CHECK straight to pflink: host-device 1.1.1's own CHECK looks for
	# a netdev the VF does not have.
	pflink_run CHECK "$ns" "$IFN" "$cid" "$(pflink_conf 1.0.0 "$net" "$(cat "$res")" '"deviceID": "'"$vf"'"')"
	check "pflink CHECK passes" quiet_success
	check "VF $vf back on igbvf (a netdev in the host again)" eval 'bind_to "$vf" igbvf && wait_for 5 in_host "$vf"'
	pflink_run CHECK "$ns" "$IFN" "$cid" "$(pflink_conf 1.0.0 "$net" "$(cat "$res")" '"deviceID": "'"$vf"'"')"
	check "CHECK after the VF went back to igbvf: drift (code 104)" failed_with 104
	note "$(jq -r .msg "$T/out" 2>/dev/null)"
	check "VF $vf rebinds to vfio-pci again" bind_to "$vf" vfio-pci
	cni del "$net" "$ns" "$IFN" "$cid"
	check "cnitool del succeeds" [ "$RC" = 0 ]
	check "DEL removed the record and the device-info" [ "$(count_in "$T/$net/state")$(count_in "$T/$net/devinfo")" = 00 ]
	check "pflinkctl: the VF has no pod any more" ag_until 5 "vf $vf" '(.vf | has("pod") | not)'
	stop_agent
	rm -rf "${AGSOCK%/*}"
	bind_to "$vf" igbvf && wait_for 5 in_host "$vf"
	drop_ns "$pod"
}

# -----------------------------------------------------------------------------
# 14. Pods named from the node itself, with no record: containerd's real
#     CRI in the VM (its bundles under /run/containerd, pflinkd's default
#     root), host-network pods as DPDK pods run; a VF rebound to vfio-pci
#     and given to a container as its vfio group (ContainerConfig.devices,
#     /dev/vfio/<group>) is named with that pod, source runtime, through
#     the group's device number; a record naming another pod, and a second
#     pod's container given the same group, raise vf_double_allocated.
CRI_PY=$HERE/../node/cri/cri.py
# shellcheck source=test/runtime/containerd-conf.sh
. "$HERE/../runtime/containerd-conf.sh"
# Debian's python3, with python3-grpcio (hack/deps.sh), whatever PATH says.
vmcri() { CRI_PY_OUT=$T/cri-py /usr/bin/python3 "$CRI_PY" /run/containerd-root/containerd.sock "$@"; }
case_runtime() {
	local p=${PFS[0]} vd grp net=rt c="" ua uc sa sc ca cc out rc img=localhost/pflink-pause:vm ctrd="" bundle
	vd=$(vf_n "$p" 3)
	begin "VF $vd on vfio-pci given to CRI pods' containers: named from containerd's bundles"
	for t in containerd ctr runc catatonit protoc /usr/bin/python3; do
		command -v "$t" >/dev/null || { CASE='' fail "$t not installed (hack/deps.sh --test)"; return; }
	done
	if [ -z "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ]; then
		CASE='' fail "no IOMMU groups: the VM needs run-in-vm.sh -i (hack/vm-test.sh passes it)"
		return
	fi
	modprobe vfio-pci 2>/dev/null
	check "VF $vd rebinds to vfio-pci" bind_to "$vd" vfio-pci
	grp=$(basename "$(readlink "/sys/bus/pci/devices/$vd/iommu_group")")
	check "... its group device /dev/vfio/$grp is $(stat -c '%t:%T' "/dev/vfio/$grp" 2>/dev/null) (hex), /sys/dev/char names it" \
		eval '[ -c "/dev/vfio/$grp" ] && [ "$(basename "$(readlink "/sys/dev/char/$((16#$(stat -c %t "/dev/vfio/$grp"))):$((16#$(stat -c %T "/dev/vfio/$grp")))")")" = "$grp" ]'

	# containerd 1.6 with its CRI plugin: root and state on this VM's /run
	# (tmpfs, where overlayfs works), the state where a node's is.
	mkdir -p "$T/$net/state" "$T/$net/net.d" "$T/$net/logs"
	{ CRI_STATE=/run/containerd rt_containerd_conf /run/containerd-root; rt_cri_conf "$img" /usr/lib/cni "$T/$net/net.d"; } \
		>"$T/$net/containerd.toml"
	containerd --config "$T/$net/containerd.toml" >"$T/$net/containerd.log" 2>&1 &
	ctrd=$!
	check "containerd's CRI answers" wait_for 60 eval 'vmcri version >/dev/null 2>&1'
	python3 "$HERE/oci-image.py" "$T/$net/pause.tar" "$img" "$(command -v catatonit)" /catatonit -P &&
		ctr --address /run/containerd-root/containerd.sock -n k8s.io images import "$T/$net/pause.tar" >"$T/$net/import.log" 2>&1
	check "the sandbox and container image (catatonit -P) imported" [ $? = 0 ]

	AGSOCK=$(mktemp -d /tmp/pflinkd.XXXXXX)/pflinkd.sock
	"$PFLINKD" --socket "$AGSOCK" --state-dir "$T/$net/state" --rescan-ms 500 --log-level debug 2>>"$T/agent.log" &
	AGENT=$!
	check "pflinkd starts (containerd's default root, no --containerd-root)" wait_for 10 eval 'ctl health >/dev/null 2>&1'

	# pod A: host network, a container given the VF's vfio group
	ua=$(cat /proc/sys/kernel/random/uuid) uc=$(cat /proc/sys/kernel/random/uuid)
	out=$(vmcri run --host-network --cgroup-parent /pflink-vm --log-root "$T/$net/logs" "vmtest-rt/dpdk-a/$ua")
	sa=$(awk '{print $2}' <<<"$out")
	check "RunPodSandbox vmtest-rt/dpdk-a (host network): $out" eval '[ -n "$sa" ] && [ "$sa" != - ]'
	ca=$(vmcri container --host-network --cgroup-parent /pflink-vm --log-root "$T/$net/logs" --device "/dev/vfio/$grp" \
		"$sa" "vmtest-rt/dpdk-a/$ua" dpdk "$img" /catatonit -P 2>"$T/$net/create.err")
	check "CreateContainer + StartContainer: container dpdk given /dev/vfio/$grp (${ca:0:12})$(head -c 300 "$T/$net/create.err")" [ -n "$ca" ]
	bundle=/run/containerd/io.containerd.runtime.v2.task/k8s.io/$ca/config.json
	note "containerd's bundle: $(jq -c '{type: .annotations["io.kubernetes.cri.container-type"], name: .annotations["io.kubernetes.cri.sandbox-name"], uid: .annotations["io.kubernetes.cri.sandbox-uid"], devices: [.linux.devices[]? | {path, major, minor}]}' "$bundle" 2>&1)"
	check "no record anywhere: pflink was in no chain" eval '[ -z "$(ls -A "$T/$net/state")" ]'
	check "pflinkctl vf $vd: driver vfio-pci, no netdev, pod vmtest-rt/dpdk-a, its UID, source runtime via its device, container dpdk" \
		ag_until 10 "vf $vd" '.vf.driver == "vfio-pci" and .vf.netdevs == [] and .vf.pod.namespace == "vmtest-rt" and .vf.pod.name == "dpdk-a" and .vf.pod.uid == $u and .vf.pod.source == "runtime" and .vf.pod.via == "device" and .vf.pod.container == "dpdk" and .vf.pod.containerID == $c' \
		--arg u "$ua" --arg c "$ca"
	ctl --no-color vf "$vd" | sed 's/^/    | /'
	out=$(ctl --json leaks)
	check "... and no finding" eval '[ -n "$out" ] && jq -e ".counts.vf_double_allocated == 0" <<<"$out" >/dev/null'

	# a record naming another pod, while pod A's container holds the group
	ip netns add rt-b
	conflist "$net" "$vd" '"deviceID": "'"$vd"'", "agentSocket": "'"$AGSOCK"'"'
	cni add "$net" /run/netns/rt-b "$IFN" ctr-rt-b
	check "pflink ADD names pod vmtest/ctr-rt-b for VF $vd (a record)" [ "$RC" = 0 ]
	check "leaks: vf_double_allocated for $vd, the record's pod and the container's" \
		wait_for 10 eval 'out=$(ctl --json leaks); [ -n "$out" ] && jq -e --arg v "$vd" --arg u "$ua" "[.leaks[] | select(.kind == \"vf_double_allocated\" and .vf == \$v)] | length == 1 and .[0].pods == 2 and ([.[0].holders[] | .source] | sort == [\"record\",\"runtime\"]) and any(.[0].holders[]; .uid == \$u)" <<<"$out" >/dev/null'
	# a second pod's container given the same group
	out=$(vmcri run --host-network --cgroup-parent /pflink-vm --log-root "$T/$net/logs" "vmtest-rt/dpdk-c/$uc")
	sc=$(awk '{print $2}' <<<"$out")
	cc=$(vmcri container --host-network --cgroup-parent /pflink-vm --log-root "$T/$net/logs" --device "/dev/vfio/$grp" \
		"$sc" "vmtest-rt/dpdk-c/$uc" dpdk "$img" /catatonit -P 2>>"$T/$net/create.err")
	check "a second pod vmtest-rt/dpdk-c, its container given the same /dev/vfio/$grp (${cc:0:12})" [ -n "$cc" ]
	check "leaks: vf_double_allocated for $vd now names 3 pods: the record's, dpdk-a's, dpdk-c's" \
		wait_for 10 eval 'out=$(ctl --json leaks); [ -n "$out" ] && jq -e --arg v "$vd" "[.leaks[] | select(.kind == \"vf_double_allocated\" and .vf == \$v)] | .[0].pods == 3 and ([.[0].holders[] | .name] | sort == [\"ctr-rt-b\",\"dpdk-a\",\"dpdk-c\"])" <<<"$out" >/dev/null'
	ctl --no-color leaks > "$T/$net/leaks.txt"
	rc=$?
	check "pflinkctl leaks exits 1 and says so" eval '[ "$rc" = 1 ] && grep -q "^vf_double_allocated .*$vd .*VF held by 3 pods" "$T/$net/leaks.txt"'
	sed 's/^/    | /' "$T/$net/leaks.txt"

	# the end: the record gone, the containers and sandboxes removed
	cni del "$net" /run/netns/rt-b "$IFN" ctr-rt-b
	ip netns del rt-b
	for c in $ca $cc; do vmcri stop-container "$c"; vmcri remove-container "$c"; done
	for c in $sa $sc; do vmcri stop "$c"; vmcri remove "$c"; done
	check "all removed: VF $vd has no pod, no holder" ag_until 10 "vf $vd" '(.vf | has("pod") | not) and .vf.holders == []'
	stop_agent
	kill "$ctrd" 2>/dev/null
	wait "$ctrd" 2>/dev/null
	for c in /run/containerd/io.containerd.runtime.v2.task/*/*/shim.pid; do
		[ -s "$c" ] && kill -9 "$(cat "$c")" 2>/dev/null
	done
	check "no sanitizer report or crash in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"
	rm -rf "${AGSOCK%/*}"
	bind_to "$vd" igbvf && wait_for 5 in_host "$vd"
}

# -----------------------------------------------------------------------------
# 13. /metrics on real VFs: two VFs of different PFs (one QEMU hub joins
#     the PFs; two VFs of one PF do not reach each other) in two pod netns
#     exchange paced pings; the counters of exactly those VFs grow by at
#     least what was sent; igb's IFLA_VF_STATS (zeros) are not reported
#     as traffic; a VF on vfio-pci is listed with its pod; a Prometheus
#     scrapes it all and PromQL joins pods to traffic; a pod netns deleted
#     without DEL makes the leak series fire.
MURL=http://127.0.0.1:9478/metrics PURL=http://127.0.0.1:9090
# mval FILE SERIES-PREFIX: the value of the first line starting so
# start_metrics_agent NET PORT: pflinkd on NET's state dir, /metrics on
# 127.0.0.1:PORT; true once it answers health
start_metrics_agent() {
	AGSOCK=$(mktemp -d /tmp/pflinkd.XXXXXX)/pflinkd.sock
	mkdir -p "$T/$1/state"
	"$PFLINKD" --socket "$AGSOCK" --state-dir "$T/$1/state" --rescan-ms 500 \
		--metrics-address "127.0.0.1:$2" --log-level info 2>>"$T/agent.log" &
	AGENT=$!
	wait_for 10 eval 'ctl health >/dev/null 2>&1'
}
mval() { awk -v p="$2" 'index($0, p) == 1 { print $NF; exit }' "$1"; }
# shellcheck source=test/integration/prom.sh
. "$HERE/../integration/prom.sh"
PROM_WAIT_S=30	# a TCG guest: every process start costs 0.1-0.4 s
case_metrics() {
	local p=${PFS[0]} q=${PFS[1]} va vb vd net=mx n t sent=300 macs prom="" v rx_b=0 tx_a=0 base_rx got bad=""
	local -A before after
	va=$(vf_n "$p" 1)
	vb=$(vf_n "$q" 1)
	vd=$(vf_n "$p" 2)
	begin "/metrics on real VFs: traffic, igb's IFLA_VF_STATS, vfio-pci, Prometheus"
	for t in curl prometheus promtool ping; do
		command -v "$t" >/dev/null || { CASE='' fail "$t not installed (hack/deps.sh --test)"; return; }
	done
	check "pflinkd starts with --metrics-address 127.0.0.1:9478" start_metrics_agent "$net" 9478
	for n in a b; do ip netns add "$net-$n"; done
	conflist "$net" "$va" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-a" "$IFN" ctr-mxa
	check "pod ctr-mxa gets VF $va of PF $p through libcni" [ "$RC" = 0 ]
	conflist "$net" "$vb" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-b" "$IFN" ctr-mxb
	check "pod ctr-mxb gets VF $vb of PF $q" [ "$RC" = 0 ]
	ip -n "$net-a" addr add 10.77.0.1/24 dev "$IFN"
	ip -n "$net-b" addr add 10.77.0.2/24 dev "$IFN"
	ip -n "$net-a" link set "$IFN" up
	ip -n "$net-b" link set "$IFN" up
	# MACs of their own: an earlier case may have left another VF with
	# one of theirs, and igb's switch would deliver to that VF locally.
	ip -n "$net-a" link set "$IFN" address 02:77:00:00:00:0a
	ip -n "$net-b" link set "$IFN" address 02:77:00:00:00:0b
	macs=$(ip -n "$net-a" -j link show "$IFN" | jq -r '.[0].address')$(ip -n "$net-b" -j link show "$IFN" | jq -r '.[0].address')
	check "the two pods' VFs carry MACs of their own ($macs)" [ "$macs" = 02:77:00:00:00:0a02:77:00:00:00:0b ]
	# the vfio-pci VF, in a DPDK-like pod of its own
	if [ -n "$(ls /sys/kernel/iommu_groups 2>/dev/null)" ] && modprobe vfio-pci 2>/dev/null && bind_to "$vd" vfio-pci; then
		ip netns add "$net-d"
		conflist "$net" "$vd" '"deviceID": "'"$vd"'", "agentSocket": "'"$AGSOCK"'"'
		cni add "$net" "/run/netns/$net-d" "$IFN" ctr-mxd
		check "pod ctr-mxd gets VF $vd on vfio-pci" [ "$RC" = 0 ]
	else
		CASE='' fail "no vfio-pci VF: the VM needs run-in-vm.sh -i (hack/vm-test.sh passes it)"
	fi

	wait_for 10 eval 'curl -sf -o "$T/m0" "$MURL" && grep -q "pod=\"ctr-mxb\"" "$T/m0"'
	check "promtool check metrics: the real VFs' exposition passes" eval 'promtool check metrics < "$T/m0"'
	for v in "${VFS[@]}"; do
		grep -q "^pflink_vf_info{.*vf_pci_address=\"$v\"" "$T/m0" || bad="$bad $v"
	done
	check "pflink_vf_info lists all ${#VFS[@]} VFs of the test bed${bad:+ (missing:$bad)}" [ -z "$bad" ]
	check "pflink_vf_info: VF $va is $IFN in /run/netns/$net-a, pod vmtest/ctr-mxa, driver igbvf" \
		grep -qE "^pflink_vf_info\{pf=\"$p\",pf_netdev=\"${PFDEV[$p]}\",vf=\"1\",vf_index=\"1\",vf_pci_address=\"$va\",driver=\"igbvf\",netdev=\"$IFN\",netns=\"/run/netns/$net-a\",pod_namespace=\"vmtest\",pod=\"ctr-mxa\"" "$T/m0"
	check "pflink_vf_info: VF $vd on vfio-pci with its pod ctr-mxd, no netdev" \
		grep -qE "^pflink_vf_info\{.*vf_pci_address=\"$vd\",driver=\"vfio-pci\",netdev=\"\",netns=\"\",pod_namespace=\"vmtest\",pod=\"ctr-mxd\"" "$T/m0"
	# igb: the kernel sends IFLA_VF_STATS, the driver has no ndo_get_vf_stats
	note "ip -s link show ${PFDEV[$p]} (vf 1): $(ip -s link show "${PFDEV[$p]}" | grep -A4 -E '^ +vf 1 ' | tr -s ' \n' ' ')"
	check "igb's IFLA_VF_STATS (all zero) are not reported: no source=\"vf_stats\" series" \
		not grep -q 'source="vf_stats"' "$T/m0"
	check "pflink_pf_info says vf_stats=\"zero\" and no eswitch_mode for both igb PFs" \
		eval '[ "$(grep -c "^pflink_pf_info{.*driver=\"igb\".*vf_stats=\"zero\",eswitch_mode=\"\"} 1" "$T/m0")" = 2 ]'

	# paced pings (2 ms apart: the hub loses unpaced bursts). One ping first
	# so the neighbour entry exists: while ARP resolves, the kernel queues
	# only a few packets (unres_qlen) and drops the rest of a paced burst
	# before they reach the VF, which a fixed burst once showed as 287 of 300.
	ip netns exec "$net-a" ping -q -c 1 -W 2 10.77.0.2 > /dev/null 2>&1
	sleep 2.5 # one igbvf watchdog period: the warm-up ping is in the baseline
	wait_for 10 eval 'curl -sf -o "$T/m0" "$MURL"'
	for v in "${VFS[@]}"; do before[$v]=$(mval "$T/m0" "pflink_vf_transmit_packets_total{pf=\"${WANT_PF[$v]}\",vf_pci_address=\"$v\",source=\"netdev\"}"); done
	base_rx=$(mval "$T/m0" "pflink_vf_receive_packets_total{pf=\"$q\",vf_pci_address=\"$vb\",source=\"netdev\"}")
	# Rounds of $sent pings until VF a's counter moved by $sent (at most 4
	# rounds): what is asserted is that the counter follows the traffic,
	# not that the emulated hub never drops one.
	local round sent_all=0 got_all=0
	for round in 1 2 3 4; do
		ip netns exec "$net-a" ping -q -c "$sent" -i 0.002 -W 1 10.77.0.2 > "$T/ping.out" 2>&1
		got=$(awk '/packets transmitted/ { print $4 }' "$T/ping.out")
		sent_all=$((sent_all + sent)) got_all=$((got_all + ${got:-0}))
		note "ping (round $round): $(grep -E 'packets transmitted' "$T/ping.out")"
		# igbvf refreshes its netdev counters from the hardware in its
		# watchdog (every 2 s): read until they have caught up.
		for n in $(seq 5); do
			sleep 1.2
			curl -sf -o "$T/m1" "$MURL" || continue
			tx_a=$(($(mval "$T/m1" "pflink_vf_transmit_packets_total{pf=\"$p\",vf_pci_address=\"$va\",source=\"netdev\"}") - ${before[$va]:-0}))
			rx_b=$(($(mval "$T/m1" "pflink_vf_receive_packets_total{pf=\"$q\",vf_pci_address=\"$vb\",source=\"netdev\"}") - ${base_rx:-0}))
			[ "$tx_a" -ge "$sent" ] && [ "$rx_b" -ge "$got_all" ] && break
		done
		[ "$tx_a" -ge "$sent" ] && [ "$rx_b" -ge "$got_all" ] && break
	done
	got=$got_all
	for v in "${VFS[@]}"; do after[$v]=$(mval "$T/m1" "pflink_vf_transmit_packets_total{pf=\"${WANT_PF[$v]}\",vf_pci_address=\"$v\",source=\"netdev\"}"); done
	check "pings between the two pods' VFs come back: ${got:-?} of $sent_all (at least half)" [ "${got:-0}" -ge $((sent_all / 2)) ]
	check "VF $va (ctr-mxa) sent >= $sent packets more ($tx_a, $sent_all pinged)" [ "$tx_a" -ge "$sent" ]
	check "VF $vb (ctr-mxb) received >= the ${got:-?} echo replies that came back, more ($rx_b)" [ "$rx_b" -ge "${got:-$sent}" ]
	bad=""
	for v in "${VFS[@]}"; do
		[ "$v" = "$va" ] || [ "$v" = "$vb" ] || [ -z "${after[$v]:-}" ] && continue
		[ $((${after[$v]} - ${before[$v]:-0})) -lt 10 ] || bad="$bad $v:+$((${after[$v]} - ${before[$v]:-0}))"
	done
	check "no other VF sent more than a few packets meanwhile${bad:+ (but:$bad)}" [ -z "$bad" ]
	check "still no vf_stats series after the traffic (igb's stay zero)" not grep -q 'source="vf_stats"' "$T/m1"
	note "sample: $(grep -E "^pflink_vf_(info|transmit_packets_total|receive_bytes_total)\{.*vf_pci_address=\"$va\"" "$T/m1" | head -3 | tr '\n' ' ')"
	note "sample: $(grep -E '^pflink_pf_info\{' "$T/m1" | head -1)"

	# a real Prometheus
	cat > "$T/prometheus.yml" <<-EOF
		global: {scrape_interval: 1s, scrape_timeout: 1s}
		scrape_configs:
		  - job_name: pflinkd
		    static_configs: [{targets: ["127.0.0.1:9478"]}]
	EOF
	prometheus --config.file "$T/prometheus.yml" --storage.tsdb.path "$T/prom" --web.listen-address 127.0.0.1:9090 \
		--log.level warn 2>>"$T/prometheus.log" &
	prom=$!
	check "Prometheus scrapes pflinkd" until_prom 'up{job="pflinkd"}' '.[0].value[1] == "1"'
	check "PromQL: which pod holds VF $vb -> vmtest/ctr-mxb" \
		until_prom "pflink_vf_info{vf_pci_address=\"$vb\"}" '.[0].metric.pod == "ctr-mxb"'
	check "PromQL: which pod holds the vfio-pci VF $vd -> vmtest/ctr-mxd" \
		until_prom "pflink_vf_info{vf_pci_address=\"$vd\"}" '.[0].metric.pod == "ctr-mxd"'
	check "PromQL: every VF of the test bed is in Prometheus (${#VFS[@]})" \
		until_prom 'count(pflink_vf_info)' ".[0].value[1] == \"${#VFS[@]}\""
	ip netns exec "$net-a" ping -q -c "$sent" -i 0.002 -W 1 10.77.0.2 > "$T/ping.out" 2>&1
	got=$(awk '/packets transmitted/ { print $4 }' "$T/ping.out")
	note "ping again: $(grep -E 'packets transmitted' "$T/ping.out")"
	# increase() extrapolates over the window: compare the pod's counter
	# (joined through pflink_vf_info) with its value before the pings.
	check "PromQL: packets received by pod ctr-mxb, joined through pflink_vf_info, grow by >= ${got:-?}" \
		until_prom "sum by (pod) (pflink_vf_receive_packets_total{source=\"netdev\"} * on (instance, pf, vf_pci_address) group_left (pod) pflink_vf_info{pod=\"ctr-mxb\"})" \
		".[0].value[1] | tonumber >= $((${base_rx:-0} + rx_b + ${got:-$sent}))"

	# leaks: ctr-mxb's netns deleted without a DEL
	ip netns del "$net-b"
	wait_for 10 in_host "$vb"
	check "pflink_vf_orphaned{reason=\"pod_gone\"} fires for VF $vb, back in the host" \
		until_prom "pflink_vf_orphaned{vf_pci_address=\"$vb\"}" '.[0].metric.reason == "pod_gone" and .[0].metric.pod == "ctr-mxb"'
	check "pflink_record_stale fires for ctr-mxb's record" \
		until_prom 'pflink_record_stale{pod="ctr-mxb"}' 'length == 1'
	check "pflinkctl leaks says so (exit 1)" eval '! ctl --no-color leaks > "$T/leaks.txt" && grep -q "^vf_orphaned .*$vb" "$T/leaks.txt"'
	sed 's/^/    | /' "$T/leaks.txt"

	kill "$prom" 2>/dev/null
	wait "$prom" 2>/dev/null
	pflink_run DEL "/run/netns/$net-b" "$IFN" ctr-mxb "$(pflink_conf 1.0.0 "$net" null)"
	cni del "$net" "/run/netns/$net-a" "$IFN" ctr-mxa
	if [ -e "/run/netns/$net-d" ]; then
		conflist "$net" "$vd" '"deviceID": "'"$vd"'", "agentSocket": "'"$AGSOCK"'"'
		cni del "$net" "/run/netns/$net-d" "$IFN" ctr-mxd
		bind_to "$vd" igbvf && wait_for 5 in_host "$vd"
	fi
	stop_agent
	check "no sanitizer report or crash in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"
	rm -rf "${AGSOCK%/*}"
	drop_ns "$net-a" "$net-d"
}

# -----------------------------------------------------------------------------
# 11b. PF health -> pods on real igb: a pod on a VF of each PF; ip link set
#      PF down -> the PF's series, the affected pod's pflink_vf_pf_usable,
#      pflinkctl's tree and pflinkctl pf-health say so (how long it took is
#      printed, never asserted), pflinkctl health still passes, the other
#      pod is untouched; up again -> clear.
# pfd_m: the agent's exposition now, in $T/pfd.prom
pfd_m() { curl -sf --max-time 5 -o "$T/pfd.prom" "$MURL"; }
# pfd_has ERE...: one fresh scrape has a line matching each
pfd_has() {
	local e
	pfd_m || return 1
	for e in "$@"; do grep -qE -- "$e" "$T/pfd.prom" || return 1; done
}
# pfd_health RC: pflinkctl pf-health (text in $T/pfd.txt) exits RC
pfd_health() { ctl --no-color pf-health >"$T/pfd.txt" 2>&1; [ $? = "$1" ]; }
case_pf_down() {
	local p=${PFS[0]} q=${PFS[1]} va vb net=pfd n t0 ms
	local pa pb
	va=$(vf_n "$p" 3)
	vb=$(vf_n "$q" 3)
	pa="pf=\"$p\",pf_netdev=\"${PFDEV[$p]}\"" pb="pf=\"$q\",pf_netdev=\"${PFDEV[$q]}\""
	begin "PF down -> pods: pflink_pf_link_up, pflink_vf_pf_usable, pflinkctl pf-health on real igb"
	command -v curl >/dev/null || { CASE='' fail "curl not installed (hack/deps.sh --test)"; return; }
	for n in "${PFDEV[$p]}" "${PFDEV[$q]}"; do ip link set "$n" up; done
	check "pflinkd starts with --metrics-address 127.0.0.1:9478" start_metrics_agent "$net" 9478
	for n in a b; do ip netns add "$net-$n"; done
	conflist "$net" "$va" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-a" "$IFN" ctr-pfa
	check "pod ctr-pfa gets VF $va of PF $p (${PFDEV[$p]})" [ "$RC" = 0 ]
	conflist "$net" "$vb" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-b" "$IFN" ctr-pfb
	check "pod ctr-pfb gets VF $vb of PF $q (${PFDEV[$q]})" [ "$RC" = 0 ]
	check "both PFs up with carrier: pflink_pf_link_up 1, both pods' VFs usable" \
		wait_for 30 pfd_has "^pflink_pf_link_up\{$pa,state=\"up\",operstate=\"up\"\} 1$" \
		"^pflink_pf_link_up\{$pb,state=\"up\",operstate=\"up\"\} 1$" \
		"^pflink_vf_pf_usable\{$pa,pf_state=\"up\",vf_pci_address=\"$va\",pod_namespace=\"vmtest\",pod=\"ctr-pfa\".*\} 1$" \
		"^pflink_vf_pf_usable\{$pb,pf_state=\"up\",vf_pci_address=\"$vb\",pod_namespace=\"vmtest\",pod=\"ctr-pfb\".*\} 1$"
	note "$(grep -E '^pflink_pf_(link_up|link_speed_bytes|carrier_changes_total)\{' "$T/pfd.prom" | tr '\n' ' ')"
	check "igb's speed from ethtool is in /metrics for PF $p" grep -qE "^pflink_pf_link_speed_bytes\{$pa\} [1-9]" "$T/pfd.prom"
	check "pflinkctl pf-health exits 0 with both PFs up" pfd_health 0

	# One pf-health call while nothing changes: what a poll itself costs
	# in this guest, to read the times below against.
	t0=$(date +%s%N)
	pfd_health 0
	note "one pflinkctl pf-health call with nothing changed: $((($(date +%s%N) - t0) / 1000000)) ms"
	t0=$(date +%s%N)
	ip link set "${PFDEV[$p]}" down
	note "ip link set ${PFDEV[$p]} down itself took $((($(date +%s%N) - t0) / 1000000)) ms (igb's close; the kernel says so after it)"
	check "ip link set ${PFDEV[$p]} down: pflinkctl pf-health exits 1 (a snapshot of its own)" wait_for 30 pfd_health 1
	ms=$((($(date +%s%N) - t0) / 1000000))
	note "pflinkctl pf-health said so after $ms ms (polled; each poll a process start in the TCG guest)"
	check "... PF series admin_down 0, ctr-pfa's VF not usable" \
		wait_for 30 pfd_has "^pflink_pf_link_up\{$pa,state=\"admin_down\",operstate=\"down\"\} 0$" \
		"^pflink_vf_pf_usable\{$pa,pf_state=\"admin_down\",vf_pci_address=\"$va\",pod_namespace=\"vmtest\",pod=\"ctr-pfa\".*\} 0$"
	ms=$((($(date +%s%N) - t0) / 1000000))
	note "the PF down was in /metrics after $ms ms (polled scrapes; scrapes within 1 s share a snapshot)"
	note "$(grep -E '^pflink_(pf_link_up|vf_pf_usable|pf_health_findings)\{' "$T/pfd.prom" | sed 's/^/| /')"
	check "... the other pod untouched: PF $q up, ctr-pfb's VF usable" \
		pfd_has "^pflink_pf_link_up\{$pb,state=\"up\",operstate=\"up\"\} 1$" \
		"^pflink_vf_pf_usable\{$pb,pf_state=\"up\",vf_pci_address=\"$vb\",pod_namespace=\"vmtest\",pod=\"ctr-pfb\".*\} 1$"
	check "pflinkctl pf-health exits 1, naming PF $p and exactly pod vmtest/ctr-pfa" \
		eval 'pfd_health 1 && grep -qE "^pf_down +$p .* is admin_down: 1 pod VF without network: vmtest/ctr-pfa$" "$T/pfd.txt" && ! grep -q ctr-pfb "$T/pfd.txt"'
	sed 's/^/    | /' "$T/pfd.txt"
	check "pflinkctl --json pf-health: one pf_down, pods [vmtest/ctr-pfa]" \
		eval 'agq pf-health; [ $? -le 1 ] && jqf "$T/ag.json" "[.findings[] | select(.kind == \"pf_down\")] | length == 1 and ([.[0].pods[] | .namespace + \"/\" + .name] == [\"vmtest/ctr-pfa\"])"'
	check "pflinkctl pf $p marks the PF and the pod" \
		eval 'ctl --no-color pf "$p" > "$T/pfd-pf.txt" && grep -q "link admin_down: 1 pod VF without network" "$T/pfd-pf.txt" && grep -qE "vmtest/ctr-pfa.*no network: PF link admin_down" "$T/pfd-pf.txt"'
	check "pflinkctl health (the liveness probe) still exits 0" ctl health

	ip link set "${PFDEV[$p]}" up
	check "ip link set ${PFDEV[$p]} up: up again, ctr-pfa's VF usable, no finding" \
		wait_for 60 pfd_has "^pflink_pf_link_up\{$pa,state=\"up\",operstate=\"up\"\} 1$" \
		"^pflink_vf_pf_usable\{$pa,pf_state=\"up\",vf_pci_address=\"$va\",pod_namespace=\"vmtest\",pod=\"ctr-pfa\".*\} 1$" \
		'^pflink_pf_health_findings\{kind="pf_down"\} 0$'
	check "pflinkctl pf-health exits 0 again" pfd_health 0
	note "$(grep -E "^pflink_pf_(link_up|carrier_changes_total)\{$pa" "$T/pfd.prom" | tr '\n' ' ')"

	cni del "$net" "/run/netns/$net-a" "$IFN" ctr-pfa
	conflist "$net" "$vb" "\"agentSocket\": \"$AGSOCK\""
	cni del "$net" "/run/netns/$net-b" "$IFN" ctr-pfb
	stop_agent
	check "no sanitizer report or crash in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"
	rm -rf "${AGSOCK%/*}"
	drop_ns "$net-a" "$net-b"
}

# -----------------------------------------------------------------------------
# 12. test/integration/agent_stress.sh on this kernel (6.1): it reports
#     ENOBUFS before the events still queued (6.18 after them), so only
#     here does an agent that applies them after its dump go wrong.
case_agent_stress() {
	local out=$T/stress.out rc=0
	begin "agent_stress.sh on kernel $(uname -r)"
	bash "$HERE/../integration/agent_stress.sh" "$PFLINKD" "$PFLINKCTL" "$BUILD/test/libpflink_ethtool_shim.so" \
		"$HERE/../fixtures/sysfs.sh" >"$out" 2>&1 || rc=$?
	sed 's/^/    | /' "$out"
	check "agent_stress.sh passes here (exit $rc)" [ "$rc" = 0 ]
}

# -----------------------------------------------------------------------------
# 13. devlink on a real kernel: netdevsim (built out of tree for this very
#     kernel by test/vm/netdevsim.sh, which hack/vm-test.sh links as
#     BUILD/netdevsim.ko) with 4 VFs, taken to switchdev mode: pflinkd's
#     devlink table gives the eswitch mode and ties each representor to its
#     VF number, and the classifier reads the same from the netdevs'
#     phys_port_name; back to legacy, the representors go.  netdevsim is
#     not a PCI function: this proves the devlink side, not physfn.  The
#     igb PFs (no devlink) report no eswitch mode.
case_devlink() {
	local ko=$BUILD/netdevsim.ko dev=netdevsim10 sysd=/sys/bus/netdevsim/devices/netdevsim10 i n rep pn vf bad=""
	begin "devlink: netdevsim's eswitch and VF ports, igb without devlink"
	if [ ! -f "$ko" ]; then
		fail "no netdevsim module for $(uname -r): $(cat "$BUILD/netdevsim.err" 2>/dev/null || echo "hack/vm-test.sh did not build it")"
		return
	fi
	note "module: $(readlink -f "$ko")"
	modprobe psample 2>"$T/err"
	check "netdevsim.ko (built for $(uname -r)) loads" insmod "$ko"
	echo "10 1" >/sys/bus/netdevsim/new_device
	check "netdevsim device 10 with one port appears" wait_for 5 test -d "$sysd/net"
	echo 4 >"$sysd/sriov_numvfs"
	AGSOCK=$(mktemp -d /tmp/pflinkd.XXXXXX)/pflinkd.sock
	mkdir -p "$T/agent/state"
	check "pflinkd starts" start_agent
	check "pflinkctl devlink answers" agq devlink
	check "devlink: $dev in legacy mode, no VF port yet" \
		jqf "$T/ag.json" 'any(.devlink[]; .bus == "netdevsim" and .dev == $d and .eswitchMode == "legacy" and ([.ports[] | select(.flavour == "pcivf")] | length) == 0)' --arg d "$dev"

	check "devlink dev eswitch set netdevsim/$dev mode switchdev" devlink dev eswitch set "netdevsim/$dev" mode switchdev
	devlink -j port show >"$T/dl-ports.json" 2>"$T/err"
	note "devlink port show: $(devlink port show 2>&1 | tr '\n' ';')"
	check "pflinkd's devlink table follows: switchdev, 4 pcivf ports with netdevs (events, within 5 s)" \
		ag_until 5 devlink 'any(.devlink[]; .dev == $d and .eswitchMode == "switchdev" and ([.ports[] | select(.flavour == "pcivf" and .netdev != "")] | length) == 4)' --arg d "$dev"
	ctl devlink | sed 's/^/    | /'
	cp "$T/ag.json" "$T/devlink-switchdev.json"
	note "pflinkd's devlink answer: $(jq -c '.devlink' "$T/devlink-switchdev.json")"
	for i in 0 1 2 3; do
		rep=$(jq -r --arg d "$dev" --argjson v "$i" '.devlink[] | select(.dev == $d) | .ports[] | select(.flavour == "pcivf" and .vf == $v) | .netdev' "$T/devlink-switchdev.json")
		[ -n "$rep" ] && [ -e "/sys/class/net/$rep" ] || { bad="$bad vf$i:no-netdev"; continue; }
		read -r pn <"/sys/class/net/$rep/phys_port_name" || pn=
		# The kernel's own tools say the same: iproute2's devlink and sysfs.
		jqf "$T/dl-ports.json" 'any(.port[]; .netdev == $n and .flavour == "pcivf" and .vfnum == $v)' --arg n "$rep" --argjson v "$i" ||
			bad="$bad vf$i:iproute2-differs"
		[ "$pn" = "pf0vf$i" ] || bad="$bad vf$i:phys_port_name=$pn"
		jqf "$T/devlink-switchdev.json" '.devlink[] | select(.dev == $d) | .ports[] | select(.vf == $v) | .portName == $pn and .classifier.kind == "vf-representor" and .classifier.vf == $v and .classifier.pf == 0 and .agrees == true' \
			--arg d "$dev" --argjson v "$i" --arg pn "$pn" || bad="$bad vf$i:classifier"
		note "VF $i: representor $rep (devlink port), phys_port_name $pn"
	done
	check "each VF's representor from devlink (4), the same as iproute2's devlink and the classifier's reading of phys_port_name${bad:+ (wrong:$bad)}" [ -z "$bad" ]
	check "pflinkd logged no disagreement between devlink and the port names" not grep -q "devlink's answer is used" "$T/agent.log"
	if [ -d "$BUILD/devlink-record" ] && [ -x "$BUILD/test/fuzz/gen_devlink_seed" ]; then
		"$BUILD/test/fuzz/gen_devlink_seed" "$BUILD/devlink-record" >/dev/null && note "recorded devlink's answers in $BUILD/devlink-record"
	fi

	check "devlink dev eswitch set netdevsim/$dev mode legacy" devlink dev eswitch set "netdevsim/$dev" mode legacy
	# The representors iproute2's devlink listed in switchdev mode.
	n=0
	for rep in $(jq -r '.port[] | select(.flavour == "pcivf") | .netdev' "$T/dl-ports.json"); do
		[ ! -e "/sys/class/net/$rep" ] && n=$((n + 1))
	done
	check "back to legacy: the 4 representor netdevs are gone" [ "$n" = 4 ]
	check "pflinkd's devlink table follows: legacy, no VF port (within 5 s)" \
		ag_until 5 devlink 'any(.devlink[]; .dev == $d and .eswitchMode == "legacy" and ([.ports[] | select(.flavour == "pcivf")] | length) == 0)' --arg d "$dev"

	# igb: no devlink instance, so no eswitch mode; nothing else changes.
	for p in "${PFS[@]}"; do
		check "pflinkctl pf $p answers" agq pf "$p"
		check "igb PF $p: no eswitchMode, every VF's representor empty" \
			jqf "$T/ag.json" '.pf.pciAddress == $p and (.pf | has("eswitchMode") | not) and all(.pf.vfs[]; .representor == "")' --arg p "$p"
		check "devlink lists no instance for igb PF $p" not jqf "$T/devlink-switchdev.json" 'any(.devlink[]; .bus == "pci" and .dev == $p)' --arg p "$p"
	done
	stop_agent
	echo 10 >/sys/bus/netdevsim/del_device
	rmmod netdevsim 2>/dev/null
}

# -----------------------------------------------------------------------------
# vf-dirty: a VF given back by a pod's DEL, then configured through its PF
#     (MAC, VLAN, trust, spoof-check, max rate): the vf_dirty leak names each
#     setting and the pod that last held the VF; reset, it clears.  Also
#     records what igb reports for a VF nobody configured (the driver's row
#     in leaks.c's table).
DURL=http://127.0.0.1:9479/metrics
vf_json() {	# vf_json PFDEV N: the VF table entry N as ip -j shows it, into $T/vf.json
	ip -j -d link show "$1" | jq ".[0].vfinfo_list[] | select(.vf == $2)" >"$T/vf.json"
}
dirty_has() {	# dirty_has VF SETTING: a pflink_vf_dirty series for it in $T/d.prom
	grep -qE "^pflink_vf_dirty\{.*vf_pci_address=\"$1\",setting=\"$2\"" "$T/d.prom"
}
scrape_d() { curl -sf -o "$T/d.prom" "$DURL"; }
# vf_set PFDEV N SETTING VALUE...: one ip link set through the PF per pair
vf_set() {
	local pd=$1 n=$2
	shift 2
	while [ $# -ge 2 ]; do
		ip link set "$pd" vf "$n" "$1" "$2" 2>>"$T/err"
		shift 2
	done
}
case_vf_dirty() {
	local q=${PFS[1]} vf net=dirty cid=ctr-dirty pd n=3 s bad=""
	vf=$(vf_n "$q" "$n")
	pd=${PFDEV[$q]}
	begin "a VF left dirty after DEL (igb's VF table)"
	check "pflinkd starts with --metrics-address 127.0.0.1:9479" start_metrics_agent "$net" 9479
	vf_json "$pd" "$n"
	note "igb's VF $n of $pd before any pod: $(jq -c . "$T/vf.json")"
	check "igb's defaults for a VF never configured: MAC zero, no VLAN, rates 0, spoofchk on, trust off, link-state auto" \
		jqf "$T/vf.json" '.address == "00:00:00:00:00:00" and ((.vlan_list // [{}])[0].vlan // 0) == 0 and .rate.max_tx == 0 and .rate.min_tx == 0 and .spoofchk == true and .trust == false and .link_state == "auto"'
	ip netns add "$net"
	conflist "$net" "$vf" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net" "$IFN" "$cid"
	check "pod $cid gets VF $vf" [ "$RC" = 0 ]
	# (this VF only: earlier cases leave other VFs' tables set, and those
	# are rightly vf_dirty here)
	check "while the pod holds it: no vf_dirty for $vf" wait_for 10 eval 'scrape_d && grep -q "pod=\"$cid\"" "$T/d.prom" && grep -q "^pflink_leaks{kind=\"vf_dirty\"}" "$T/d.prom" && ! grep -q "^pflink_vf_dirty{[^}]*vf_pci_address=\"$vf\"" "$T/d.prom"'
	cni del "$net" "/run/netns/$net" "$IFN" "$cid"
	check "DEL gives VF $vf back to the host" wait_for 10 in_host "$vf"
	vf_set "$pd" "$n" mac 02:dd:00:00:00:03 vlan 42 trust on spoofchk off rate 100
	vf_json "$pd" "$n"
	note "after ip link set $pd vf $n mac/vlan/trust/spoofchk/rate: $(jq -c . "$T/vf.json")"
	check "/metrics: pflink_vf_dirty for $vf names mac, vlan, trust, spoofchk and max_rate" \
		wait_for 10 eval 'scrape_d && dirty_has "$vf" mac && dirty_has "$vf" vlan && dirty_has "$vf" trust && dirty_has "$vf" spoofchk && dirty_has "$vf" max_rate'
	grep '^pflink_vf_dirty{' "$T/d.prom" | sed 's/^/    | /'
	check "pflink_vf_dirty: the last pod that held it is vmtest/$cid, the VLAN is 42" \
		grep -qE "^pflink_vf_dirty\{pf=\"$q\",vf_pci_address=\"$vf\",setting=\"vlan\",value=\"42\",last_pod_namespace=\"vmtest\",last_pod=\"$cid\"\} 1" "$T/d.prom"
	check "pflink_leaks{kind=\"vf_dirty\"} counts it" grep -qE '^pflink_leaks\{kind="vf_dirty"\} [1-9]' "$T/d.prom"
	ctl leaks >"$T/leaks.txt" 2>&1
	sed 's/^/    | /' "$T/leaks.txt"
	check "pflinkctl leaks: vf_dirty $vf with each setting and the last pod" \
		grep -qE "^vf_dirty +$vf .*mac 02:dd:00:00:00:03, vlan 42, trust on, spoofchk off, max_rate 100 \(last held by vmtest/$cid\)" "$T/leaks.txt"
	agq leaks
	check "the leaks op: vf_dirty with settings[] and lastPod" \
		jqf "$T/ag.json" 'any(.leaks[]; .kind == "vf_dirty" and .vf == $v and ([.settings[].setting] | sort) == ["mac","max_rate","spoofchk","trust","vlan"] and .lastPod.name == $c)' --arg v "$vf" --arg c "$cid"
	vf_set "$pd" "$n" vlan 0 mac 00:00:00:00:00:00 trust off spoofchk on rate 0
	vf_json "$pd" "$n"
	note "after the reset: $(jq -c . "$T/vf.json")"
	check "reset through the PF: no pflink_vf_dirty for $vf any more" \
		wait_for 10 eval 'scrape_d && ! grep -q "^pflink_vf_dirty{.*vf_pci_address=\"$vf\"" "$T/d.prom"'
	check "pflinkctl leaks no longer names $vf" eval 'ctl leaks >"$T/leaks.txt" 2>&1; ! grep -q "^vf_dirty *$vf" "$T/leaks.txt"'
	stop_agent
	check "no sanitizer report or crash in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"
	rm -rf "${AGSOCK%/*}"
	ip netns del "$net" 2>/dev/null
}

# -----------------------------------------------------------------------------
# numa: run-in-vm.sh -N (hack/vm-test.sh boots a VM of its own for this
#     case): the last PF sits on NUMA node 1, the others report -1.  A pod
#     whose process is pinned to node 0's CPUs with a VF on node 1 is
#     numa_misaligned; one pinned to node 1's is not; a VF with numa_node -1
#     never is; a process that exits takes its finding with it.
case_numa() {
	local p=${PFS[0]} q=${PFS[-1]} va vb vc net=numa cpu0 cpu1 pa pb pc rec
	va=$(vf_n "$q" 0)
	vb=$(vf_n "$q" 1)
	vc=$(vf_n "$p" 0)
	begin "NUMA alignment on a two-node VM (run-in-vm.sh -N)"
	cpu0=$(cat /sys/devices/system/node/node0/cpulist 2>/dev/null)
	cpu1=$(cat /sys/devices/system/node/node1/cpulist 2>/dev/null)
	if [ -z "$cpu1" ] || [ "$(cat "/sys/bus/pci/devices/$va/numa_node")" != 1 ]; then
		CASE='' fail "no second NUMA node or VF $va not on node 1: the VM needs run-in-vm.sh -N -c 2 (hack/vm-test.sh numa)"
		return
	fi
	note "node0 cpus $cpu0, node1 cpus $cpu1; $va numa_node 1, $vc numa_node $(cat "/sys/bus/pci/devices/$vc/numa_node")"
	check "pflinkd starts" start_metrics_agent "$net" 9479
	for n in a b c; do ip netns add "$net-$n"; done
	# One process per pod netns, pinned: the process pflinkd reads.
	ip netns exec "$net-a" taskset -c "$cpu0" sleep 1000 & pa=$!
	ip netns exec "$net-b" taskset -c "$cpu1" sleep 1000 & pb=$!
	ip netns exec "$net-c" taskset -c "$cpu0" sleep 1000 & pc=$!
	conflist "$net" "$va" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-a" "$IFN" ctr-numa-a
	check "pod ctr-numa-a gets VF $va (node 1)" [ "$RC" = 0 ]
	rec=$(state_file "$net")
	check "its record carries vfNumaNode 1" jqf "$rec" '.vfNumaNode == 1'
	conflist "$net" "$vb" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-b" "$IFN" ctr-numa-b
	check "pod ctr-numa-b gets VF $vb (node 1)" [ "$RC" = 0 ]
	conflist "$net" "$vc" "\"agentSocket\": \"$AGSOCK\""
	cni add "$net" "/run/netns/$net-c" "$IFN" ctr-numa-c
	check "pod ctr-numa-c gets VF $vc (numa_node -1)" [ "$RC" = 0 ]
	check "/metrics: pflink_vf_numa_aligned for all three pods" \
		wait_for 20 eval 'scrape_d && grep -q "^pflink_vf_numa_aligned{.*pod=\"ctr-numa-a\"" "$T/d.prom" && grep -q "^pflink_vf_numa_aligned{.*pod=\"ctr-numa-b\"" "$T/d.prom" && grep -q "^pflink_vf_numa_aligned{.*pod=\"ctr-numa-c\"" "$T/d.prom"'
	grep '^pflink_vf_numa_aligned{' "$T/d.prom" | sed 's/^/    | /'
	check "pinned to node 0 with a VF on node 1: misaligned (0)" \
		grep -qE "^pflink_vf_numa_aligned\{pf=\"$q\",vf_pci_address=\"$va\",pod_namespace=\"vmtest\",pod=\"ctr-numa-a\",numa_node=\"1\",cpus=\"$cpu0\",cpu_nodes=\"0\"\} 0" "$T/d.prom"
	check "pinned to node 1 with a VF on node 1: aligned (1)" \
		grep -qE "^pflink_vf_numa_aligned\{pf=\"$q\",vf_pci_address=\"$vb\",pod_namespace=\"vmtest\",pod=\"ctr-numa-b\",numa_node=\"1\",cpus=\"$cpu1\",cpu_nodes=\"1\"\} 1" "$T/d.prom"
	check "a VF with numa_node -1 is never misaligned" \
		grep -qE "^pflink_vf_numa_aligned\{pf=\"$p\",vf_pci_address=\"$vc\",.*numa_node=\"-1\",.*\} 1" "$T/d.prom"
	check "pflink_vf_info carries numa_node 1 for $va" grep -qE "^pflink_vf_info\{.*vf_pci_address=\"$va\",.*numa_node=\"1\"" "$T/d.prom"
	check "pflink_leaks{kind=\"numa_misaligned\"} 1" grep -q '^pflink_leaks{kind="numa_misaligned"} 1$' "$T/d.prom"
	ctl leaks >"$T/leaks.txt" 2>&1
	sed 's/^/    | /' "$T/leaks.txt"
	check "pflinkctl leaks: numa_misaligned names ctr-numa-a alone" \
		eval 'grep -qE "^numa_misaligned +$va .*ctr-numa-a.*CPUs $cpu0 \(NUMA node 0\); its VF is on node 1" "$T/leaks.txt" && [ "$(grep -c "^numa_misaligned" "$T/leaks.txt")" = 1 ]'
	kill "$pa" 2>/dev/null
	wait "$pa" 2>/dev/null
	check "its process gone: the pod's CPUs are unknown, no finding (and pflinkd lives)" \
		wait_for 20 eval 'scrape_d && grep -q "^pflink_leaks{kind=\"numa_misaligned\"} 0" "$T/d.prom"'
	kill "$pb" "$pc" 2>/dev/null
	wait "$pb" "$pc" 2>/dev/null
	for n in a b c; do
		case $n in a) conflist "$net" "$va" ;; b) conflist "$net" "$vb" ;; c) conflist "$net" "$vc" ;; esac
		cni del "$net" "/run/netns/$net-$n" "$IFN" "ctr-numa-$n"
	done
	stop_agent
	check "no sanitizer report or crash in the agent log" not grep -qE 'Sanitizer|runtime error:' "$T/agent.log"
	rm -rf "${AGSOCK%/*}"
	drop_ns "$net-a" "$net-b" "$net-c"
}

# -----------------------------------------------------------------------------
# 18. pflinkd's sysfs cache on real sysfs (design-notes.md §28): its signal
#     is the kernel's uevents; a VF unbound and bound again, sriov_numvfs
#     to 0 and back, each between two `pflinkctl pf` lookups of a running
#     pflinkd with no wait between the change and the lookup: each answer
#     says what sysfs says.  Last: the PF's VFs are made anew.
pfq() { agq pf "$1" && [ -s "$T/ag.json" ]; }
# sysfs_says PF: the PF's numvfs and each VF's index, address and driver as
# /sys says now, as jq's input for a comparison with an answer's
sysfs_says() {
	local p=$1 l n v d out=""
	read -r n <"/sys/bus/pci/devices/$p/sriov_numvfs"
	for l in /sys/bus/pci/devices/"$p"/virtfn*; do
		[ -e "$l" ] || [ -L "$l" ] || continue
		v=$(readlink "$l") && v=${v##*/}
		d=$(readlink "/sys/bus/pci/devices/$v/driver" 2>/dev/null) && d=${d##*/} || d=""
		out="$out{\"index\":${l##*virtfn},\"pciAddress\":\"$v\",\"driver\":\"$d\"},"
	done
	echo "{\"numvfs\":$n,\"vfs\":[${out%,}]}"
}
# answers_sysfs PF: the last answer ($T/ag.json) is what sysfs says
answers_sysfs() {
	local want
	want=$(sysfs_says "$1") || return 1
	jqf "$T/ag.json" '.pf.numvfs == $w.numvfs and ([.pf.vfs[] | {index, pciAddress, driver}] == ($w.vfs | sort_by(.index)))' \
		--argjson w "$want"
}
case_sysfs_cache() {
	local p=${PFS[1]} vf h0 d0 n
	vf=$(vf_n "$p" 1)
	begin "pflinkd's sysfs cache: uevents on real VFs"
	AGSOCK=$(mktemp -d /tmp/pflinkd.XXXXXX)/pflinkd.sock
	mkdir -p "$T/agent/state"
	check "pflinkd starts" start_agent
	agq health
	check "the cache's signal is the kernel's uevents" jqf "$T/ag.json" '.sysfsCache.signal == "uevent"'
	h0=$(jq -r .sysfsCache.hits "$T/ag.json")
	check "pf $p: $SRIOV_NUMVFS VFs on igbvf, as sysfs says" \
		eval 'pfq "$p" && answers_sysfs "$p" && jqf "$T/ag.json" "[.pf.vfs[].driver] | all(. == \"igbvf\")"'
	check "pf $p again: as sysfs says" eval 'pfq "$p" && answers_sysfs "$p"'
	agq health
	check "... from the cache (hits above $h0)" jqf "$T/ag.json" '.sysfsCache.hits > ($h|tonumber)' --arg h "$h0"
	d0=$(jq -r .sysfsCache.drops "$T/ag.json")

	echo "$vf" >"/sys/bus/pci/devices/$vf/driver/unbind"
	check "VF $vf unbound: the next lookup says no driver" \
		eval 'pfq "$p" && answers_sysfs "$p" && jqf "$T/ag.json" ".pf.vfs[1].driver == \"\""'
	agq health
	check "... the cache was dropped by a uevent (drops above $d0)" \
		jqf "$T/ag.json" '.sysfsCache.drops > ($d|tonumber)' --arg d "$d0"
	check "VF $vf bound to igbvf again" bind_to "$vf" igbvf
	check "... the next lookup says igbvf" \
		eval 'pfq "$p" && answers_sysfs "$p" && jqf "$T/ag.json" ".pf.vfs[1].driver == \"igbvf\""'
	check "... and the vf answer too" eval 'agq vf "$vf" && jqf "$T/ag.json" ".vf.driver == \"igbvf\" and .vf.index == 1"'

	echo 0 >"/sys/bus/pci/devices/$p/sriov_numvfs"
	check "sriov_numvfs 0: the next lookup lists no VF" \
		eval 'pfq "$p" && answers_sysfs "$p" && jqf "$T/ag.json" ".pf.numvfs == 0 and .pf.vfs == []"'
	check "... and again" eval 'pfq "$p" && jqf "$T/ag.json" ".pf.numvfs == 0 and .pf.vfs == []"'
	n=$((SRIOV_NUMVFS - 1))
	echo "$n" >"/sys/bus/pci/devices/$p/sriov_numvfs"
	check "sriov_numvfs $n: the next lookup lists $n VFs, as sysfs says" \
		eval 'pfq "$p" && answers_sysfs "$p" && jqf "$T/ag.json" ".pf.numvfs == ($n) and (.pf.vfs | length) == ($n)"'
	echo 0 >"/sys/bus/pci/devices/$p/sriov_numvfs"
	echo "$SRIOV_NUMVFS" >"/sys/bus/pci/devices/$p/sriov_numvfs"
	check "sriov_numvfs $SRIOV_NUMVFS again: the next lookup says so" \
		eval 'pfq "$p" && answers_sysfs "$p" && jqf "$T/ag.json" ".pf.numvfs == $SRIOV_NUMVFS"'
	agq health
	note "$(jq -c .sysfsCache "$T/ag.json")"
	check "pflinkd still running" kill -0 "$AGENT"
	stop_agent
	rm -rf "${AGSOCK%/*}"
	for ((n = 0; n < SRIOV_NUMVFS; n++)); do
		wait_for 20 in_host "$(vf_n "$p" "$n")" || echo "    (warning: VF $n of $p has no netdev)"
	done
}

START=$(date +%s%N)
if [ "$TRACE" = 1 ]; then
	PS4='+ ${EPOCHREALTIME} '
	set -x
fi
for c in "${CASES[@]}"; do
	case $c in
	chain) for p in "${PFS[@]:0:2}"; do case_chain "$p"; done ;;
	map) case_map ;;
	direct) case_direct_110 ;;
	pf-netns) case_pf_in_netns ;;
	swap) case_check_swap ;;
	del-gone) case_del_netns_gone ;;
	devinfo-file) case_devinfo_file ;;
	parallel) case_parallel ;;
	agent) case_agent ;;
	errors) case_errors ;;
	vfio) case_vfio ;;
	runtime) case_runtime ;;
	agent-stress) case_agent_stress ;;
	metrics) case_metrics ;;
	pf-down) case_pf_down ;;
	devlink) case_devlink ;;
	vf-dirty) case_vf_dirty ;;
	sysfs-cache) case_sysfs_cache ;;
	numa) case_numa ;;
	*) CASE='' fail "unknown case '$c'" ;;
	esac
done
set +x
end_case
CASE=
echo "suite time: $((($(date +%s%N) - START) / 1000000)) ms"
if [ "$FAILED" -gt 0 ] && [ -s "$T/pflink.log" ]; then
	echo "--- pflink log (last 30 lines) ---"
	tail -n 30 "$T/pflink.log"
fi
if [ "$FAILED" -gt 0 ] && [ -s "$T/agent.log" ]; then
	echo "--- pflinkd log (last 30 lines) ---"
	tail -n 30 "$T/agent.log"
fi
stop_agent
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
