#!/bin/bash
# SPDX-License-Identifier: MIT
# A full node, as pflinkd and pflink meet it: SCALE_PFS PFs with SCALE_VFS
# VFs each, SCALE_PODS pods holding one VF each, SCALE_NS netns in all (the
# rest: pods with a veth pair only), then pods deleted and created at
# SCALE_RATE a second for SCALE_SECS seconds, pflink ADD/DEL (with the
# agent) on each.  Checked all along: every ADD names the PF netdev of its
# VF's PF and every DEL succeeds; PF lookups (the plugin's question) at
# 100 a second always answer the PF's own netdev; at the end every VF's
# netdev is in the netns of the pod holding it (or back in the host netns)
# and every pod's record is there.  Measured: the agent's start (its
# initial scan), lookup latency during the churn, its CPU, and its memory
# and descriptors before and after.  Prints a Markdown report.
#
#   sudo bash hack/scale.sh            # the issue's node: 2 x 128 VFs, 250 pods, 1000 netns, 10/s for 60 s
#   sudo bash hack/scale.sh --reduced  # CI: 2 x 8 VFs, 12 pods, 60 netns, 5/s for 4 s; correctness only
#
# Why 2 x 128 VFs: 250 pods holding one VF each need 250 VFs, which two
# PFs of 64 do not have; a ConnectX-5/6 PF exposes up to 127 or more.
# As in the root tests, veth links stand in for the PFs and VFs (their PCI
# bus_info and parent device from the test shim), sysfs is a fixture tree;
# netns, netlink, the agent and the plugin are real.  Everything runs in
# namespaces of its own (net, mount, pid), so the agent sees this node only.
#
# Environment: BUILD (default build-bench), and the SCALE_* above.
set -u
cd "$(dirname "$0")/.."
REDUCED=0
[ "${1:-}" = --reduced ] && REDUCED=1
if [ $REDUCED = 1 ]; then
	: "${SCALE_PFS:=2}" "${SCALE_VFS:=8}" "${SCALE_PODS:=12}" "${SCALE_NS:=60}" "${SCALE_RATE:=5}" "${SCALE_SECS:=4}"
else
	: "${SCALE_PFS:=2}" "${SCALE_VFS:=128}" "${SCALE_PODS:=250}" "${SCALE_NS:=1000}" "${SCALE_RATE:=10}" "${SCALE_SECS:=60}"
