#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Deadlines and answers under load: the wall-time and CPU figures the tests
# bound only from below (a timeout was waited out) or check for liveness
# (answered at all, not spinning a core).  Each against the target the
# tests used to assert as an upper bound.  Root; about a minute.
#
#   sudo bash test/bench/deadlines.sh BUILD_DIR     (hack/bench.sh runs it)
#
# Prints a Markdown table.  In its own net, mount and pid namespaces, on
# the fixture sysfs and veth links of the root tests (test/integration).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
tl_skip_unless_root "deadlines.sh" unshare prlimit socat python3 curl
B=$(cd "${1:?usage: deadlines.sh BUILD_DIR}" && pwd) || exit 1
tl_own_namespaces "$0" "$B"
tl_setup "$B/pflink" "$B/test/libpflink_ethtool_shim.so" "$HERE/../fixtures/sysfs.sh"
PFLINKD=$B/pflinkd CTL=$B/pflinkctl FAKE=$B/test/agentctl/agentctl_fake_agent
HOLD=$B/test/integration/pflink_holdconn HTTPC=$HERE/../integration/httpclients.py
for f in "$PFLINKD" "$CTL" "$FAKE" "$HOLD"; do
	[ -x "$f" ] || { echo "deadlines.sh: $f not built" >&2; exit 1; }
done
SOCK=$T/pflinkd.sock FSOCK=$T/fake.sock AGENT="" FAKEPID=""
TCK=$(getconf CLK_TCK)
cleanup() {
	[ -n "$AGENT" ] && kill -KILL "$AGENT" 2>/dev/null
	[ -n "$FAKEPID" ] && kill "$FAKEPID" 2>/dev/null
	tl_cleanup
}
trap cleanup EXIT

now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
cpu() { local s; read -r -a s < "/proc/$1/stat"; echo $(( s[13] + s[14] )); }
pct() { awk -v t="$1" -v s="$2" -v hz="$TCK" 'BEGIN { printf "%.1f", 100 * t / hz / s }'; }
max() { sort -n | tail -n1; }
ROWS=()
# row WHAT VALUE UNIT TARGET(<N): one line of the table
row() {
	local v=${2:-} verdict
	verdict=$(awk -v v="${v:-NaN}" -v l="$4" 'BEGIN { print (v != "NaN" && v + 0 < l) ? "met" : "**missed**" }')
	ROWS+=("| $1 | ${v:-none} $3 | < $4 $3 | $verdict |")
	echo "   $1: ${v:-none} $3" >&2
}

fake_start() {	# fake_start MODE: the fake agent at $FSOCK
	rm -f "$FSOCK"
	"$FAKE" "$1" "$FSOCK" > "$T/fake.out" 2>&1 &
	FAKEPID=$!
	for _ in $(seq 100); do grep -q ready "$T/fake.out" && return 0; sleep 0.05; done
	echo "deadlines.sh: fake agent $1 did not start" >&2
	exit 1
}
fake_stop() { kill "$FAKEPID" 2>/dev/null; wait "$FAKEPID" 2>/dev/null; FAKEPID=""; }
agent_start() {	# agent_start [PRLIMIT-OPTION] [PFLINKD-ARGS...]
	local lim=()
	case ${1:-} in --nofile=*) lim=(prlimit "$1" --); shift ;; esac
	rm -f "$SOCK"
	LD_PRELOAD="$SHIM" "${lim[@]}" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
		--rescan-ms 1000 --log-level warning "$@" 2>>"$T/agent.log" &
	AGENT=$!
	for _ in $(seq 200); do "$CTL" --socket "$SOCK" health >/dev/null 2>&1 && return 0; sleep 0.05; done
	echo "deadlines.sh: pflinkd did not start" >&2
	exit 1
}
agent_stop() { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; AGENT=""; }
# timed CMD...: wall ms of CMD (its output dropped), on stdout
timed() { local t0; t0=$(now); "$@" >/dev/null 2>&1; ms_since "$t0"; }

# --- the client's deadlines (lib/agent_client.c, as pflinkctl and pflink use it)
echo "== client deadlines" >&2
fake_start silent
row "pflinkctl --timeout 300, agent accepts and never answers (worst of 5)" \
	"$(for _ in 1 2 3 4 5; do timed "$CTL" --socket "$FSOCK" --timeout 300 health; done | max)" ms 1500
row "pflinkctl, default timeout (2000 ms), the same agent" "$(timed "$CTL" --socket "$FSOCK" health)" ms 3500
fake_stop
fake_start noaccept
row "pflinkctl --timeout 300, agent never accepts, backlog full (worst of 5)" \
	"$(for _ in 1 2 3 4 5; do timed "$CTL" --socket "$FSOCK" --timeout 300 health; done | max)" ms 1500
fake_stop

