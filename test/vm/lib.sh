# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Helpers for the in-VM suite (sourced by suite.sh).  Everything here runs as
# root inside the SR-IOV test VM; nothing touches the machine that boots it.

# pipefail, jq_cmd/jq_text/jq_file (jq -e that fails on no input)
. "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"

PASSED=0
FAILED=0
CASE=

pass() { PASSED=$((PASSED + 1)); echo "PASS: ${CASE:+$CASE: }$*"; }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL: ${CASE:+$CASE: }$*"
	# The last plugin output explains most failures: show it right here.
	if [ -s "$T/out" ]; then sed 's/^/    stdout| /' "$T/out" | head -n 40; fi
	if [ -s "$T/err" ]; then sed 's/^/    stderr| /' "$T/err" | head -n 20; fi
	if [ -s "$T/pflink.log" ]; then tail -n 5 "$T/pflink.log" | sed 's/^/    log| /'; fi
}
# check DESCRIPTION COMMAND...: PASS when COMMAND succeeds.
check() {
	local d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}
# Each case's wall time is printed when the next one begins (and by end_cases).
end_case() {
	local now
	now=$(date +%s%N)
	[ -n "${CASE_T0:-}" ] && echo "    (case took $(((now - CASE_T0) / 1000000)) ms)"
	CASE_T0=
}
begin() {
	end_case
	CASE=$1
	CASE_T0=$(date +%s%N)
	echo "=== $CASE"
	: >"$T/out"
	: >"$T/err"
}
note() { echo "    $*"; }

# ---- PCI / netdev facts, from the host netns's point of view ----------------

# netdev name of BDF in the calling netns ("" when it is in another netns).
netdev_of() {
	local n
	for n in /sys/bus/pci/devices/"$1"/net/*; do
		[ -e "$n" ] && { echo "${n##*/}"; return 0; }
	done
	return 1
}
# (Every fork costs ~0.1 s in the TCG guest: builtins where they will do.)
mac_of() { local m; read -r m <"/sys/class/net/$1/address" && echo "$m"; }
# VF number $2 (virtfn index) of PF $1
vf_n() {
	local l
	l=$(readlink "/sys/bus/pci/devices/$1/virtfn$2") || return 1
	echo "${l##*/}"
}

# Wait up to $1 seconds for COMMAND to succeed.
wait_for() {
	local t=$(($1 * 20))
	shift
	until "$@"; do
		t=$((t - 1))
		[ "$t" -le 0 ] && return 1
		sleep 0.05
	done
}
in_host() { netdev_of "$1" >/dev/null; }
# netns $1 has an interface $2
ns_has() { ip -n "$1" link show "$2" >/dev/null 2>&1; }

# Move the VF with BDF $1 into netns $2 as $3 (what sriov-cni does).
vf_into() { ip link set "$(netdev_of "$1")" netns "$2" name "$3"; }
# Move interface $2 of netns $1 back to the host netns, named $3.
if_out() { ip -n "$1" link set "$2" netns 1 name "$3"; }

# ---- running pflink directly (what a runtime does per plugin) ---------------

# pflink_run COMMAND NETNS IFNAME CONTAINERID CONFIG-JSON
# stdout -> $T/out, stderr -> $T/err, exit code -> $RC.  NETNS "-" leaves
# CNI_NETNS unset.
pflink_run() {
	local cmd=$1 ns=$2 ifn=$3 cid=$4 conf=$5
	local -a env=(CNI_COMMAND="$cmd" CNI_IFNAME="$ifn" CNI_CONTAINERID="$cid" CNI_PATH="$BIN")
	[ "$ns" != - ] && env+=(CNI_NETNS="$ns")
	printf '%s' "$conf" | env -u CNI_NETNS "${env[@]}" "$PFLINK" >"$T/out" 2>"$T/err"
	RC=$?
}
# The error code of the JSON error pflink printed, or "none".
err_code() { jq -r '.code // "none"' "$T/out" 2>/dev/null || echo none; }
# stdout holds exactly one JSON object (and nothing else).
one_json_object() {
	[ "$(jq -s 'length' "$T/out" 2>/dev/null)" = 1 ] && jq -e 'type == "object"' "$T/out" >/dev/null
}

# ---- running the libcni client ----------------------------------------------

