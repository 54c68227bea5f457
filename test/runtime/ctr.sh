#!/bin/bash
# SPDX-License-Identifier: MIT
# containerd's `ctr run --cni` with the chain Debian host-device -> pflink,
# against a private containerd.  ctr does CNI itself (go-cni, libcni): ADD
# on /proc/PID/ns/net before the task starts, and DEL after the task is
# deleted — with an empty CNI_NETNS, the netns being gone by then.
# pflink's DEL must still drop its state and device-info.
# Usage: ctr.sh PFLINK SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
rt_need_root "ctr.sh"
rt_need_tools containerd ctr runc unshare /usr/lib/cni/host-device
rt_private_mounts "$@"
tl_setup "$1" "$2" "$3"
rt_setup

NET=pfctr-$TAG ID=pfctr-$TAG NS=pflink-rt
PF=pfc$TAG VF=vfc$TAG
PFMAC=$(rt_mac 00 01) VFMAC=$(rt_mac 10 04)
tl_dev "$PF" "$PFMAC" 0000:01:00.0 igb
tl_dev "$VF" "$VFMAC" 0000:01:10.4 igbvf

rt_rootfs "$T/rootfs" || { tl_summary; exit 1; }

# ctr's go-cni uses its defaults, /etc/cni/net.d and /opt/cni/bin, with no
# flag or config to change them, and libcni caches results in /var/lib/cni:
# in this mount namespace all three are the test's own.
for d in /etc/cni/net.d /opt/cni/bin /var/lib/cni; do
	rt_private_dir "$d" || { bad "cannot make a private $d"; tl_summary; exit 1; }
done
rt_cni_bin "$T/cni-bin"
cp -P "$T/cni-bin/host-device" "$T/cni-bin/pflink" /opt/cni/bin/
rt_conflist /etc/cni/net.d "$NET" "$VF"

# A private containerd: its own root, state, socket; runc (io.containerd.
# runc.v2); no CRI plugin (it would start its own CNI); no /opt/containerd.
C=$T/containerd
mkdir -p "$C"
{ rt_containerd_conf "$C" io.containerd.grpc.v1.cri; printf '[debug]\n  level = "info"\n'; } > "$C/config.toml"
containerd --config "$C/config.toml" >"$C/containerd.log" 2>&1 &
CTRD_PID=$!
export CONTAINERD_ADDRESS=$C/containerd.sock CONTAINERD_NAMESPACE=$NS
RUN_PID=""

