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
# Beside pflink's pods, what the agent learns from the node itself
# (docs/agent.md): SCALE_RT pods that pflink never saw, each a containerd
# sandbox bundle (under a runtime root of this run's own) whose netns
# holds a VF; SCALE_VFIO VFs bound to vfio-pci in the fixture tree, each
# given to a container (its bundle lists /dev/vfio/GROUP); one more
# sandbox naming the first runtime pod's netns under another pod's name
# (vf_double_allocated).  PF 0 goes down (its host link set down) a third
# into the churn and up again at two thirds.  Checked during and after:
# those pods' names from the runtime, the vfio VFs' pods, PF 0 down while
# down (with its pods) and up after, and the leaks exactly the one planted.
# Measured too: the cost of a leaks, pf-health and health request, of a
# /metrics scrape, the serving loop's time per discovery during the churn,
# and how soon PF 0's state is seen.  SCALE_RT=0 SCALE_VFIO=0 is the run
# without them.
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
# Environment: BUILD (default build-bench), the SCALE_* above, and
# SCALE_AGENT_ARGS: more pflinkd options (e.g. --mount-walk mountinfo),
# SCALE_TRIM_PROBE=1: RSS also after gdb makes the agent malloc_trim().
set -u
cd "$(dirname "$0")/.."
REDUCED=0
[ "${1:-}" = --reduced ] && REDUCED=1
if [ $REDUCED = 1 ]; then
	: "${SCALE_PFS:=2}" "${SCALE_VFS:=8}" "${SCALE_PODS:=12}" "${SCALE_NS:=60}" "${SCALE_RATE:=5}" "${SCALE_SECS:=6}"
	: "${SCALE_RT:=2}" "${SCALE_VFIO:=2}"
else
	: "${SCALE_PFS:=2}" "${SCALE_VFS:=128}" "${SCALE_PODS:=250}" "${SCALE_NS:=1000}" "${SCALE_RATE:=10}" "${SCALE_SECS:=60}"
	: "${SCALE_RT:=3}" "${SCALE_VFIO:=3}"
fi
BUILD=${BUILD:-build-bench}
. test/integration/lib.sh
tl_skip_unless_root "hack/scale.sh" socat
for t in curl jq; do
	command -v "$t" >/dev/null || { echo "FAIL: $t not installed (hack/deps.sh --test)"; echo "0 passed, 1 failed"; exit 1; }
done
[ $((SCALE_PFS * SCALE_VFS)) -ge $((SCALE_PODS + SCALE_RT + SCALE_VFIO)) ] ||
	{ echo "hack/scale.sh: $SCALE_PODS + $SCALE_RT + $SCALE_VFIO pods need as many VFs" >&2; exit 2; }
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
SOCK=$T/pflinkd.sock MPORT=9481

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
	# Up, with a carrier (its peer up too), as a cabled port is: a PF
	# down under pods is a finding (pf-health).
	ip link add "pf$p" address "$(printf '02:5c:%02x:ff:00:00' $p)" type veth peer name "pf${p}p" &&
		ip link set "pf${p}p" up && ip link set "pf$p" up || exit 1
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

