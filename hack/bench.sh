#!/bin/bash
# SPDX-License-Identifier: MIT
# pflink benchmarks (root): plugin latency against /bin/true and Debian's
# tuning plugin, and pflinkd's scan time, memory, idle CPU, event-to-map
# latency and lookup round trip at 10/100/1000 netns.  Prints a Markdown
# table and writes it to $BUILD/bench.md.
#
#   sudo bash hack/bench.sh
#
# Then test/bench/deadlines.sh: the client's deadlines and pflinkd's answers
# under load (the upper bounds the tests leave to the bench).
#
# Environment: BENCH_N (plugin runs per case, default 1000), BENCH_NS
# (netns counts, default "10 100 1000"), BENCH_IDLE_S (idle-CPU window,
# default 10), BENCH_MOVES (event-to-map repetitions, default 50),
# BENCH_RTT (lookups, default 1000), BUILD (build dir, default build-bench),
# BENCH_BEFORE (a build dir of another commit, e.g. the one before a change:
# its pflink runs interleaved with this one's in the same plugin run, as
# before-*, its pflink-static beside this one's as before-nodev-static-*,
# and its pflinkd is measured beside this one at every netns
# count, as <netns>-before: before and after in one run).
#
# As in the root tests, veth links stand in for PFs and VFs, their PCI
# bus_info comes from the LD_PRELOAD shim (test/shim) and sysfs is a
# fixture tree (test/fixtures); netlink, netns and the rest are real.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "hack/bench.sh: needs root (netns, veth)" >&2; exit 1; }
for t in ip jq cc cmake; do command -v "$t" >/dev/null || { echo "hack/bench.sh: $t not installed" >&2; exit 1; }; done

N=${BENCH_N:-1000} NSS=${BENCH_NS:-10 100 1000} IDLE_S=${BENCH_IDLE_S:-10}
MOVES=${BENCH_MOVES:-50} RTTN=${BENCH_RTT:-1000} BUILD=${BUILD:-build-bench}
TUNING=${TUNING:-/usr/lib/cni/tuning}

