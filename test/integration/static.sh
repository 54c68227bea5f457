#!/bin/bash
# SPDX-License-Identifier: MIT
# pflink-static, the plugin linked with -static, against pflink built from
# the same objects: every answer byte for byte the same, on paths that need
# no test shim (a static binary ignores LD_PRELOAD).  The PF is this
# machine's own PCI NIC in the host netns, found by the kernel's real
# answers (IFLA_PARENT_DEV_*, ETHTOOL_GDRVINFO); its VF is a netdev-less
# one (vfio-pci, a DPDK pod's) of a fixture sysfs tree that gives the NIC's
# PCI address an SR-IOV capability.  Real netns, netlink, ethtool, agent.
#
# usage: static.sh PFLINK PFLINK_STATIC PFLINKD FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "static.sh" ethtool readelf
DYN=$1 STATIC=$2 PFLINKD=$3 FIXTURE=$4

# The host netns' first netdev whose driver names a PCI function.
NIC="" BDF=""
for n in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
	b=$(ethtool -i "$n" 2>/dev/null | awk '/^bus-info:/ { print $2 }')
	if [[ $b =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]]; then NIC=$n BDF=$b; break; fi
done
[ -n "$NIC" ] || { echo "SKIP: no netdev in the host netns answers ethtool with a PCI address"; exit 77; }
MAC=$(cat "/sys/class/net/$NIC/address")
echo "host NIC $NIC at $BDF ($MAC) stands in for the PF"

tl_setup "$DYN" "" "$FIXTURE"
unset PFLINK_TEST_BUSINFO PFLINK_TEST_PORTS PFLINK_NETNS_DIRS
# shellcheck source=../fixtures/sysfs.sh
. "$FIXTURE"
VF=${BDF%:*}:1f.7
[ "$VF" != "$BDF" ] || VF=${BDF%:*}:1f.6
fx_pf "$SYS" "$BDF" virtio-pci 4 >/dev/null && fx_vf "$SYS" "$BDF" 0 "$VF" vfio-pci >/dev/null ||
	{ echo "FAIL: fixture"; exit 1; }
POD=st-$TAG NS=/run/netns/st-$TAG
tl_netns "$POD"

check "pflink-static has no program interpreter (statically linked)" \
	sh -c "! readelf -l '$STATIC' | grep -q 'Requesting program interpreter'"
check "pflink has one (the dynamic twin)" sh -c "readelf -l '$DYN' | grep -q 'Requesting program interpreter'"

PREV='{"cniVersion":"1.1.0","interfaces":[],"ips":[],"dns":{}}'
conf() {	# conf AGENT_SOCKET [PREV]
	printf '{"cniVersion":"1.1.0","name":"st-net","type":"pflink","deviceID":"%s","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"%s","logFile":"%s","logLevel":"info","prevResult":%s}' \
		"$VF" "$SYS" "$STATE" "$DEVINFO" "$1" "$T/log" "${2:-$PREV}"
}
# run BIN CMD CONF [ENV...]: stdout and exit code into OUT_<n>, RC_<n>
run() {
	local bin=$1 cmd=$2 c=$3; shift 3
	OUT=$(printf '%s' "$c" | env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$cmd" CNI_CONTAINERID=cst \
		CNI_NETNS="$NS" CNI_IFNAME=net1 CNI_PATH=/nonexistent "$@" "$bin" 2>>"$T/stderr")
	RC=$?
}
DI=$DEVINFO/$(tl_di_name st-net cst net1)

# both LABEL CMD CONF [ENV...]: the verb with each binary, answers compared.
both() {
	local label=$1 cmd=$2 c=$3 od rd; shift 3
	run "$DYN" "$cmd" "$c" "$@"; od=$OUT rd=$RC
	[ "$cmd" = ADD ] && cp "$DI" "$T/di-dyn" 2>/dev/null
	[ "$cmd" = ADD ] && run "$DYN" DEL "$c" "$@" >/dev/null
	run "$STATIC" "$cmd" "$c" "$@"
	if [ "$OUT" = "$od" ] && [ "$RC" = "$rd" ]; then
		ok "$label: same answer and exit code $RC from both"
	else
		bad "$label: pflink said rc=$rd $od; pflink-static rc=$RC $OUT"
	fi
}

# --- the direct path: the PF found by scanning the host netns
both "ADD (direct)" ADD "$(conf "")"
check "ADD succeeded" test "$RC" = 0
check "the result names the host NIC as the PF's netdev, with its MAC and pciID" \
	jq_text "$OUT" --arg n "$NIC" --arg m "$MAC" --arg b "$BDF" '.interfaces | map(select(.name==$n and .mac==$m and .pciID==$b)) | length==1'
check "device-info: the VF and its PF, the same from both" \
	eval 'jq_file "$DI" --arg v "$VF" --arg p "$BDF" ".pci[\"pci-address\"]==\$v and .pci[\"pf-pci-address\"]==\$p" && cmp -s "$DI" "$T/di-dyn"'
check "the record: the VF, its driver, the PF and its netdev" \
	jq_cmd "cat '$STATE'/*.json" -s --arg v "$VF" --arg p "$BDF" --arg n "$NIC" 'length==1 and (.[0] | .vfPciAddress==$v and .vfDriver=="vfio-pci" and .pfPciAddress==$p and .pfNetdev==$n)'
ADDRES=$OUT
both "CHECK" CHECK "$(conf "" "$ADDRES")"
check "CHECK succeeded" test "$RC" = 0
both "DEL" DEL "$(conf "")"
check "DEL succeeded and left no record" sh -c "[ '$RC' = 0 ] && [ -z \"\$(ls -A '$STATE')\" ]"
both "DEL again (nothing to delete)" DEL "$(conf "")"
check "... still succeeds" test "$RC" = 0
both "STATUS" STATUS "$(conf "")"
both "VERSION" VERSION '{"cniVersion":"1.1.0"}'
both "GC without valid-attachments" GC "$(conf "")"

# --- errors: one JSON object, the same code and words from both
both "no CNI_COMMAND" "" "$(conf "")"
both "stdin not JSON" ADD 'not json'
both "unsupported cniVersion" ADD '{"cniVersion":"9.9.9","name":"x","type":"pflink"}'
check "... code 1" eval '[ "$RC" = 1 ] && jq_text "$OUT" ".code==1"'
run "$STATIC" ADD "$(conf "")" CNI_NETNS=/run/netns/absent-$TAG
check "static: a gone netns is code 3 with a message" eval '[ "$RC" = 1 ] && jq_text "$OUT" ".code==3 and (.msg | length > 0)"'

# --- the agent path: pflinkd (its map built from the same real answers)
SOCK=$T/pflinkd.sock
"$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" --rescan-ms 3600000 --log-level warning 2>"$T/agent.log" &
AGENT=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
: > "$T/log"
both "ADD (pflinkd)" ADD "$(conf "$SOCK")"
check "ADD via pflinkd succeeded" test "$RC" = 0
check "... and gives the direct path's answer" test "$OUT" = "$ADDRES"
check "both took the PF from pflinkd" sh -c "[ \$(grep -c 'from pflinkd' '$T/log') -ge 2 ]"
both "DEL (pflinkd)" DEL "$(conf "$SOCK")"
kill "$AGENT"; wait "$AGENT" 2>/dev/null
check "no sanitizer or crash output" sh -c "! grep -qE 'Sanitizer|runtime error|Segmentation' '$T/stderr'"
tl_summary
