#!/bin/bash
# SPDX-License-Identifier: MIT
# pflink against real netns/veth/netlink: every verb, every CNI version,
# and the bad-input errors.  Usage: plugin.sh PFLINK SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "plugin.sh" unshare
# Its own net, mount and pid namespaces: the PF scan sees this test's links
# only (another run's links of the same MAC would be PFs too), and the
# churn below is the only one that interrupts its dumps.
tl_own_namespaces "$0" "$@"
tl_setup "$1" "$2" "$3"

POD=pfpod-$TAG POD2=pfpod2-$TAG PFNS=pfns-$TAG
tl_netns "$POD"; tl_netns "$POD2"
NS=/run/netns/$POD NS2=/run/netns/$POD2
# Two PFs, VFs of each, a plain NIC, hostile and broken ones.
tl_dev "pfa$TAG" 02:aa:00:01:00:00 0000:01:00.0 igb
tl_dev "pfb$TAG" 02:aa:00:02:00:00 0000:02:00.0 igb
tl_dev "va0$TAG" 02:aa:01:10:00:00 0000:01:10.0 igbvf
tl_dev "va1$TAG" 02:aa:01:10:02:00 0000:01:10.2 igbvf
tl_dev "vb0$TAG" 02:aa:02:10:00:00 0000:02:10.0 igbvf
tl_dev "nic$TAG" 02:aa:00:1f:06:00 0000:00:1f.6 e1000e
tl_dev "usb$TAG" 02:aa:0e:00:00:01 usb-0000:00:14.0-1 r8152
tl_dev "emp$TAG" 02:aa:0e:00:00:02 - bcmgenet
tl_dev "dot$TAG" 02:aa:0e:00:00:03 ../../etc evil
tl_dev "dng$TAG" 02:aa:05:10:00:00 0000:05:10.0 igbvf
tl_dev "lop$TAG" 02:aa:06:10:00:00 0000:06:10.0 igbvf
tl_dev "esc$TAG" 02:aa:07:10:00:00 0000:07:10.0 igbvf
tl_dev "nod$TAG" 02:aa:08:10:00:00 0000:08:10.0 igbvf
tl_dev "unk$TAG" 02:aa:09:10:00:00 0000:09:10.0 igbvf
# A PF with two netdevs (one PCI function, two ports) and its VF.
tl_dev "mxa$TAG" 02:aa:03:00:00:0a 0000:03:00.0 mlx4_core
tl_dev "mxb$TAG" 02:aa:03:00:00:0b 0000:03:00.0 mlx4_core
tl_dev "mxv$TAG" 02:aa:03:00:01:00 0000:03:00.1 mlx4_core

into() { ip link set "$1" netns "$2" name "$3"; }	# a VF handed to a pod
ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=web-0;K8S_POD_UID=1f2e3d4c-0000-4000-8000-000000000001"

# --- ADD at 1.1.0: pciID on both ends, PF host-side entry, device-info, state
into "va0$TAG" "$POD" net1
CID=c-add11
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")" "$ARGS"
expect_ok "ADD 1.1.0"
check "ADD 1.1.0: VF pciID on the sandbox interface" jqe '.interfaces[] | select(.name=="net1" and .sandbox!=null) | .pciID=="0000:01:10.0"'
check "ADD 1.1.0: PF host-side interface with name, mac, pciID" \
	jqe --arg n "pfa$TAG" '.interfaces[] | select(.name==$n and .sandbox==null) | .mac=="02:aa:00:01:00:00" and .pciID=="0000:01:00.0"'
check "ADD 1.1.0: prevResult ips and dns pass through" jqe '.ips[0].address=="10.1.0.5/24" and .dns=={} and .cniVersion=="1.1.0"'
check "ADD 1.1.0: exactly one PF entry" jqe '[.interfaces[] | select(.sandbox==null)] | length==1'
DI=$DEVINFO/$(tl_di_name sriov-a c-add11 net1)
check "ADD: device-info has pci-address and pf-pci-address" \
	jq_file "$DI" '.type=="pci" and .version=="1.1.0" and .pci["pci-address"]=="0000:01:10.0" and .pci["pf-pci-address"]=="0000:01:00.0"'
SF=$STATE/c-add11_net1.json
check "ADD: state records VF, PF, index, PF netdev, pod" \
	jq_file "$SF" --arg n "pfa$TAG" '.vfPciAddress=="0000:01:10.0" and .pfPciAddress=="0000:01:00.0" and .vfIndex==0 and .pfNetdev==$n and .podNamespace=="team-a" and .podName=="web-0" and .podUID=="1f2e3d4c-0000-4000-8000-000000000001" and .netns=="'"$NS"'"'
check "ADD: state file is private (0600)" test "$(stat -c %a "$SF")" = 600
check "ADD: no temp files left in stateDir" test -z "$(find "$STATE" -name '.*')"

# --- CHECK passes with the ADD result as prevResult
ADDRES=$OUT
chk_conf() { jq -c --argjson p "$ADDRES" '.prevResult=$p' <<<"$(conf "$1" '' net1 "$NS")"; }
pflink_run CHECK "$NS" net1 "$(chk_conf 1.1.0)"
expect_ok "CHECK 1.1.0 after ADD"
check "CHECK prints nothing" test -z "$OUT"

# --- CHECK catches a swapped VF (same ifname, another VF)
ip -n "$POD" link set net1 netns 1 name "va0$TAG"
into "va1$TAG" "$POD" net1
pflink_run CHECK "$NS" net1 "$(chk_conf 1.1.0)"
expect_code "CHECK after the VF was swapped" 104
check "CHECK drift message names both VFs" jqe '.msg | contains("0000:01:10.2") and contains("0000:01:10.0")'
ip -n "$POD" link set net1 netns 1 name "va1$TAG"
pflink_run CHECK "$NS" net1 "$(chk_conf 1.1.0)"
expect_code "CHECK after the VF left the pod" 105
into "va0$TAG" "$POD" net1

