# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# What the root tests that scrape pflinkd share (metrics.sh, pfhealth.sh):
# source it after tl_setup with MP (the metrics port) and PP (Prometheus')
# set.  pflinkd on $SOCK with --metrics-address 127.0.0.1:$MP, its /metrics
# at $MURL, a Prometheus at $PURL (prom.sh's prom_start); both stopped on
# exit.
SOCK=$T/pflinkd.sock
MURL=http://127.0.0.1:$MP/metrics PURL=http://127.0.0.1:$PP
AGENT="" PROM=""
ctl() { "$CTL" --socket "$SOCK" "$@"; }
start_agent() {
	LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" --rescan-ms 300 \
		--metrics-address 127.0.0.1:$MP --log-level info 2>>"$T/agent.log" &
	AGENT=$!
	for _ in $(seq 200); do ctl health >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}
stop_all() {
	[ -n "$PROM" ] && { kill "$PROM" 2>/dev/null; wait "$PROM" 2>/dev/null; }
	[ -n "$AGENT" ] && { kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; }
	PROM="" AGENT=""
}
trap 'stop_all; tl_cleanup' EXIT
# A condition polled for up to 20 s: never a bound on how fast.
until_ok() { for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
add() {	# add CID NETNS IFNAME POD [EXTRA-CONF]: pflink ADD as pod team/POD
	local conf
	conf=$(conf 1.1.0 "${5:-}" "$3" "$2" | jq -c --arg s "$SOCK" '.agentSocket=$s')
	[ -n "${5:-}" ] && conf=$(jq -c '.prevResult.interfaces=[]' <<<"$conf")
	CID=$1 pflink_run ADD "$2" "$3" "$conf" "K8S_POD_NAMESPACE=team;K8S_POD_NAME=$4;K8S_POD_UID=uid-$4"
	expect_ok "pflink ADD of $4 ($1)"
}
