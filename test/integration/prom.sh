# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# PromQL against the Prometheus at $PURL, for the tests that run one
# (test/integration/metrics.sh, test/vm/suite.sh's metrics case).  Source it.

# pq QUERY: the answer's result vector, as JSON
pq() { curl -sf --max-time 10 --data-urlencode "query=$1" "$PURL/api/v1/query" | jq -c '.data.result'; }

# until_prom QUERY JQ: retry until jq -e JQ holds of the result, for up to
# ${PROM_WAIT_S:-15} seconds (the tests scrape every second).
until_prom() {
	local i
	for i in $(seq $((${PROM_WAIT_S:-15} * 5))); do
		pq "$1" | jq -e "$2" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "    last answer to $1: $(pq "$1")"
	return 1
}