# --- CHECK catches a renamed PF netdev (the result's host-side entry is stale)
ip link set "pfa$TAG" name "pfr$TAG"
pflink_run CHECK "$NS" net1 "$(chk_conf 1.1.0)"
expect_code "CHECK after the PF netdev was renamed" 104
ip link set "pfr$TAG" name "pfa$TAG"

# --- DEL: removes state and device-info; twice; with nothing; without netns
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
expect_ok "DEL"
check "DEL removed state" test ! -e "$SF"
check "DEL removed device-info pflink created" test ! -e "$DI"
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
expect_ok "DEL twice"
CID=never-added pflink_run DEL "" net1 '{"cniVersion":"1.0.0","name":"sriov-a","type":"pflink"}'
expect_ok "DEL with no state, no netns, no prevResult"
CID=c-gone pflink_run DEL /run/netns/does-not-exist-$TAG net1 "$(conf 1.0.0 '' net1 /x)"
expect_ok "DEL with a dead netns path"

# --- every CNI version
for v in 0.3.0 0.3.1 0.4.0 1.0.0; do
	CID=c-v$v
	pflink_run ADD "$NS" net1 "$(conf $v '' net1 "$NS")"
	expect_ok "ADD $v"
	check "ADD $v: PF entry, no pciID before 1.1.0" \
		jqe --arg n "pfa$TAG" --arg v $v '.cniVersion==$v and ([.interfaces[] | select(.name==$n and .sandbox==null)] | length==1) and ([.. | .pciID? // empty] | length==0)'
	check "ADD $v: ips unchanged" jqe '.ips[0].address=="10.1.0.5/24"'
	pflink_run DEL "$NS" net1 "$(conf $v '' net1 "$NS")"
	expect_ok "DEL $v"
done
CID=c-chk03
pflink_run CHECK "$NS" net1 "$(conf 0.3.1 '' net1 "$NS")"
expect_code "CHECK at 0.3.1 (CHECK exists from 0.4.0)" 1

# --- prevResult without the sandbox interface: pflink describes it
CID=c-noif
pflink_run ADD "$NS" net1 "$(jq -c '.prevResult.interfaces=[]' <<<"$(conf 1.1.0 '' net1 "$NS")")"
expect_ok "ADD with a prevResult that lists no interface"
check "ADD adds the sandbox interface with mac and pciID" \
	jqe --arg ns "$NS" '.interfaces[] | select(.name=="net1") | .sandbox==$ns and .mac=="02:aa:01:10:00:00" and .pciID=="0000:01:10.0"'
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"

# --- ADD twice for one attachment (a runtime trying again), then DEL: the
# device-info file the first ADD made is still pflink's to remove
CID=c-twice
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
expect_ok "ADD"
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
expect_ok "ADD again, the same attachment"
check "... its record still says pflink made the device-info file" \
	jq_file "$STATE/c-twice_net1.json" '.deviceInfoCreated==true'
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
expect_ok "DEL after ADD, ADD"
check "... removed the device-info file" test ! -e "$DEVINFO/$(tl_di_name sriov-a c-twice net1)"
check "... and the record" test ! -e "$STATE/c-twice_net1.json"

# --- CNI_IFNAME the kernel takes but a file name must not carry as it is
# ("n@2"): escaped in the record's and the device-info's names; one the
# kernel refuses is refused before any work (here: before the netns).
ip -n "$POD" link set net1 name 'n@2'
CID=c-at
pflink_run ADD "$NS" 'n@2' "$(conf 1.1.0 '' 'n@2' "$NS")"
expect_ok "ADD with CNI_IFNAME n@2"
check "... its record is c-at_n%402.json" jq_file "$STATE/c-at_n%402.json" '.ifName=="n@2" and .deviceInfoCreated'
check "... its device-info file is escaped the same way" test -s "$DEVINFO/$(tl_di_name sriov-a c-at 'n@2')"
pflink_run CHECK "$NS" 'n@2' "$(jq -c --argjson p "$OUT" '.prevResult=$p' <<<"$(conf 1.1.0 '' 'n@2' "$NS")")"
expect_ok "CHECK with CNI_IFNAME n@2"
pflink_run DEL "$NS" 'n@2' "$(conf 1.1.0 '' 'n@2' "$NS")"
expect_ok "DEL with CNI_IFNAME n@2"
check "... removed both files" test ! -e "$STATE/c-at_n%402.json" -a ! -e "$DEVINFO/$(tl_di_name sriov-a c-at 'n@2')"
ip -n "$POD" link set 'n@2' name net1
for bad in 'a:b' 'a b' 'a/b' '..' 0123456789abcdef; do
	CID=c-badif pflink_run ADD /run/netns/absent-$TAG "$bad" "$(conf 1.1.0 '' "$bad" /run/netns/absent-$TAG)"
	expect_code "ADD with CNI_IFNAME '$bad', refused before the netns is looked at" 4
	check "... the message names CNI_IFNAME" jqe '.msg | startswith("CNI_IFNAME")'
done
CID='c/x' pflink_run ADD /run/netns/absent-$TAG net1 "$(conf 1.1.0 '' net1 /run/netns/absent-$TAG)"
expect_code "ADD with CNI_CONTAINERID 'c/x', refused before any work" 4

# --- the plugin before pflink wrote the pod's netns another way than
# CNI_NETNS (/proc/PID/ns/net for /run/netns/x): the same netns, so its
# interface is the sandbox interface, annotated, not listed twice
ip netns exec "$POD" sleep 600 &
SLEEPER=$!
until_proc() { for _ in $(seq 50); do [ "$(stat -L -c %i "/proc/$SLEEPER/ns/net" 2>/dev/null)" = "$(stat -L -c %i "$NS")" ] && return 0; sleep 0.05; done; return 1; }
check "a process holds the pod's netns" until_proc
CID=c-samens
pflink_run ADD "$NS" net1 "$(jq -c --arg p "/proc/$SLEEPER/ns/net" '.prevResult.interfaces[0].sandbox=$p' <<<"$(conf 1.1.0 '' net1 "$NS")")"
expect_ok "ADD whose prevResult names the pod's netns by /proc/$SLEEPER/ns/net"
check "... one net1, the previous plugin's, with the VF's pciID" \
	jqe --arg p "/proc/$SLEEPER/ns/net" '[.interfaces[] | select(.name=="net1")] | length==1 and .[0].sandbox==$p and .[0].pciID=="0000:01:10.0"'
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
kill "$SLEEPER"; wait "$SLEEPER" 2>/dev/null