[ -x "$BUILD/pflink" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j2 >/dev/null
PFLINK=$PWD/$BUILD/pflink PFLINKD=$PWD/$BUILD/pflinkd SHIM=$PWD/$BUILD/test/libpflink_ethtool_shim.so
PSTATIC=$PWD/$BUILD/pflink-static
BEFORE=""
if [ -n "${BENCH_BEFORE:-}" ]; then
	BEFORE=$(cd "$BENCH_BEFORE" && pwd)
	[ -x "$BEFORE/pflink" ] && [ -x "$BEFORE/pflinkd" ] ||
		{ echo "hack/bench.sh: no pflink and pflinkd in BENCH_BEFORE=$BENCH_BEFORE" >&2; exit 1; }
fi
mkdir -p "$BUILD/bench"
SPAWN=$PWD/$BUILD/bench/spawn RTT=$PWD/$BUILD/bench/rtt
cc -O2 -Wall -o "$SPAWN" test/bench/spawn.c
cc -O2 -Wall -o "$RTT" test/bench/rtt.c

TAG=$(printf '%04x' $(( (RANDOM << 1 ^ $$) & 0xffff )))
T=$(mktemp -d /tmp/pflink-bench.XXXXXX)
NSLIST=$T/netns.list LINKS="" AGENT=""
: > "$NSLIST"

cleanup() {
	trap - EXIT INT TERM
	stop_agent
	[ -s "$NSLIST" ] && sed 's/^/netns del /' "$NSLIST" | ip -force -batch - 2>/dev/null
	for l in $LINKS; do ip link del "$l" 2>/dev/null || true; done
	mountpoint -q "$T/run" && umount "$T/run"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "hack/bench.sh: interrupted, cleaning up" >&2; exit 130' INT TERM

stop_agent() { if [ -n "$AGENT" ]; then kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null || true; fi; AGENT=""; }
us()  { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
rat() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict VALUE OP LIMIT
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = op == "<" ? v < l : v >= l; print ok ? "met" : "**missed**" }'; }

SYS=$T/sys MAP=$T/busmap SOCK=$T/pflinkd.sock EMPTY=$T/no-netns
mkdir -p "$EMPTY" "$T/spec" "$T/run"
# State and device-info live where they do on a node: on tmpfs (pflink's
# /run/pflink/state, Multus' /run/k8s.cni.cncf.io/devinfo).  BENCH_STATE_FS=disk
# keeps them in the bench's temp dir instead, to see what a disk costs.
R=$T/run
[ "${BENCH_STATE_FS:-tmpfs}" = disk ] || mount -t tmpfs -o size=64m,mode=0700 pflink-bench "$R"
bash test/fixtures/sysfs.sh standard "$SYS" >/dev/null
: > "$MAP"
export PFLINK_TEST_BUSINFO=$MAP

# host_dev NAME MAC BUS DRIVER: a veth in the host netns mapped as BUS
host_dev() {
	ip link add "$1" address "$2" type veth peer name "${1}p"
	LINKS="$LINKS $1"
	echo "$2 $3 $4" >> "$MAP"
}

# ---------------------------------------------------------------- 1. plugin
echo "== plugin latency: n=$N per case, round-robin" >&2
POD=bpod$TAG
ip netns add "$POD"; echo "$POD" >> "$NSLIST"
host_dev "bpf$TAG" 02:be:00:01:00:00 0000:01:00.0 igb
host_dev "bvf$TAG" 02:be:01:10:00:00 0000:01:10.0 igbvf
ip link set "bvf$TAG" netns "$POD" name net1
ip -n "$POD" link set net1 up

start_agent() {	# start_agent SYSFS [PFLINKD]: sets AGENT, START_US, HEALTH
	local out
	out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "${2:-$PFLINKD}" --socket "$SOCK" --sysfs "$1" \
		--state-dir "$R/state" --rescan-ms 3600000 --log-level warning 2>>"$T/agent.log")
	START_US=${out%% *}; out=${out#* }; AGENT=${out%%$'\n'*}; HEALTH=${out#*$'\n'}
	[ "$START_US" != -1 ] || { echo "pflinkd did not start:" >&2; cat "$T/agent.log" >&2; exit 1; }
}
start_agent "$SYS"

prev='{"cniVersion":"1.0.0","interfaces":[{"name":"net1","sandbox":"/run/netns/'$POD'"}],"ips":[],"dns":{}}'
printf '{"cniVersion":"1.0.0","name":"b","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"%s","prevResult":%s}' \
	"$SYS" "$R/state" "$R/devinfo" "$SOCK" "$prev" > "$T/conf-agent.json"
printf '{"cniVersion":"1.0.0","name":"b","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"","prevResult":%s}' \
	"$SYS" "$R/state-direct" "$R/devinfo" "$prev" > "$T/conf-direct.json"
printf '{"cniVersion":"1.0.0","name":"b","type":"tuning","sysctl":{},"prevResult":%s}' "$prev" > "$T/conf-tuning.json"
# The same tree with the PF's netdev listed under its net/ directory, as
# the kernel lists it on a node: pflink names the PF from there, checked
# by netlink, and asks no agent (agentSocket set, as on a node).
SYSN=$T/sys-net
cp -a "$SYS" "$SYSN"
bash test/fixtures/sysfs.sh net "$SYSN" 0000:01:00.0 "bpf$TAG"
printf '{"cniVersion":"1.0.0","name":"b","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"%s","prevResult":%s}' \
	"$SYSN" "$R/state-sysfs" "$R/devinfo" "$SOCK" "$prev" > "$T/conf-sysfs.json"

# Without the shim: the machine's own PCI NIC (host netns) stands in for
# the PF of a netdev-less VF (vfio-pci, as a DPDK pod holds it) that the
# fixture tree gives it, as in test/integration/static.sh.  Every answer
# is the kernel's; pflink-static can run here, and /bin/true has no shim
# to load either.  Skipped when no host netdev has a PCI address.
NIC="" NICBDF=""
for n in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
	b=$(ethtool -i "$n" 2>/dev/null | awk '/^bus-info:/ { print $2 }') || continue	# (lo has no driver info)
	if [[ $b =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]]; then NIC=$n NICBDF=$b; break; fi
done
if [ -n "$NIC" ] && [ -x "$PSTATIC" ]; then
	(. test/fixtures/sysfs.sh && fx_pf "$SYS" "$NICBDF" virtio-pci 4 >/dev/null &&
		fx_vf "$SYS" "$NICBDF" 0 "${NICBDF%:*}:1f.7" vfio-pci >/dev/null) || { echo "fixture for $NIC failed" >&2; exit 1; }
	NDPOD=bnd$TAG
	ip netns add "$NDPOD"; echo "$NDPOD" >> "$NSLIST"
	ndprev='{"cniVersion":"1.0.0","interfaces":[],"ips":[],"dns":{}}'
	# sysfs: the same tree with the NIC under its PF's net/, as the kernel
	# lists a PF's netdev on a node: the installed plugin's usual path.
	SYSND=$T/sys-nd
	cp -a "$SYS" "$SYSND"
	bash test/fixtures/sysfs.sh net "$SYSND" "$NICBDF" "$NIC"
	for m in sysfs agent direct; do
		sock=$SOCK sys=$SYS; [ $m = direct ] && sock=""; [ $m = sysfs ] && sys=$SYSND
		printf '{"cniVersion":"1.0.0","name":"b","type":"pflink","deviceID":"%s","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"%s","prevResult":%s}' \
			"${NICBDF%:*}:1f.7" "$sys" "$R/state-nd-$m" "$R/devinfo" "$sock" "$ndprev" > "$T/conf-nd-$m.json"
	done
fi

# spec NAME CMD CONF CID PROG [env...]
spec() {
	local name=$1 cmd=$2 conf=$3 cid=$4 prog=$5 e; shift 5
	{
		echo "name $name"; echo "stdin $conf"; echo "stderr $T/$name.stderr"
		echo "env CNI_COMMAND=$cmd"; echo "env CNI_CONTAINERID=$cid"
		echo "env CNI_NETNS=/run/netns/$POD"; echo "env CNI_IFNAME=net1"
		echo "env CNI_PATH=$(dirname "$TUNING")"; echo "env PATH=/usr/sbin:/usr/bin:/sbin:/bin"
		for e; do echo "env $e"; done
		echo "arg $prog"
	} > "$T/spec/$name"
	SPECS="${SPECS:-} $T/spec/$name"
}
PENV="LD_PRELOAD=$SHIM PFLINK_TEST_BUSINFO=$MAP PFLINK_NETNS_DIRS=$EMPTY"
# CHECK gets the chain's result as prevResult, as a runtime does: run each
# ADD once (untimed), put its result into the CHECK config, DEL it again.
once() {	# once CMD CONF PROG [env...]
	local cmd=$1 conf=$2 prog=$3; shift 3
	env -i CNI_COMMAND="$cmd" CNI_CONTAINERID=cprep CNI_NETNS="/run/netns/$POD" CNI_IFNAME=net1 \
		CNI_PATH="$(dirname "$TUNING")" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" "$prog" < "$conf"
}
for m in sysfs agent direct tuning; do
	if [ $m = tuning ]; then prog=$TUNING e=""; else prog=$PFLINK e=$PENV; fi
	# shellcheck disable=SC2086
	res=$(once ADD "$T/conf-$m.json" "$prog" $e) || { echo "$m ADD failed: $res" >&2; exit 1; }
	jq -c --argjson r "$res" '.prevResult=$r' "$T/conf-$m.json" > "$T/conf-$m-check.json"
	# shellcheck disable=SC2086
	once DEL "$T/conf-$m.json" "$prog" $e >/dev/null || true
done
cf() { [ "$2" = CHECK ] && echo "$T/conf-$1-check.json" || echo "$T/conf-$1.json"; }
for c in ADD CHECK DEL; do spec "pflink-sysfs-$c" $c "$(cf sysfs $c)" csysfs "$PFLINK" $PENV; done
for c in ADD CHECK DEL; do spec "pflink-agent-$c" $c "$(cf agent $c)" cagent "$PFLINK" $PENV; done
for c in ADD CHECK DEL; do spec "pflink-direct-$c" $c "$(cf direct $c)" cdirect "$PFLINK" $PENV; done
for c in ADD CHECK DEL; do spec "tuning-$c" $c "$(cf tuning $c)" ctuning "$TUNING"; done
if [ -n "$BEFORE" ]; then
	for m in sysfs agent direct; do
		for c in ADD CHECK DEL; do spec "before-$m-$c" $c "$(cf $m $c)" "b$m" "$BEFORE/pflink" $PENV; done
	done
fi
spec true ADD "$T/conf-agent.json" cagent /bin/true PFLINK_TEST_BUSINFO=$MAP PFLINK_NETNS_DIRS=$EMPTY
# /bin/true with pflink's very env, the test shim preloaded included: the
# like-for-like floor (the shim is a test device, not part of pflink's cost).
# shellcheck disable=SC2086
spec true-shim ADD "$T/conf-agent.json" cagent /bin/true $PENV
if [ -n "$NIC" ] && [ -x "$PSTATIC" ]; then
	ndspec() {	# ndspec NAME CMD CONF PROG: no shim, the netdev-less pod (CONF: conf-nd-CONF.json)
		local name=$1 cmd=$2 m=$3 prog=$4
		{
			echo "name $name"; echo "stdin $T/conf-nd-$m.json"; echo "stderr $T/$name.stderr"
			echo "env CNI_COMMAND=$cmd"; echo "env CNI_CONTAINERID=cnd${m%-check}"
			echo "env CNI_NETNS=/run/netns/$NDPOD"; echo "env CNI_IFNAME=net1"
			echo "env CNI_PATH=/nonexistent"; echo "env PATH=/usr/sbin:/usr/bin:/sbin:/bin"
			echo "arg $prog"
		} > "$T/spec/$name"
		SPECS="${SPECS:-} $T/spec/$name"
	}
	# CHECK's prevResult is the ADD's own result, as for the cases above.
	for m in sysfs agent direct; do
		res=$(env -i CNI_COMMAND=ADD CNI_CONTAINERID=cprep CNI_NETNS="/run/netns/$NDPOD" CNI_IFNAME=net1 \
			CNI_PATH=/nonexistent PATH=/usr/sbin:/usr/bin:/sbin:/bin "$PSTATIC" < "$T/conf-nd-$m.json") ||
			{ echo "nodev-static $m ADD failed: $res" >&2; exit 1; }
		jq -c --argjson r "$res" '.prevResult=$r' "$T/conf-nd-$m.json" > "$T/conf-nd-$m-check.json"
		env -i CNI_COMMAND=DEL CNI_CONTAINERID=cprep CNI_NETNS="/run/netns/$NDPOD" CNI_IFNAME=net1 \
			CNI_PATH=/nonexistent PATH=/usr/sbin:/usr/bin:/sbin:/bin "$PSTATIC" < "$T/conf-nd-$m.json" >/dev/null || true
		for c in ADD CHECK DEL; do
			ndspec "nodev-$m-$c" $c "$m$([ $c = CHECK ] && echo -check)" "$PFLINK"
			ndspec "nodev-static-$m-$c" $c "$m$([ $c = CHECK ] && echo -check)" "$PSTATIC"
			# BENCH_BEFORE's installed plugin right after this one's: the
			# same attachment, so each finds what the other left (an ADD
			# over the record of the one before, a DEL of nothing left).
			[ -z "$BEFORE" ] || [ ! -x "$BEFORE/pflink-static" ] ||
				ndspec "before-nodev-static-$m-$c" $c "$m$([ $c = CHECK ] && echo -check)" "$BEFORE/pflink-static"
		done
	done
fi
# shellcheck disable=SC2086
"$SPAWN" "$N" $SPECS > "$T/spawn.out"
for f in "$T"/*.stderr; do if [ -s "$f" ]; then echo "--- $(basename "$f") (first lines)" >&2; head -3 "$f" >&2; fi; done
# Outside the timed runs: does each case take the PF the way it says?
# via MODE LOGLINE: one ADD and DEL of MODE's config at logLevel info.
via() {
	local c
	# shellcheck disable=SC2086
	for c in ADD DEL; do
		jq -c '.logLevel="info"' "$T/conf-$1.json" | env -i CNI_COMMAND=$c CNI_CONTAINERID=cverify \
			CNI_NETNS="/run/netns/$POD" CNI_IFNAME=net1 CNI_PATH=/nonexistent $PENV "$PFLINK" >/dev/null 2>>"$T/verify-$1.log" || true
	done
	grep -q "$2" "$T/verify-$1.log" && echo yes || echo NO
}
VIA=$(via agent 'from pflinkd')
VIAS=$(via sysfs 'from sysfs checked by netlink')
declare -A MED P99 FAILS
while read -r name _ fails med p99 _; do MED[$name]=$med P99[$name]=$p99 FAILS[$name]=$fails; done < "$T/spawn.out"
# The same ADD cases again, each alone in a block (warm caches): the
# round-robin above runs a 4 MiB Go binary between any two pflink runs,
# which costs the small C programs most.  Both views go in the table.
declare -A BMED BP99
for c in pflink-sysfs-ADD pflink-agent-ADD pflink-direct-ADD tuning-ADD true-shim; do
	read -r _ _ _ med p99 _ < <("$SPAWN" "$N" "$T/spec/$c")
	BMED[$c]=$med BP99[$c]=$p99
done
stop_agent

# ---------------------------------------------------------------- 2. agent
# Scale fixture: PF k = 0000:(40+k):00.0 with 64 VFs, VF j at
# 0000:(40+k):(10+j/8).(j%8); each netns holds lo, eth0 (a VF, by the shim)
# and eth1 (its veth peer, no PCI).  The event-to-map pair moves a VF of the
# standard tree between two more netns.
. test/fixtures/sysfs.sh
EVA=beva$TAG EVB=bevb$TAG
ip netns add "$EVA"; echo "$EVA" >> "$NSLIST"
ip netns add "$EVB"; echo "$EVB" >> "$NSLIST"
ip link add evf$TAG address 02:be:01:10:02:00 netns "$EVA" type veth peer name evp$TAG netns "$EVA"
echo "02:be:01:10:02:00 0000:01:10.2 igbvf" >> "$MAP"
HAVE=0 NPF=0
grow() {	# grow N: netns, links, fixture VFs and PFs up to N
	local want=$1 i j bus
	while [ $((NPF * 64)) -lt "$want" ]; do
		bus=$(printf '%02x' $((0x40 + NPF)))
		fx_pf "$SYS" "0000:$bus:00.0" igb 64 || exit 1
		host_dev "bp$TAG$NPF" "02:bf:00:00:00:$(printf '%02x' "$NPF")" "0000:$bus:00.0" igb
		NPF=$((NPF + 1))
	done
	for ((i = HAVE; i < want; i++)); do
		j=$((i % 64)) bus=$(printf '%02x' $((0x40 + i / 64)))
		fx_vf "$SYS" "0000:$bus:00.0" "$j" "$(printf '0000:%s:%02x.%x' "$bus" $((0x10 + j / 8)) $((j % 8)))" igbvf || exit 1
		echo "netns add bn$TAG-$i" >> "$T/ns.batch"
		echo "bn$TAG-$i" >> "$NSLIST"
		printf 'link add name eth0 address 02:bc:00:00:%02x:%02x netns bn%s-%d type veth peer name eth1 netns bn%s-%d\n' \
			$((i >> 8)) $((i & 255)) "$TAG" "$i" "$TAG" "$i" >> "$T/link.batch"
		printf '02:bc:00:00:%02x:%02x %s igbvf\n' $((i >> 8)) $((i & 255)) \
			"$(printf '0000:%s:%02x.%x' "$bus" $((0x10 + j / 8)) $((j % 8)))" >> "$MAP"
	done
	[ -s "$T/ns.batch" ] && ip -batch "$T/ns.batch" && ip -batch "$T/link.batch"
	rm -f "$T/ns.batch" "$T/link.batch"
	# The shim re-reads a map written less than a second before its last
	# read (its "racily clean" rule), on every ioctl: date the map back so
	# the scan measures pflinkd, not the shim parsing 1000 lines per link.
	touch -d "@$(( $(date +%s) - 2 ))" "$MAP"
	HAVE=$want
}
# ---------------------------------------------------------------- 3. /metrics
# The same netns, with a sysfs of 2 PFs x 64 VFs (128 VFs: the first 128
# netns hold one each, the rest only veth), the agent with --metrics-address.
# Per netns count: SCRAPES scrapes 1.2 s apart (each a new snapshot: scrapes
# within 1 s share one), their HTTP time and what the agent says the
# snapshot cost its loop (all slices, the longest); then the pf lookup of a
# 64-VF PF with and without a scrape every second meanwhile.
SCRAPES=${BENCH_SCRAPES:-10} MPORT=$((20000 + RANDOM % 20000))
SYS2=$T/sys128 MAP2=$T/busmap128 SROWS=""
bash test/fixtures/sysfs.sh standard "$SYS2" >/dev/null
for ((k = 0; k < 2; k++)); do
	fx_pf "$SYS2" "0000:4$k:00.0" igb 64 || exit 1
	for ((j = 0; j < 64; j++)); do
		fx_vf "$SYS2" "0000:4$k:00.0" "$j" "$(printf '0000:4%d:%02x.%x' "$k" $((0x10 + j / 8)) $((j % 8)))" igbvf || exit 1
	done
done
mval() { awk -v p="$2" 'index($0, p) == 1 { print $NF; exit }' "$1"; }
scrape_bench() {	# scrape_bench NS
	local i http coll slice slices bytes rel
	grep -vE ' 0000:4[2-9a-f]:' "$MAP" > "$MAP2"
	touch -d "@$(( $(date +%s) - 2 ))" "$MAP2"
	out=$(PFLINK_TEST_BUSINFO=$MAP2 LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "$PFLINKD" --socket "$SOCK" \
		--sysfs "$SYS2" --state-dir "$R/state" --rescan-ms 3600000 --log-level warning \
		--metrics-address "127.0.0.1:$MPORT" 2>>"$T/agent.log")
	[ "${out%% *}" != -1 ] || { echo "pflinkd (/metrics) did not start:" >&2; tail -5 "$T/agent.log" >&2; exit 1; }
	AGENT=${out#* }; AGENT=${AGENT%%$'\n'*}
	echo "   /metrics: $SCRAPES scrapes, lookups with and without" >&2
	: > "$T/scrape.tsv"
	for ((i = 0; i < SCRAPES; i++)); do
		sleep 1.2
		http=$(curl -s -o "$T/m" -w '%{time_total}' "http://127.0.0.1:$MPORT/metrics")
		coll=$(mval "$T/m" pflink_agent_collect_duration_seconds) slice=$(mval "$T/m" pflink_agent_collect_slice_max_seconds)
		echo "$http $coll $slice $(wc -c < "$T/m") $(grep -c '^pflink_vf_info{' "$T/m") $(grep -c 'source="netdev"' "$T/m")" >> "$T/scrape.tsv"
	done
	col_median() { sort -g -k"$1" "$T/scrape.tsv" | awk -v k="$1" '{ a[NR] = $k } END { print a[int((NR + 1) / 2)] }'; }
	shttp=$(col_median 1) scoll=$(col_median 2) sslice=$(col_median 3) sbytes=$(col_median 4) svfs=$(col_median 5) sctr=$(col_median 6)
	smaxslice=$(awk '$3 > m { m = $3 } END { print m }' "$T/scrape.tsv")
	read -r _ _ qmed qp99 _ < <("$RTT" rtt "$SOCK" 10000 '{"v":1,"op":"pf","pciAddress":"0000:40:00.0"}')
	( end=$(( $(date +%s) + 30 )); while [ "$(date +%s)" -lt "$end" ]; do curl -s -o /dev/null "http://127.0.0.1:$MPORT/metrics"; sleep 1.01; done ) &
	rel=$!
	read -r _ _ wmed wp99 _ < <("$RTT" rtt "$SOCK" 10000 '{"v":1,"op":"pf","pciAddress":"0000:40:00.0"}')
	kill "$rel" 2>/dev/null; wait "$rel" 2>/dev/null || true
	curl -s -o "$T/m" "http://127.0.0.1:$MPORT/metrics"
	snaps=$(mval "$T/m" pflink_agent_snapshots_total)
	stop_agent
	SROWS="$SROWS$1 $svfs $sctr $shttp $scoll $sslice $smaxslice $sbytes $qmed $qp99 $wmed $wp99 $snaps
"
}

# BENCH_PERF=1: perf record (call graphs) the agent's start (system-wide,
# filter with --comm pflinkd) and its lookups, into $BUILD/bench/perf-*.data;
# the numbers of such a run carry perf's overhead.
perf_on() {	# perf_on WHAT PERF-TARGET-ARGS...
	[ -n "${BENCH_PERF:-}" ] || return 0
	local what=$1; shift
	perf record -q -g "$@" -o "$PWD/$BUILD/bench/perf-$what-$NS.data" >/dev/null 2>&1 &
	PERF=$!; sleep 0.5
}
perf_off() { [ -z "${BENCH_PERF:-}" ] || { kill -INT "$PERF"; wait "$PERF" || true; }; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
ROWS=""
declare -A BRIEF
# agent_bench LABEL [PFLINKD]: one pflinkd at the netns there are now.
agent_bench() {
	local NS=$1
	rm -f "$R/state"/* 2>/dev/null || true
	perf_on start -a
	start_agent "$SYS" "${2:-}"
	perf_off
	scan=$(jq -r '.lastScanUs // "n/a"' <<<"$HEALTH") tracked=$(jq -r .netns <<<"$HEALTH")
	vfs=$(jq -r .vfs <<<"$HEALTH") pfs=$(jq -r .pfs <<<"$HEALTH")
	sleep 1
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status") hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$AGENT/status")
	c0=$(cpu_ticks "$AGENT"); sleep "$IDLE_S"; c1=$(cpu_ticks "$AGENT")
	idle=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v s="$IDLE_S" 'BEGIN { printf "%.2f", 100 * d / hz / s }')
	"$RTT" move "$SOCK" "$EVA" "$EVB" "evf$TAG" 0000:01:10.2 "$MOVES" > "$T/move.out"
	{ read -r _ mto mmed mp99 _; read -r _ _ kmed kp99 _; read -r _ _ amed ap99 _; } < "$T/move.out"
	perf_on lookup -p "$AGENT"
	read -r _ rbad rmed rp99 _ < <("$RTT" rtt "$SOCK" "$RTTN" '{"v":1,"op":"pf","pciAddress":"0000:40:00.0"}')
	read -r _ _ smed sp99 _ < <("$RTT" rtt "$SOCK" "$RTTN" '{"v":1,"op":"pf","pciAddress":"0000:01:00.0"}')
	read -r _ _ hmed hp99 _ < <("$RTT" rtt "$SOCK" "$RTTN" '{"v":1,"op":"health"}')
	# What the plugin asks on a pod start: one VF's entry, the pod netns named.
	read -r _ _ bmed bp99 _ < <("$RTT" rtt "$SOCK" "$RTTN" \
		'{"v":1,"op":"pf","pciAddress":"0000:40:00.0","vfIndex":5,"netns":"/run/netns/'"$POD"'"}')
	BRIEF[$NS]="$bmed $bp99"
	perf_off
	stop_agent
	ROWS="$ROWS$NS $tracked $pfs $vfs $START_US $scan $rss $hwm $idle $mmed $mp99 $mto $rmed $rp99 $rbad $kmed $kp99 $amed $ap99 $smed $sp99 $hmed $hp99
"
}
# With BENCH_BEFORE: both pflinkds up at once, and the 64-VF lookup asked
# of each in turn, 5 rounds of RTTN/5, so that both see the same load.
declare -A AB
med_of() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
lookup_ab() {	# lookup_ab NS
	local out pa pb r m q ma="" mb="" qa="" qb=""
	out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK.b" -- "$BEFORE/pflinkd" --socket "$SOCK.b" --sysfs "$SYS" \
		--state-dir "$R/state.b" --rescan-ms 3600000 --log-level warning 2>>"$T/agent.log")
	pb=${out#* }; pb=${pb%%$'\n'*}
	out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" \
		--state-dir "$R/state" --rescan-ms 3600000 --log-level warning 2>>"$T/agent.log")
	pa=${out#* }; pa=${pa%%$'\n'*}
	for r in 1 2 3 4 5; do
		read -r _ _ m q _ < <("$RTT" rtt "$SOCK.b" $((RTTN / 5)) '{"v":1,"op":"pf","pciAddress":"0000:40:00.0"}'); mb="$mb $m" qb="$qb $q"
		read -r _ _ m q _ < <("$RTT" rtt "$SOCK" $((RTTN / 5)) '{"v":1,"op":"pf","pciAddress":"0000:40:00.0"}'); ma="$ma $m" qa="$qa $q"
	done
	kill "$pa" "$pb" 2>/dev/null; wait "$pa" "$pb" 2>/dev/null || true
	# shellcheck disable=SC2086
	AB[$1]="$(med_of $mb) $(med_of $ma) $(cut -d' ' -f1 /proc/loadavg) $(med_of $qb) $(med_of $qa)"
}
for NS in $NSS; do
	echo "== agent at $NS netns" >&2
	t0=$(date +%s%N); grow "$NS"; t1=$(date +%s%N)
	echo "   setup $(( (t1 - t0) / 1000000 )) ms" >&2
	# The commit before first, then this one: neither always has the
	# warmer caches.
	[ -z "$BEFORE" ] || agent_bench "$NS-before" "$BEFORE/pflinkd"
	agent_bench "$NS"
	[ -z "$BEFORE" ] || lookup_ab "$NS"
	scrape_bench "$NS"
done

# ---------------------------------------------------------------- 4. deadlines
echo "== deadlines and answers under load (test/bench/deadlines.sh)" >&2
bash test/bench/deadlines.sh "$BUILD" > "$T/deadlines.md"

# ---------------------------------------------------------------- 5. runtime index
# containerd-shaped CRI bundles (test/bench/bundles.py: as containerd 1.6
# writes them, ~2.8 KiB a sandbox, ~6.5 KiB a container): a sandbox and a
# container per pod, every 10th container given a vfio group (the
# fixture's 0000:01:10.4, group 7, 240:7).  At 0, 100 and 1000 running
# containers (BENCH_CONTAINERS): the start-up index (health's
# runtimeIndexUs), start to first health, RSS; lookups of a PF whose VFs
# carry device holders.  Then, at the last count, a burst of 100 pods
# (200 bundles) made while lookups run: one bundle's cost, the loop's
# longest slice of bundle work, the lookups meanwhile; the same for their
# removal.
. test/fixtures/sysfs.sh
fx_vfio_group "$SYS" 0000:01:10.4 7 240 7 || exit 1
RT=$T/ctd BUNDLES=$PWD/test/bench/bundles.py CTL=$PWD/$BUILD/pflinkctl RTROWS="" RSS0=0 HAVEP=0
RTCOUNTS="0 ${BENCH_CONTAINERS:-100 1000}" LASTC=${BENCH_CONTAINERS:-100 1000}
LASTC=${LASTC##* }
mkdir -p "$RT"
rt_agent() {	# rt_agent: pflinkd reading $RT alone; sets AGENT, START_US, HEALTH
	local out
	out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" \
		--state-dir "$R/state" --rescan-ms 3600000 --log-level warning --containerd-root "$RT" --crio-root "" \
		2>>"$T/agent.log")
	START_US=${out%% *}; out=${out#* }; AGENT=${out%%$'\n'*}; HEALTH=${out#*$'\n'}
	[ "$START_US" != -1 ] || { echo "pflinkd (runtime bundles) did not start:" >&2; tail -5 "$T/agent.log" >&2; exit 1; }
}
rt_health() { local h; h=$("$CTL" --socket "$SOCK" --json health) && [ -n "$h" ] && printf '%s' "$h"; }
rt_until() {	# rt_until JQ: poll health (10 s) until JQ holds
	local i h
	for i in $(seq 200); do h=$(rt_health) && jq -e "$1" <<<"$h" >/dev/null && return 0; sleep 0.05; done
	echo "hack/bench.sh: runtime index never got to: $1" >&2; return 1
}
for C in $RTCOUNTS; do
	echo "== runtime index at $C running containers" >&2
	want=$((C / 2))
	[ "$want" -gt "$HAVEP" ] && python3 "$BUNDLES" "$RT" "$HAVEP" $((want - HAVEP)) "/run/netns/$POD" 10
	HAVEP=$want
	rt_agent
	sleep 0.5
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status")
	[ "$C" = 0 ] && RSS0=$rss
	read -r _ _ lmed lp99 _ < <("$RTT" rtt "$SOCK" "$RTTN" '{"v":1,"op":"pf","pciAddress":"0000:01:00.0"}')
	RTROWS="$RTROWS$C $(jq -r .runtimeIndexBundles <<<"$HEALTH") $(jq -r '.runtimes[0].entries' <<<"$HEALTH") $(jq -r .runtimeIndexUs <<<"$HEALTH") $START_US $rss $lmed $lp99
"
	[ "$C" = "$LASTC" ] || stop_agent
done
ENTRIES=$(rt_health | jq -r '.runtimes[0].entries')
read -r _ _ qmed qp99 _ < <("$RTT" rtt "$SOCK" 5000 '{"v":1,"op":"pf","pciAddress":"0000:01:00.0"}')
python3 "$BUNDLES" "$RT" "$HAVEP" 100 "/run/netns/$POD" 10 &
BURST=$!
read -r _ _ bmed bp99 _ < <("$RTT" rtt "$SOCK" 5000 '{"v":1,"op":"pf","pciAddress":"0000:01:00.0"}')
wait "$BURST"
rt_until ".runtimeBundles >= 200 and .runtimes[0].entries == $ENTRIES + 110" || exit 1
HB=$(rt_health)
( sleep 0.05; for ((i = HAVEP; i < HAVEP + 100; i++)); do rm -rf "$RT/$(printf '%032x%032x' "$i" "$i")" "$RT/$(printf 'c%031x%032x' "$i" "$i")"; done ) &
BURST=$!
read -r _ _ dmed dp99 _ < <("$RTT" rtt "$SOCK" 5000 '{"v":1,"op":"pf","pciAddress":"0000:01:00.0"}')
wait "$BURST"
rt_until ".runtimes[0].entries == $ENTRIES" || exit 1
HD=$(rt_health)
stop_agent

# ---------------------------------------------------------------- report
{
	echo "## pflink benchmark"
	echo
	echo "$(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d); \`hack/bench.sh\`, BENCH_N=$N"
	echo
	echo "### Plugin: wall time of fork/exec/wait, stdin from a buffer, stdout to /dev/null (µs)"
	echo
	echo "| case | n | failures | median | p99 |"
	echo "|---|---:|---:|---:|---:|"
	for c in pflink-sysfs-ADD pflink-sysfs-CHECK pflink-sysfs-DEL pflink-agent-ADD pflink-agent-CHECK pflink-agent-DEL pflink-direct-ADD pflink-direct-CHECK pflink-direct-DEL \
		tuning-ADD tuning-CHECK tuning-DEL true true-shim \
		nodev-sysfs-ADD nodev-static-sysfs-ADD nodev-agent-ADD nodev-static-agent-ADD nodev-direct-ADD nodev-static-direct-ADD \
		nodev-sysfs-CHECK nodev-static-sysfs-CHECK nodev-agent-CHECK nodev-static-agent-CHECK nodev-direct-CHECK nodev-static-direct-CHECK \
		nodev-sysfs-DEL nodev-static-sysfs-DEL nodev-agent-DEL nodev-static-agent-DEL nodev-direct-DEL nodev-static-direct-DEL \
		before-sysfs-ADD before-sysfs-CHECK before-sysfs-DEL before-agent-ADD before-agent-CHECK before-agent-DEL \
		before-direct-ADD before-direct-CHECK before-direct-DEL \
		before-nodev-static-sysfs-ADD before-nodev-static-sysfs-CHECK before-nodev-static-sysfs-DEL \
		before-nodev-static-agent-ADD before-nodev-static-agent-CHECK before-nodev-static-agent-DEL \
		before-nodev-static-direct-ADD before-nodev-static-direct-CHECK before-nodev-static-direct-DEL; do
		[ -n "${MED[$c]:-}" ] || continue
		echo "| $c | $N | ${FAILS[$c]} | $(us "${MED[$c]}") | $(us "${P99[$c]}") |"
	done
	echo
	echo "pflink-* run with the test shim LD_PRELOADed (test/shim: it makes the pod's veth"
	echo "a VF, and costs loading one shared object and a map lookup per ioctl and per"
	echo "netlink read); true-shim is /bin/true with that same env, true and tuning run"
	echo "without it. The pod netns holds net1 (VF 0000:01:10.0); the PF netdev is in the"
	echo "host netns. pflink-sysfs-*: sysfs lists the PF's netdev under its net/ (as on a"
	echo "node); pflink names it from there, checked by netlink, without asking the agent"
	echo "(checked once at logLevel info): $VIAS. pflink-agent-* and pflink-direct-*: the"
	echo "PF's net/ lists nothing (a PF whose netdev is in another netns), so pflink asks"
	echo "pflinkd, or scans (no bind-mount dirs to search). Agent case took the PF from"
	echo "pflinkd (checked once at logLevel info): $VIA."
	echo "nodev-*: no shim anywhere. A netdev-less VF (vfio-pci) of the fixture tree whose"
	echo "PF is this machine's own PCI NIC ${NIC:-(none found: skipped)} ${NICBDF:-}, found in the host"
	echo "netns by the kernel's own answers; nodev-static-* is pflink-static, the same"
	echo "objects linked with -static; nodev-*-sysfs-*: the NIC listed under its PF's net/"
	echo "(as on a node: named from sysfs, checked by netlink), -agent-/-direct-: not listed."
	echo "stateDir and deviceInfoDir on: ${BENCH_STATE_FS:-tmpfs}."
	[ -z "$BEFORE" ] || echo "before-*: BENCH_BEFORE's pflink ($BEFORE), the same configs, interleaved in the same run; before-nodev-static-*: its pflink-static, run right after this one's on the same attachment (so both ADDs find the record of the runs before them, both DELs nothing left to remove); agent rows <netns>-before: its pflinkd."
	echo
	echo "| ratio (medians unless p99) | value | target | |"
	echo "|---|---:|---:|---|"
	row() {	# row LABEL A B le|ge LIMIT: the ratio A/B against LIMIT
		[ -n "${2:-}" ] && [ -n "${3:-}" ] || return 0
		local r sym ok
		r=$(rat "$2" "$3")
		if [ "$4" = le ]; then sym="≤"; ok=$(verdict "$r" '<' "$(awk -v l="$5" 'BEGIN { print l + 0.005 }')")
		else sym="≥"; ok=$(verdict "$r" '>=' "$5"); fi
		echo "| $1 | $r | $sym $5 | $ok |"
	}
	for base in true true-shim; do
		row "pflink ADD (sysfs) / $base" "${MED[pflink-sysfs-ADD]}" "${MED[$base]}" le 1.3
		row "pflink CHECK (sysfs) / $base" "${MED[pflink-sysfs-CHECK]}" "${MED[$base]}" le 1.3
		row "pflink DEL (sysfs) / $base" "${MED[pflink-sysfs-DEL]}" "${MED[$base]}" le 1.15
		row "pflink ADD (sysfs) p99 / $base p99" "${P99[pflink-sysfs-ADD]}" "${P99[$base]}" le 1.5
		row "pflink ADD (agent) / $base" "${MED[pflink-agent-ADD]}" "${MED[$base]}" le 1.3
		row "pflink ADD (direct) / $base" "${MED[pflink-direct-ADD]}" "${MED[$base]}" le 1.3
		row "pflink CHECK (agent) / $base" "${MED[pflink-agent-CHECK]}" "${MED[$base]}" le 1.3
		row "pflink DEL (agent) / $base" "${MED[pflink-agent-DEL]}" "${MED[$base]}" le 1.15
		row "pflink ADD (agent) p99 / $base p99" "${P99[pflink-agent-ADD]}" "${P99[$base]}" le 1.5
	done
	row "pflink ADD: agent / direct" "${MED[pflink-agent-ADD]}" "${MED[pflink-direct-ADD]}" le 1
	row "pflink ADD: sysfs (agent up, not asked) / direct" "${MED[pflink-sysfs-ADD]}" "${MED[pflink-direct-ADD]}" le 1
	row "tuning ADD / pflink ADD (sysfs)" "${MED[tuning-ADD]}" "${MED[pflink-sysfs-ADD]}" ge 2
	row "tuning ADD / pflink ADD (agent)" "${MED[tuning-ADD]}" "${MED[pflink-agent-ADD]}" ge 2
	row "tuning ADD / pflink ADD (direct)" "${MED[tuning-ADD]}" "${MED[pflink-direct-ADD]}" ge 2
	# The installed plugin (install-cni puts pflink-static on hosts), no
	# test shim, against /bin/true without one: the headline figure.
	for m in sysfs agent direct; do
		row "nodev: pflink-static ADD ($m) / true" "${MED[nodev-static-$m-ADD]:-}" "${MED[true]}" le 1.1
		row "nodev: pflink-static CHECK ($m) / true" "${MED[nodev-static-$m-CHECK]:-}" "${MED[true]}" le 1.3
		row "nodev: pflink-static DEL ($m) / true" "${MED[nodev-static-$m-DEL]:-}" "${MED[true]}" le 1.15
		for c in ADD CHECK DEL; do
			row "nodev: before's pflink-static $c ($m) / true" "${MED[before-nodev-static-$m-$c]:-}" "${MED[true]}" le 1.3
		done
	done
	row "nodev: pflink ADD (agent) / true" "${MED[nodev-agent-ADD]:-}" "${MED[true]}" le 1.3
	row "nodev: pflink-static / pflink, ADD (agent)" "${MED[nodev-static-agent-ADD]:-}" "${MED[nodev-agent-ADD]:-}" le 1
	echo
	echo "Each ADD case alone, $N runs in a block (warm caches), µs:"
	echo
	echo "| case | median | p99 |"
	echo "|---|---:|---:|"
	for c in pflink-sysfs-ADD pflink-agent-ADD pflink-direct-ADD tuning-ADD true-shim; do
		echo "| $c | $(us "${BMED[$c]}") | $(us "${BP99[$c]}") |"
	done
	echo
	echo "### Agent (pflinkd, --rescan-ms 3600000: the initial scan only)"
	echo
	echo "Each netns: lo, eth0 (a VF by the shim), eth1 (its veth peer). Plus 3 netns of"
	echo "the bench (pod, event pair) and the host. Start = fork/exec to the first ok"
	echo "health answer (polled every 200 µs). Idle CPU over ${IDLE_S} s."
	echo "Event-to-map: one RTM_NEWLINK moving a VF veth between two netns, then"
	echo "\`vf\` requests back to back on one connection until the answer shows the new"
	echo "netns ($MOVES moves). Lookup: $RTTN \`pf\` requests (PF 0000:40:00.0, up to 64 VFs) on one connection."
	echo
	echo "| netns | tracked | PFs | VFs | start to health ms | lastScanUs | RSS KiB | peak RSS KiB | idle CPU % |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while read -r ns tr pf vf st sc rs hw id mm mp mt rm rp rb km kp am ap sm sp hm hp; do
		[ -n "$ns" ] || continue
		echo "| $ns | $tr | $pf | $vf | $(awk -v x="$st" 'BEGIN{printf "%.1f", x/1000}') | $sc | $rs | $hw | $id |"
	done <<<"$ROWS"
	echo
	echo "lastScanUs is what health reports: the last single-netns link dump, not the"
	echo "whole initial scan; the initial scan is measured by start to first health."
	echo
	echo "Lookup round trip (µs, $RTTN requests on one connection): \`pf\` of the scale PF"
	echo "0000:40:00.0 (min(netns, 64) VFs with netdevs), \`pf\` of 0000:01:00.0 (4 VFs), \`health\`."
	echo
	echo "The plugin's own question is the last pair: \`pf\` with \`vfIndex\` 5 and the pod's netns."
	echo
	echo "| netns | pf 40:00.0 median | p99 | pf 01:00.0 median | p99 | health median | p99 | pf+vfIndex median | p99 |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while read -r ns tr pf vf st sc rs hw id mm mp mt rm rp rb km kp am ap sm sp hm hp; do
		[ -n "$ns" ] || continue
		read -r bm bp <<<"${BRIEF[$ns]}"
		echo "| $ns | $(us "$rm") | $(us "$rp") | $(us "$sm") | $(us "$sp") | $(us "$hm") | $(us "$hp") | $(us "$bm") | $(us "$bp") |"
	done <<<"$ROWS"
	echo
	if [ -n "$BEFORE" ]; then
		echo "Interleaved: both pflinkds up at once, \`pf\` of 0000:40:00.0 asked of each in turn,"
		echo "5 rounds of $((RTTN / 5)); the median of the round medians, and of the round p99s (µs)."
		echo
		echo "| netns | before | this | this / before | p99 before | p99 this | this / before | load average (1 min) |"
		echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
		for ns in $NSS; do
			read -r b a l qb qa <<<"${AB[$ns]}"
			echo "| $ns | $(us "$b") | $(us "$a") | $(rat "$a" "$b") | $(us "$qb") | $(us "$qa") | $(rat "$qa" "$qb") | $l |"
		done
		echo
	fi
	echo "Event-to-map (µs): from sending the move; the kernel's move alone (RTM_NEWLINK"
	echo "to its ack); from the ack to the first answer showing the new netns."
	echo
	echo "| netns | from request, median | p99 | kernel move, median | p99 | ack to map, median | p99 | timeouts (2 s) |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	# shellcheck disable=SC2034
	while read -r ns tr pf vf st sc rs hw id mm mp mt rm rp rb km kp am ap sm sp hm hp; do
		[ -n "$ns" ] || continue
		echo "| $ns | $(us "$mm") | $(us "$mp") | $(us "$km") | $(us "$kp") | $(us "$am") | $(us "$ap") | $mt |"
	done <<<"$ROWS"
	echo
	echo "### /metrics: one scrape (128 VFs in sysfs: 2 PFs x 64; one VF netdev in each of the first 128 netns)"
	echo
	echo "Medians of $SCRAPES scrapes 1.2 s apart (each a new snapshot), each column on its own. HTTP: curl's time_total."
	echo "Loop time: the snapshot's serving-loop time, all slices (pflink_agent_collect_duration_seconds);"
	echo "slice: its longest slice, median and worst (pflink_agent_collect_slice_max_seconds)."
	echo "Lookup: 10000 \`pf 0000:40:00.0\` (64 VFs) on one connection, alone and with a scrape every 1.01 s meanwhile."
	echo
	echo "| netns | VFs listed | netdev counters | HTTP ms | loop ms | slice ms (median / worst) | bytes | lookup µs (median / p99) | lookup during scrapes µs (median / p99) | snapshots |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	while read -r ns vf ct ht co sl sm by qm qp wm wp sn; do
		[ -n "$ns" ] || continue
		echo "| $ns | $vf | $((ct / 7)) | $(awk -v x="$ht" 'BEGIN{printf "%.1f", x*1000}') | $(awk -v x="$co" 'BEGIN{printf "%.2f", x*1000}') | $(awk -v x="$sl" -v y="$sm" 'BEGIN{printf "%.3f / %.3f", x*1000, y*1000}') | $by | $(us "$qm") / $(us "$qp") | $(us "$wm") / $(us "$wp") | $sn |"
	done <<<"$SROWS"
	echo
	echo "### Runtime index (containerd-shaped CRI bundles, a sandbox and a container per pod)"
	echo
	echo "Start-up: health's runtimeIndexUs (every root read, each config.json parsed and"
	echo "joined once); start to first health includes the netns scan. RSS after 0.5 s."
	echo "Lookup: $RTTN \`pf 0000:01:00.0\` (4 VFs, one of them held by every 10th container"
	echo "through its vfio group) on one connection."
	echo
	echo "| running containers | bundles read | entries kept | index build ms | start to health ms | RSS KiB | lookup µs (median / p99) |"
	echo "|---:|---:|---:|---:|---:|---:|---:|"
	while read -r c nb ne bu st rs lm lp; do
		[ -n "$c" ] || continue
		echo "| $c | $nb | $ne | $(awk -v x="$bu" 'BEGIN{printf "%.1f", x/1000}') | $(awk -v x="$st" 'BEGIN{printf "%.1f", x/1000}') | $rs | $(us "$lm") / $(us "$lp") |"
		LAST_RT="$c $nb $ne $bu $st $rs"
	done <<<"$RTROWS"
	read -r c nb ne bu st rs <<<"$LAST_RT"
	echo
	echo "Memory at $c running containers: $(( rs - RSS0 )) KiB more RSS than with none:"
	echo "$(awk -v d=$((rs - RSS0)) -v n="$c" 'BEGIN{printf "%.0f", d * 1024 / n}') bytes per running container,"
	echo "$(awk -v d=$((rs - RSS0)) -v n="$ne" 'BEGIN{printf "%.0f", d * 1024 / n}') per entry kept ($ne: the sandboxes and the containers given a vfio group)."
	echo
	echo "Per event, at $LASTC running containers: 100 pods (200 bundles, each a directory then its"
	echo "config.json, as containerd makes them) made in a burst, then removed, while 5000 lookups ran."
	echo
	echo "| | value |"
	echo "|---|---:|"
	echo "| bundles read after start | $(jq -r .runtimeBundles <<<"$HB") |"
	echo "| one bundle (read, parse, joins), CPU time, mean / max µs | $(jq -r .runtimeBundleUsMean <<<"$HB") / $(jq -r .runtimeBundleUsMax <<<"$HB") |"
	echo "| inotify events handled (made, then removed) | $(jq -r .runtimeEvents <<<"$HB") / $(jq -r .runtimeEvents <<<"$HD") |"
	echo "| longest turn of the loop on bundles (events or a read), wall µs | $(jq -r .runtimeSliceUsMax <<<"$HD") |"
	echo "| lookup µs, quiet (median / p99) | $(us "$qmed") / $(us "$qp99") |"
	echo "| lookup µs during the burst of 200 bundles made | $(us "$bmed") / $(us "$bp99") |"
	echo "| lookup µs during their removal | $(us "$dmed") / $(us "$dp99") |"
	echo
	last=$(tail -n 1 <<<"${ROWS%$'\n'}")
	read -r ns _ _ _ st sc rs _ _ mm _ _ rm _ _ _ _ am _ sm _ <<<"$last"
	echo "| target (at $ns netns) | value | target | |"
	echo "|---|---:|---:|---|"
	echo "| full scan (start to first health, incl. exec) | $(awk -v x="$st" 'BEGIN{printf "%.1f", x/1000}') ms | < 80 ms | $(verdict "$(awk -v x="$st" 'BEGIN{print x/1000}')" '<' 80) |"
	echo "| RSS | $rs KiB | < 8192 KiB | $(verdict "$rs" '<' 8192) |"
	echo "| event-to-map median, from the move request | $(us "$mm") µs | < 5000 µs | $(verdict "$mm" '<' 5000) |"
	echo "| event-to-map median, from the kernel's ack | $(us "$am") µs | < 5000 µs | $(verdict "$am" '<' 5000) |"
	echo "| lookup median, pf 40:00.0 (64 VFs) | $(us "$rm") µs | < 100 µs | $(verdict "$rm" '<' 100) |"
	echo "| lookup median, pf 01:00.0 (4 VFs) | $(us "$sm") µs | < 100 µs | $(verdict "$sm" '<' 100) |"
	echo
	cat "$T/deadlines.md"
} > "$BUILD/bench.md"
cat "$BUILD/bench.md"
