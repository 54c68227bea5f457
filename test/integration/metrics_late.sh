#!/bin/bash
# SPDX-License-Identifier: MIT
# A scrape that gives up waiting for the serving loop's snapshot (503
# after 10 s) leaves a request behind; the loop, once free, makes that
# snapshot and hands it over with nobody waiting.  The next scrape must
# not be served it when it has grown old: it gets a fresh one.  The loop
# is held with strace's delay injection on pflinkd's main thread alone
# (the HTTP thread, another task, runs on).
# Usage: metrics_late.sh PFLINKD PFLINKCTL FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
set -o pipefail
tl_skip_unless_root "metrics_late.sh"
tl_need_tools strace curl unshare
tl_own_namespaces "$0" "$@"
PFLINKD=$1 CTL=$2
tl_setup "$PFLINKD" none "$3"
SOCK=$T/pflinkd.sock URL=http://127.0.0.1:9478/metrics AGENT="" TRACER=""
stop_all() {
	[ -n "$TRACER" ] && { kill "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; }
	[ -n "$AGENT" ] && { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }
	TRACER="" AGENT=""
}
trap 'stop_all; [ "$TL_FAIL" = 0 ] || sed "s/^/  agent: /" "$T/agent.log"; tl_cleanup' EXIT
"$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" --metrics-address 127.0.0.1:9478 \
	--log-level info 2>"$T/agent.log" &
AGENT=$!
for _ in $(seq 100); do "$CTL" --socket "$SOCK" health >/dev/null 2>&1 && break; sleep 0.05; done
# scrape: the HTTP status in CODE, the body in OUT, the snapshot's age in AGE.
scrape() {
	CODE=$(curl -s -o "$T/body" -w '%{http_code}' --max-time 30 "$URL")
	OUT=$(cat "$T/body")
	AGE=$(sed -n 's/^pflink_agent_snapshot_age_seconds \([0-9.e+-]*\)$/\1/p' "$T/body")
}
scrape
check "a scrape is answered at once (HTTP $CODE, snapshot age ${AGE:-none} s)" test "$CODE" = 200 -a -n "$AGE"

# Hold the loop: the next epoll_wait of the main thread waits 13 s first.
strace -p "$AGENT" -e trace=epoll_wait -e inject=epoll_wait:delay_enter=13s:when=1 -o /dev/null 2>"$T/strace.err" &
TRACER=$!
sleep 1
t0=$(date +%s)
scrape
check "a scrape while the loop is held gives up after 10 s: HTTP $CODE" test "$CODE" = 503
# The loop comes back (13 s after the held epoll_wait began) and makes
# the snapshot that scrape asked for.
while [ $(( $(date +%s) - t0 )) -lt 14 ]; do sleep 0.2; done
kill "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null; TRACER=""
check "the agent is up, its loop free again" "$CTL" --socket "$SOCK" health
sleep 3
scrape
check "the next scrape, 3 s later, gets a fresh snapshot, not the late one (HTTP $CODE, age ${AGE:-none} s)" \
	awk -v c="$CODE" -v a="$AGE" 'BEGIN { exit !(c == 200 && a != "" && a + 0 < 1) }'
tl_summary