# --- a prevResult that already lists the PF (re-chained, or a 1.0.0 result
# re-versioned to 1.1.0): annotated in place, never listed twice
CID=c-repf
pflink_run ADD "$NS" net1 "$(jq -c --arg n "pfa$TAG" '.prevResult.interfaces += [{"name":$n}]' <<<"$(conf 1.1.0 '' net1 "$NS")")"
expect_ok "ADD with the PF already in prevResult"
check "existing PF entry annotated with mac and pciID, not duplicated" \
	jqe --arg n "pfa$TAG" '[.interfaces[] | select(.name==$n)] | length==1 and .[0].pciID=="0000:01:00.0" and .[0].mac=="02:aa:00:01:00:00"'
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"

# --- Multus: deviceID must agree; CNIDeviceInfoFile is merged, not replaced
CID=c-dev
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"deviceID":"0000:01:10.0"' net1 "$NS")"
expect_ok "ADD with a matching deviceID"
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"deviceID":"0000:01:10.4"' net1 "$NS")"
expect_code "ADD with a mismatching deviceID" 103
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"pciBusID":"0000:01:10.2"' net1 "$NS")"
expect_code "ADD with a mismatching pciBusID" 103
check "failed ADD left no state" test -z "$(ls -A "$STATE" 2>/dev/null)"
MF=$T/multus/devinfo.json
mkdir -p "$T/multus"
echo '{"type":"pci","version":"1.0.0","pci":{"pci-address":"0000:01:10.0","rdma-device":"mlx5_3"},"extra":1}' > "$MF"
CID=c-multus
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF"'"}' net1 "$NS")"
expect_ok "ADD merging Multus' device-info file"
check "merged device-info keeps what was there and adds pf-pci-address" \
	jq_file "$MF" '.version=="1.1.0" and .pci["pf-pci-address"]=="0000:01:00.0" and .pci["rdma-device"]=="mlx5_3" and .extra==1'
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF"'"}' net1 "$NS")"
check "DEL leaves Multus' own device-info file" test -e "$MF"
# A file Multus names but has not written yet is still Multus': pflink
# makes it, and never removes it.
MF2=$T/multus/new-devinfo.json
CID=c-multus2
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF2"'"}' net1 "$NS")"
expect_ok "ADD with Multus' device-info file not there yet"
check "the record does not claim Multus' file" jq_file "$STATE/c-multus2_net1.json" '.deviceInfoCreated==false'
pflink_run DEL "$NS" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF2"'"}' net1 "$NS")"
check "DEL leaves Multus' device-info file that pflink made" jq_file "$MF2" '.pci["pci-address"]=="0000:01:10.0"'
echo '{"type":"pci","version":"1.0.0","pci":{"pci-address":"0000:01:10.6"}}' > "$MF"
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF"'"}' net1 "$NS")"
expect_code "ADD when the device plugin's device-info names another VF" 103
echo 'not json' > "$MF"
pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF"'"}' net1 "$NS")"
expect_code "ADD with a corrupt device-info file" 6
check "corrupt device-info file left untouched" grep -qx 'not json' "$MF"
check "failed ADDs left no state" test -z "$(ls -A "$STATE" 2>/dev/null)"

# --- a PF whose one PCI function carries two netdevs
into "mxv$TAG" "$POD2" net2
CID=c-mlx
pflink_run ADD "$NS2" net2 "$(conf 1.1.0 '' net2 "$NS2")"
expect_ok "ADD on a PF with two netdevs"
check "both PF netdevs are host-side entries" \
	jqe --arg a "mxa$TAG" --arg b "mxb$TAG" '[.interfaces[] | select(.sandbox==null and .pciID=="0000:03:00.0") | .name] | sort==([$a,$b]|sort)'
pflink_run DEL "$NS2" net2 "$(conf 1.1.0 '' net2 "$NS2")"
ip -n "$POD2" link set net2 netns 1 name "mxv$TAG"

# --- a PF that lives in a bind-mounted netns, not the host's
tl_netns "$PFNS"
ip link set "pfb$TAG" netns "$PFNS"
into "vb0$TAG" "$POD2" net1
CID=c-pfns
pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
expect_code "PF in another netns, that netns not scanned" 102
PFLINK_NETNS_DIRS=/run/netns pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
expect_ok "PF in a bind-mounted netns is found"
# Listed without a sandbox it would say "host"; with one, Multus would
# take it for the pod's interface: it is left out of interfaces.
check "the PF in another netns is no interface of the result" \
	jqe --arg n "pfb$TAG" '[.interfaces[] | select(.name==$n)] == [] and [.interfaces[] | select(.sandbox==null)] == []'
check "... device-info names the PF" \
	jq_file "$DEVINFO/$(tl_di_name sriov-a c-pfns net1)" '.pci["pf-pci-address"]=="0000:02:00.0"'
check "state records the PF's netdev and netns" \
	jq_file "$STATE/c-pfns_net1.json" --arg p "/run/netns/$PFNS" --arg n "pfb$TAG" '.pfNetns==$p and .pfNetdev==$n'
PFNSRES=$OUT
PFLINK_NETNS_DIRS=/run/netns pflink_run CHECK "$NS2" net1 "$(jq -c --argjson p "$PFNSRES" '.prevResult=$p' <<<"$(conf 1.1.0 '' net1 "$NS2")")"
expect_ok "CHECK of that attachment (no host-side entry to ask for)"
pflink_run DEL "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
ip -n "$POD2" link set net1 netns 1 name "vb0$TAG"
ip -n "$PFNS" link set "pfb$TAG" netns 1