# The node's own pods: VF x = SCALE_PODS + k (same spread over the PFs),
# after pflink's.  Runtime pod k: netns rt<k> holding the VF as net1,
# named only by its containerd sandbox bundle.  vfio VF k: bound to
# vfio-pci, IOMMU group 100+k (/dev/vfio/100+k, 240:k), no netdev, given
# to container vfio-<k> of pod vfio-pod<k>.  One more sandbox names pod
# 0's netns (pflink's pod0) as pod dup-pod: two pods holding one VF.
CTD=$T/ctd
mkdir -p "$CTD"
sid() { local h; h=$(printf '%02x' "$1"); printf "$h%.0s" $(seq 32); }	# a 64-hex container ID
xvf() { echo $(( $1 % SCALE_PFS )) $(( $1 / SCALE_PFS )); }
put_bundle() { mkdir -p "$CTD/$1" && printf '%s' "$2" > "$CTD/$1/config.json"; }
rt_sandbox() {	# rt_sandbox NAME UID SID NETNS
	jq -n --arg n "$1" --arg u "$2" --arg s "$3" --arg net "$4" '{ociVersion:"1.0.2-dev",
		process:{args:["/pause"]}, annotations:{"io.kubernetes.cri.container-type":"sandbox",
		"io.kubernetes.cri.sandbox-id":$s, "io.kubernetes.cri.sandbox-name":$n,
		"io.kubernetes.cri.sandbox-namespace":"scale-rt", "io.kubernetes.cri.sandbox-uid":$u},
		linux:{namespaces:[{type:"network",path:$net}]}}'
}
rt_vfio() {	# rt_vfio NAME UID SID MINOR GROUP
	jq -n --arg n "$1" --arg u "$2" --arg s "$3" --argjson mi "$4" --arg g "$5" '{
		annotations:{"io.kubernetes.cri.container-type":"container", "io.kubernetes.cri.container-name":"dpdk",
		"io.kubernetes.cri.sandbox-id":$s, "io.kubernetes.cri.sandbox-name":$n,
		"io.kubernetes.cri.sandbox-namespace":"scale-rt", "io.kubernetes.cri.sandbox-uid":$u},
		linux:{devices:[{path:("/dev/vfio/"+$g),type:"c",major:240,minor:$mi}]}}'
}
rt_uid() { printf '5ca1e000-0000-4000-8000-%012d' "$1"; }
for ((k = 0; k < SCALE_RT; k++)); do
	read -r p j <<<"$(xvf $((SCALE_PODS + k)))"
	ip netns add "rt$k" && ip link add name net1 address "$(vf_mac $p $j)" netns "rt$k" type veth peer name "rv$k" || exit 1
	put_bundle "$(sid $((k + 1)))" "$(rt_sandbox "rt-pod$k" "$(rt_uid $k)" "$(sid $((k + 1)))" "/run/netns/rt$k")" || exit 1
done
put_bundle "$(sid 200)" "$(rt_sandbox dup-pod "$(rt_uid 200)" "$(sid 200)" /run/netns/sc0)" || exit 1
for ((k = 0; k < SCALE_VFIO; k++)); do
	read -r p j <<<"$(xvf $((SCALE_PODS + SCALE_RT + k)))"
	fx_vfio_group "$SYS" "$(vf_bdf $p $j)" $((100 + k)) 240 "$k" || exit 1
	put_bundle "$(sid $((k + 100)))" "$(rt_vfio "vfio-pod$k" "$(rt_uid $((k + 100)))" "$(sid $((k + 100)))" "$k" $((100 + k)))" || exit 1
done
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
	--containerd-root "$CTD" --crio-root "" --metrics-address "127.0.0.1:$MPORT" --log-level warning ${SCALE_AGENT_ARGS:-} 2>>"$T/agent.log")
