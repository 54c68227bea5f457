#!/bin/bash
# SPDX-License-Identifier: MIT
# One pflink ADD, phase by phase (root).  At logLevel debug pflink ends an
# ADD with one line of how long each phase took (µs, CLOCK_MONOTONIC):
#
#   parse    from the verb's start (stdin read) to the config parsed and
#            its paths checked
#   open     the pod netns and sysfs opened
#   vf       the pod's link named, its ethtool answer, sysfs VF -> PF,
#            index and PF facts (lib/resolve.c), in and out of the pod netns
#   pf       the PF's netdev: from sysfs checked by netlink, from pflinkd
#            or by pflink's own scan (PHASES_MODE), and the VF's
#            deviceID check
#   devinfo  the device-info file written (atomic rename)
#   record   the attachment record written (atomic rename)
#   result   the CNI result built and printed
#
# This runs PHASES_N ADDs (and a DEL after each) at logLevel debug,
# interleaved with as many at logLevel warning, with test/bench/spawn.c,
# and prints the median of each phase and the wall times of both.  The
# difference between the two wall times is what the debug lines cost
# (their stderr writes fall into the phase they are written in: the VF's
# line and the PF's line into "pf").  Stdin read and the loader come
# before the first stamp, process exit after the last: wall time minus
# the phases' sum.
#
#   sudo bash hack/phases.sh
#
# Environment: PHASES_N (default 600), PHASES_MODE (sysfs: the PF's netdev
# listed in sysfs, a node's case, the default; agent: pflinkd asked;
# direct: pflink's own scan), BUILD (default build-bench, a Release build),
# PHASES_KEEP=1 (keep the temp dir: every run's phase line, in add-debug.stderr).
# As in hack/bench.sh, a veth in a pod netns is the VF (the test shim
# gives it a PCI address), sysfs a fixture tree, the PF a veth in the host
# netns; stateDir and deviceInfoDir on tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "hack/phases.sh: needs root (netns, veth)" >&2; exit 1; }
for t in ip jq cc cmake; do command -v "$t" >/dev/null || { echo "hack/phases.sh: $t not installed" >&2; exit 1; }; done
N=${PHASES_N:-600} MODE=${PHASES_MODE:-sysfs} BUILD=${BUILD:-build-bench}
case $MODE in sysfs | agent | direct) ;; *) echo "hack/phases.sh: PHASES_MODE is sysfs, agent or direct" >&2; exit 1 ;; esac

