#!/bin/bash
# SPDX-License-Identifier: MIT
# A pod that would starve or kill pflinkd, and what the agent's limits
# make of it (docs/design-notes.md, note 24).  A pod with NET_ADMIN in its
# netns, or any user who can `unshare -Urn`, decides how many links a
# netns has; pflinkd must go on answering, in bounded memory.
#
#   1 events   a pod netns the agent tracks (pflink's ADD named it, its VF
#              inside) is given HOSTILE_LINKS links while the agent
#              watches: link events by the ten thousand, overflows, dumps.
#              Over the link budget the netns is marked (health, /metrics)
#              and keeps only links with a parent device: its VF, and one
#              more moved in afterwards.
#   2 restart  the agent started again with that netns there: its dump,
#              up to the budget at once, the rest in the background.
#   3 userns   an unprivileged user's netns (unshare -Urn) with
#              HOSTILE_USERNS_LINKS links: discovery leaves it alone,
#              --track-userns-netns tracks it, and a VF moved in and named
#              by pflink's ADD is tracked without the flag.
#
# Throughout: the plugin's question (pf with vfIndex) at 50 a second, each
# answer checked; the agent's RSS sampled; at the end its peak must be
# within HOSTILE_RSS_KB of what it was before the first hostile link (a
# bound that does not grow with the links).  Lookup latency is reported,
# not asserted (a benchmark's business).  Prints a Markdown report.
#
#   sudo bash hack/hostile.sh            # 100k links (50k veth pairs) in one netns, 20k in a user's
#   sudo bash hack/hostile.sh --reduced  # CI: 12k and 5k; every check the same
#
# 100k veth links take the kernel about 3 GB and a few minutes to make;
# while a netns that big is torn down the kernel holds its RTNL lock for
# seconds at a time.  On a shared machine run the full size alone.
#
# Everything runs in namespaces of its own (net, mount, pid): the agent
# sees this test's netns only, and what is left dies with them.
# Environment: BUILD (default build-bench), HOSTILE_LINKS,
# HOSTILE_USERNS_LINKS, HOSTILE_RSS_KB (default 2048).
set -u
cd "$(dirname "$0")/.."
REDUCED=0
[ "${1:-}" = --reduced ] && REDUCED=1
if [ $REDUCED = 1 ]; then
	: "${HOSTILE_LINKS:=12000}" "${HOSTILE_USERNS_LINKS:=5000}"
else
	: "${HOSTILE_LINKS:=100000}" "${HOSTILE_USERNS_LINKS:=20000}"
