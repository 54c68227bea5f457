# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared set-up for pflink's root tests: real netns, real veth links, real
# netlink; only ETHTOOL_GDRVINFO's bus_info is faked (test/shim) and sysfs
# is a fixture tree (test/fixtures).  Source it; call tl_setup first.

set -u
# pipefail, jq_cmd/jq_text/jq_file (jq -e that fails on no input), need_tools
. "$(dirname "${BASH_SOURCE[0]}")/../checks.sh"
TL_PASS=0 TL_FAIL=0

# tl_skip_unless_root NAME [TOOL...]: skip (77) when not root; as root, a
# missing tool (ip, jq, and the TOOLs) fails NAME.
tl_skip_unless_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $1 needs root (network namespaces and veth links)"
		exit 77
	fi
	need_tools "$@" ip jq
}

# tl_need_tools TOOL...: each must be installed; as root a missing tool is
# a failure, not a skip (hack/deps.sh installs them).
tl_need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "FAIL: $t not installed (hack/deps.sh --test)"; echo "0 passed, 1 failed"; exit 1; }
	done
}

# tl_own_namespaces SCRIPT ARGS...: run the rest of SCRIPT in its own net,
# mount and pid namespaces (call it first; it re-executes SCRIPT there).
# An agent under test then has this test's netns as its host netns and
# sees only this test's processes and netns mounts, so its counts can be
# checked exactly while other suites run on the machine; whatever is left
# dies with the namespaces.  No netns mount from before stays (the copies
# would pin other suites' netns), and /run/netns is a tmpfs of its own.
tl_own_namespaces() {
	local opts="--net --mount --pid --fork --kill-child --mount-proc --propagation private"
	if [ -z "${TL_OWN_NS:-}" ]; then
		# shellcheck disable=SC2086
		unshare $opts true 2>/dev/null || { echo "FAIL: cannot unshare net/mount/pid namespaces"; echo "0 passed, 1 failed"; exit 1; }
		# shellcheck disable=SC2086
		TL_OWN_NS=1 exec unshare $opts bash "$@"
	fi
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs") print $5; break } }' \
		/proc/self/mountinfo | sort -r | while read -r m; do umount -l "$(printf '%b' "$m")"; done
	if ! { mkdir -p /run/netns && mount -t tmpfs -o mode=0755 pflink-ns /run/netns; }; then
		echo "FAIL: no private /run/netns"; exit 1
	fi
	ip link set lo up
}

# tl_debian_mirror: the Debian mirror apt uses on this machine (deb822 or
# one-line sources), for debootstrap.
tl_debian_mirror() {
	local m
	m=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) {print $i; exit}}' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	[ -n "$m" ] || return 1
	echo "$m"
}

