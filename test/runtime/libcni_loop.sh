#!/bin/bash
# SPDX-License-Identifier: MIT
# A runtime's life, many times over, through the real CNI library (libcni
# 1.1.2, via test/cnitool): ADD, CHECK, GC, then either DEL or a "crash"
# (the pod netns dies without a DEL, its VF returns to the host) which the
# next GC must clean up.  A second network's attachment lives through all
# of it and no GC of the first network may touch it.
#
# libcni 1.1.2 has no GC (cnitool says so and exits 2), so GC goes to pflink
# directly, at cniVersion 1.1.0, with cni.dev/valid-attachments as a
# runtime would send it.
# Usage: libcni_loop.sh PFLINK SHIM FIXTURE_SCRIPT CNITOOL [ROUNDS]
. "$(dirname "$0")/lib.sh"
rt_need_root "libcni_loop.sh"
[ -x /usr/lib/cni/host-device ] || { echo "FAIL: containernetworking-plugins not installed"; exit 1; }
tl_setup "$1" "$2" "$3"
CNITOOL=$4 ROUNDS=${5:-8}
[ -x "$CNITOOL" ] || { bad "cnitool not built at $CNITOOL"; tl_summary; exit 1; }

NET=loop-$TAG OTHER=loopo-$TAG
PF=pfl$TAG VF=vfl$TAG VFO=vfo$TAG
tl_dev "$PF" "$(rt_mac 00 01)" 0000:01:00.0 igb
tl_dev "$VF" "$(rt_mac 10 06)" 0000:01:10.6 igbvf
tl_dev "$VFO" "$(rt_mac 10 00)" 0000:01:10.0 igbvf

mkdir -p "$T/bin" "$T/net.d"
ln -s "$(readlink -f "$PFLINK")" "$T/bin/pflink"
rt_conflist "$T/net.d" "$NET" "$VF" info
rt_conflist "$T/net.d" "$OTHER" "$VFO" info
export NETCONFPATH=$T/net.d CNI_PATH=$T/bin:/usr/lib/cni CNI_IFNAME=net1 CNI_CACHE_DIR=$T/cache
export LD_PRELOAD=$SHIM

cni() {
	OUT=$(CNI_CONTAINERID=$2 "$CNITOOL" "$1" "$3" "/run/netns/$4" 2>"$T/stderr"); RC=$?
	tl_sanitizer_check "cnitool $1"
}
# gc VALID_CONTAINER_ID...: GC of $NET; each listed container's net1 is valid.
gc() {
	local va="" c
	for c in "$@"; do va="$va${va:+,}{\"containerID\":\"$c\",\"ifname\":\"net1\"}"; done
	pflink_run GC "" "" "$(printf '{"cniVersion":"1.1.0","name":"%s","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"","logFile":"%s","logLevel":"info","cni.dev/valid-attachments":[%s]}' \
		"$NET" "$SYS" "$STATE" "$DEVINFO" "$T/pflink.log" "$va")"
}
st() { echo "$STATE/${1}_net1.json"; }
di() { echo "$DEVINFO/$(tl_di_name "$2" "$1" net1)"; }
# Round results are counted, not printed one by one.
RFAIL=0
rcheck() { local what=$1; shift; "$@" >/dev/null 2>&1 || { bad "round $r: $what"; RFAIL=$((RFAIL + 1)); }; }

# The other network's attachment, alive throughout.
OPOD=lpo$TAG OCID=loopo-$TAG
tl_netns "$OPOD"
cni add "$OCID" "$OTHER" "$OPOD"
expect_ok "ADD on the other network"

stale=""
for r in $(seq 1 "$ROUNDS"); do
	POD=lp$TAG-$r CID=loop-$TAG-$r
	tl_netns "$POD"
	cni add "$CID" "$NET" "$POD"
	rcheck "ADD rc $RC: $OUT $(cat "$T/stderr")" test "$RC" = 0
	rcheck "VF in the pod as net1" ip -n "$POD" link show net1
	rcheck "state names the PF" jq_file "$(st "$CID")" '.pfPciAddress=="0000:01:00.0" and .vfPciAddress=="0000:01:10.6"'
	rcheck "device-info written" test -s "$(di "$CID" "$NET")"
	cni check "$CID" "$NET" "$POD"
	rcheck "CHECK rc $RC: $(cat "$T/stderr")" test "$RC" = 0
	gc "$CID"
	rcheck "GC rc $RC: $OUT" test "$RC" = 0
	rcheck "GC kept the valid attachment's state" test -e "$(st "$CID")"
	rcheck "GC kept the valid attachment's device-info" test -e "$(di "$CID" "$NET")"
	if [ -n "$stale" ]; then
		rcheck "GC dropped the crashed round's state" test ! -e "$(st "$stale")"
		rcheck "GC dropped the crashed round's device-info" test ! -e "$(di "$stale" "$NET")"
		stale=""
	fi
	rcheck "GC left the other network's attachment" test -e "$(st "$OCID")" -a -e "$(di "$OCID" "$OTHER")"
	# Even rounds end in DEL, odd ones and the last in a crash.
	if [ $((r % 2)) = 0 ] && [ "$r" != "$ROUNDS" ]; then
		cni del "$CID" "$NET" "$POD"
		rcheck "DEL rc $RC: $(cat "$T/stderr")" test "$RC" = 0
		rcheck "DEL removed the state" test ! -e "$(st "$CID")"
		rcheck "DEL removed the device-info" test ! -e "$(di "$CID" "$NET")"
	else
		# The pod netns dies without a DEL; a real VF goes back to the
		# host (a veth would be destroyed, so it is moved back by hand).
		ip -n "$POD" link set net1 down
		ip -n "$POD" link set net1 name "$VF"
		ip -n "$POD" link set "$VF" netns $$
		rcheck "without DEL the state stays" test -e "$(st "$CID")"
		stale=$CID
	fi
	ip netns del "$POD"
	rcheck "VF back in the host netns" ip link show "$VF"
done
[ "$RFAIL" = 0 ] && ok "$ROUNDS rounds of ADD/CHECK/GC/DEL-or-crash, every step as expected"

check "the last round's crashed attachment is still recorded" test -e "$(st "$stale")" -a -e "$(di "$stale" "$NET")"
gc
expect_ok "final GC with no valid attachment"
check "final GC removed every record of $NET" sh -c "! ls '$STATE' | grep -q '^loop-$TAG-'"
check "final GC removed every device-info of $NET" sh -c "! ls '$DEVINFO' | grep -q '^$NET-'"
check "the other network's attachment outlived every GC" test -e "$(st "$OCID")" -a -e "$(di "$OCID" "$OTHER")"
cni del "$OCID" "$OTHER" "$OPOD"
expect_ok "DEL on the other network"
check "stateDir is empty" test -z "$(ls -A "$STATE")"
check "deviceInfoDir is empty" test -z "$(ls -A "$DEVINFO")"
check "GC logged what it removed" grep -q "GC $NET: removed 1," "$T/pflink.log"
tl_summary