# --- the PF's netdevs as sysfs lists them (BDF/net/NAME): candidates, each
# checked with the kernel in the host netns; no dump, no ethtool, no agent
PFDIR=$(find "$SYS/devices" -type d -name 0000:01:00.0 | head -n 1)
MOVED=0
ip link show "va0$TAG" >/dev/null 2>&1 && { into "va0$TAG" "$POD" net1; MOVED=1; }
CID=c-hint
# Each ADD is undone at once (a second ADD would find its device-info and
# take it for the device plugin's); OUT, RC and stderr stay the ADD's.
# $T/drvinfo.log: the shim's line for every ETHTOOL_GDRVINFO the ADD made.
hint_add() {
	local o rc
	: > "$T/drvinfo.log"
	PFLINK_TEST_BUSINFO_LOG=$T/drvinfo.log pflink_run ADD "$NS" net1 "$(conf 1.1.0 '"logLevel":"info"' net1 "$NS")"
	o=$OUT rc=$RC
	cp "$T/stderr" "$T/stderr.add"
	pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
	OUT=$o RC=$rc
	cp "$T/stderr.add" "$T/stderr"
}
hint_add
expect_ok "ADD, the PF without a net/ directory in sysfs"
check "... found by the direct scan" grep -q "by direct scan" "$T/stderr"
SCANOUT=$OUT
# hint_try WHAT HOW LOGLINE: an ADD that must succeed, say HOW it found the
# PF (LOGLINE in its log) and give the scan's very result.  NOPARENT=1: as
# on a kernel that names no parent device.
hint_try() {
	local what=$1 how=$2 line=$3
	if [ -n "${NOPARENT:-}" ]; then PFLINK_TEST_NO_PARENT=1 hint_add; else hint_add; fi
	expect_ok "ADD, $what"
	check "... $how, the same result as the scan's" \
		eval 'grep -q "$line" "$T/stderr" && [ -n "$OUT" ] && [ "$(jq -S -c . <<<"$OUT")" = "$(jq -S -c . <<<"$SCANOUT")" ]'
}
# pf_drvinfo: the ADD asked ethtool about the PF's netdev (the pod's VF it
# always asks about, by name, in the pod's netns).
pf_drvinfo() { grep -q "^pfa$TAG " "$T/drvinfo.log"; }
bash "$FIXTURE" net "$SYS" 0000:01:00.0 "pfa$TAG"
hint_try "the PF's netdev listed under net/" "named from sysfs, checked by netlink" "from sysfs checked by netlink"
check "... and no scan" sh -c "! grep -q 'by direct scan' '$T/stderr'"
if [ -z "${PFLINK_TEST_NO_PARENT:-}" ]; then
	check "... and no ethtool question about the PF (the kernel named its parent device)" \
		eval 'grep -q "^net1 " "$T/drvinfo.log" && ! pf_drvinfo'
else
	check "... ethtool was asked about the PF's netdev (this kernel names no parent device)" pf_drvinfo
fi
NOPARENT=1 hint_try "listed under net/, a kernel that names no parent device" \
	"named from sysfs, checked by ethtool" "from sysfs checked by netlink"
check "... ethtool was asked about the PF's netdev" pf_drvinfo
bash "$FIXTURE" net "$SYS" 0000:01:00.0 "gone$TAG"
hint_try "net/ also lists a name no link has here (renamed, or another netns' sysfs)" \
	"the hint dropped for the scan" "by direct scan"
rm -rf "$PFDIR/net"
bash "$FIXTURE" net "$SYS" 0000:01:00.0 "pfb$TAG"
hint_try "net/ lists a link that is another PF's netdev here" "the hint dropped for the scan" "by direct scan"
rm -rf "$PFDIR/net"
for k in 1 2 3 4; do bash "$FIXTURE" net "$SYS" 0000:01:00.0 "rep$k$TAG"; done
bash "$FIXTURE" net "$SYS" 0000:01:00.0 "pfa$TAG"
hint_try "net/ lists five names (a switchdev PF and its representors)" \
	"more than a get of each is worth: the scan" "by direct scan"
rm -rf "$PFDIR/net"
[ "$MOVED" = 0 ] || ip -n "$POD" link set net1 netns 1 name "va0$TAG"

# --- GC keeps valid attachments of its network, removes the rest, ignores others'
for c in g1 g2 g3; do CID=$c pflink_run ADD "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"; done
CID=g4 pflink_run ADD "$NS" net1 "$(jq -c '.name="other-net"' <<<"$(conf 1.1.0 '' net1 "$NS")")"
pflink_run GC "" "" "$(jq -c '."cni.dev/valid-attachments"=[{"containerID":"g2","ifname":"net1"}]' <<<"$(conf 1.1.0)")"
expect_ok "GC"
check "GC removed stale attachments' state" test ! -e "$STATE/g1_net1.json" -a ! -e "$STATE/g3_net1.json"
check "GC removed their device-info" test ! -e "$DEVINFO/$(tl_di_name sriov-a g1 net1)"
check "GC kept the valid attachment" test -e "$STATE/g2_net1.json" -a -e "$DEVINFO/$(tl_di_name sriov-a g2 net1)"
check "GC kept another network's attachment" test -e "$STATE/g4_net1.json"
# Without the runtime's list every record would look stale: refuse.
pflink_run GC "" "" "$(conf 1.1.0)"
expect_code "GC without cni.dev/valid-attachments" 7
check "... removed nothing" test -e "$STATE/g2_net1.json" -a -e "$STATE/g4_net1.json" -a -e "$DEVINFO/$(tl_di_name sriov-a g2 net1)"
check "... and says which key to set" jqe '.msg|contains("cni.dev/valid-attachments")'
pflink_run GC "" "" "$(jq -c '."cni.dev/valid-attachments"=null' <<<"$(conf 1.1.0)")"
expect_code "GC with cni.dev/valid-attachments null" 7
echo '{garbage' > "$STATE/zz_net1.json"
pflink_run GC "" "" "$(jq -c '."cni.dev/valid-attachments"=[]' <<<"$(conf 1.1.0)")"
expect_ok "GC with a corrupt state file present"
pflink_run GC "" "" "$(conf 1.0.0)"
expect_code "GC at 1.0.0" 1
for c in g2 g4; do CID=$c pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"; done
rm -f "$STATE/zz_net1.json"

