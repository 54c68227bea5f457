#!/bin/bash
# SPDX-License-Identifier: MIT
# podman (CNI network backend) runs a container on a network whose conflist
# chains Debian's host-device -> pflink, as a user of pflink outside
# Kubernetes would.  ADD at start, DEL at removal, and a start that pflink
# refuses, all driven by podman itself.
# Usage: podman.sh PFLINK SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
rt_need_root "podman.sh"
rt_need_tools podman runc conmon unshare nsenter /usr/lib/cni/host-device
rt_private_mounts "$@"
tl_setup "$1" "$2" "$3"
rt_setup

NET=pfrt-$TAG CTR=pfrt-$TAG BADNET=pfrt-bad-$TAG BADCTR=pfrt-bad-$TAG
PF=pfr$TAG VF=vfr$TAG VF2=vfx$TAG
PFMAC=$(rt_mac 00 01) VFMAC=$(rt_mac 10 02) VF2MAC=$(rt_mac 1f 06)
tl_dev "$PF" "$PFMAC" 0000:01:00.0 igb
tl_dev "$VF" "$VFMAC" 0000:01:10.2 igbvf
# Not a VF: the fixture's plain e1000e function (no physfn).
tl_dev "$VF2" "$VF2MAC" 0000:00:1f.6 e1000e

rt_rootfs "$T/rootfs" || { tl_summary; exit 1; }
rt_cni_bin "$T/cni-bin"
mkdir -p "$T/net.d" "$T/podman/tmp"
rt_conflist "$T/net.d" "$NET" "$VF"
rt_conflist "$T/net.d" "$BADNET" "$VF2"

rt_podman_conf "$T/podman" "$T/cni-bin" "$T/net.d" vfs "$T/podman/graph"
# libcni's result cache (/var/lib/cni) is private too.
rt_private_dir /var/lib/cni || { bad "cannot make a private /var/lib/cni"; tl_summary; exit 1; }

podman_cleanup() {
	local c
	for c in "$CTR" "$BADCTR"; do
		podman rm -f -i -t 0 "$c" >/dev/null 2>&1 || echo "warning: podman rm $c failed" >&2
	done
}
rt_on_cleanup podman_cleanup

echo "podman $(podman version --format '{{.Client.Version}}' 2>/dev/null), runc $(runc --version | head -n1 | awk '{print $3}')"

# ---- ADD: podman run -------------------------------------------------
if CID=$(podman run -d --name "$CTR" --network "$NET:interface_name=net1" \
		--cgroup-parent "/$RT_CG" --rootfs "$T/rootfs" sleep 600 2>"$T/podman-run.err"); then
	ok "podman run starts a container on host-device -> pflink"
else
	bad "podman run: $(cat "$T/podman-run.err")"
	cat "$CALLS" "$T/pflink.log" 2>/dev/null
	tl_summary; exit 1
fi
echo "container $CID"
check "podman called pflink ADD once, and it succeeded" \
	test "$(rt_calls ADD | grep -c " id=$CID if=net1 .* rc=0 ")" = 1
SANDBOX=$(podman inspect --format '{{.NetworkSettings.SandboxKey}}' "$CTR")
check "ADD got podman's netns as CNI_NETNS" grep -q "^ADD id=$CID if=net1 netns=\[$SANDBOX\] rc=0" "$CALLS"
got=$(podman exec "$CTR" cat /sys/class/net/net1/address 2>&1)
check "the container sees the VF as net1 (mac $VFMAC; got $got)" test "$got" = "$VFMAC"
check "the VF left the host netns" sh -c "! ip link show '$VF' 2>/dev/null"
check "pflink's ADD result names the PF netdev" \
	jq_cmd "grep '^ADD id=$CID ' '$CALLS' | sed 's/.* out=//'" --arg n "$PF" --arg m "$PFMAC" '.interfaces[] | select(.name==$n and .mac==$m and .sandbox==null)'
ST=$STATE/${CID}_net1.json
check "state file exists" test -s "$ST"
check "state names VF 0000:01:10.2 (index 1) of PF 0000:01:00.0 ($PF)" \
	jq_file "$ST" --arg n "$PF" --arg ns "$SANDBOX" --arg net "$NET" \
	'.vfPciAddress=="0000:01:10.2" and .vfIndex==1 and .pfPciAddress=="0000:01:00.0" and .pfNetdev==$n and .netns==$ns and .network==$net'
DI=$DEVINFO/$(tl_di_name "$NET" "$CID" net1)
check "device-info file exists" test -s "$DI"
check "device-info names the VF and its PF" \
	jq_file "$DI" '.type=="pci" and .pci["pci-address"]=="0000:01:10.2" and .pci["pf-pci-address"]=="0000:01:00.0"'
check "libcni cached podman's result" test -e "/var/lib/cni/results/$NET-$CID-net1"

# ---- DEL: podman rm ---------------------------------------------------
if podman rm -f -t 0 "$CTR" >/dev/null 2>"$T/podman-rm.err"; then
	ok "podman rm -f removes the container"
else
	bad "podman rm: $(cat "$T/podman-rm.err")"
fi
check "podman called pflink DEL with the netns still there, and it succeeded" \
	grep -q "^DEL id=$CID if=net1 netns=\[$SANDBOX\] rc=0" "$CALLS"
check "DEL removed pflink's state" test ! -e "$ST"
check "DEL removed pflink's device-info" test ! -e "$DI"
check "the VF is back in the host netns as $VF" sh -c "ip -br link show '$VF' | grep -qi '$VFMAC'"
check "podman removed the pod netns" test ! -e "$SANDBOX"
check "libcni dropped its cached result" test ! -e "/var/lib/cni/results/$NET-$CID-net1"
check "no container left" test -z "$(podman ps -aq)"

# ---- ADD refused: not a VF ---------------------------------------------
: > "$T/pflink.log"
if podman run -d --name "$BADCTR" --network "$BADNET:interface_name=net1" \
		--cgroup-parent "/$RT_CG" --rootfs "$T/rootfs" sleep 600 >/dev/null 2>"$T/podman-bad.err"; then
	bad "podman run on a non-VF interface succeeded"
else
	echo "podman said: $(tail -n1 "$T/podman-bad.err")"
	check "podman reports pflink's error (code 101, not an SR-IOV VF)" \
		grep -q 'not an SR-IOV VF' "$T/podman-bad.err"
fi
check "pflink was called, and its ADD failed with code 101" jq_cmd "grep '^ADD .* rc=1 ' '$CALLS' | sed 's/.* out=//'" '.code==101'
check "the refused interface is back in the host netns as $VF2" sh -c "ip -br link show '$VF2' | grep -qi '$VF2MAC'"
check "no state left behind" test -z "$(ls -A "$STATE" 2>/dev/null)"
check "no device-info left behind" test -z "$(ls -A "$DEVINFO" 2>/dev/null)"
podman rm -f -t 0 "$BADCTR" >/dev/null 2>&1

rt_no_sanitizer_reports
tl_summary
