#!/bin/bash
# SPDX-License-Identifier: MIT
# End to end through the real CNI library (libcni 1.1.2, via test/cnitool):
# Debian's host-device moves a "VF" into the pod, pflink chained after it
# at cniVersion 1.0.0, like a container runtime would run them.
# Usage: e2e_libcni.sh PFLINK SHIM FIXTURE_SCRIPT CNITOOL
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "e2e_libcni.sh" /usr/lib/cni/host-device unshare
# Its own net, mount and pid namespaces: no other run's links of the same
# MAC in its host netns.
tl_own_namespaces "$0" "$@"
tl_setup "$1" "$2" "$3"
CNITOOL=$4
[ -x "$CNITOOL" ] || { bad "cnitool not built at $CNITOOL"; tl_summary; exit 1; }

POD=e2epod-$TAG NET=e2e-$TAG
tl_netns "$POD"
tl_dev "pfa$TAG" 02:bb:00:01:00:00 0000:01:00.0 igb
tl_dev "vfa$TAG" 02:bb:01:10:00:00 0000:01:10.0 igbvf

mkdir -p "$T/bin" "$T/net.d"
ln -s "$(readlink -f "$PFLINK")" "$T/bin/pflink"
cat > "$T/net.d/10-$NET.conflist" <<JSON
{"cniVersion":"1.0.0","name":"$NET","plugins":[
  {"type":"host-device","device":"vfa$TAG"},
  {"type":"pflink","sysfsRoot":"$SYS","stateDir":"$STATE","deviceInfoDir":"$DEVINFO","agentSocket":"","logLevel":"debug","logFile":"$T/pflink.log"}]}
JSON
export NETCONFPATH=$T/net.d CNI_PATH=$T/bin:/usr/lib/cni CNI_IFNAME=net1 CNI_CACHE_DIR=$T/cache
export CNI_CONTAINERID=e2e-$TAG LD_PRELOAD=$SHIM
export CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=team-b;K8S_POD_NAME=db-1;K8S_POD_UID=uid-1"
NS=/run/netns/$POD

run() { OUT=$("$CNITOOL" "$@" "$NET" "$NS" 2>"$T/stderr"); RC=$?; tl_sanitizer_check "cnitool $1"; }

run add
expect_ok "libcni ADD host-device -> pflink"
echo "result as libcni returns it: $OUT"
check "VF is in the pod as net1" ip -n "$POD" link show net1
check "result keeps host-device's sandbox interface" jqe --arg ns "$NS" '.interfaces[] | select(.name=="net1") | .sandbox==$ns'
check "result carries the PF as a host-side interface (name, mac)" \
	jqe --arg n "pfa$TAG" '.interfaces[] | select(.name==$n and .sandbox==null) | .mac=="02:bb:00:01:00:00"'
check "libcni 1.1.2 dropped pciID (spec 1.1 field) as documented" jqe '[.. | .pciID? // empty] | length==0'
DI=$DEVINFO/$(tl_di_name "$NET" "$CNI_CONTAINERID" net1)
check "device-info has pf-pci-address" jq_file "$DI" '.pci["pf-pci-address"]=="0000:01:00.0" and .pci["pci-address"]=="0000:01:10.0"'
check "state names the pod" jq_file "$STATE/${CNI_CONTAINERID}_net1.json" '.podNamespace=="team-b" and .podName=="db-1" and .pfPciAddress=="0000:01:00.0"'

# (cnitool cached exits 3 and prints nothing when libcni has no entry)
run cached
expect_ok "libcni cached the attachment"
check "libcni's cache keeps the PF host-side interface" jqe --arg n "pfa$TAG" '.interfaces[] | select(.name==$n) | .mac=="02:bb:00:01:00:00"'

run check
expect_ok "libcni CHECK"

# The interface now answers as another VF (what a swapped VF looks like to
# pflink); host-device's own CHECK, which compares name and MAC, passes.
sed -i "s/^02:bb:01:10:00:00 .*/02:bb:01:10:00:00 0000:01:10.2 igbvf/" "$MAP"
run check
if [ "$RC" != 0 ] && jq_text "$(tail -n1 "$T/stderr")" '.code==104' 2>/dev/null; then
	ok "libcni CHECK reports pflink's drift error (code 104)"
else
	bad "libcni CHECK after swap: rc $RC, stderr: $(cat "$T/stderr")"
fi
sed -i "s/^02:bb:01:10:00:00 .*/02:bb:01:10:00:00 0000:01:10.0 igbvf/" "$MAP"

run del
expect_ok "libcni DEL"
check "VF back in the host netns" ip link show "vfa$TAG"
check "DEL removed pflink's state" test ! -e "$STATE/${CNI_CONTAINERID}_net1.json"
check "DEL removed pflink's device-info" test ! -e "$DI"
check "pflink logged the resolution to its logFile" grep -q "VF 0000:01:10.0 of PF 0000:01:00.0" "$T/pflink.log"

tl_summary
