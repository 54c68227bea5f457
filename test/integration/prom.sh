# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# PromQL against the Prometheus at $PURL, for the tests that run one
# (test/integration/metrics.sh, test/vm/suite.sh's metrics case).  Source it
# after test/checks.sh (jq_text).

# pq QUERY: the answer's result vector, as JSON.  Fails, printing nothing,
# when Prometheus does not answer or answers anything but "success" (a
# query it cannot parse is a 400 with status "error": no -f, which would
# hide that as an empty answer).
pq() {
	local a
	a=$(curl -s --max-time 10 --data-urlencode "query=$1" "$PURL/api/v1/query") || return 1
	jq_text "$a" '.status == "success"' 2>/dev/null || return 1
	jq -c '.data.result' <<<"$a"
}

# until_prom QUERY JQ: retry until jq -e JQ holds of the result, for up to
# ${PROM_WAIT_S:-15} seconds (the tests scrape every second).
until_prom() {
	local i r
	for i in $(seq $((${PROM_WAIT_S:-15} * 5))); do
		r=$(pq "$1") && jq_text "$r" "$2" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "    last answer to $1: $(curl -s --max-time 10 --data-urlencode "query=$1" "$PURL/api/v1/query" || echo "(none: curl exit $?)")"
	return 1
}