fi
: "${HOSTILE_RSS_KB:=2048}"
BUILD=${BUILD:-build-bench}
. test/integration/lib.sh
set -o pipefail
tl_skip_unless_root "hack/hostile.sh"
tl_need_tools socat setpriv unshare curl cc
if [ -z "${TL_OWN_NS:-}" ] && [ -z "${HOSTILE_NO_BUILD:-}" ]; then
	[ -x "$BUILD/pflink" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$BUILD" -j2 --target pflink pflinkd pflinkctl pflink_ethtool_shim >/dev/null || exit 1
fi
BUILD=$(cd "$BUILD" && pwd)
tl_own_namespaces "$0" "$@"

tl_setup "$BUILD/pflink" "$BUILD/test/libpflink_ethtool_shim.so" "$PWD/test/fixtures/sysfs.sh"
PFLINKD=$BUILD/pflinkd CTL=$BUILD/pflinkctl RTT=$T/rtt SOCK=$T/pflinkd.sock MP=9478
cc -O2 -Wall -o "$RTT" test/bench/rtt.c || exit 1
AGENT="" LOOPS="" SAMPLER="" HOLDER=""
ctl() { "$CTL" --socket "$SOCK" --timeout 30000 "$@"; }
until_ok() { local n=$1; shift; for _ in $(seq $((n * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
health() { OUT=$(ctl --json health) && [ -n "$OUT" ]; }
stop_all() {
	[ -n "$LOOPS" ] && { touch "$T/stop"; wait "$LOOPS" 2>/dev/null; }
	[ -n "$SAMPLER" ] && { kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; }
	[ -n "$AGENT" ] && { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }
	[ -n "$HOLDER" ] && { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; }
	LOOPS="" SAMPLER="" AGENT="" HOLDER=""
}
trap 'stop_all; tl_cleanup' EXIT

tl_dev "pfa$TAG" 02:dd:00:01:00:00 0000:01:00.0 igb
tl_dev "va0$TAG" 02:dd:01:10:00:00 0000:01:10.0 igbvf
tl_dev "va1$TAG" 02:dd:01:10:02:00 0000:01:10.2 igbvf
tl_dev "va2$TAG" 02:dd:01:10:04:00 0000:01:10.4 igbvf
touch -d "@$(( $(date +%s) - 2 ))" "$MAP"

# start_agent [ARG...]: pflinkd, its start to first health in START_MS.
start_agent() {
	local out
	rm -f "$T/stop"
	out=$(LD_PRELOAD=$SHIM "$RTT" start "$SOCK" -- "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
		--rescan-ms 1000 --metrics-address "127.0.0.1:$MP" --log-level info "$@" 2>>"$T/agent.log")
	START_MS=$(awk -v x="${out%% *}" 'BEGIN { printf "%.1f", x / 1000 }')
	out=${out#* }
	AGENT=${out%%$'\n'*}
	[ "${START_MS#-}" = "$START_MS" ] && [ -d "/proc/$AGENT" ]
}
# The plugin's question, 50 a second in 2 s runs until $T/stop, each
# run's "n failures median p99 mean max" appended to $T/lookups.$1.
lookups() {
	local f=$T/lookups.$1
	: > "$f"
	rm -f "$T/stop"
	(
		while [ ! -e "$T/stop" ]; do
			"$RTT" paced "$SOCK" 50 2 '{"v":1,"op":"pf","pciAddress":"0000:01:00.0","vfIndex":0}' \
				"\"netdevs\":[{\"name\":\"pfa$TAG\"" >> "$f" 2>>"$T/lookups.err"
		done
	) &
	LOOPS=$!
}
# Their sum, "n failures p99_max max", in LK.
lookups_end() {
	touch "$T/stop"
	wait "$LOOPS" 2>/dev/null
	LOOPS=""
	LK=$(awk '{ n += $1; bad += $2; if ($4 > p) p = $4; if ($6 > m) m = $6 } END { printf "%d %d %.1f %.1f\n", n, bad, p / 1000, m / 1000 }' \
		"$T/lookups.$1")
}
# The agent's resident memory every 0.2 s (kB), into $T/rss.
sampler() {
	( while [ -d "/proc/$AGENT" ]; do awk '/^VmRSS/ { print $2 }' "/proc/$AGENT/status" 2>/dev/null; sleep 0.2; done ) >> "$T/rss" &
	SAMPLER=$!
}
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$AGENT/status"; }
scrape() { OUT=$(curl -sf --max-time 30 "http://127.0.0.1:$MP/metrics") && [ -n "$OUT" ]; }
# make_links NETNS N: N links (N/2 veth pairs) in NETNS; seconds in MADE_S.
make_links() {
	local t0=$(date +%s%N)
	awk -v n="$2" 'BEGIN { for (i = 0; i < n / 2; i++) printf "link add h%da type veth peer name h%db\n", i, i }' |
		ip -n "$1" -batch - || return 1
	MADE_S=$(awk -v d=$(( $(date +%s%N) - t0 )) 'BEGIN { printf "%.1f", d / 1e9 }')
}
over_budget() {	# over_budget NETNS MIN_LINKS: health lists it with at least that many
	health && jq_text "$OUT" --arg n "$1" --argjson m "$2" '.nsOverBudget >= 1 and ([.overBudget[] | select(.netns == $n and .links >= $m)] | length == 1)'
}
vf_in() {	# vf_in BDF NETNS
	OUT=$(ctl --json vf "$1") && jq_text "$OUT" --arg n "$2" '.vf.netdevs[0].netns == $n'
}

check "pflinkd starts" start_agent
sampler
lookups base
sleep 3
scrape >/dev/null
lookups_end base
read -r BASE_N BASE_BAD BASE_P99 BASE_MAX <<<"$LK"
check "before: $BASE_N lookups, every one answered" test "$BASE_BAD:$(( BASE_N > 0 ))" = 0:1
RSS0=$(hwm)
BUDGET=$(health && jq -r .linkBudget <<<"$OUT")
echo "  baseline: peak RSS $RSS0 kB, link budget $BUDGET"

# --- 1: a tracked pod netns given HOSTILE_LINKS links -------------------
NS=/run/netns/hostile-$TAG
tl_netns "hostile-$TAG"
ip link set "va0$TAG" netns "hostile-$TAG" name net1
CONF=$(conf 1.1.0 '' net1 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s')
CID=h1 pflink_run ADD "$NS" net1 "$CONF" "K8S_POD_NAMESPACE=evil;K8S_POD_NAME=links-0;K8S_POD_UID=u1"
expect_ok "pflink ADD of the pod (the agent asked, the netns tracked)"
health
OVF0=$(jq -r .eventOverflows <<<"$OUT") SCANS0=$(jq -r .scans <<<"$OUT")
lookups events
check "$HOSTILE_LINKS links made in the pod's netns while the agent watches" make_links "hostile-$TAG" "$HOSTILE_LINKS"
echo "  made in $MADE_S s"
check "the netns is marked over the budget, its links counted (health)" until_ok 120 over_budget "$NS" "$HOSTILE_LINKS"
lookups_end events
read -r EV_N EV_BAD EV_P99 EV_MAX <<<"$LK"
check "during it: $EV_N lookups, every one answered with the PF's netdev" test "$EV_BAD:$(( EV_N > 0 ))" = 0:1
health
OVF=$(( $(jq -r .eventOverflows <<<"$OUT") - OVF0 )) SCANS=$(( $(jq -r .scans <<<"$OUT") - SCANS0 ))
echo "  $OVF event overflows, $SCANS dumps; lookups p99 $EV_P99 ms, max $EV_MAX ms"
check "its VF is still in it, with its pod" \
	eval "vf_in 0000:01:10.0 '$NS' && jq_text \"\$OUT\" '.vf.pod.name == \"links-0\"'"
ip link set "va1$TAG" netns "hostile-$TAG" name net2
check "a VF moved in now is seen there" until_ok 30 vf_in 0000:01:10.2 "$NS"
check "/metrics: pflink_agent_netns{state=\"over_budget\"} 1 and the netns' links" \
	eval "scrape && grep -qx 'pflink_agent_netns{state=\"over_budget\"} 1' <<<\"\$OUT\" && grep -q '^pflink_agent_netns_links{netns=\"$NS\"} [0-9]' <<<\"\$OUT\""
check "pflinkctl health says so" eval "ctl health | grep -q 'over the link budget.*$NS'"
RSS1=$(hwm)

# --- 2: the agent started again with that netns there ------------------
kill "$AGENT"; wait "$AGENT" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
check "pflinkd starts again, the $HOSTILE_LINKS-link netns there" start_agent
RESTART_MS=$START_MS
sampler
lookups restart
check "... marks it again" until_ok 120 over_budget "$NS" "$HOSTILE_LINKS"
check "... and finds both VFs in it" eval "vf_in 0000:01:10.0 '$NS' && vf_in 0000:01:10.2 '$NS'"
lookups_end restart
read -r RS_N RS_BAD RS_P99 RS_MAX <<<"$LK"
check "during its dump: $RS_N lookups, every one answered" test "$RS_BAD:$(( RS_N > 0 ))" = 0:1
RSS2=$(hwm)

# --- 3: an unprivileged user's netns -----------------------------------
N0=$(health && jq -r .netns <<<"$OUT")
awk -v n="$HOSTILE_USERNS_LINKS" 'BEGIN { for (i = 0; i < n / 2; i++) printf "link add u%da type veth peer name u%db\n", i, i }' > "$T/userns.batch"
chmod 0755 "$T"; chmod 0644 "$T/userns.batch"
setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn \
	sh -c 'ip -batch "$1" && echo ready && exec sleep 600' _ "$T/userns.batch" >"$T/userns.ready" 2>"$T/userns.err" &
HOLDER=$!
check "$HOSTILE_USERNS_LINKS links made by an unprivileged user in a netns of its own" \
	until_ok 300 eval "test -s '$T/userns.ready' || ! kill -0 $HOLDER"
[ -s "$T/userns.ready" ] || cat "$T/userns.err"
UPID=$HOLDER	# setpriv, unshare and sh exec each other: one process
lookups userns
check "discovery counts it as another user namespace's and leaves it" \
	until_ok 10 eval "health && jq_text \"\$OUT\" '.nsUserns == 1 and .netns == $N0'"
scrape
check "/metrics: pflink_agent_netns{state=\"userns\"} 1" grep -qx 'pflink_agent_netns{state="userns"} 1' <<<"$OUT"
RSS3=$(hwm)
# A VF moved into it (the host's root can) and pflink's ADD naming it.
ip link set "va2$TAG" netns "$UPID" name net1
UNS=/proc/$UPID/ns/net
CONF=$(conf 1.1.0 '' net1 "$UNS" | jq -c --arg s "$SOCK" '.agentSocket=$s')
CID=h3 pflink_run ADD "$UNS" net1 "$CONF" "K8S_POD_NAMESPACE=userns;K8S_POD_NAME=pod-0;K8S_POD_UID=u3"
expect_ok "pflink ADD naming the user's netns"
check "... which the agent then tracks, with the VF in it" \
	until_ok 60 eval "vf_in 0000:01:10.4 '$UNS' || vf_in 0000:01:10.4 'pid:$UPID'"
lookups_end userns
read -r US_N US_BAD US_P99 US_MAX <<<"$LK"
check "meanwhile: $US_N lookups, every one answered" test "$US_BAD:$(( US_N > 0 ))" = 0:1
kill "$AGENT"; wait "$AGENT" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
check "pflinkd --track-userns-netns starts" start_agent --track-userns-netns
check "... and tracks the user's netns from discovery (netns $((N0 + 1)), none skipped)" \
	until_ok 30 eval "health && jq_text \"\$OUT\" '.nsUserns == 0 and .netns == $((N0 + 1))'"
kill "$AGENT"; wait "$AGENT" 2>/dev/null
AGENT=""

PEAK=$(sort -n "$T/rss" | tail -n1)
HWM=$RSS1; [ "$RSS2" -gt "$HWM" ] && HWM=$RSS2; [ "$RSS3" -gt "$HWM" ] && HWM=$RSS3
# ASan's quarantine keeps freed memory and its shadow grows with it: the
# bound speaks of pflinkd's own memory, so it is checked without ASan.
if grep -q __asan_init "$PFLINKD"; then
	echo "  peak RSS $HWM kB (ASan build: its quarantine, not pflinkd, decides it; not checked)"
else
	check "peak RSS $HWM kB, within $HOSTILE_RSS_KB kB of the $RSS0 kB before any hostile link" \
		test $((HWM - RSS0)) -le "$HOSTILE_RSS_KB"
fi

{
	echo "## pflinkd and a hostile netns"
	echo
	echo "$(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d); \`hack/hostile.sh$([ $REDUCED = 1 ] && echo ' --reduced')\`; link budget $BUDGET"
	echo
	echo "| phase | lookups (failed) | p99 | max | peak RSS (VmHWM) |"
	echo "|---|---:|---:|---:|---:|"
	echo "| before | $BASE_N ($BASE_BAD) | $BASE_P99 ms | $BASE_MAX ms | $RSS0 kB |"
	echo "| 1: $HOSTILE_LINKS links made in a tracked pod netns ($MADE_S s; $OVF overflows, $SCANS dumps) | $EV_N ($EV_BAD) | $EV_P99 ms | $EV_MAX ms | $RSS1 kB |"
	echo "| 2: restart with it there (first health after $RESTART_MS ms) | $RS_N ($RS_BAD) | $RS_P99 ms | $RS_MAX ms | $RSS2 kB |"
	echo "| 3: a user's netns with $HOSTILE_USERNS_LINKS links, then its VF named by pflink | $US_N ($US_BAD) | $US_P99 ms | $US_MAX ms | $RSS3 kB |"
	echo
	echo "RSS sampled every 0.2 s: at most $PEAK kB."
}
tl_summary
