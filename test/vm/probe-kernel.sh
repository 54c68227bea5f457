#!/bin/bash
# SPDX-License-Identifier: MIT
# What the real kernel and the igb/igbvf drivers answer to the questions
# pflink asks (ethtool GDRVINFO, sysfs physfn/virtfnN, IFLA_VFINFO_LIST,
# IFLA_PARENT_DEV_NAME, phys_port_name, netns moves and deletion).  The unit
# tests' fakes (test/fixtures, test/shim) should agree with this output.
#
# Runs inside the SR-IOV test VM:  hack/vm-test.sh --probe
# It changes the VM's topology as it goes (VFs moved, renamed, destroyed).
set -uo pipefail
x() { echo "\$ $*"; "$@" 2>&1; echo "[rc=$?]"; }
hdr() { echo; echo "######## $*"; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# wait (max 3 s) until BDF $1 has a netdev in this netns again; print its name
back_in_host() {
	local n
	for _ in $(seq 300); do
		n=$(ls "/sys/bus/pci/devices/$1/net/" 2>/dev/null)
		[ -n "$n" ] && { echo "$n"; return 0; }
		sleep 0.01
	done
	return 1
}

read -r -a PFS <<<"$SRIOV_PFS"
read -r -a VFS <<<"$SRIOV_VFS"
pf=${PFS[0]} pf2=${PFS[1]} vf=${VFS[0]}
pfdev=$(ls "/sys/bus/pci/devices/$pf/net") pf2dev=$(ls "/sys/bus/pci/devices/$pf2/net")
vfdev=$(ls "/sys/bus/pci/devices/$vf/net")
hdr "topology"
uname -r
cat /run/sriov-vm/summary
x lspci -nn

hdr "ethtool -i: PF $pfdev, VF $vfdev, veth, lo"
x ethtool -i "$pfdev"
x ethtool -i "$vfdev"
ip link add vA type veth peer name vB
x ethtool -i vA
x ethtool -i lo

hdr "sysfs of PF $pf and VF $vf"
x ls -l "/sys/bus/pci/devices/$pf/"
x ls -l "/sys/bus/pci/devices/$vf/"
for f in sriov_numvfs sriov_totalvfs sriov_offset sriov_stride sriov_vf_device sriov_drivers_autoprobe; do
	echo "$f: $(cat "/sys/bus/pci/devices/$pf/$f")"
done
x readlink "/sys/bus/pci/devices/$vf/physfn"
x readlink "/sys/bus/pci/devices/$pf/virtfn1"
x readlink "/sys/bus/pci/devices/$vf/driver"
x readlink -f "/sys/bus/pci/devices/$vf"
x cat "/sys/bus/pci/devices/$vf/uevent"
x ls -l "/sys/bus/pci/devices/$pf/net/" "/sys/bus/pci/devices/$vf/net/"

hdr "phys_port_name / phys_switch_id / devlink"
for d in "$pfdev" "$vfdev"; do
	x cat "/sys/class/net/$d/phys_port_name"
	x cat "/sys/class/net/$d/phys_switch_id"
done
x devlink dev
x devlink port

hdr "IFLA_VFINFO_LIST and IFLA_PARENT_DEV_NAME"
x ip link set "$pfdev" vf 0 mac 02:00:00:00:00:01 vlan 10
x ip -d link show "$pfdev"
x ip -d -j link show "$pfdev"
x ip -d link show "$vfdev"
echo "VF netdev MAC after the PF set vf 0 mac (igb: effective only after the VF driver reloads):"
x ip link set "$vfdev" up
x cat "/sys/class/net/$vfdev/address"
x ip link set "$vfdev" down

hdr "VF in a netns"
ip netns add c1
x ip link set "$vfdev" netns c1
x ip netns exec c1 ethtool -i "$vfdev"
x ip netns exec c1 ip -d link show "$vfdev"
x ip netns exec c1 readlink "/sys/class/net/$vfdev/device"
x ethtool -i "$vfdev"
echo "host view of the VF's net/ while it is in c1:"
x ls -l "/sys/bus/pci/devices/$vf/net/"
x readlink "/sys/bus/pci/devices/$vf/physfn"

hdr "ip netns del: the VF comes back to the host netns"
t0=$(date +%s%N)
x ip netns del c1
n=$(back_in_host "$vf")
echo "VF $vf back as '$n' after $(ms_since "$t0") ms"
v2=${VFS[1]}
ip netns add c2
x ip link set "$(ls "/sys/bus/pci/devices/$v2/net")" netns c2 name net1
t0=$(date +%s%N)
x ip netns del c2
n=$(back_in_host "$v2")
echo "VF $v2 (net1 in the netns, no clash in the host) back as '$n' after $(ms_since "$t0") ms"
v3=${VFS[2]}
ip netns add c3
x ip link set "$(ls "/sys/bus/pci/devices/$v3/net")" netns c3 name "$pfdev"
x ip netns exec c3 ip -o link show
t0=$(date +%s%N)
x ip netns del c3
n=$(back_in_host "$v3")
echo "VF $v3 (named $pfdev in the netns: clashes in the host) back as '$n' after $(ms_since "$t0") ms"
x ip -o link show "$n"
v4=${VFS[3]}
ip netns add c4
ip link set "$(ls "/sys/bus/pci/devices/$v4/net")" netns c4 name net4
ip netns exec c4 sleep 2 &
sleep 0.3
t0=$(date +%s%N)
x ip netns del c4
x ls "/sys/bus/pci/devices/$v4/net/"
n=$(back_in_host "$v4")
echo "VF $v4 (netns still held by a process for ~1.7 s) back as '$n' after $(ms_since "$t0") ms"
wait
v5=${VFS[5]}
unshare -n sleep 2 &
p=$!
sleep 0.3
x ip link set "$(ls "/sys/bus/pci/devices/$v5/net")" netns "$p"
x nsenter -t "$p" -n ip -o link show
kill "$p"
wait "$p" 2>/dev/null
n=$(back_in_host "$v5")
echo "VF $v5 (netns of a killed process, no bind mount) back as '$n'"

hdr "PF $pf2 in a netns"
ip netns add pfns
x ip link set "$pf2dev" netns pfns
x ip netns exec pfns ethtool -i "$pf2dev"
x ip netns exec pfns ip -d link show "$pf2dev"
x ls -l "/sys/bus/pci/devices/$pf2/net/"
x cat "/sys/bus/pci/devices/$pf2/sriov_numvfs"
x readlink "/sys/bus/pci/devices/$pf2/virtfn0"
x findmnt -t nsfs
x stat -f -c '%t %T' /run/netns/pfns

hdr "sriov_numvfs -> 0 while a VF sits in a netns"
ip netns add c6
v6=${VFS[1]}
x ip link set "$(ls "/sys/bus/pci/devices/$v6/net")" netns c6 name net6
x ip netns exec c6 ip -o link show
x sh -c "echo 0 > /sys/bus/pci/devices/$pf/sriov_numvfs"
x ip netns exec c6 ip -o link show
x ls -d "/sys/bus/pci/devices/$v6"
x ip -d link show "$pfdev"
exit 0