[ -x "$BUILD/pflink" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 >/dev/null
PFLINK=$PWD/$BUILD/pflink PFLINKD=$PWD/$BUILD/pflinkd SHIM=$PWD/$BUILD/test/libpflink_ethtool_shim.so
mkdir -p "$BUILD/bench"
SPAWN=$PWD/$BUILD/bench/spawn RTT=$PWD/$BUILD/bench/rtt
cc -O2 -Wall -o "$SPAWN" test/bench/spawn.c
cc -O2 -Wall -o "$RTT" test/bench/rtt.c

TAG=$(printf '%04x' $(( (RANDOM << 1 ^ $$) & 0xffff )))
T=$(mktemp -d /tmp/pflink-phases.XXXXXX)
POD=ppod$TAG AGENT="" LINKS=""
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$AGENT" ]; then kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null || true; fi
	ip netns del "$POD" 2>/dev/null || true
	for l in $LINKS; do ip link del "$l" 2>/dev/null || true; done
	mountpoint -q "$T/run" && umount "$T/run"
	[ -n "${PHASES_KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SYS=$T/sys MAP=$T/busmap SOCK=$T/pflinkd.sock R=$T/run
mkdir -p "$T/empty" "$R"
mount -t tmpfs -o size=16m,mode=0700 pflink-phases "$R"
bash test/fixtures/sysfs.sh standard "$SYS" >/dev/null
: > "$MAP"
export PFLINK_TEST_BUSINFO=$MAP
ip netns add "$POD"
for d in "pf$TAG 02:be:00:01:00:00 0000:01:00.0 igb" "vf$TAG 02:be:01:10:00:00 0000:01:10.0 igbvf"; do
	read -r l mac bdf drv <<<"$d"
	ip link add "$l" address "$mac" type veth peer name "${l}p"
	LINKS="$LINKS $l"
	echo "$mac $bdf $drv" >> "$MAP"
done
ip link set "vf$TAG" netns "$POD" name net1
ip -n "$POD" link set net1 up
# sysfs: the PF's netdev listed under its net/, as the kernel lists it.
[ "$MODE" != sysfs ] || bash test/fixtures/sysfs.sh net "$SYS" 0000:01:00.0 "pf$TAG"
sock=""
if [ "$MODE" = agent ]; then
	out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" \
		--state-dir "$R/state" --rescan-ms 3600000 --log-level warning 2>>"$T/agent.log")
	[ "${out%% *}" != -1 ] || { echo "hack/phases.sh: pflinkd did not start:" >&2; cat "$T/agent.log" >&2; exit 1; }
	AGENT=${out#* }; AGENT=${AGENT%%$'\n'*}
	sock=$SOCK
fi
[ "$MODE" != sysfs ] || sock=$SOCK	# sysfs: an agent named, never asked
prev='{"cniVersion":"1.0.0","interfaces":[{"name":"net1","sandbox":"/run/netns/'$POD'"}],"ips":[],"dns":{}}'
for lvl in warning debug; do
	printf '{"cniVersion":"1.0.0","name":"p","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"%s","logLevel":"%s","prevResult":%s}' \
		"$SYS" "$R/state" "$R/devinfo" "$sock" "$lvl" "$prev" > "$T/conf-$lvl.json"
done
spec() {	# spec NAME CMD LEVEL
	{
		echo "name $1"; echo "stdin $T/conf-$3.json"; echo "stderr $T/$1.stderr"
		echo "env CNI_COMMAND=$2"; echo "env CNI_CONTAINERID=c$3"
		echo "env CNI_NETNS=/run/netns/$POD"; echo "env CNI_IFNAME=net1"
		echo "env CNI_PATH=/nonexistent"; echo "env PATH=/usr/sbin:/usr/bin:/sbin:/bin"
		echo "env LD_PRELOAD=$SHIM"; echo "env PFLINK_TEST_BUSINFO=$MAP"; echo "env PFLINK_NETNS_DIRS=$T/empty"
		echo "arg $PFLINK"
	} > "$T/$1.spec"
}
spec add-warning ADD warning; spec del-warning DEL warning
spec add-debug ADD debug; spec del-debug DEL debug
echo "== $N ADDs ($MODE) at logLevel warning and debug, interleaved" >&2
"$SPAWN" "$N" "$T/add-warning.spec" "$T/del-warning.spec" "$T/add-debug.spec" "$T/del-debug.spec" > "$T/spawn.out"
grep -q 'phases (µs):' "$T/add-debug.stderr" ||
	{ echo "hack/phases.sh: no phase line from pflink:" >&2; head -5 "$T/add-debug.stderr" >&2; exit 1; }
grep -q "$(case $MODE in sysfs) echo 'from sysfs checked by netlink' ;; agent) echo 'from pflinkd' ;; direct) echo 'by direct scan' ;; esac)" \
	"$T/add-debug.stderr" || { echo "hack/phases.sh: the PF was not found the $MODE way:" >&2; grep 'PF ' "$T/add-debug.stderr" | head -3 >&2; exit 1; }
declare -A MED
while read -r name _ fails med _; do
	[ "$fails" = 0 ] || { echo "hack/phases.sh: $name failed $fails times" >&2; head -5 "$T/$name.stderr" >&2; exit 1; }
	MED[$name]=$med
done < "$T/spawn.out"
echo "## One pflink ADD, phase by phase ($MODE)"
echo
echo "$(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%d); \`hack/phases.sh\`, $N ADDs; medians, µs"
echo
echo "| phase | median |"
echo "|---|---:|"
# The warm-up rounds spawn runs first are in the log too: the last N lines.
grep -o 'phases (µs):.*' "$T/add-debug.stderr" | tail -n "$N" | sed 's/^phases (µs)://' | awk -v n="$N" '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); k = kv[1]; if (!(k in seen)) { seen[k] = 1; order[++nk] = k }
	  v[k, ++c[k]] = kv[2]; s += kv[2] } sum[NR] = s; s = 0 }
	function med(k,   i, j, t, m, a) {
		m = c[k]; for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return a[int((m + 1) / 2)] }
	END {
		for (i = 1; i <= nk; i++) printf "| %s | %d |\n", order[i], med(order[i])
		for (i = 1; i <= NR; i++) v["sum", i] = sum[i]; c["sum"] = NR
		printf "| **sum of the phases** (median of the sums) | **%d** |\n", med("sum")
	}'
echo
printf '| wall time of the ADD (fork/exec/wait) | median |\n|---|---:|\n'
printf '| logLevel warning | %.0f |\n| logLevel debug (the run above) | %.0f |\n' "${MED[add-warning]}" "${MED[add-debug]}"