START_US=${out%% *}; out=${out#* }; AGENT=${out%%$'\n'*}
[ "$START_US" != -1 ] || { echo "pflinkd did not start:" >&2; cat "$T/agent.log" >&2; exit 1; }
health() { printf '{"v":1,"op":"health"}\n' | socat -t 5 - "UNIX-CONNECT:$SOCK"; }
H=$(health)
check "the agent tracks every netns (host + $SCALE_NS + $SCALE_RT)" test "$(jq -r .netns <<<"$H")" = $((SCALE_NS + SCALE_RT + 1))
check "... and sees $((SCALE_PFS * 1)) PFs and $((SCALE_PODS + SCALE_RT)) VFs with netdevs" \
	test "$(jq -r '"\(.pfs) \(.vfs)"' <<<"$H")" = "$SCALE_PFS $((SCALE_PODS + SCALE_RT))"

ask() { printf '%s\n' "$1" | socat -t 10 - "UNIX-CONNECT:$SOCK"; }
# node_pods: the runtime's pods and the vfio VFs' as the agent names them
# (the VF answers' pods), and the leaks: exactly the one planted.
node_pods() {
	local k p j out bad=0
	for ((k = 0; k < SCALE_RT; k++)); do
		read -r p j <<<"$(xvf $((SCALE_PODS + k)))"
		out=$(ask "{\"v\":1,\"op\":\"vf\",\"pciAddress\":\"$(vf_bdf $p $j)\"}") && [ -n "$out" ] &&
			jq -e --arg n "rt-pod$k" --arg ns "/run/netns/rt$k" '.vf.netdevs[0].netns == $ns and
				.vf.pod.name == $n and .vf.pod.source == "runtime" and .vf.pod.via == "netns"' <<<"$out" >/dev/null ||
			{ bad=$((bad + 1)); echo "runtime pod $k: ${out:0:1500}" >&2; }
	done
	for ((k = 0; k < SCALE_VFIO; k++)); do
		read -r p j <<<"$(xvf $((SCALE_PODS + SCALE_RT + k)))"
		out=$(ask "{\"v\":1,\"op\":\"vf\",\"pciAddress\":\"$(vf_bdf $p $j)\"}") && [ -n "$out" ] &&
			jq -e --arg n "vfio-pod$k" '.vf.driver == "vfio-pci" and .vf.netdevs == [] and .vf.pod.name == $n and
				.vf.pod.source == "runtime" and .vf.pod.via == "device"' <<<"$out" >/dev/null ||
			{ bad=$((bad + 1)); echo "vfio VF $k: ${out:0:1500}" >&2; }
	done
	[ "$bad" = 0 ]
}
# leaks_exact: of this node's PFs (0000:4x), the leaks op lists
# vf_double_allocated of pod 0's VF (its record and dup-pod's sandbox),
# vf_unseen of each VF nobody was given (a fixture VF without a netdev),
# and nothing else; the standard fixture tree's VFs (no netdev anywhere)
# are vf_unseen and nothing else.
leaks_exact() {
	local out want x p j
	want="[\"vf_double_allocated $(vf_bdf 0 0)\""
	for ((x = SCALE_PODS + SCALE_RT + SCALE_VFIO; x < SCALE_PFS * SCALE_VFS; x++)); do
		read -r p j <<<"$(xvf $x)"
		want+=",\"vf_unseen $(vf_bdf $p $j)\""
	done
	want+="]"
	out=$(ask '{"v":1,"op":"leaks"}') && [ -n "$out" ] || return 1
	jq -e --argjson w "$want" '([.leaks[] | select(.pf | startswith("0000:4")) | "\(.kind) \(.vf)"] | sort) == ($w | sort)
		and ([.leaks[] | select(.pf | startswith("0000:4") | not) | .kind] | unique) == ["vf_unseen"]' <<<"$out" >/dev/null ||
		{ echo "leaks: $(jq -c '[.leaks[] | select(.pf | startswith("0000:4")) | {kind, vf, detail}]' <<<"$out" | cut -c1-1500)" >&2; return 1; }
}
# pf0_is STATE: pf-health says PF 0's netdev is STATE ("down": not up, and
# a pf_down finding naming all its pods' VFs; "up": up and no finding).
PF0=0000:40:00.0
pf0_is() {
	local out
	out=$(ask '{"v":1,"op":"pf-health"}') && [ -n "$out" ] || return 1
	if [ "$1" = down ]; then
		jq -e --arg pf "$PF0" --argjson n "$2" '(.pfs[] | select(.pf == $pf) | .state) != "up" and
			([.findings[] | select(.kind == "pf_down" and .pf == $pf) | [.pods[].vf] | unique | length] == [$n])' <<<"$out" >/dev/null
	else
		jq -e --arg pf "$PF0" '(.pfs[] | select(.pf == $pf) | .state) == "up" and
			([.findings[] | select(.pf == $pf)] | length) == 0' <<<"$out" >/dev/null
	fi || { echo "pf-health, PF 0 not $1: ${out:0:1500}" >&2; return 1; }
}
# until_ms CMD...: poll CMD (every 10 ms, for up to 10 s, then once more
# with its words on stderr); prints how long it took
until_ms() {
	local t0
	t0=$(date +%s%N)
	while [ $(( $(date +%s%N) - t0 )) -lt 10000000000 ]; do
		"$@" 2>/dev/null && { echo $(( ($(date +%s%N) - t0) / 1000000 )); return 0; }
		sleep 0.01
	done
	"$@" >/dev/null
	return 1
}
check "the runtime's pods and the vfio VFs' pods named from the node" until_ms node_pods


# --- every pod's ADD
declare -a GEN
t0=$(date +%s%N)
for ((i = 0; i < SCALE_PODS; i++)); do GEN[i]=0; pod_cni ADD "$i" 0; done
t1=$(date +%s%N)
ADD_MS=$(( (t1 - t0) / 1000000 ))
check "$SCALE_PODS ADDs, each naming its VF's PF netdev" test "$WRONG" = 0
check "$SCALE_PODS records" test "$(ls "$STATE" | wc -l)" = "$SCALE_PODS"
check "leaks: vf_double_allocated of the VF two pods hold, and nothing else" until_ms leaks_exact
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
# disc: the discovery histogram's sum (s) and count, from /metrics
metrics() { curl -sf --max-time 10 "http://127.0.0.1:$MPORT/metrics"; }
disc() {
	local m
	m=$(metrics) && [ -n "$m" ] || { echo "0 0"; return 1; }
	awk '/^pflink_agent_discovery_duration_seconds_sum/ { s = $2 } /^pflink_agent_discovery_duration_seconds_count/ { c = $2 }
		END { print s + 0, c + 0 }' <<<"$m"
}
read -r DS0 DC0 <<<"$(disc)"
C0=$(cpu) t0=$(date +%s%N)
n=0 end=$(( $(date +%s%N) + SCALE_SECS * 1000000000 ))
down_at=$(( t0 + SCALE_SECS * 1000000000 / 3 )) up_at=$(( t0 + 2 * SCALE_SECS * 1000000000 / 3 ))
PF_DOWN_MS=- PF_UP_MS=- PFBAD=0
# PF 0's VFs in pods: VF x is PF 0's when x % SCALE_PFS is 0 (pflink's
# pods, the runtime's, the vfio containers').
PF0_PODS=$(( (SCALE_PODS + SCALE_RT + SCALE_VFIO + SCALE_PFS - 1) / SCALE_PFS ))
while [ "$(date +%s%N)" -lt "$end" ]; do
	if [ "$down_at" != 0 ] && [ "$(date +%s%N)" -ge "$down_at" ]; then
		down_at=0
		ip link set pf0 down
		PF_DOWN_MS=$(until_ms pf0_is down "$PF0_PODS") || { PFBAD=$((PFBAD + 1)); PF_DOWN_MS=-; }
		node_pods || PFBAD=$((PFBAD + 1))
	fi
	if [ "$up_at" != 0 ] && [ "$(date +%s%N)" -ge "$up_at" ]; then
		up_at=0
		ip link set pf0 up
		PF_UP_MS=$(until_ms pf0_is up) || { PFBAD=$((PFBAD + 1)); PF_UP_MS=-; }
	fi
	# spread over the pods but pod 0, whose netns dup-pod's sandbox names:
	# a sandbox outlives no netns of its own on a node
	i=$(( 1 + (n * 7919) % (SCALE_PODS - 1) ))
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
read -r DS1 DC1 <<<"$(disc)"
wait "$LOOKER"
read -r ln lbad lmed lp99 _ < "$T/lookup.out"
CHURN_S=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1e9 }')
RATE=$(awk -v n=$n -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", n / (d / 1e9) }')
CPU=$(awk -v t=$((C1 - C0)) -v hz="$(getconf CLK_TCK)" -v d=$((t1 - t0)) 'BEGIN { printf "%.2f", 100 * t / hz / (d / 1e9) }')
check "$n pods deleted and made again, every DEL and ADD right" test "$WRONG" = 0
check "$ln lookups during the churn, every one naming the PF's netdev" test "${lbad:-1}" = 0
check "PF 0 reported down (its $PF0_PODS VFs in pods) while down, up after; the node's pods named meanwhile" \
	test "$PFBAD" = 0 -a "$PF_DOWN_MS" != - -a "$PF_UP_MS" != -
[ "${lbad:-1}" = 0 ] || sed 's/^/    /' "$T/lookup.err"
sleep 2
RSS1=$(mem) FD1=$(fds)
# SCALE_TRIM_PROBE=1 (bench only, needs gdb): have the agent's malloc give
# its free pages back (malloc_trim) and read RSS again, to tell memory
# still in use from free heap that glibc keeps after a peak.
RSS_TRIM=""
if [ -n "${SCALE_TRIM_PROBE:-}" ] && command -v gdb >/dev/null; then
	gdb -p "$AGENT" -batch -ex 'call (int)malloc_trim(0)' >/dev/null 2>&1 && RSS_TRIM=$(mem)
fi

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
check "the agent still tracks host + $SCALE_NS + $SCALE_RT netns" test "$(jq -r .netns <<<"$H")" = $((SCALE_NS + SCALE_RT + 1))
check "after the churn: the runtime's pods and the vfio VFs' pods named from the node" until_ms node_pods
check "after the churn: the leaks exactly the one planted" until_ms leaks_exact
check "after the churn: PF 0 up, no PF health finding" until_ms pf0_is up

# --- the cost of each question, on one connection (rtt: n failures median p99 mean max)
for op in health leaks pf-health; do
	"$RTT" rtt "$SOCK" 200 "{\"v\":1,\"op\":\"$op\"}" > "$T/cost.$op" 2>/dev/null || echo "- - - - - -" > "$T/cost.$op"
done
# a /metrics scrape: a new snapshot each (scrapes within a second share one)
SCRAPES=$([ $REDUCED = 1 ] && echo 2 || echo 5)
: > "$T/scrapes"
for ((k = 0; k < SCRAPES; k++)); do
	sleep 1.1
	curl -sf --max-time 10 -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$MPORT/metrics" >> "$T/scrapes" || echo fail >> "$T/scrapes"
done
check "$SCRAPES /metrics scrapes answered" eval "! grep -q fail $T/scrapes"
SCRAPE_MS=$(sort -n "$T/scrapes" | awk '{ v[NR] = $1 } END { printf "%.1f", 1000 * v[int((NR + 1) / 2)] }')
COLLECT=$(metrics | awk '/^pflink_agent_collect_duration_seconds / { c = $2 } /^pflink_agent_collect_slice_max_seconds / { m = $2 }
	END { printf "%.1f / %.2f", 1000 * c, 1000 * m }')
DISC=$(awk -v s0="$DS0" -v s1="$DS1" -v c0="$DC0" -v c1="$DC1" 'BEGIN { n = c1 - c0
	if (n > 0) printf "%.2f ms each, %d discoveries (%.0f ms in all)", 1000 * (s1 - s0) / n, n, 1000 * (s1 - s0); else print "-" }')
cost() { read -r _ _ med p99 _ < "$T/cost.$1"; printf '%s / %s µs' "$med" "$p99"; }
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
	[ -z "$RSS_TRIM" ] || echo "| ... after its free heap is given back (malloc_trim by gdb, SCALE_TRIM_PROBE) | $RSS_TRIM KiB | |"
	echo "| agent descriptors before / after churn | $FD0 / $FD1 | no growth |"
	echo "| the node's own pods: $SCALE_RT runtime-named (containerd bundles), $SCALE_VFIO vfio VFs held by containers, 1 VF held twice | named right during and after | |"
	echo "| PF 0 down a third into the churn: seen down (pf-health, its $PF0_PODS VFs in pods) / up again after | $PF_DOWN_MS / $PF_UP_MS ms | |"
	echo "| serving-loop time per discovery during the churn | $DISC | |"
	echo "| health / leaks / pf-health request, median / p99 (200 on one connection) | $(cost health); $(cost leaks); $(cost pf-health) | |"
	echo "| /metrics scrape (median of $SCRAPES, a new snapshot each): HTTP | $SCRAPE_MS ms | |"
	echo "| ... its snapshot on the serving loop: all slices / the longest | $COLLECT ms | |"
} > "$T/report.md"
cat "$T/report.md"
[ $REDUCED = 1 ] || cp "$T/report.md" "$BUILD/scale.md"
tl_summary