# --- pflink: a silent agent (agentTimeoutMs 300, then its own scan), a FIFO as netns
tl_dev "dpf$TAG" "02:de:${TAG:0:2}:${TAG:2:2}:01:00" 0000:01:00.0 igb
tl_dev "dvf$TAG" "02:de:${TAG:0:2}:${TAG:2:2}:10:00" 0000:01:10.0 igbvf
tl_netns "dpod$TAG"
NS=/run/netns/dpod$TAG
ip link set "dvf$TAG" netns "dpod$TAG" name net1
add_ms() {	# add_ms CONF [NETNS]: wall ms of one ADD (undone after)
	local t0 r
	t0=$(now)
	CID=dl pflink_run ADD "${2:-$NS}" net1 "$1"
	r=$(ms_since "$t0")
	[ "$RC" = 0 ] || [ -n "${2:-}" ] || { echo "deadlines.sh: ADD failed: $OUT" >&2; exit 1; }
	CID=dl pflink_run DEL "$NS" net1 "$1" >/dev/null
	echo "$r"
}
fake_start silent
C=$(conf 1.1.0 '' net1 "$NS" | jq -c --arg s "$FSOCK" '.agentSocket=$s | .agentTimeoutMs=300')
row "pflink ADD, agentTimeoutMs 300, the agent silent: gives up, scans (worst of 5)" \
	"$(for _ in 1 2 3 4 5; do add_ms "$C"; done | max)" ms 3000
fake_stop
mkfifo "$T/fifo"
row "pflink ADD, CNI_NETNS a FIFO: refused, not blocked" "$(add_ms "$(conf 1.1.0 '' net1 "$NS")" "$T/fifo")" ms 5000

# --- pflinkd: 1000 idle clients (soft limit 1024, hard 20000)
echo "== pflinkd under 1000 idle clients" >&2
agent_start --nofile=1024:20000
"$HOLD" "$SOCK" 1000 9000 > "$T/hold" &
HP=$!
for _ in $(seq 100); do grep -q connected "$T/hold" && break; sleep 0.05; done
C0=$(cpu "$AGENT") W0=$(now)
row "health answered among 1000 idle clients" "$(timed "$CTL" --socket "$SOCK" --timeout 10000 health)" ms 2000
wait "$HP"
row "pflinkd CPU while 1000 clients idle, % of a core" "$(pct $(( $(cpu "$AGENT") - C0 )) $(( ($(now) - W0) / 1000000000 + 1 )))" % 10
row "the last idle client dropped (the protocol's 5 s idle timeout)" \
	"$(sed -n 's/.*last after \([0-9]*\) ms.*/\1/p' "$T/hold")" ms 7000
agent_stop

# --- pflinkd at RLIMIT_NOFILE 400 with 300 netns (it cannot track them all)
echo "== pflinkd at its descriptor limit" >&2
{ for i in $(seq 300); do echo "netns add f$i"; done; } | ip -batch -
{ for i in $(seq 300); do echo "link add a$i netns f$i type veth peer name b$i netns f$i"; done; } | ip -force -batch -
agent_start --nofile=400:400
sleep 1
echo "   at the limit: $("$CTL" --socket "$SOCK" --json health | jq -c '{netns, nsSkipped}')" >&2
C0=$(cpu "$AGENT"); sleep 3
row "pflinkd CPU at the limit, 3 s, % of a core" "$(pct $(( $(cpu "$AGENT") - C0 )) 3)" % 10
"$HOLD" "$SOCK" 200 7000 > "$T/hold3" &
HP=$!
for _ in $(seq 100); do grep -q connected "$T/hold3" && break; sleep 0.05; done
C0=$(cpu "$AGENT"); sleep 3
row "pflinkd CPU at the limit with 200 clients more, 3 s, % of a core" "$(pct $(( $(cpu "$AGENT") - C0 )) 3)" % 10
wait "$HP"
agent_stop
{ for i in $(seq 300); do echo "netns del f$i"; done; } | ip -force -batch - 2>/dev/null

# --- pflinkd while a netns flaps a link (agent_stress.sh's churn)
echo "== pflinkd during link churn" >&2
agent_start
ip -n "dpod$TAG" link add c0 type veth peer name c1
for i in $(seq 300); do echo "link set dev c0 up"; echo "link set dev c0 down"; done > "$T/flap"
( end=$(( $(date +%s) + 3 )); while [ "$(date +%s)" -lt "$end" ]; do ip -n "dpod$TAG" -batch "$T/flap"; done ) &
CH=$!
row "health during 3 s of link churn, worst of 20" \
	"$(for _ in $(seq 20); do timed "$CTL" --socket "$SOCK" --timeout 10000 health; sleep 0.1; done | max)" ms 1000
wait "$CH"
agent_stop

# --- pflinkd's /metrics under hostile HTTP clients (metrics.sh's)
echo "== pf lookups during hostile HTTP clients" >&2
MP=$((20000 + RANDOM % 20000))
agent_start --nofile=1024:20000 --metrics-address "127.0.0.1:$MP"
python3 "$HTTPC" hold 127.0.0.1 "$MP" 1000 12 > "$T/http-hold" &
H1=$!
python3 "$HTTPC" slow 127.0.0.1 "$MP" 50 12 > "$T/http-slow" &
H2=$!
sleep 1
row "pf lookup during 1000 idle and 50 slowloris HTTP connections, worst of 50" \
	"$(for _ in $(seq 50); do timed "$CTL" --socket "$SOCK" --timeout 10000 --json pf 0000:01:00.0; done | max)" ms 1000
wait "$H1" "$H2"
agent_stop

echo "### Deadlines and answers under load (test/bench/deadlines.sh)"
echo
echo "The tests assert that each timeout was waited out and that each answer came;"
echo "how soon is measured here, against the bound the tests once asserted."
echo
echo "| what | value | target | |"
echo "|---|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