fi
BUILD=${BUILD:-build-bench}
. test/integration/lib.sh
tl_skip_unless_root "hack/scale.sh" socat
[ $((SCALE_PFS * SCALE_VFS)) -ge "$SCALE_PODS" ] || { echo "hack/scale.sh: $SCALE_PODS pods need as many VFs" >&2; exit 2; }
[ "$SCALE_NS" -ge "$SCALE_PODS" ] || { echo "hack/scale.sh: SCALE_NS < SCALE_PODS" >&2; exit 2; }
# SCALE_NO_BUILD: the programs in BUILD are current (ctest runs it so).
if [ -z "${TL_OWN_NS:-}" ] && [ -z "${SCALE_NO_BUILD:-}" ]; then
	[ -x "$BUILD/pflink" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j2 --target pflink pflinkd pflink_ethtool_shim >/dev/null || exit 1
fi
BUILD=$(cd "$BUILD" && pwd)
tl_own_namespaces "$0" "$@"

tl_setup "$BUILD/pflink" "$BUILD/test/libpflink_ethtool_shim.so" "$PWD/test/fixtures/sysfs.sh"
PFLINKD=$BUILD/pflinkd RTT=$T/rtt
cc -O2 -Wall -o "$RTT" test/bench/rtt.c || exit 1
. test/fixtures/sysfs.sh
SOCK=$T/pflinkd.sock

# Fixture and host netns: PF p (0000:(40+p):00.0) as host link pf<p>;
# VF j of PF p at 0000:(40+p):(10+j/8).(j%8), MAC 02:5c:0p:00:jj:jj.
vf_bdf() { printf '0000:%02x:%02x.%x' $((0x40 + $1)) $((0x10 + $2 / 8)) $(($2 % 8)); }
vf_mac() { printf '02:5c:%02x:00:%02x:%02x' "$1" $(($2 >> 8)) $(($2 & 255)); }
t0=$(date +%s%N)
for ((p = 0; p < SCALE_PFS; p++)); do
	pf=$(printf '0000:%02x:00.0' $((0x40 + p)))
	fx_pf "$SYS" "$pf" mlx5_core "$SCALE_VFS" >/dev/null || exit 1
	for ((j = 0; j < SCALE_VFS; j++)); do
		fx_vf "$SYS" "$pf" "$j" "$(vf_bdf $p $j)" mlx5_core >/dev/null || exit 1
		echo "$(vf_mac $p $j) $(vf_bdf $p $j) mlx5_core" >> "$MAP"
	done
	echo "$(printf '02:5c:%02x:ff:00:00' $p) $pf mlx5_core" >> "$MAP"
	ip link add "pf$p" address "$(printf '02:5c:%02x:ff:00:00' $p)" type veth peer name "pf${p}p"
done
# The map is read again by the shim when it changes within a second of
# its last read: date it back so every process reads it once.
touch -d "@$(( $(date +%s) - 2 ))" "$MAP"

# Pods: pod i holds VF (i % PFS, i / PFS) as net1; every other netns holds
# eth0 like any pod of the primary network.  Each veth's peer stays in the
# host netns, as a primary CNI leaves one there per pod: the host netns has
# as many links as a node's.
: > "$T/ns.batch"; : > "$T/link.batch"
for ((i = 0; i < SCALE_NS; i++)); do
	echo "netns add sc$i" >> "$T/ns.batch"
	if [ "$i" -lt "$SCALE_PODS" ]; then
		p=$((i % SCALE_PFS)) j=$((i / SCALE_PFS))
		echo "link add name net1 address $(vf_mac $p $j) netns sc$i type veth peer name vf$i" >> "$T/link.batch"
	else
		echo "link add name eth0 netns sc$i type veth peer name ve$i" >> "$T/link.batch"
	fi
done
ip -batch "$T/ns.batch" && ip -batch "$T/link.batch" || exit 1
t1=$(date +%s%N)
echo "== node: $SCALE_PFS PFs x $SCALE_VFS VFs, $SCALE_PODS pods with a VF, $SCALE_NS netns (set up in $(( (t1 - t0) / 1000000 )) ms)" >&2

conf() {	# conf POD_INDEX
	printf '{"cniVersion":"1.0.0","name":"scale-net","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":"%s","prevResult":{"cniVersion":"1.0.0","interfaces":[{"name":"net1","sandbox":"/run/netns/sc%d"}],"ips":[],"dns":{}}}' \
		"$SYS" "$STATE" "$DEVINFO" "$SOCK" "$1"
}
WRONG=0
# pod_cni CMD I GEN: pflink CMD for pod i (container c<i>-<gen>); an ADD
# must name pf<p> as the PF's netdev.
pod_cni() {
	local cmd=$1 i=$2 gen=$3 out rc
	out=$(conf "$i" | env CNI_COMMAND="$cmd" CNI_CONTAINERID="c$i-$gen" CNI_NETNS="/run/netns/sc$i" CNI_IFNAME=net1 \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=scale;K8S_POD_NAME=pod$i;K8S_POD_UID=u$i" CNI_PATH=/nonexistent \
		LD_PRELOAD="$SHIM" "$PFLINK" 2>>"$T/pflink.err")
	rc=$?
	if [ $rc != 0 ] || { [ "$cmd" = ADD ] && ! printf '%s' "$out" | grep -q "\"name\":\"pf$((i % SCALE_PFS))\""; }; then
		WRONG=$((WRONG + 1))
		[ $WRONG -le 3 ] && echo "wrong answer: $cmd pod $i rc=$rc: $out" >&2
	fi
}

# --- the agent's start: the initial scan of every netns
out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
	--log-level warning 2>>"$T/agent.log")
START_US=${out%% *}; out=${out#* }; AGENT=${out%%$'\n'*}
[ "$START_US" != -1 ] || { echo "pflinkd did not start:" >&2; cat "$T/agent.log" >&2; exit 1; }
health() { printf '{"v":1,"op":"health"}\n' | socat -t 5 - "UNIX-CONNECT:$SOCK"; }
H=$(health)
check "the agent tracks every netns (host + $SCALE_NS)" test "$(jq -r .netns <<<"$H")" = $((SCALE_NS + 1))
check "... and sees $((SCALE_PFS * 1)) PFs and $SCALE_PODS VFs with netdevs" \
	test "$(jq -r '"\(.pfs) \(.vfs)"' <<<"$H")" = "$SCALE_PFS $SCALE_PODS"

# --- every pod's ADD
declare -a GEN
t0=$(date +%s%N)
for ((i = 0; i < SCALE_PODS; i++)); do GEN[i]=0; pod_cni ADD "$i" 0; done
t1=$(date +%s%N)
ADD_MS=$(( (t1 - t0) / 1000000 ))
check "$SCALE_PODS ADDs, each naming its VF's PF netdev" test "$WRONG" = 0
check "$SCALE_PODS records" test "$(ls "$STATE" | wc -l)" = "$SCALE_PODS"
sleep 1
mem() { awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status"; }
fds() { ls "/proc/$AGENT/fd" | wc -l; }
cpu() { awk '{ print $14 + $15 }' "/proc/$AGENT/stat"; }
RSS0=$(mem) FD0=$(fds)

# --- churn: pods deleted and made again at SCALE_RATE a second (each time
# the VF goes back to the host netns, as the kernel returns a VF whose
# netns dies, and into the new pod's), lookups alongside at 100 a second.
WRONG=0
LOOKUP_VF=$(vf_bdf 0 0)
"$RTT" paced "$SOCK" 100 "$SCALE_SECS" '{"v":1,"op":"pf","pciAddress":"0000:40:00.0","vfIndex":0}' '"netdevs":[{"name":"pf0"' \
	> "$T/lookup.out" 2>"$T/lookup.err" &
LOOKER=$!
C0=$(cpu) t0=$(date +%s%N)
n=0 end=$(( $(date +%s%N) + SCALE_SECS * 1000000000 ))
while [ "$(date +%s%N)" -lt "$end" ]; do
	i=$(( (n * 7919) % SCALE_PODS ))	# spread over the pods
	due=$(( t0 + n * 1000000000 / SCALE_RATE ))
	now=$(date +%s%N)
	[ "$now" -lt "$due" ] && sleep "$(awk -v d=$((due - now)) 'BEGIN { printf "%.3f", d / 1e9 }')"
	pod_cni DEL "$i" "${GEN[i]}"
	ip -n "sc$i" link set net1 netns 1 name "h$i" && ip netns del "sc$i" && ip netns add "sc$i" &&
		ip link set "h$i" netns "sc$i" name net1 || { echo "churn: netns work failed for pod $i" >&2; WRONG=$((WRONG + 1)); }
	GEN[i]=$((GEN[i] + 1))
	pod_cni ADD "$i" "${GEN[i]}"
	n=$((n + 1))
done
t1=$(date +%s%N) C1=$(cpu)
wait "$LOOKER"
read -r ln lbad lmed lp99 _ < "$T/lookup.out"
CHURN_S=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e9 }')
RATE=$(awk -v n=$n -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (d / 1e9) }')
CPU=$(awk -v t=$((C1 - C0)) -v hz="$(getconf CLK_TCK)" -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * t / hz / (d / 1e9) }')
check "$n pods deleted and made again, every DEL and ADD right" test "$WRONG" = 0
check "$ln lookups during the churn, every one naming the PF's netdev" test "${lbad:-1}" = 0
[ "${lbad:-1}" = 0 ] || sed 's/^/    /' "$T/lookup.err"
sleep 2
RSS1=$(mem) FD1=$(fds)

# --- the end state: each pod's VF in its netns, in the agent's map too
bad_map=0
for ((i = 0; i < SCALE_PODS; i++)); do
	p=$((i % SCALE_PFS)) j=$((i / SCALE_PFS))
	printf '{"v":1,"op":"vf","pciAddress":"%s"}\n' "$(vf_bdf $p $j)"
done | socat -t 30 - "UNIX-CONNECT:$SOCK" > "$T/vfs.out"
i=0
while read -r line; do
	if ! jq -e --arg n "/run/netns/sc$i" --arg pod "pod$i" '.vf.netdevs[0].netns == $n and .vf.pod.name == $pod' <<<"$line" >/dev/null; then
		bad_map=$((bad_map + 1))
		[ $bad_map -le 3 ] && echo "pod $i: $line" | cut -c1-300 >&2
	fi
	i=$((i + 1))
done < "$T/vfs.out"
check "all $SCALE_PODS VFs: the agent has each in its pod's netns, with the pod" test "$bad_map:$i" = "0:$SCALE_PODS"
check "$SCALE_PODS records, one per pod" test "$(ls "$STATE" | wc -l)" = "$SCALE_PODS"
H=$(health)
check "the agent still tracks host + $SCALE_NS netns" test "$(jq -r .netns <<<"$H")" = $((SCALE_NS + 1))
check "no descriptor more than before the churn" test "$FD1" -le "$FD0"
kill "$AGENT"; wait "$AGENT" 2>/dev/null

{
	echo "## pflink at node scale"
	echo
	echo "$(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d); \`hack/scale.sh$([ $REDUCED = 1 ] && echo ' --reduced')\`"
	echo
	echo "$SCALE_PFS PFs x $SCALE_VFS VFs, $SCALE_PODS pods holding a VF, $SCALE_NS netns; churn $CHURN_S s at $RATE pods/s ($n pods, each a pflink DEL and ADD)."
	echo
	echo "| what | value | target |"
	echo "|---|---:|---:|"
	echo "| agent start to first health (initial scan of $((SCALE_NS + 1)) netns) | $(awk -v x="$START_US" 'BEGIN { printf "%.1f", x / 1000 }') ms | < 80 ms |"
	echo "| $SCALE_PODS pod ADDs, back to back | $ADD_MS ms ($(awk -v t="$ADD_MS" -v n="$SCALE_PODS" 'BEGIN { printf "%.2f", t / n }') ms each) | |"
	echo "| lookups during churn (new connection each, 100/s): median | $(printf '%.0f' "${lmed:-0}") µs | |"
	echo "| ... p99 | $(printf '%.0f' "${lp99:-0}") µs | < 1000 µs |"
	echo "| wrong answers (ADD, DEL, lookups, end state) | $((WRONG + ${lbad:-0} + bad_map)) | 0 |"
	echo "| agent CPU during churn | $CPU % of one core | < 5 % |"
	echo "| agent RSS before / after churn | $RSS0 / $RSS1 KiB | no growth, < 8192 |"
	echo "| agent descriptors before / after churn | $FD0 / $FD1 | no growth |"
} > "$T/report.md"
cat "$T/report.md"
[ $REDUCED = 1 ] || cp "$T/report.md" "$BUILD/scale.md"
tl_summary