# --- two attachments whose file names once were one: (a_b, c) and (a, b_c)
into "va1$TAG" "$POD" c
into "vb0$TAG" "$POD" b_c
CID=a_b pflink_run ADD "$NS" c "$(conf 1.1.0 '' c "$NS")"
expect_ok "ADD (a_b, c)"
CID=a pflink_run ADD "$NS" b_c "$(conf 1.1.0 '' b_c "$NS")"
expect_ok "ADD (a, b_c)"
check "(a_b, c) has its own record" jq_file "$STATE/a%5Fb_c.json" '.containerID=="a_b" and .ifName=="c" and .vfPciAddress=="0000:01:10.2"'
check "(a, b_c) has its own record" jq_file "$STATE/a_b_c.json" '.containerID=="a" and .ifName=="b_c" and .vfPciAddress=="0000:02:10.0"'
check "(a_b, c) has its own device-info" jq_file "$DEVINFO/$(tl_di_name sriov-a a_b c)" '.pci["pci-address"]=="0000:01:10.2"'
check "(a, b_c) has its own device-info" jq_file "$DEVINFO/$(tl_di_name sriov-a a b_c)" '.pci["pci-address"]=="0000:02:10.0"'
CID=a_b pflink_run DEL "$NS" c "$(conf 1.1.0 '' c "$NS")"
expect_ok "DEL (a_b, c)"
check "DEL (a_b, c) left (a, b_c)'s record" jq_file "$STATE/a_b_c.json" '.containerID=="a"'
check "DEL (a_b, c) left (a, b_c)'s device-info" test -e "$DEVINFO/$(tl_di_name sriov-a a b_c)"
check "... and removed its own" test ! -e "$STATE/a%5Fb_c.json" -a ! -e "$DEVINFO/$(tl_di_name sriov-a a_b c)"
CID=a pflink_run DEL "$NS" b_c "$(conf 1.1.0 '' b_c "$NS")"
check "DEL (a, b_c) removed its record" test ! -e "$STATE/a_b_c.json"
ip -n "$POD" link set c netns 1 name "va1$TAG"
ip -n "$POD" link set b_c netns 1 name "vb0$TAG"

# --- switchdev: the PF's uplink and the representors all answer ethtool
# with the PF's address (ice, nfp; mlx5 and bnxt through the ethtool core
# since Linux 6.2).  Only the uplink is a PF netdev; VF 1's representor is
# pf0vf1 on the PF's switch, not the SmartNIC host's c1pf0vf1, not PF 1's
# pf1vf1 on a shared switch, not an SF's or the PF's own representor.
tl_fixture_extra
SW=b8599f0300aabbcc
tl_dev "up0$TAG" 02:aa:0a:00:00:00 0000:0a:00.0 mlx5_core p0 $SW
tl_dev "r01$TAG" 02:aa:0a:00:01:01 0000:0a:00.0 mlx5e_rep pf0vf1 $SW
tl_dev "r00$TAG" 02:aa:0a:00:01:00 0000:0a:00.0 mlx5e_rep pf0vf0 $SW
tl_dev "rc1$TAG" 02:aa:0a:00:01:c1 0000:0a:00.0 mlx5e_rep c1pf0vf1 $SW
tl_dev "r11$TAG" 02:aa:0a:00:11:01 0000:0a:00.1 mlx5e_rep pf1vf1 $SW
tl_dev "rsf$TAG" 02:aa:0a:00:01:5f 0000:0a:00.0 mlx5e_rep pf0sf88 $SW
tl_dev "rpf$TAG" 02:aa:0a:00:01:ff 0000:0a:00.0 mlx5e_rep pf0 $SW
tl_dev "vf3$TAG" 02:aa:0a:00:03:00 0000:0a:00.3 mlx5_core
into "vf3$TAG" "$POD2" net1
CID=c-swdev
pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")" "$ARGS"
expect_ok "ADD on a switchdev PF"
check "switchdev: exactly one host-side PF entry, the uplink" \
	jqe --arg u "up0$TAG" '[.interfaces[] | select(.sandbox==null) | .name] == [$u]'
check "switchdev: no representor is a host-side interface" \
	jqe '[.interfaces[] | select(.sandbox==null and (.name|test("^r")))] | length==0'
check "switchdev: the record's PF netdev is the uplink, its representor pf0vf1's" \
	jq_file "$STATE/c-swdev_net1.json" --arg u "up0$TAG" --arg r "r01$TAG" '.pfNetdev==$u and .representor==$r and .vfIndex==1'
check "switchdev: device-info names the representor" \
	jq_file "$DEVINFO/$(tl_di_name sriov-a c-swdev net1)" --arg r "r01$TAG" '.pci["representor-device"]==$r and .pci["pf-pci-address"]=="0000:0a:00.0"'
pflink_run DEL "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
# ice names its representors pfXvfrY.
ip link set "r01$TAG" name "ri1$TAG"
tl_port 02:aa:0a:00:01:01 pf0vfr1 $SW
CID=c-ice
pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
expect_ok "ADD with an ice-style representor"
check "ice's pf0vfr1 is VF 1's representor" jq_file "$STATE/c-ice_net1.json" --arg r "ri1$TAG" '.representor==$r'
pflink_run DEL "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
# In legacy mode (no switch id on the PF) a VF has no representor.
tl_port 02:aa:0a:00:00:00 - -
CID=c-legacy
pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
expect_ok "ADD on the same PF without a switch"
check "no switch, no representor" jq_file "$STATE/c-legacy_net1.json" '.representor==""'
pflink_run DEL "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
tl_port 02:aa:0a:00:00:00 p0 $SW