ctr_cleanup() {
	ctr task kill -s KILL "$ID" >/dev/null 2>&1
	[ -n "$RUN_PID" ] && { rt_wait 10 sh -c "! kill -0 $RUN_PID" || kill "$RUN_PID"; } 2>/dev/null
	ctr task delete -f "$ID" >/dev/null 2>&1
	ctr container delete "$ID" >/dev/null 2>&1
	if kill "$CTRD_PID" 2>/dev/null; then
		rt_wait 10 sh -c "! kill -0 $CTRD_PID" || kill -9 "$CTRD_PID" 2>/dev/null
	fi
	wait "$CTRD_PID" 2>/dev/null
	# A shim that outlived its task (it exits when the task is deleted).
	local f
	for f in "$C"/state/io.containerd.runtime.v2.task/*/*/shim.pid; do
		[ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
}
rt_on_cleanup ctr_cleanup

if ! rt_wait 20 ctr version; then
	bad "containerd did not come up: $(tail -n5 "$C/containerd.log")"
	tl_summary; exit 1
fi
echo "containerd $(ctr version | awk '/Server:/{s=1} s && /Version:/{print $2; exit}'), runc $(runc --version | head -n1 | awk '{print $3}')"

# ---- ADD: ctr run --cni --------------------------------------------------
# In the foreground, as ctr is meant to be used with --cni: only then does
# it do the DEL.  The task waits for a file the test makes.
ctr run --cni --rm --rootfs --env PATH=/bin --cgroup "/$RT_CG/$ID" "$T/rootfs" "$ID" \
	/bin/sh -c 'while [ ! -e /tmp/stop ]; do sleep 0.1; done' >"$T/ctr-run.out" 2>"$T/ctr-run.err" &
RUN_PID=$!
# Up when the task is RUNNING (ctr starts it only after a successful ADD)
# and answers an exec; given up on when ctr run has exited.
task_up() {
	local n=300
	while [ $n -gt 0 ] && kill -0 "$RUN_PID" 2>/dev/null; do
		ctr task ls 2>/dev/null | awk -v id="$ID" '$1==id && $3=="RUNNING" {f=1} END {exit !f}' &&
			ctr task exec --exec-id probe "$ID" /bin/true >/dev/null 2>&1 && return 0
		sleep 0.1; n=$((n - 1))
	done
	return 1
}
if task_up; then
	ok "ctr run --cni starts a task on host-device -> pflink"
else
	bad "ctr run: task not running: $(cat "$T/ctr-run.err")"
	cat "$CALLS" "$T/pflink.log" 2>/dev/null
	tl_summary; exit 1
fi
PID=$(ctr task ls | awk -v id="$ID" '$1==id {print $2}')
check "ctr called pflink ADD on /proc/$PID/ns/net, and it succeeded" \
	test "$(grep -c "^ADD id=$NS-$ID if=eth0 netns=\[/proc/$PID/ns/net\] rc=0 " "$CALLS")" = 1
got=$(ctr task exec --exec-id mac "$ID" /bin/cat /sys/class/net/eth0/address 2>&1)
check "the task sees the VF as eth0 (mac $VFMAC; got $got)" test "$got" = "$VFMAC"
check "the VF left the host netns" sh -c "! ip link show '$VF' 2>/dev/null"
CID=$NS-$ID
ST=$STATE/${CID}_eth0.json
check "state file exists" test -s "$ST"
check "state names VF 0000:01:10.4 (index 2) of PF 0000:01:00.0 ($PF)" \
	jq_file "$ST" --arg n "$PF" --arg net "$NET" \
	'.vfPciAddress=="0000:01:10.4" and .vfIndex==2 and .pfPciAddress=="0000:01:00.0" and .pfNetdev==$n and .network==$net'
DI=$DEVINFO/$(tl_di_name "$NET" "$CID" eth0)
check "device-info file exists" test -s "$DI"
check "device-info names the VF and its PF" \
	jq_file "$DI" '.type=="pci" and .pci["pci-address"]=="0000:01:10.4" and .pci["pf-pci-address"]=="0000:01:00.0"'
check "libcni cached the result (DEL's prevResult)" test -e "/var/lib/cni/results/$NET-$CID-eth0"

# ---- DEL: the task exits, ctr tears down ---------------------------------
touch "$T/rootfs/tmp/stop"
if rt_wait 30 sh -c "! kill -0 $RUN_PID"; then
	wait "$RUN_PID"; rc=$?
	RUN_PID=""
	check "ctr run exited 0 (rc $rc)" test "$rc" = 0
else
	bad "ctr run did not exit after the task did"
fi
check "ctr logged no CNI teardown error" sh -c "! grep -i 'network' '$T/ctr-run.err'"
[ -s "$T/ctr-run.err" ] && { echo "ctr run stderr:"; cat "$T/ctr-run.err"; }
check "ctr called pflink DEL with an empty CNI_NETNS, and it succeeded" \
	grep -q "^DEL id=$CID if=eth0 netns=\[\] rc=0 " "$CALLS"
check "DEL removed pflink's state" test ! -e "$ST"
check "DEL removed pflink's device-info" test ! -e "$DI"
check "libcni dropped its cached result" test ! -e "/var/lib/cni/results/$NET-$CID-eth0"
check "ctr --rm removed the container" test -z "$(ctr container ls -q)"
# A real VF returns to the host netns when its netns dies (as dev<N>); a
# veth, being virtual, is destroyed with it.  Either way not pflink's doing.
if ip link show "$VF" >/dev/null 2>&1; then
	echo "note: $VF is back in the host netns"
else
	echo "note: $VF went with its netns (a veth is destroyed, a real VF would return as dev<N>)"
fi

rt_no_sanitizer_reports
tl_summary
