#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# shim_selftest.sh SHIM.so PROBE - check the ethtool shim against real veth
# links in throwaway network namespaces.  Needs root; exits 77 (skip) without
# (as root, a missing ip or a machine that cannot make them is a failure).
#
# SHIM.so is the built libpflink_ethtool_shim.so, PROBE the built
# drvinfo_probe.  Nothing is built here.

set -u
. "$(dirname "$0")/../checks.sh"	# pipefail, need_tools

if [[ $# -ne 2 ]]; then
	echo "usage: $0 SHIM.so PROBE" >&2
	exit 2
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "SKIP: needs root to create network namespaces and veth links"
	exit 77
fi
need_tools "shim_selftest.sh" ip

shim=$(realpath -e -- "$1") || exit 2
probe=$(realpath -e -- "$2") || exit 2

# Unique per run so concurrent runs and leftovers never collide.  Interface
# names must fit in 15 bytes: "pfs" + up to 7 PID digits + 2 = 12.
id=$$
ns_a=pflink-shim-a-$id
ns_b=pflink-shim-b-$id
x0=pfs${id}x0 x1=pfs${id}x1	# pair 1
y0=pfs${id}y0 y1=pfs${id}y1	# pair 2
tmp=$(mktemp -d) || exit 1
map=$tmp/map

# Locally administered, fixed, and only meaningful inside this run's map.
mac_x0=02:00:00:5f:00:01 mac_x1=02:00:00:5f:00:02
mac_y0=02:00:00:5f:00:03 mac_y1=02:00:00:5f:00:04

cleanup() {
	ip netns del "$ns_a" 2>/dev/null
	ip netns del "$ns_b" 2>/dev/null
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0 fail=0

# check NAME EXPECTED ACTUAL
check() {
	if [[ $2 == "$3" ]]; then
		pass=$((pass + 1))
		echo "ok   $1"
	else
		fail=$((fail + 1))
		echo "FAIL $1"
		echo "     expected: $2"
		echo "     actual:   $3"
	fi
}

# run_in NS PROBE-ARGS... - run the probe in NS with the shim preloaded.  The
# environment is set after "ip netns exec" so ip itself runs unshimmed.
run_in() {
	local ns=$1
	shift
	ip netns exec "$ns" env LD_PRELOAD="$shim" PFLINK_TEST_BUSINFO="$map" \
		PFLINK_TEST_BUSINFO_LOG="$tmp/log" "$probe" "$@" 2>&1
}

if ! { ip netns add "$ns_a" && ip netns add "$ns_b" &&
	ip -n "$ns_a" link add "$x0" address $mac_x0 type veth \
		peer name "$x1" address $mac_x1 &&
	ip -n "$ns_a" link add "$y0" address $mac_y0 type veth \
		peer name "$y1" address $mac_y1; }; then
	echo "FAIL: cannot create netns/veth here"
	exit 1
fi

# The map's own syntax: comments, blanks, '-', a hostile 40-byte bus_info
# that must come back cut to 31 bytes + NUL, as strscpy() would cut it.
long=0123456789abcdefghijklmnopqrstuvwxyzABCD
cat >"$map" <<EOF
# mac              bus_info      driver

$mac_x0  0000:01:10.0  igbvf
   # indented comment
$mac_y0  -             mlx5_core
${mac_y1^^}  $long  igbvf
EOF

check "mapped veth answers the fake BDF" \
	"driver=igbvf bus_info=0000:01:10.0" "$(run_in "$ns_a" "$x0")"
check "unmapped veth answers the kernel's veth" \
	"driver=veth bus_info=" "$(run_in "$ns_a" "$x1")"
check "'-' is the empty bus_info" \
	"driver=mlx5_core bus_info=" "$(run_in "$ns_a" "$y0")"
check "long bus_info truncated like the kernel (upper-case MAC)" \
	"driver=igbvf bus_info=${long:0:31}" "$(run_in "$ns_a" "$y1")"
check "nonexistent interface keeps the kernel's error" \
	"nosuch$id: No such device" "$(run_in "$ns_a" "nosuch$id")"
check "without PFLINK_TEST_BUSINFO the shim passes through" \
	"driver=veth bus_info=" \
	"$(ip netns exec "$ns_a" env LD_PRELOAD="$shim" "$probe" "$x0" 2>&1)"
check "missing map file passes through" \
	"driver=veth bus_info=" \
	"$(ip netns exec "$ns_a" env LD_PRELOAD="$shim" \
		PFLINK_TEST_BUSINFO="$tmp/absent" "$probe" "$x0" 2>&1)"

ip -n "$ns_a" link set "$x0" netns "$ns_b"
check "mapped veth moved to another netns keeps its BDF" \
	"driver=igbvf bus_info=0000:01:10.0" "$(run_in "$ns_b" "$x0")"
check "moved veth is gone from the old netns" \
	"$x0: No such device" "$(run_in "$ns_a" "$x0")"

# One long-lived process, the map rewritten under it: in place with the same
# length (same inode and size; mtime alone may not tell), then appended (last
# line wins), then emptied.
coproc PROBE { run_in "$ns_b" -; }
# bash unsets PROBE_PID once it has reaped the coprocess: keep it.
probe_pid=$PROBE_PID
ask() {
	local answer
	echo "$1" >&"${PROBE[1]}"
	read -r -t 5 answer <&"${PROBE[0]}" || answer="<no answer>"
	echo "$answer"
}
check "long-lived: initial answer" \
	"driver=igbvf bus_info=0000:01:10.0" "$(ask "$x0")"
content=$(<"$map")
printf '%s\n' "${content//0000:01:10.0/0000:01:10.2}" >"$map"
check "long-lived: same-size edit is seen" \
	"driver=igbvf bus_info=0000:01:10.2" "$(ask "$x0")"
# Kernels with coarse timestamps can give a quick rewrite the old mtime;
# fake that exactly, leaving only the shim's "racily clean" guard to notice.
touch -r "$map" "$tmp/ref"
content=$(<"$map")
printf '%s\n' "${content//0000:01:10.2/0000:01:10.4}" >"$map"
touch -r "$tmp/ref" "$map"
check "long-lived: rewrite keeping size, inode and mtime is seen" \
	"driver=igbvf bus_info=0000:01:10.4" "$(ask "$x0")"
echo "$mac_x0 0000:02:10.0 ixgbevf" >>"$map"
check "long-lived: appended line overrides" \
	"driver=ixgbevf bus_info=0000:02:10.0" "$(ask "$x0")"
: >"$map"
check "long-lived: emptied map passes through" \
	"driver=veth bus_info=" "$(ask "$x0")"
probe_in=${PROBE[1]}
exec {probe_in}>&-
wait "$probe_pid" 2>/dev/null || true	# already reaped when it exited first

log_lines=0
[[ -f $tmp/log ]] && log_lines=$(wc -l <"$tmp/log")
check "log has one line per mapped answer" 8 "$log_lines"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