# --- vDPA: a virtio-net netdev on vdpa0, which hangs off VF 0000:0a:00.3
ip -n "$POD2" link set net1 netns 1 name "vf3$TAG"
echo "02:aa:0a:00:03:00 vdpa0 virtio_net" >> "$MAP"
into "vf3$TAG" "$POD2" net1
CID=c-vdpa
pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
expect_ok "ADD of a vDPA netdev"
check "vDPA: the VF is the function vdpa0 hangs off" jqe '.interfaces[] | select(.name=="net1") | .pciID=="0000:0a:00.3"'
check "vDPA: its PF" jq_file "$STATE/c-vdpa_net1.json" '.pfPciAddress=="0000:0a:00.0" and .vfIndex==1'
pflink_run DEL "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
ip -n "$POD2" link set net1 netns 1 name "vf3$TAG"

# --- VFs with no netdev (DPDK, KubeVirt): vfio-pci, igb_uio
tl_dev "ix0$TAG" 02:aa:0b:00:00:00 0000:0b:00.0 ixgbe
CID=c-dpdk
NDCONF=$(conf 1.1.0 '"deviceID":"0000:0b:10.0"' net1 "$NS2" | jq -c '.prevResult.interfaces=[]')
pflink_run ADD "$NS2" net1 "$NDCONF" "$ARGS"
expect_ok "ADD of a vfio-pci VF (no netdev) named by deviceID"
check "no netdev: the sandbox interface with the VF's pciID" \
	jqe --arg ns "$NS2" '[.interfaces[] | select(.sandbox==$ns)] == [{"name":"net1","sandbox":$ns,"pciID":"0000:0b:10.0"}]'
check "no netdev: the PF host-side entry" jqe --arg p "ix0$TAG" '.interfaces[] | select(.name==$p) | .pciID=="0000:0b:00.0"'
check "no netdev: the record names the VF, its driver and the pod" \
	jq_file "$STATE/c-dpdk_net1.json" '.vfPciAddress=="0000:0b:10.0" and .vfDriver=="vfio-pci" and .pfPciAddress=="0000:0b:00.0" and .vfIndex==0 and .podName=="web-0"'
check "no netdev: device-info" jq_file "$DEVINFO/$(tl_di_name sriov-a c-dpdk net1)" '.pci["pci-address"]=="0000:0b:10.0" and .pci["pf-pci-address"]=="0000:0b:00.0"'
NDRES=$OUT
pflink_run CHECK "$NS2" net1 "$(jq -c --argjson p "$NDRES" '.prevResult=$p' <<<"$NDCONF")"
expect_ok "CHECK of the vfio-pci VF"
pflink_run CHECK "$NS2" net1 "$(jq -c --argjson p "$NDRES" '.prevResult=$p | del(.deviceID)' <<<"$NDCONF")"
expect_ok "CHECK without deviceID (the record names the VF)"
ln -sfn ../../../../bus/pci/drivers/ixgbevf "$(find "$SYS/devices" -path '*0000:0b:10.0' -type d)/driver"
pflink_run CHECK "$NS2" net1 "$(jq -c --argjson p "$NDRES" '.prevResult=$p' <<<"$NDCONF")"
expect_code "CHECK after the VF was given back to a netdev driver" 104
check "... the message names both drivers" jqe '.msg|contains("vfio-pci") and contains("ixgbevf")'
mkdir -p "$SYS/bus/pci/drivers/vfio-pci"
ln -sfn ../../../../bus/pci/drivers/vfio-pci "$(find "$SYS/devices" -path '*0000:0b:10.0' -type d)/driver"
pflink_run DEL "$NS2" net1 "$NDCONF"
expect_ok "DEL of the vfio-pci VF"
check "DEL removed its record and device-info" test ! -e "$STATE/c-dpdk_net1.json" -a ! -e "$DEVINFO/$(tl_di_name sriov-a c-dpdk net1)"
# Named by the device plugin's device-info alone (Multus' file).
MF3=$T/multus/dpdk.json
echo '{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:0b:10.6"}}' > "$MF3"
CID=c-uio
pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF3"'"}' net1 "$NS2")"
expect_ok "ADD of an igb_uio VF named by the device plugin's device-info"
check "igb_uio: the record" jq_file "$STATE/c-uio_net1.json" '.vfPciAddress=="0000:0b:10.6" and .vfDriver=="igb_uio"'
pflink_run DEL "$NS2" net1 "$(conf 1.1.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF3"'"}' net1 "$NS2")"
check "DEL left Multus' device-info" jq_file "$MF3" '.pci["pf-pci-address"]=="0000:0b:00.0"'
# What cannot be a VF without a netdev, each with its own words.
nd_err() {	# nd_err WHAT CODE DEVICEID [EXTRA-JSON]
	CID=c-nderr pflink_run ADD "$NS2" net1 "$(conf 1.1.0 "\"deviceID\":\"$3\"${4:+,$4}" net1 "$NS2")"
	expect_code "no netdev: $1" "$2"
}
CID=c-nderr pflink_run ADD "$NS2" net1 "$(conf 1.1.0 '' net1 "$NS2")"
expect_code "no netdev and no address" 105
check "... the message says to set deviceID or pciBusID" jqe '.msg|contains("deviceID") and contains("pciBusID")'
nd_err "deviceID of a VF on a netdev driver" 105 0000:0b:10.2
check "... the netdev belongs in the pod" jqe '.msg|contains("ixgbevf") and contains("netdev driver")'
nd_err "deviceID of an unbound VF" 105 0000:0b:10.4
nd_err "deviceID sysfs does not know" 100 0000:0c:10.0
nd_err "deviceID of a PF" 101 0000:0b:00.0
nd_err "deviceID of a NIC without SR-IOV" 101 0000:00:1f.6
nd_err "deviceID not a PCI address" 7 vfio0
echo '{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:0b:10.6"}}' > "$MF3"
nd_err "deviceID and the device plugin disagree" 103 0000:0b:10.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF3"'"}'
echo '{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:0b:10.0","pf-pci-address":"0000:01:00.0"}}' > "$MF3"
nd_err "the device plugin names another PF" 103 0000:0b:10.0 '"runtimeConfig":{"CNIDeviceInfoFile":"'"$MF3"'"}'
check "failed no-netdev ADDs left no record" test ! -e "$STATE/c-nderr_net1.json"