# cni VERB NET NETNS IFNAME CONTAINERID [CAP_ARGS]: stdout -> $T/out,
# stderr (one JSON object, --json) -> $T/err, exit code -> $RC.
cni() {
	local verb=$1 net=$2 ns=$3 ifn=$4 cid=$5 cap=${6:-}
	NETCONFPATH="$NETDIR" CNI_PATH="$BIN" CNI_IFNAME="$ifn" CNI_CONTAINERID="$cid" \
		CNI_CACHE_DIR="$T/cache" CAP_ARGS="$cap" CNI_ARGS="K8S_POD_NAMESPACE=vmtest;K8S_POD_NAME=$cid" \
		"$CNITOOL" --json "$verb" "$net" "$ns" >"$T/out" 2>"$T/err"
	RC=$?
}
cni_err_code() { jq -r '.code // "none"' "$T/err" 2>/dev/null || echo none; }

# conflist NAME VF-BDF [EXTRA-PFLINK-JSON-MEMBERS]: host-device (pciBusID) ->
# pflink, cniVersion $CONF_VERSION (default 1.0.0), pflink's dirs under
# $T/NAME/.
conflist() {
	local name=$1 vf=$2 extra=${3:-}
	mkdir -p "$T/$name/state" "$T/$name/devinfo"
	cat >"$NETDIR/$name.conflist" <<-EOF
		{
		  "cniVersion": "${CONF_VERSION:-1.0.0}",
		  "name": "$name",
		  "plugins": [
		    { "type": "host-device", "pciBusID": "$vf" },
		    { "type": "pflink", "stateDir": "$T/$name/state",
		      "deviceInfoDir": "$T/$name/devinfo", "logLevel": "debug",
		      "logFile": "$T/pflink.log"${extra:+, $extra} }
		  ]
		}
	EOF
}
# pflink's own single-plugin config with a prevResult, for direct calls.
# pflink_conf VERSION NAME PREVRESULT-JSON [EXTRA-MEMBERS (JSON)]
# (printf, not jq: every value here is a plain name or path of the suite's.)
pflink_conf() {
	local v=$1 name=$2 prev=$3 extra=${4:-}
	mkdir -p "$T/$name/state" "$T/$name/devinfo"
	printf '{"cniVersion":"%s","name":"%s","type":"pflink","stateDir":"%s","deviceInfoDir":"%s","logLevel":"debug","logFile":"%s","prevResult":%s%s}' \
		"$v" "$name" "$T/$name/state" "$T/$name/devinfo" "$T/pflink.log" "$prev" "${extra:+,$extra}"
}
# What sriov-cni would hand on: the VF as ifname in netns, with its MAC.
prev_result() {
	printf '{"cniVersion":"%s","interfaces":[{"name":"%s","mac":"%s","sandbox":"%s"}],"ips":[]}' \
		"$1" "$2" "$4" "$3"
}

# Files pflink left in a directory (state or device-info).
count_in() {
	local f n=0
	for f in "$1"/*.json; do [ -f "$f" ] && n=$((n + 1)); done
	echo "$n"
}
first_in() {
	local f
	for f in "$1"/*.json; do [ -f "$f" ] && { echo "$f"; return 0; }; done
	return 1
}
devinfo_file() { first_in "$T/$1/devinfo"; }
state_file() { first_in "$T/$1/state"; }

# jq -e over a file, quietly: jqf FILE FILTER [jq args...]; fails on a
# missing or empty file (cnitool cached prints nothing on a cache miss)
jqf() {
	local f=$1 q=$2
	shift 2
	jq_file "$f" "$@" "$q" 2>/dev/null
}
# succeeded_with FILTER [jq args...]: the last pflink or cnitool call exited
# 0 and its output satisfies FILTER
succeeded_with() { [ "$RC" = 0 ] && jqf "$T/out" "$@"; }

# ---- predicates for check -----------------------------------------------------
not() { ! "$@"; }
# exit 0 and nothing on stdout (CHECK, DEL)
quiet_success() { [ "$RC" = 0 ] && [ ! -s "$T/out" ]; }
# pflink failed with CNI error code $1 (its JSON on stdout)
failed_with() { [ "$RC" != 0 ] && [ "$(err_code)" = "$1" ]; }
# cnitool failed with a *types.Error of code $1
cni_failed_with() { [ "$RC" != 0 ] && [ "$(cni_err_code)" = "$1" ]; }
# process $1 is in a netns of its own
own_netns() { [ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
