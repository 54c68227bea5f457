# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# PromQL against the Prometheus at $PURL, for the tests that run one
# (test/integration/metrics.sh and pfhealth.sh, test/vm/suite.sh's metrics
# and pf-down cases).  Source it
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

# prom_start RULES_YAML METRICS_PORT: a Prometheus on 127.0.0.1:$PP
# (storage and logs in $T), scraping pflinkd every second as job pflinkd
# with label node=node-1, evaluating the PrometheusRule's groups; $PROM
# its PID.  The groups are checked with promtool first (a check of its
# own, through check()).
prom_start() {
	python3 -c 'import sys, yaml; print(yaml.safe_dump(yaml.safe_load(open(sys.argv[1]))["spec"]))' "$1" > "$T/rules.yml" ||
		bad "rules extracted from $1"
	check "promtool check rules: the PrometheusRule's groups" eval "promtool check rules $T/rules.yml >/dev/null"
	mkdir -p "$T/prom"
	cat > "$T/prometheus.yml" <<EOT
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: ["$T/rules.yml"]
scrape_configs:
  - job_name: pflinkd
    static_configs: [{targets: ["127.0.0.1:$2"], labels: {node: node-1}}]
EOT
	prometheus --config.file "$T/prometheus.yml" --storage.tsdb.path "$T/prom" --web.listen-address 127.0.0.1:$PP \
		--log.level warn 2>>"$T/prometheus.log" &
	PROM=$!
}