# --- what a network config's author (not the node's admin) gets to write:
# control characters escaped in every log line; paths that are relative,
# in /proc, /sys or /dev, or through a symlink someone else could have
# made, refused before anything is written
LOG=$T/pflink.log
: > "$LOG"
CID=c-forge pflink_run ADD "$NS" net1 "$(conf 1.1.0 "\"logFile\":\"$LOG\",\"logLevel\":\"error\",\"deviceID\":\"0000:01:10.0\\n2026-01-01T00:00:00Z pflink[1] error: forged\"" net1 "$NS")"
expect_code "ADD with a deviceID holding a newline" 7
check "... one log line for it, the newline written \\x0a ($(wc -l < "$LOG") lines)" \
	sh -c '[ "$(wc -l < "$1")" = 1 ] && grep -q "0000:01:10.0\\\\x0a2026-01-01T00:00:00Z pflink\[1\] error: forged" "$1" && ! grep -q "^2026-01-01" "$1"' _ "$LOG"
mkdir -p "$T/real" "$T/pub" "$T/rootdir"
chmod 1777 "$T/pub"
ln -s /proc/self "$T/rootdir/me"
ln -s "$T/real" "$T/theirs"
chown -h 65534:65534 "$T/theirs"
ln -s /etc "$T/pub/etc"
refused() {	# refused WHAT KEY VALUE
	CID=c-path pflink_run ADD "$NS" net1 "$(jq -c --arg k "$2" --arg v "$3" '.[$k]=$v' <<<"$(conf 1.1.0 '' net1 "$NS")")"
	expect_code "$1" 7
}
refused "stateDir relative" stateDir run/pflink/state
refused "stateDir with .." stateDir "$T/state/../../etc"
refused "logFile in /proc" logFile /proc/self/fd/2
refused "deviceInfoDir in /sys" deviceInfoDir /sys/kernel/pflink
refused "deviceInfoDir in /dev" deviceInfoDir /dev/shm/di
refused "deviceInfoDir through a symlink of another user's" deviceInfoDir "$T/theirs/di"
check "... its message says why" jqe '.msg | contains("symlink")'
refused "logFile through a symlink in a directory anyone may write" logFile "$T/pub/etc/pflink.log"
refused "logFile through a root symlink into /proc" logFile "$T/rootdir/me/fd/2"
check "... its message says where it leads" jqe '.msg | contains("/proc")'
check "nothing written by the refused ADDs" \
	sh -c '[ ! -e "$1/state/c-path_net1.json" ] && [ -z "$(ls -A "$1/real")" ] && [ ! -e /etc/pflink.log ]' _ "$T"
# A symlink only root could have made, as /var/run -> /run on most
# systems: followed (the default deviceInfoDir goes through it).
if [ -L /var/run ] && [ "$(stat -c %u /var/run)" = 0 ]; then
	CID=c-varrun pflink_run ADD "$NS" net1 "$(jq -c --arg d "/var/run/pflink-test-$TAG" '.deviceInfoDir=$d' <<<"$(conf 1.1.0 '' net1 "$NS")")"
	expect_ok "deviceInfoDir through /var/run -> /run"
	check "... the record names the file under /run" \
		jq_file "$STATE/c-varrun_net1.json" --arg d "/run/pflink-test-$TAG/" '.deviceInfoFile | startswith($d)'
	CID=c-varrun pflink_run DEL "$NS" net1 "$(jq -c --arg d "/var/run/pflink-test-$TAG" '.deviceInfoDir=$d' <<<"$(conf 1.1.0 '' net1 "$NS")")"
	check "... DEL removed it" test -z "$(ls -A "/run/pflink-test-$TAG")"
	rm -rf "/run/pflink-test-$TAG"
fi

# --- STATUS and VERSION
pflink_run STATUS "" "" "$(conf 1.1.0)"
expect_ok "STATUS with readable sysfs"
pflink_run STATUS "" "" "$(jq -c '.sysfsRoot="/nonexistent"' <<<"$(conf 1.1.0)")"
expect_code "STATUS with unreadable sysfs" 50
pflink_run VERSION "" "" '{"cniVersion":"1.0.0"}'
expect_ok "VERSION"
check "VERSION lists 0.3.0..1.1.0" jqe '.cniVersion=="1.0.0" and .supportedVersions==["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]'

