#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkd's sysfs cache (agent/sysfs_cache.c) on a fixture tree: a PF's
# lookup is answered from the cache, and the lookup right after a change
# to sysfs -- a VF's driver unbound and bound to another, sriov_numvfs
# lowered with a virtfn link gone, VFs added, the PF's driver changed --
# answers the change.  No wait between the change and the lookup: the
# cache reads its change signal (inotify here, uevents on a real /sys)
# before serving each request; test/vm/suite.sh does the same on real
# igb VFs.
# Usage: sysfs_cache.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "sysfs_cache.sh" unshare socat
tl_own_namespaces "$0" "$@"

PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
# shellcheck source=../fixtures/sysfs.sh
. "$FIXTURE"
SOCK=$T/pflinkd.sock
ctl() { "$CTL" --socket "$SOCK" "$@"; }
start_agent() {
	"$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" --rescan-ms 3600000 \
		--log-level debug 2>>"$T/agent.log" &
	AGENT=$!
	for _ in $(seq 200); do ctl health >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
trap 'kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; tl_cleanup' EXIT
# pfj BDF JQ-ARGS...: jq -e on pflinkctl --json pf BDF (its status checked)
pfj() { local out; out=$(ctl --json pf "$1") || return 1; jq_text "$out" "${@:2}"; }
# hj JQ-ARGS...: jq -e on the health answer
hj() { local out; out=$(ctl --json health) || return 1; jq_text "$out" "$@"; }
# cache FIELD: one of the health answer's sysfsCache counters
cache() { local out; out=$(ctl --json health) && jq -r ".sysfsCache.$1" <<<"$out"; }
PF=0000:01:00.0
PFDIR=$(readlink -f "$SYS/bus/pci/devices/$PF")
VF0DIR=$(readlink -f "$SYS/bus/pci/devices/0000:01:10.0")

check "pflinkd starts" start_agent
check "the fixture is not sysfs: the cache's signal is inotify" hj '.sysfsCache.signal == "inotify"'
check "pf: 4 VFs, VF 0 on igbvf" \
	pfj $PF '.pf.numvfs == 4 and ([.pf.vfs[].index] == [0,1,2,3]) and .pf.vfs[0].driver == "igbvf"'
H0=$(cache hits)
check "pf again: the same answer" \
	pfj $PF '.pf.numvfs == 4 and ([.pf.vfs[].index] == [0,1,2,3]) and .pf.vfs[0].driver == "igbvf"'
check "... from the cache (hits $H0 -> more)" hj --argjson h "$H0" '.sysfsCache.hits > $h and .sysfsCache.pfs >= 1'
vfi() { local out; out=$(printf '{"v":1,"op":"pf","pciAddress":"%s","vfIndex":%s}\n' "$1" "$2" |
	socat -t 7 - "UNIX-CONNECT:$SOCK") || return 1; jq_text "$out" "${@:3}"; }
check "pf with vfIndex 2: that VF only, from the same rows" vfi $PF 2 '[.pf.vfs[].pciAddress] == ["0000:01:10.4"]'
check "pf with vfIndex 7: none" vfi $PF 7 '.ok and .pf.vfs == []'

D0=$(cache drops)
# Unbind VF 0 (its driver link gone), then the next lookup.
rm -f "$VF0DIR/driver"
check "VF 0 unbound: the next lookup says no driver" pfj $PF '.pf.vfs[0].driver == "" and .pf.vfs[1].driver == "igbvf"'
check "... the cache was dropped (drops $D0 -> more)" hj --argjson d "$D0" '.sysfsCache.drops > $d'
# Bind it to vfio-pci.
fx_pci "$SYS" 0000:01:10.0 vfio-pci
check "VF 0 on vfio-pci: the next lookup says so" pfj $PF '.pf.vfs[0].driver == "vfio-pci"'
check "... and the vf answer too" jq_cmd "ctl --json vf 0000:01:10.0" '.vf.driver == "vfio-pci" and .pf.numvfs == 4'
# sriov_numvfs lowered to 3, virtfn3 gone.
rm -f "$PFDIR/virtfn3" && printf '3\n' >"$PFDIR/sriov_numvfs"
check "numvfs 3: the next lookup lists VFs 0..2" pfj $PF '.pf.numvfs == 3 and ([.pf.vfs[].index] == [0,1,2])'
# VFs added: 3 (again) and 4.
fx_vf "$SYS" $PF 3 0000:01:10.6 igbvf && fx_vf "$SYS" $PF 4 0000:01:11.0 igbvf
check "VFs 3 and 4 added: the next lookup lists 5" \
	pfj $PF '.pf.numvfs == 5 and ([.pf.vfs[].index] == [0,1,2,3,4]) and .pf.vfs[4].pciAddress == "0000:01:11.0"'
# The new VF's directory is watched once the lookup read it.
fx_pci "$SYS" 0000:01:11.0 vfio-pci
check "VF 4 rebound: the next lookup says so" pfj $PF '.pf.vfs[4].driver == "vfio-pci"'
# The PF's own driver.
fx_pci "$SYS" $PF -
check "the PF unbound: the next lookup says no driver" pfj $PF '.pf.driver == "" and .pf.numvfs == 5'
fx_pci "$SYS" $PF igb
check "the PF bound again" pfj $PF '.pf.driver == "igb"'
# Another PF is cached beside it; a change to one drops both, and both
# answer what sysfs says.
check "PF 02:00.0: 2 VFs" pfj 0000:02:00.0 '.pf.numvfs == 2 and (.pf.vfs | length) == 2'
fx_vf "$SYS" 0000:02:00.0 2 0000:02:10.4 igbvf
check "PF 02:00.0 gained VF 2: the next lookup lists 3" pfj 0000:02:00.0 '.pf.numvfs == 3 and (.pf.vfs | length) == 3'
check "PF 01:00.0 still right" pfj $PF '.pf.numvfs == 5 and .pf.driver == "igb" and .pf.vfs[0].driver == "vfio-pci"'
check "counters: misses and hits both counted" hj '.sysfsCache.misses > 0 and .sysfsCache.hits > 0 and .sysfsCache.overflows == 0'
# A PF that is gone (its directory and its bus/pci/devices link, as a
# hot removal leaves sysfs): not found, never a cached answer.
PF2DIR=$(readlink -f "$SYS/bus/pci/devices/0000:02:00.0")
check "PF 02:00.0 cached again" pfj 0000:02:00.0 '.pf.numvfs == 3'
rm -rf "$PF2DIR" "$SYS/bus/pci/devices/0000:02:00.0"
check "PF 02:00.0 removed: the next lookup says not found" \
	eval "out=\$(printf '{\"v\":1,\"op\":\"pf\",\"pciAddress\":\"0000:02:00.0\"}\n' | socat -t 7 - UNIX-CONNECT:$SOCK) && jq_text \"\$out\" '.ok == false and (.error | test(\"not found\"))'"
check "pflinkd still running" kill -0 "$AGENT"
tl_summary
