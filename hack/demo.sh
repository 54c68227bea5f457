#!/bin/bash
# SPDX-License-Identifier: MIT
# pflink resolving a VF on this machine, no SR-IOV hardware needed.
#
# What is real: the network namespaces, the links and their moves (Debian's
# host-device plugin), netlink, the CNI library (libcni, via test/cnitool)
# and pflink itself.  What is stood in for: the machine has no SR-IOV NIC,
# so the "Intel 82576" PF and its VFs are veth links, their ethtool bus
# address comes from the test shim (test/shim) and their sysfs PCI tree is
# a fixture (test/fixtures).  `hack/vm-test.sh` runs the same chain on real
# igb/igbvf VFs in a VM.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates network namespaces)"; exit 1; }
bash hack/deps.sh
cmake -S . -B build >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
[ -x build/cnitool ] || sh test/cnitool/build.sh build/cnitool >/dev/null

D=$(mktemp -d /tmp/pflink-demo.XXXXXX)
POD=demo-pod-$$
cleanup() {
	[ -n "${AGENT:-}" ] && kill "$AGENT" 2>/dev/null
	ip netns del "$POD" 2>/dev/null || true
	for l in enp7s0f0 enp7s0f0v0 enp7s0f0v1 enp7s0f0v2 enp7s0f0v3; do ip link del "$l" 2>/dev/null || true; done
	rm -rf "$D"
}
trap cleanup EXIT
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "an Intel 82576 port with 4 VFs (PF 0000:01:00.0, VFs 0000:01:10.{0,2,4,6})"
bash test/fixtures/sysfs.sh standard "$D/sys" >/dev/null
: > "$D/busmap"
ip link add enp7s0f0 address 00:e0:ed:19:7f:e4 type veth peer name enp7s0f0-peer
# Up with a carrier (both ends up), as a cabled port is: pflinkd marks a
# PF whose link is down and the pods behind it.
ip link set enp7s0f0-peer up && ip link set enp7s0f0 up
echo "00:e0:ed:19:7f:e4 0000:01:00.0 igb" >> "$D/busmap"
for i in 0 1 2 3; do
	mac=$(printf '02:00:00:00:10:%02x' $i)
	ip link add enp7s0f0v$i address "$mac" type veth peer name enp7s0f0v$i-p
	echo "$mac 0000:01:10.$((2 * i)) igbvf" >> "$D/busmap"
done
ip -br link show | awk '$1 ~ /^enp7s0f0(v[0-9])?@/'

export LD_PRELOAD=$PWD/build/test/libpflink_ethtool_shim.so PFLINK_TEST_BUSINFO=$D/busmap
say "pflinkd, the node agent: a live map of every netns"
build/pflinkd --socket "$D/pflinkd.sock" --sysfs "$D/sys" --state-dir "$D/state" --log-level warning &
AGENT=$!
for _ in $(seq 50); do build/pflinkctl --socket "$D/pflinkd.sock" health 2>/dev/null && break; sleep 0.1; done

say "a pod sandbox and a conflist: host-device (moves VF 1 in) -> pflink"
ip netns add "$POD"
mkdir -p "$D/net.d" "$D/bin"
ln -s "$PWD/build/pflink" "$D/bin/pflink"
cat > "$D/net.d/sriov.conflist" <<JSON
{"cniVersion":"1.0.0","name":"sriov-net","plugins":[
  {"type":"host-device","device":"enp7s0f0v1"},
  {"type":"pflink","sysfsRoot":"$D/sys","stateDir":"$D/state","deviceInfoDir":"$D/devinfo","agentSocket":"$D/pflinkd.sock"}]}
JSON
cat "$D/net.d/sriov.conflist"
export NETCONFPATH=$D/net.d CNI_PATH=$D/bin:/usr/lib/cni CNI_IFNAME=net1 CNI_CACHE_DIR=$D/cache
export CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=demo-pod;K8S_POD_UID=0d3c9a52-demo"

say "ADD through libcni (what kubelet's runtime does)"
build/cnitool add sriov-net "/run/netns/$POD" | tee "$D/result.json"
say "inside the pod"
ip -n "$POD" -br link show net1

say "the CNI result names the PF as a host-side interface"
jq -c '.interfaces[] | select(.sandbox == null)' "$D/result.json"
say "NPWG device-info (what a pod's app reads through Multus)"
cat "$D"/devinfo/*.json
say "pflink's record of the attachment (CHECK, DEL, GC and pflinkd read it)"
jq -c '{pod: "\(.podNamespace)/\(.podName)", vf: .vfPciAddress, vfIndex, pf: .pfPciAddress, pfNetdev}' "$D"/state/*.json

say "pflinkctl show: which pod holds which VF on this node"
sleep 0.2
build/pflinkctl --socket "$D/pflinkd.sock" show

say "the same at cniVersion 1.1.0, invoked directly: pciID on both ends"
jq -c '.cniVersion="1.1.0" | .type="pflink" | .sysfsRoot="'"$D/sys"'" | .stateDir="'"$D/state"'" | .deviceInfoDir="'"$D/devinfo"'" | .agentSocket="" | .prevResult=(input | .cniVersion="1.1.0")' \
	<(echo '{"name":"sriov-net"}') "$D/result.json" |
	CNI_COMMAND=ADD CNI_CONTAINERID=demo-direct CNI_NETNS=/run/netns/$POD build/pflink |
	jq -c '.interfaces[] | {name, sandbox, pciID}'

say "CHECK, then DEL (the VF goes back to the host, pflink's files are gone)"
build/cnitool check sriov-net "/run/netns/$POD" && echo "CHECK: ok"
CNI_CONTAINERID=demo-direct CNI_COMMAND=DEL CNI_NETNS=/run/netns/$POD build/pflink <<<'{"cniVersion":"1.1.0","name":"sriov-net","type":"pflink","stateDir":"'"$D/state"'","deviceInfoDir":"'"$D/devinfo"'"}'
build/cnitool del sriov-net "/run/netns/$POD" && echo "DEL: ok"
ip -br link show enp7s0f0v1
sleep 0.2
build/pflinkctl --socket "$D/pflinkd.sock" pf 0000:01:00.0
left=$(find "$D/state" "$D/devinfo" -name '*.json' 2>/dev/null | wc -l)
echo "files left: $left"
[ "$left" = 0 ]