# --- bad input: every error is one JSON object with the right code
CID=c-bad
pflink_run ADD "$NS" net1 '{"cniVersion":'
expect_code "malformed JSON" 6
pflink_run ADD "$NS" net1 '[1,2]'
expect_code "JSON that is not an object" 6
pflink_run ADD "$NS" net1 "$(jq -c '.sysfsRoot=7' <<<"$(conf 1.1.0)")"
expect_code "sysfsRoot of the wrong type" 7
pflink_run ADD "$NS" net1 "$(conf 9.9.9)"
expect_code "unsupported cniVersion" 1
pflink_run ADD "$NS" net1 "$(jq -c 'del(.cniVersion)' <<<"$(conf 1.1.0)")"
expect_code "absent cniVersion" 1
pflink_run ADD "$NS" net1 "$(jq -c 'del(.prevResult)' <<<"$(conf 1.1.0 '' net1 "$NS")")"
expect_code "ADD without prevResult" 7
pflink_run BOGUS "$NS" net1 "$(conf 1.1.0)"
expect_code "unknown CNI_COMMAND" 4
pflink_run ADD "" net1 "$(conf 1.1.0)"
expect_code "ADD without CNI_NETNS" 4
pflink_run ADD "$NS" "" "$(conf 1.1.0)"
expect_code "ADD without CNI_IFNAME" 4
CID="" pflink_run ADD "$NS" net1 "$(conf 1.1.0)"
expect_code "ADD without CNI_CONTAINERID" 4
OUT=$(conf 1.1.0 | env -i CNI_CONTAINERID=x CNI_NETNS="$NS" CNI_IFNAME=net1 "$PFLINK" 2>/dev/null); RC=$?
expect_code "no CNI_COMMAND" 4
echo regular > "$T/file"
pflink_run ADD "$T/file" net1 "$(conf 1.1.0)"
expect_code "CNI_NETNS a regular file" 4
pflink_run ADD /proc/self/ns/pid net1 "$(conf 1.1.0)"
expect_code "CNI_NETNS a pid namespace" 4
pflink_run ADD "$T/nothing-here" net1 "$(conf 1.1.0)"
expect_code "CNI_NETNS that does not exist" 3
pflink_run ADD "$NS" nosuch0 "$(conf 1.1.0 '' nosuch0 "$NS")"
expect_code "interface missing in the netns" 105
check "error names the interface and netns" jqe --arg ns "$NS" '.msg | contains("nosuch0") and contains($ns)'
bad_dev() {	# bad_dev DEV CODE WHAT
	into "$1$TAG" "$POD" eth9
	pflink_run ADD "$NS" eth9 "$(conf 1.1.0 '' eth9 "$NS")"
	expect_code "$3" "$2"
	ip -n "$POD" link set eth9 netns 1 name "$1$TAG"
}
bad_dev emp 100 "empty bus_info"
bad_dev usb 100 "usb- bus_info"
bad_dev dot 100 "bus_info ../../etc"
check "hostile bus_info quoted, not joined into a path" jqe '.msg | contains("\"../../etc\"")'
bad_dev nic 101 "PCI function that is not a VF"
check "not-a-VF message names the driver" jqe '.msg | contains("e1000e")'
bad_dev unk 100 "PCI address unknown to sysfs"
bad_dev dng 102 "VF whose PF is absent (dangling physfn)"
bad_dev lop 102 "VF whose physfn loops"
bad_dev esc 102 "VF whose physfn points outside sysfs"
bad_dev nod 102 "VF whose PF has no netdev anywhere"
check "no state from any failed ADD" test -z "$(ls -A "$STATE" 2>/dev/null)"
check "no device-info from any failed ADD" test -z "$(ls -A "$DEVINFO" 2>/dev/null)"

# --- the pod's link renamed between pflink naming it and asking its
# driver (the shim swaps net1 and net2 just before the kernel answers): the
# answer would be net2's, so ADD must say "try again", and write nothing
into "va0$TAG" "$POD" net1
into "va1$TAG" "$POD" net2
ip -n "$POD" link set net1 down; ip -n "$POD" link set net2 down
PFLINK_TEST_SWAP_ON_DRVINFO=net1,net2 CID=c-race pflink_run ADD "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
expect_code "a rename between naming net1 and asking its driver" 11
check "... the race happened (net1 is now the other VF)" \
	eval "ip -n '$POD' -o link show net1 | grep -q 02:aa:01:10:02:00"
check "... and nothing was written" sh -c "[ -z \"\$(ls -A '$STATE' 2>/dev/null)\" ] && [ -z \"\$(ls -A '$DEVINFO' 2>/dev/null)\" ]"
ip -n "$POD" link set net1 netns 1 name "va1$TAG"
ip -n "$POD" link set net2 netns 1 name "va0$TAG"

# --- links churning in the host netns during the PF scan: the kernel flags
# the dump NLM_F_DUMP_INTR and pflink must redo it, not fail
ip link show "va0$TAG" >/dev/null 2>&1 && into "va0$TAG" "$POD" net1
# A dump is only flagged when it spans several reads: give the host netns
# the hundreds of links a real node has (pod veths) first.
for k in $(seq 100); do echo "link add b$k$TAG type veth peer name b$k${TAG}p"; done > "$T/bulk"
ip -batch "$T/bulk"
for k in $(seq 100); do TL_LINKS="$TL_LINKS b$k$TAG"; done
for k in $(seq 3000); do echo "link add ch$TAG type veth peer name ch${TAG}p"; echo "link del ch$TAG"; done > "$T/churn"
( while :; do ip -force -batch "$T/churn" >/dev/null 2>&1; done ) &
CHURN=$!
fails=0 adds=0 INTR=0
: > "$T/intr.log"
# At least 40 ADDs, and on until the kernel has flagged one of their
# dumps (the shim logs each message flagged NLM_F_DUMP_INTR): whether a
# given dump meets a change is the scheduler's call, so the count of
# ADDs is not fixed, only capped (400) for a kernel that never flags one.
while [ $adds -lt 40 ] || { [ "$INTR" = 0 ] && [ $adds -lt 400 ]; }; do
	CID=c-churn PFLINK_TEST_DUMP_INTR_LOG=$T/intr.log pflink_run ADD "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
	[ "$RC" = 0 ] || { fails=$((fails + 1)); echo "$OUT"; }
	adds=$((adds + 1))
	INTR=$(grep -c NLM_F_DUMP_INTR "$T/intr.log")
done
kill "$CHURN" 2>/dev/null; wait "$CHURN" 2>/dev/null; ip link del "ch$TAG" 2>/dev/null
check "$adds ADDs while host links churn all succeed, $INTR of their dump messages flagged interrupted" \
	test "$fails" = 0 -a "$INTR" -gt 0
CID=c-churn pflink_run DEL "$NS" net1 "$(conf 1.1.0 '' net1 "$NS")"
ip -n "$POD" link set net1 netns 1 name "va0$TAG"

tl_summary