ok()   { TL_PASS=$((TL_PASS + 1)); echo "PASS: $*"; }
bad()  { TL_FAIL=$((TL_FAIL + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@" >/dev/null; then ok "$what"; else bad "$what"; fi; }

tl_summary() {
	echo "$TL_PASS passed, $TL_FAIL failed"
	[ "$TL_FAIL" = 0 ]
}

# tl_setup BIN SHIM FIXTURE_SCRIPT: temp dirs, fixture tree, empty bus map.
tl_setup() {
	PFLINK=$1 SHIM=$2 FIXTURE=$3
	TAG=$(printf '%04x' $(( (RANDOM << 1 ^ $$) & 0xffff )))
	T=$(mktemp -d /tmp/pflink-test.XXXXXX)
	SYS=$T/sys STATE=$T/state DEVINFO=$T/devinfo NOMOUNTS=$T/no-netns
	mkdir -p "$NOMOUNTS"
	bash "$FIXTURE" standard "$SYS" >/dev/null
	MAP=$T/busmap PORTS=$T/portmap
	: > "$MAP"
	: > "$PORTS"
	TL_NETNS="" TL_LINKS=""
	trap tl_cleanup EXIT
	export PFLINK_TEST_BUSINFO=$MAP PFLINK_TEST_PORTS=$PORTS
	# gcc's ASan wants its runtime first in the link map; the shim only
	# interposes ioctl and opendir, so the order check can be relaxed safely.
	export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0
	# The PF scan looks in these bind-mount dirs only, not the machine's.
	export PFLINK_NETNS_DIRS=$NOMOUNTS
}

tl_cleanup() {
	local n l
	for n in $TL_NETNS; do ip netns del "$n" 2>/dev/null; done
	for l in $TL_LINKS; do ip link del "$l" 2>/dev/null; done
	rm -rf "$T"
}

tl_netns() { ip netns add "$1"; TL_NETNS="$TL_NETNS $1"; }

# The fixture's extra functions (sysfs.sh fx_extra: a two-PF mlx5 card
# for switchdev, an ixgbe PF whose VFs have no netdev driver, a vDPA
# device).
tl_fixture_extra() { bash "$FIXTURE" extra "$SYS" >/dev/null; }

# tl_port MAC PORT_NAME SWITCH_ID: the link with MAC carries this switchdev
# port name and switch id (hex) in every RTM_NEWLINK pflink and pflinkd
# read (test/shim).
tl_port() { echo "$1 $2 $3" >> "$PORTS"; }

# tl_dev NAME MAC BUS DRIVER [PORT_NAME SWITCH_ID]: a veth standing in for
# a PCI netdev in the host netns (a switchdev port with PORT_NAME); its peer
# (NAME-p... shortened) stays unmapped.  The maps come first: whoever sees
# the link appear must see it as what it stands for.
tl_dev() {
	local name=$1 mac=$2 bus=$3 drv=$4
	echo "$mac $bus $drv" >> "$MAP"
	[ $# -ge 6 ] && tl_port "$mac" "$5" "$6"
	ip link add "$name" address "$mac" type veth peer name "${name}p"
	TL_LINKS="$TL_LINKS $name ${name}p"
}

# tl_esc STRING ALSO: STRING with every byte outside [A-Za-z0-9_.-], and
# every byte of ALSO, written %XX, as pflink writes file names.
tl_esc() {
	local LC_ALL=C s=$1 also=$2 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		if [[ $c == [A-Za-z0-9_.-] && $also != *"$c"* ]]; then
			out+=$c
		else
			out+=$(printf '%%%02X' "'$c")
		fi
	done
	printf '%s' "$out"
}

# tl_di_name NETWORK CONTAINERID IFNAME: the device-info file pflink makes
# when Multus gives none (plugin/devinfo.c: one-to-one escapes).
tl_di_name() {
	printf '%s-%s_%s-device-info.json' "$(tl_esc "$1" "")" "$(tl_esc "$2" "-_")" "$(tl_esc "$3" "_")"
}

# pflink_run CMD NETNS IFNAME CONFIG [CNI_ARGS]: run the plugin, stdout in
# $OUT, exit code in $RC.  CNI_CONTAINERID comes from $CID.
pflink_run() {
	local cmd=$1 ns=$2 ifn=$3 conf=$4 args=${5:-}
	OUT=$(printf '%s' "$conf" | env CNI_COMMAND="$cmd" CNI_CONTAINERID="${CID-c0}" \
		CNI_NETNS="$ns" CNI_IFNAME="$ifn" CNI_ARGS="$args" CNI_PATH=/nonexistent \
		LD_PRELOAD="$SHIM" "$PFLINK" 2>"$T/stderr")
	RC=$?
	tl_sanitizer_check "$cmd"
}

# An error path that leaks still exits non-zero, so an expected failure
# would hide a LeakSanitizer report: look for any sanitizer output.
tl_sanitizer_check() {
	if grep -qE 'Sanitizer|runtime error:' "$T/stderr"; then
		bad "$1: sanitizer report"
		cat "$T/stderr"
	fi
}

# The one-JSON-object rule, then the code.
expect_code() {
	local what=$1 want=$2 got
	if [ "$RC" = 0 ]; then bad "$what: succeeded, expected code $want (out: $OUT)"; return; fi
	if [ -z "$OUT" ] || [ "$(printf '%s\n' "$OUT" | wc -l)" != 1 ] || ! got=$(jq -er .code <<<"$OUT"); then
		bad "$what: stdout is not one JSON error object: $OUT"; return
	fi
	if [ "$got" = "$want" ] && [ -n "$(jq -r '.msg // empty' <<<"$OUT")" ]; then
		ok "$what (code $got)"
	else
		bad "$what: code $got, expected $want: $OUT"
	fi
}

expect_ok() {
	local what=$1
	if [ "$RC" = 0 ]; then ok "$what"; else bad "$what: rc $RC: $OUT $(cat "$T/stderr")"; fi
}

# jq assertion on $OUT (fails when pflink printed nothing)
jqe() { jq_text "$OUT" "$@"; }

# A network config: conf VERSION [extra JSON members] with a prevResult
# naming the sandbox interface.
conf() {
	local v=$1 extra=${2:-} ifn=${3:-net1} ns=${4:-/run/netns/x}
	printf '{"cniVersion":"%s","name":"sriov-a","type":"pflink","sysfsRoot":"%s","stateDir":"%s","deviceInfoDir":"%s","agentSocket":""%s,"prevResult":{"cniVersion":"%s","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"address":"10.1.0.5/24"%s}],"dns":{}}}' \
		"$v" "$SYS" "$STATE" "$DEVINFO" "${extra:+,$extra}" "$v" "$ifn" "$ns" \
		"$(case $v in 0.*) echo ',"version":"4","interface":0' ;; *) echo ',"interface":0' ;; esac)"
}
