#!/bin/bash
# SPDX-License-Identifier: MIT
# The bad-input matrix: one table, one row per hostile input, each run
# through the real pflink binary in real netns (the shim fakes bus_info,
# the sysfs is a fixture tree).  After every row, whatever it expects:
#
#   - pflink exited 0 or 1 (no signal, no hang), and printed one JSON
#     object on one line (or nothing, for a verb that prints nothing);
#     stdout is valid UTF-8;
#   - no sanitizer report (and under --valgrind, no valgrind error);
#   - no temp file in stateDir / deviceInfoDir; a failed verb other than
#     DEL changed no file at all; every file of another attachment (other
#     pods, other networks) is unchanged byte for byte.
#
# Usage: matrix.sh PFLINK SHIM FIXTURE_SCRIPT FAKE_AGENT [--valgrind]
#
# --valgrind runs the rows marked "v" (every verb's success path and a
# handful of errors) under valgrind memcheck; any valgrind error fails.
# It needs a build without sanitizers and skips (77) otherwise.  Valgrind
# before 3.22 answers openat2 with ENOSYS, so under it pflink reads sysfs
# through its own fallback walk (lib/pci.c), as on a kernel before 5.6;
# a row below proves the fallback was what ran.
# shellcheck disable=SC2034,SC2054  # row set-ups use variables through eval
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "matrix.sh"
FAKE=${4:?usage: matrix.sh PFLINK SHIM FIXTURE FAKE_AGENT [--valgrind]}
MODE=${5:-}
WRAP=()
if [ "$MODE" = --valgrind ]; then
	# (the symbols into a variable: grep -q would close the pipe early)
	if grep -q '__asan_init' <<<"$(readelf -Ws "$1" 2>/dev/null)"; then
		echo "SKIP: $1 is built with AddressSanitizer; valgrind needs the plain build"
		exit 77
	fi
	need_tools "matrix.sh --valgrind" valgrind strace
fi
tl_setup "$1" "$2" "$3"
RSHIM=$SHIM
# shellcheck source=../fixtures/sysfs.sh
. "$3"
START=$(date +%s%N)
ALT=$T/alt MULTUS=$T/multus
mkdir -p "$ALT" "$MULTUS" "$STATE" "$DEVINFO"
MX_MOUNTS="" MX_AGENT=""
mx_cleanup() {
	local m
	[ -n "$MX_AGENT" ] && kill "$MX_AGENT" 2>/dev/null
	for m in $MX_MOUNTS; do umount "$m" 2>/dev/null; done
	tl_cleanup
}
trap mx_cleanup EXIT
if [ "$MODE" = --valgrind ]; then
	WRAP=(valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible
	      --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99
	      --track-fds=no "--log-file=$T/vg.log")
fi

# --- the node: a pod with VF 0000:01:10.0 as net1, its PF in the host,
# another pod (another network) whose files must never change, and links
# whose bus_info is hostile.  MACs carry TAG: concurrent tests' links in the
# host netns must not match this test's map.
POD=mxpod-$TAG POD2=mxkeep-$TAG
tl_netns "$POD"; tl_netns "$POD2"
NS=/run/netns/$POD NS2=/run/netns/$POD2
m() { printf '02:%s:%s:%s' "${TAG:0:2}" "${TAG:2:2}" "$1"; }
tl_dev "mpa$TAG" "$(m 00:00:01)" 0000:01:00.0 igb
tl_dev "mv0$TAG" "$(m 01:10:00)" 0000:01:10.0 igbvf
tl_dev "mv1$TAG" "$(m 01:10:02)" 0000:01:10.2 igbvf
ip link set "mv0$TAG" netns "$POD" name net1
ip link set "mv1$TAG" netns "$POD2" name net1
# hostile bus_info (hex: is the shim's escape for bytes a map line cannot hold)
HOSTILE="notbdf:not-a-bdf overlong:0000:01:10.0-and-then-31-more-bytes-xxxxxxxx
dotdot:../../etc newline:hex:303030303a30313a31302e300a empty:-
fmt:%s%s%n%x%p highbytes:hex:ffc0af2e2e2f65746300 ctrl:hex:1b5b33316d0d07
space:hex:20303030303a30313a31302e30 bigdomain:00000:01:10.0"
k=10
for h in $HOSTILE; do
	n=${h%%:*}
	tl_dev "mh$k$TAG" "$(m 0e:00:$k)" "${h#*:}" igbvf
	eval "HDEV_$n=mh$k$TAG"
	k=$((k + 1))
done
# The ixgbe PF whose VFs have no netdev driver (fixture extra).
tl_fixture_extra
tl_dev "mix$TAG" "$(m 0b:00:00)" 0000:0b:00.0 ixgbe
DRVEVIL=$(m 0e:00:40)	# sane bus_info, hostile driver name
tl_dev "mh40$TAG" "$DRVEVIL" 0000:00:1f.6 hex:ff0a22273c5c
HDEV_drvevil=mh40$TAG

ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=team-m;K8S_POD_NAME=web-0;K8S_POD_UID=0000-1"

# The other pod: ADD under another network name, plus a stray file.
OUT=$(conf 1.1.0 '' net1 "$NS2" | jq -c '.name="keep-net"' | env CNI_COMMAND=ADD CNI_CONTAINERID=mx-keep \
	CNI_NETNS="$NS2" CNI_IFNAME=net1 CNI_PATH=/x LD_PRELOAD="$SHIM" "$PFLINK" 2>"$T/stderr")
[ $? = 0 ] || { echo "set-up: the other pod's ADD failed: $OUT"; cat "$T/stderr"; exit 1; }
echo 'not a state file' > "$STATE/notes.txt"
test -s "$STATE/mx-keep_net1.json" -a -s "$DEVINFO/$(tl_di_name keep-net mx-keep net1)" ||
	{ echo "set-up: the other pod left no state/device-info"; exit 1; }
# The reference ADD answer: every agent row must print exactly this.
OUT=$(conf 1.1.0 '' net1 "$NS" | env CNI_COMMAND=ADD CNI_CONTAINERID=mx-ref CNI_NETNS="$NS" \
	CNI_IFNAME=net1 CNI_PATH=/x LD_PRELOAD="$SHIM" "$PFLINK" 2>"$T/stderr")
[ $? = 0 ] || { echo "set-up: reference ADD failed: $OUT"; cat "$T/stderr"; exit 1; }
REF=$OUT
conf 1.1.0 '' net1 "$NS" | env CNI_COMMAND=DEL CNI_CONTAINERID=mx-ref CNI_IFNAME=net1 "$PFLINK" >/dev/null 2>&1

# ----------------------------------------------------------------------
# Row helpers, for the set-up column.  A row starts with: stdin = a valid
# 1.1.0 config (conf in lib.sh) for pod $NS / net1, env = every CNI_*
# variable set, CNI_CONTAINERID = a fresh id ($R_CID).

in_conf() {	# in_conf [JQ-FILTER [VERSION [IFNAME [NETNS]]]]: stdin = conf | jq
	conf "${2:-1.1.0}" '' "${3:-net1}" "${4:-$NS}" | jq -jc "${1:-.}" > "$R_IN"
}
in_str() { printf '%s' "$1" > "$R_IN"; }
in_bytes() { printf "$1" > "$R_IN"; }	# printf escapes: \xff, \0...
env_unset() { unset "R_ENV[$1]"; }
env_set() { R_ENV[$1]=$2; }
post() { R_POST+="$1"$'\n'; }
later() { R_CLEAN+="$1"$'\n'; }
# The valid conf (with prevResult) cut after $1 bytes.
in_cut() { local LC_ALL=C c; c=$(conf 1.1.0 '' net1 "$NS"); printf '%s' "${c:0:$1}" > "$R_IN"; }
conf_len() { conf 1.1.0 '' net1 "$NS" | wc -c; }

# Run pflink outside the row (set-up); $1 verb, stdin from $2, R_ENV's id.
side() {
	env CNI_COMMAND="$1" CNI_CONTAINERID="${R_ENV[CNI_CONTAINERID]}" CNI_NETNS="$NS" \
		CNI_IFNAME=net1 CNI_PATH=/x LD_PRELOAD="$SHIM" "$PFLINK" < "$2" 2>>"$T/side.err"
}
# An ADD of this row's attachment, done in set-up: the row's state/devinfo.
pre_add() {	# pre_add [JQ-FILTER]
	local f=$T/pre.json
	conf 1.1.0 '' net1 "$NS" | jq -c "${1:-.}" > "$f"
	PRE=$(side ADD "$f") || { bad "$R_NAME: set-up ADD failed: $PRE"; return 1; }
}
# CHECK input: the config with the set-up ADD's result as prevResult.
in_check() { conf 1.1.0 '' net1 "$NS" | jq -c --argjson p "$PRE" ".prevResult=\$p | ${1:-.}" > "$R_IN"; }
sfile() { echo "$STATE/${R_ENV[CNI_CONTAINERID]}_net1.json"; }
dfile() { echo "$DEVINFO/$(tl_di_name sriov-a "${R_ENV[CNI_CONTAINERID]}" net1)"; }

# A hostile link as the pod's eth9 for this row.
use_dev() {
	local d=HDEV_$1
	ip link set "${!d}" netns "$POD" name eth9 || return 1
	later "ip -n $POD link set eth9 netns 1 name ${!d}"
	in_conf . 1.1.0 eth9; env_set CNI_IFNAME eth9
}
# A copy of the fixture sysfs for this row, changed by the commands given.
sys_copy() {
	R_SYS=$T/sysx-$R_N
	cp -a "$SYS" "$R_SYS" && in_conf ".sysfsRoot=\"$R_SYS\""
	later "rm -rf '$R_SYS'"
}
devdir() { local path up; _fx_path "$1"; echo "$R_SYS/devices/$path"; }
# The PF scan also looks into the pod's own netns (a bind mount of it in a
# private netns dir), where the VF's netdev is.
scan_pod_netns() {
	mkdir -p "$T/nsd-$R_N" && touch "$T/nsd-$R_N/pod" && mount --bind "$NS" "$T/nsd-$R_N/pod" || return 1
	MX_MOUNTS="$MX_MOUNTS $T/nsd-$R_N/pod"
	later "umount '$T/nsd-$R_N/pod'"
	env_set PFLINK_NETNS_DIRS "$T/nsd-$R_N"
}
# A read-only bind mount at $1 (a directory made here).
ro_dir() {
	mkdir -p "$1" && mount --bind -o ro "$1" "$1" || return 1
	MX_MOUNTS="$MX_MOUNTS $1"
	later "umount '$1'"
}
# A fake agent misbehaving as $1 at $2 (default $ALT/ag.sock).
agent() {
	local sock=${2:-$ALT/ag.sock}
	"$FAKE" "$1" "$sock" > "$T/ag.out" 2>"$T/ag.err" &
	MX_AGENT=$!
	for _ in $(seq 100); do grep -q ready "$T/ag.out" && break; sleep 0.05; done
	grep -q ready "$T/ag.out" || { bad "$R_NAME: fake agent $1 did not start"; return 1; }
	later "kill $MX_AGENT; wait $MX_AGENT 2>/dev/null; MX_AGENT=; rm -f '$sock'"
	agent_conf "$sock"
}
agent_conf() {	# ADD asking the agent at $1, within 300 ms, then falling back
	in_conf ".agentSocket=\"$1\" | .agentTimeoutMs=300"
	# A hang is a failure (killed: no exit 0 or 1); how long pflink waits
	# for a slow agent is the bench's (hack/bench.sh, "deadlines").
	R_TMO=30
	post 'check "$R_NAME: same answer as with no agent" cmp -s "$T/out" <(printf "%s\n" "$REF")'
}
# Files of another attachment: the snapshot of every file pflink may touch.
snap() {
	find "$STATE" "$DEVINFO" "$ALT" "$MULTUS" -mindepth 1 -printf '%y %m %p -> %l\n' 2>/dev/null | sort
	find "$STATE" "$DEVINFO" "$ALT" "$MULTUS" -type f -exec sha256sum {} + 2>/dev/null | sort
}
big() { head -c $((10 << 20)) /dev/zero | tr '\0' "$1"; }

# ----------------------------------------------------------------------
# The table.  Columns: flags (v: also under valgrind) | name | verb (- :
# CNI_COMMAND unset) | expected (ok, or the error code) | set-up.
ROWS=$(cat <<'EOF'
v|add-ok|ADD|ok|post 'check "$R_NAME: state written" jq_file "$(sfile)" ".vfPciAddress==\"0000:01:10.0\""'
v|check-ok|CHECK|ok|pre_add && in_check
v|del-ok|DEL|ok|pre_add; post 'check "$R_NAME: state removed" test ! -e "$(sfile)"; check "$R_NAME: devinfo removed" test ! -e "$(dfile)"'
v|gc-ok|GC|ok|pre_add; in_conf '."cni.dev/valid-attachments"=[]'; post 'check "$R_NAME: GC removed the stale attachment" test ! -e "$(sfile)"'
v|status-ok|STATUS|ok|in_conf
v|version-ok|VERSION|ok|post 'check "$R_NAME: lists 1.1.0" jqe ".supportedVersions|index(\"1.1.0\")"'
v|json-malformed|ADD|6|in_str '{"cniVersion":'
|json-not-object|ADD|6|in_str '[1,2]'
|json-trunc-1|ADD|6|in_cut 1
|json-trunc-10|ADD|6|in_cut 10
v|json-trunc-quarter|ADD|6|in_cut $(( $(conf_len) / 4 ))
|json-trunc-half|ADD|6|in_cut $(( $(conf_len) / 2 ))
|json-trunc-inside-prevresult|ADD|6|in_cut $(( $(conf_len) - 40 ))
|json-trunc-last-brace|ADD|6|in_cut $(( $(conf_len) - 1 ))
|json-trailing-garbage|ADD|6|in_conf; printf 'x' >> "$R_IN"
|json-two-objects|ADD|6|in_conf; cat "$R_IN" "$R_IN" > "$T/2"; mv "$T/2" "$R_IN"
|json-dup-key|ADD|6|in_str "$(conf 1.1.0 '' net1 "$NS" | sed 's/^{/{"stateDir":"\/tmp",/')"
v|json-deep-nesting|ADD|6|in_conf; { head -c -1 "$R_IN"; printf ',"x":'; head -c 200000 /dev/zero | tr '\0' '['; head -c 200000 /dev/zero | tr '\0' ']'; printf '}'; } > "$T/d"; mv "$T/d" "$R_IN"
|json-utf8-bom|ADD|6|in_conf; { printf '\xef\xbb\xbf'; cat "$R_IN"; } > "$T/b"; mv "$T/b" "$R_IN"
v|stdin-empty|ADD|6|: > "$R_IN"
|stdin-empty-del|DEL|6|: > "$R_IN"
|stdin-at-limit|ADD|ok|in_conf; s=$(wc -c < "$R_IN"); head -c $(( (1 << 20) - s )) /dev/zero | tr '\0' ' ' >> "$R_IN"
|stdin-over-limit|ADD|6|in_conf; s=$(wc -c < "$R_IN"); head -c $(( (1 << 20) - s + 1 )) /dev/zero | tr '\0' ' ' >> "$R_IN"
v|stdin-10MiB-padded|ADD|6|in_conf ".pad=\"$(head -c 1000 /dev/zero | tr '\0' a)\""; { head -c -2 "$R_IN"; big a; printf '"}'; } > "$T/p"; mv "$T/p" "$R_IN"
|stdin-10MiB-garbage|ADD|6|head -c $((10 << 20)) /dev/urandom > "$R_IN"
|stdin-10MiB-garbage-del|DEL|6|head -c $((10 << 20)) /dev/urandom > "$R_IN"
v|utf8-invalid-in-string|ADD|6|in_conf; sed -i 's/"name":"sriov-a"/"name":"sriov-\xff\xfe"/' "$R_IN"
|utf8-overlong-slash-in-string|ADD|6|in_conf; sed -i 's/"name":"sriov-a"/"name":"sriov\xc0\xafa"/' "$R_IN"
|utf8-surrogate-in-string|ADD|6|in_conf; sed -i 's/"name":"sriov-a"/"name":"sriov\xed\xa0\x80a"/' "$R_IN"
|utf8-raw-between-tokens|ADD|6|in_conf; sed -i 's/^{/{\xff /' "$R_IN"
|utf8-valid-multibyte|ADD|ok|in_conf '.name="sriov-\u00e9\u4e2d"'; post 'check "$R_NAME: devinfo name made safe, one-to-one" test -e "$DEVINFO/sriov-%C3%A9%E4%B8%AD-$(tl_esc "${R_ENV[CNI_CONTAINERID]}" -_)_net1-device-info.json"'
v|nul-inside-string|ADD|6|in_conf; sed -i 's/"name":"sriov-a"/"name":"sriov\x00a"/' "$R_IN"
|nul-after-object|ADD|6|in_conf; printf '\0' >> "$R_IN"
|nul-only|ADD|6|printf '\0\0\0\0' > "$R_IN"
v|env-no-CNI_COMMAND|-|4|env_unset CNI_COMMAND
|env-empty-CNI_COMMAND|-|4|env_set CNI_COMMAND ''
|env-lowercase-verb|add|4|:
|env-unknown-verb|BOGUS|4|:
v|add-no-CNI_CONTAINERID|ADD|4|env_unset CNI_CONTAINERID
|add-no-CNI_NETNS|ADD|4|env_unset CNI_NETNS
|add-no-CNI_IFNAME|ADD|4|env_unset CNI_IFNAME
|add-empty-CNI_IFNAME|ADD|4|env_set CNI_IFNAME ''
|add-no-CNI_PATH|ADD|ok|env_unset CNI_PATH
|check-no-CNI_CONTAINERID|CHECK|4|env_unset CNI_CONTAINERID
|check-no-CNI_NETNS|CHECK|4|env_unset CNI_NETNS
|check-no-CNI_IFNAME|CHECK|4|env_unset CNI_IFNAME
|check-no-CNI_PATH|CHECK|ok|pre_add && in_check; env_unset CNI_PATH
|del-no-CNI_CONTAINERID|DEL|4|env_unset CNI_CONTAINERID
|del-no-CNI_NETNS|DEL|ok|pre_add; env_unset CNI_NETNS; post 'check "$R_NAME: state removed" test ! -e "$(sfile)"'
|del-no-CNI_IFNAME|DEL|4|env_unset CNI_IFNAME
|del-no-CNI_PATH|DEL|ok|env_unset CNI_PATH
|gc-no-CNI_CONTAINERID-NETNS-IFNAME|GC|ok|in_conf '."cni.dev/valid-attachments"=[]'; env_unset CNI_CONTAINERID; env_unset CNI_NETNS; env_unset CNI_IFNAME
|gc-no-CNI_PATH|GC|ok|in_conf '."cni.dev/valid-attachments"=[]'; env_unset CNI_PATH
v|gc-no-valid-attachments|GC|7|pre_add; post 'check "$R_NAME: record kept" test -s "$(sfile)"; check "$R_NAME: device-info kept" test -s "$(dfile)"'
|gc-valid-attachments-null|GC|7|pre_add; in_conf '."cni.dev/valid-attachments"=null'; post 'check "$R_NAME: record kept" test -s "$(sfile)"'
|status-no-CNI_CONTAINERID-NETNS-IFNAME|STATUS|ok|env_unset CNI_CONTAINERID; env_unset CNI_NETNS; env_unset CNI_IFNAME
|status-no-CNI_PATH|STATUS|ok|env_unset CNI_PATH
|version-no-env-no-stdin|VERSION|ok|for v in CNI_CONTAINERID CNI_NETNS CNI_IFNAME CNI_PATH CNI_ARGS; do env_unset $v; done; : > "$R_IN"
v|version-garbage-stdin|VERSION|ok|head -c 4096 /dev/urandom > "$R_IN"
|add-cid-path-traversal|ADD|4|env_set CNI_CONTAINERID '../../etc/x'
|add-cid-overlong|ADD|4|env_set CNI_CONTAINERID "$(printf 'c%.0s' $(seq 300))"
|add-ifname-overlong|ADD|4|env_set CNI_IFNAME 'net1-and-much-longer'; in_conf . 1.1.0 net1-and-much-longer
|add-args-overlong|ADD|ok|env_set CNI_ARGS "K8S_POD_NAME=$(printf 'p%.0s' $(seq 5000))"; post 'check "$R_NAME: overlong pod name not recorded" jq_file "$(sfile)" ".podName==\"\""'
v|ver-unsupported|ADD|1|in_conf '.cniVersion="9.9.9"'
|ver-absent|ADD|1|in_conf 'del(.cniVersion)'
|ver-absent-del|DEL|1|in_conf 'del(.cniVersion)'
|ver-trailing-space|ADD|1|in_conf '.cniVersion="1.1.0 "'
|ver-number|ADD|7|in_conf '.cniVersion=1.1'
|ver-check-0.3.1|CHECK|1|in_conf . 0.3.1
|ver-gc-1.0.0|GC|1|in_conf . 1.0.0
|ver-status-1.0.0|STATUS|1|in_conf . 1.0.0
|ver-version-unsupported|VERSION|ok|in_conf '.cniVersion="9.9.9"'; post 'check "$R_NAME: answers in 1.1.0" jqe ".cniVersion==\"1.1.0\""'
v|prev-missing-add|ADD|7|in_conf 'del(.prevResult)'
|prev-missing-check|CHECK|7|in_conf 'del(.prevResult)'
|prev-missing-del|DEL|ok|in_conf 'del(.prevResult)'
|prev-not-object|ADD|7|in_conf '.prevResult="x"'
|prev-iface-not-in-netns|ADD|105|in_conf . 1.1.0 nosuch0; env_set CNI_IFNAME nosuch0
|prev-other-iface-only|ADD|ok|in_conf '.prevResult.interfaces[0].name="ghost0"'; post 'check "$R_NAME: ghost0 passed through, net1 added" jqe "[.interfaces[].name] | index(\"ghost0\") and index(\"net1\")"'
v|prev-other-sandbox|ADD|ok|in_conf '.prevResult.interfaces[0].sandbox="/run/netns/someone-else"'; post 'check "$R_NAME: VF pciID only on this sandbox'"'"'s net1" jqe --arg ns "$NS" "[.interfaces[] | select(.pciID==\"0000:01:10.0\") | .sandbox] == [\$ns]"'
|prev-other-version|ADD|ok|in_conf '.prevResult.cniVersion="0.4.0"'; post 'check "$R_NAME: answers in the config'"'"'s version" jqe ".cniVersion==\"1.1.0\""'
|prev-interfaces-not-array|ADD|ok|in_conf '.prevResult.interfaces=5'; post 'check "$R_NAME: interfaces rebuilt" jqe ".interfaces|type==\"array\""'
v|prev-bad-pciid-check|CHECK|6|pre_add && in_check '.prevResult.interfaces[0].pciID="../../x"'
v|ns-regular-file|ADD|4|echo x > "$ALT/nsfile"; env_set CNI_NETNS "$ALT/nsfile"
|ns-dead-path|ADD|3|env_set CNI_NETNS "/run/netns/gone-$TAG"
|ns-dead-path-check|CHECK|3|env_set CNI_NETNS "/run/netns/gone-$TAG"
|ns-dead-path-del|DEL|ok|pre_add; env_set CNI_NETNS "/run/netns/gone-$TAG"; post 'check "$R_NAME: state removed" test ! -e "$(sfile)"'
|ns-non-utf8-dead-path|ADD|3|env_set CNI_NETNS "$(printf '/run/netns/\xff\xfe-%s' "$TAG")"
|ifname-non-utf8|ADD|105|env_set CNI_IFNAME "$(printf 'n\xffx')"
|ns-pid-namespace|ADD|4|env_set CNI_NETNS /proc/self/ns/pid
|ns-directory|ADD|4|env_set CNI_NETNS "$ALT"
v|ns-fifo|ADD|4|mkfifo "$ALT/nsfifo"; env_set CNI_NETNS "$ALT/nsfifo"; R_TMO=10
|ns-dev-null|ADD|4|env_set CNI_NETNS /dev/null
|ns-relative|ADD|3|env_set CNI_NETNS "netns-$TAG"
|ns-regular-file-del|DEL|ok|echo x > "$ALT/nsfile2"; env_set CNI_NETNS "$ALT/nsfile2"
v|businfo-not-bdf|ADD|100|use_dev notbdf
|businfo-overlong|ADD|100|use_dev overlong
|businfo-dotdot|ADD|100|use_dev dotdot; post 'check "$R_NAME: quoted in the message" jqe ".msg|contains(\"\\\"../../etc\\\"\")"'
|businfo-newline|ADD|100|use_dev newline
|businfo-empty|ADD|100|use_dev empty
|businfo-format-string|ADD|100|use_dev fmt; post 'check "$R_NAME: printed verbatim" jqe ".msg|contains(\"%s%s%n%x%p\")"'
v|businfo-non-utf8|ADD|100|use_dev highbytes
|businfo-control-bytes|ADD|100|use_dev ctrl
|businfo-leading-space|ADD|100|use_dev space
|businfo-5-digit-domain|ADD|100|use_dev bigdomain
|driver-hostile|ADD|101|use_dev drvevil
v|sys-physfn-self|ADD|102|sys_copy && ln -sfn ../0000:01:10.0 "$(devdir 0000:01:10.0)/physfn"
v|sys-physfn-self-pod-scanned|ADD|102|sys_copy && ln -sfn ../0000:01:10.0 "$(devdir 0000:01:10.0)/physfn" && scan_pod_netns
|sys-physfn-dot|ADD|102|sys_copy && ln -sfn . "$(devdir 0000:01:10.0)/physfn"
|sys-physfn-loop-of-two|ADD|102|sys_copy && ln -sfn ../0000:01:10.2/physfn "$(devdir 0000:01:10.0)/physfn" && ln -sfn ../0000:01:10.0/physfn "$(devdir 0000:01:10.2)/physfn"
|sys-physfn-escapes-up|ADD|102|sys_copy && mkdir -p "$ALT/outside/0000:02:00.0" && ln -sfn "../../../../../../../../../../..$ALT/outside/0000:02:00.0" "$(devdir 0000:01:10.0)/physfn"
|sys-physfn-escapes-abs|ADD|102|sys_copy && mkdir -p "$ALT/outside/0000:02:00.0" && ln -sfn "$ALT/outside/0000:02:00.0" "$(devdir 0000:01:10.0)/physfn"
|sys-physfn-etc|ADD|102|sys_copy && ln -sfn ../../../../../etc "$(devdir 0000:01:10.0)/physfn"
|sys-physfn-to-file|ADD|102|sys_copy && ln -sfn vendor "$(devdir 0000:01:10.0)/physfn"
|sys-virtfn-loops|ADD|ok|sys_copy && d=$(devdir 0000:01:00.0) && ln -sfn virtfn0 "$d/virtfn0" && ln -sfn virtfn2 "$d/virtfn1" && ln -sfn virtfn1 "$d/virtfn2"; post 'check "$R_NAME: VF index unknown, not invented" jq_file "$(sfile)" ".vfIndex==-1"'
|sys-virtfn-outside|ADD|ok|sys_copy && ln -sfn "$ALT/outside/0000:01:10.0" "$(devdir 0000:01:00.0)/virtfn0"; post 'check "$R_NAME: VF index from the link name" jq_file "$(sfile)" ".vfIndex==0"'
|sys-bus-entry-escapes|ADD|100|sys_copy && ln -sfn ../../../../../../etc "$R_SYS/bus/pci/devices/0000:01:10.0"
|sys-bus-entry-loop|ADD|100|sys_copy && ln -sfn 0000:01:10.0 "$R_SYS/bus/pci/devices/0000:01:10.0"
|sys-pf-bus-entry-missing|ADD|102|sys_copy && rm "$R_SYS/bus/pci/devices/0000:01:00.0"
|sys-root-missing|ADD|5|in_conf ".sysfsRoot=\"$ALT/no-sysfs\""
|sys-root-is-file|ADD|5|echo x > "$ALT/sysfile"; in_conf ".sysfsRoot=\"$ALT/sysfile\""
|sys-root-missing-status|STATUS|50|in_conf ".sysfsRoot=\"$ALT/no-sysfs\""
|sys-root-no-bus|ADD|5|mkdir -p "$ALT/bare-sys"; in_conf ".sysfsRoot=\"$ALT/bare-sys\""; post 'check "$R_NAME: says what the root lacks" jqe ".msg|contains(\"no readable bus/pci/devices\")"'
|sys-root-no-bus-check|CHECK|5|pre_add && in_check ".sysfsRoot=\"$ALT/bare-sys\""; mkdir -p "$ALT/bare-sys"; post 'check "$R_NAME: says what the root lacks" jqe ".msg|contains(\"no readable bus/pci/devices\")"'
|sys-root-no-bus-no-if|ADD|5|mkdir -p "$ALT/bare-sys"; env_set CNI_IFNAME nd0; in_conf ".sysfsRoot=\"$ALT/bare-sys\"" 1.1.0 nd0; post 'check "$R_NAME: the root before the interface" jqe ".msg|contains(\"no readable bus/pci/devices\")"'
|sys-root-no-bus-nodev|ADD|5|mkdir -p "$ALT/bare-sys"; env_set CNI_IFNAME nd0; in_conf ".sysfsRoot=\"$ALT/bare-sys\" | .deviceID=\"0000:0b:10.0\" | .prevResult.interfaces=[]" 1.1.0 nd0; post 'check "$R_NAME: says what the root lacks" jqe ".msg|contains(\"no readable bus/pci/devices\")"'
v|state-garbage-del|DEL|ok|pre_add; echo '{garbage' > "$(sfile)"; post 'check "$R_NAME: corrupt state removed" test ! -e "$(sfile)"; check "$R_NAME: devinfo removed" test ! -e "$(dfile)"'
|state-empty-del|DEL|ok|pre_add; : > "$(sfile)"; post 'check "$R_NAME: empty state removed" test ! -e "$(sfile)"'
|state-huge-del|DEL|ok|pre_add; head -c $((1 << 20)) /dev/zero | tr '\0' ' ' > "$(sfile)"; post 'check "$R_NAME: huge state removed" test ! -e "$(sfile)"'
|state-symlink-del|DEL|ok|echo victim > "$ALT/victim"; ln -s "$ALT/victim" "$(sfile)"; post 'check "$R_NAME: link removed" test ! -L "$(sfile)"'
v|state-garbage-check|CHECK|5|pre_add && in_check; echo '{garbage' > "$(sfile)"
|state-empty-check|CHECK|5|pre_add && in_check; : > "$(sfile)"
|state-huge-check|CHECK|5|pre_add && in_check; head -c $((1 << 20)) /dev/zero | tr '\0' ' ' > "$(sfile)"
|state-symlink-add|ADD|ok|echo victim > "$ALT/victim2"; ln -s "$ALT/victim2" "$(sfile)"; post 'check "$R_NAME: link replaced by a file" test -f "$(sfile)" -a ! -L "$(sfile)"'
|devinfo-symlink-add|ADD|6|echo victim > "$ALT/victim3"; ln -s "$ALT/victim3" "$(dfile)"
v|statedir-is-file-add|ADD|5|echo x > "$ALT/sdfile"; in_conf ".stateDir=\"$ALT/sdfile\""
|statedir-under-file-add|ADD|5|echo x > "$ALT/sdfile2"; in_conf ".stateDir=\"$ALT/sdfile2/sub\""
|statedir-readonly-add|ADD|5|ro_dir "$ALT/ro-sd" && in_conf ".stateDir=\"$ALT/ro-sd\""
|statedir-is-file-del|DEL|ok|echo x > "$ALT/sdfile3"; in_conf ".stateDir=\"$ALT/sdfile3\""
|statedir-readonly-del-nostate|DEL|ok|ro_dir "$ALT/ro-sd2" && in_conf ".stateDir=\"$ALT/ro-sd2\""
v|statedir-readonly-del-state|DEL|ok|pre_add ".stateDir=\"$ALT/ro-sd3\"" && ro_dir "$ALT/ro-sd3" && in_conf ".stateDir=\"$ALT/ro-sd3\""; post 'check "$R_NAME: state kept for GC" test -s "$ALT/ro-sd3/${R_ENV[CNI_CONTAINERID]}_net1.json"; check "$R_NAME: the error is logged" grep -q "error: DEL.*cannot remove its record" "$T/stderr"'
|statedir-is-file-gc|GC|5|echo x > "$ALT/sdfile4"; in_conf ".stateDir=\"$ALT/sdfile4\" | .\"cni.dev/valid-attachments\"=[]"
|devinfodir-is-file-add|ADD|5|echo x > "$ALT/difile"; in_conf ".deviceInfoDir=\"$ALT/difile\""
v|devinfodir-readonly-add|ADD|5|ro_dir "$ALT/ro-di" && in_conf ".deviceInfoDir=\"$ALT/ro-di\""
|devinfodir-readonly-del|DEL|ok|pre_add ".deviceInfoDir=\"$ALT/ro-di2\"" && ro_dir "$ALT/ro-di2" && in_conf ".deviceInfoDir=\"$ALT/ro-di2\""; post 'check "$R_NAME: state kept for GC" test -s "$(sfile)"; check "$R_NAME: the error is logged" grep -q "error: DEL.*cannot remove device-info file" "$T/stderr"'
v|multus-devinfo-merge-undone|ADD|5|printf '%s' '{"type":"pci","version":"1.0.0","pci":{"pci-address":"0000:01:10.0","rdma-device":"mlx5_3"}}' > "$MULTUS/dp-$R_N.json"; ro_dir "$ALT/ro-sdm$R_N" && in_conf ".stateDir=\"$ALT/ro-sdm$R_N\" | .runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/dp-$R_N.json\"}"; later "rm -f '$MULTUS/dp-$R_N.json'"
|multus-devinfo-new-undone|ADD|5|ro_dir "$ALT/ro-sdn$R_N" && in_conf ".stateDir=\"$ALT/ro-sdn$R_N\" | .runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/new-$R_N.json\"}"
v|nodev-vfio-ok|ADD|ok|env_set CNI_IFNAME nd0; in_conf '.deviceID="0000:0b:10.0" | .prevResult.interfaces=[]' 1.1.0 nd0; post 'check "$R_NAME: recorded on vfio-pci" jq_file "$STATE/${R_ENV[CNI_CONTAINERID]}_nd0.json" ".vfDriver==\"vfio-pci\" and .ifName==\"nd0\""'
|nodev-pcibusid-ok|ADD|ok|env_set CNI_IFNAME nd0; in_conf '.pciBusID="0000:0b:10.6" | .prevResult.interfaces=[]' 1.1.0 nd0
|nodev-no-address|ADD|105|env_set CNI_IFNAME nd0; in_conf . 1.1.0 nd0; post 'check "$R_NAME: says which field to set" jqe ".msg|contains(\"deviceID\")"'
|nodev-not-in-sysfs|ADD|100|env_set CNI_IFNAME nd0; in_conf '.deviceID="0000:0c:10.0"' 1.1.0 nd0
|nodev-not-a-vf|ADD|101|env_set CNI_IFNAME nd0; in_conf '.deviceID="0000:0b:00.0"' 1.1.0 nd0
|nodev-netdev-driver-not-moved|ADD|105|env_set CNI_IFNAME nd0; in_conf '.deviceID="0000:0b:10.2"' 1.1.0 nd0; post 'check "$R_NAME: names the netdev driver" jqe ".msg|contains(\"ixgbevf\")"'
|nodev-unbound|ADD|105|env_set CNI_IFNAME nd0; in_conf '.deviceID="0000:0b:10.4"' 1.1.0 nd0
|nodev-dp-other-vf|ADD|103|printf '%s' '{"type":"pci","pci":{"pci-address":"0000:0b:10.6"}}' > "$MULTUS/nd-$R_N.json"; env_set CNI_IFNAME nd0; in_conf ".deviceID=\"0000:0b:10.0\" | .runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/nd-$R_N.json\"}" 1.1.0 nd0; later "rm -f '$MULTUS/nd-$R_N.json'"
|nodev-dp-other-pf|ADD|103|printf '%s' '{"type":"pci","pci":{"pci-address":"0000:0b:10.0","pf-pci-address":"0000:01:00.0"}}' > "$MULTUS/nd-$R_N.json"; env_set CNI_IFNAME nd0; in_conf ".runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/nd-$R_N.json\"}" 1.1.0 nd0; later "rm -f '$MULTUS/nd-$R_N.json'"
|nodev-dp-garbage|ADD|6|printf 'garbage' > "$MULTUS/nd-$R_N.json"; env_set CNI_IFNAME nd0; in_conf ".runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/nd-$R_N.json\"}" 1.1.0 nd0; later "rm -f '$MULTUS/nd-$R_N.json'"
|nodev-dp-bad-address|ADD|6|printf '%s' '{"type":"pci","pci":{"pci-address":"../../etc"}}' > "$MULTUS/nd-$R_N.json"; env_set CNI_IFNAME nd0; in_conf ".runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/nd-$R_N.json\"}" 1.1.0 nd0; later "rm -f '$MULTUS/nd-$R_N.json'"
|netdev-other-pf-than-dp|ADD|103|printf '%s' '{"type":"pci","pci":{"pci-address":"0000:01:10.0","pf-pci-address":"0000:02:00.0"}}' > "$MULTUS/pf-$R_N.json"; in_conf ".runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/pf-$R_N.json\"}"; later "rm -f '$MULTUS/pf-$R_N.json'"
|multus-devinfo-is-dir|ADD|5|mkdir -p "$MULTUS/d.json"; in_conf ".runtimeConfig={\"CNIDeviceInfoFile\":\"$MULTUS/d.json\"}"
|multus-devinfo-relative|ADD|7|in_conf '.runtimeConfig={"CNIDeviceInfoFile":"devinfo.json"}'
|conf-sysfsroot-relative|ADD|7|in_conf '.sysfsRoot="sys"'
|conf-name-number|ADD|7|in_conf '.name=5'
|conf-loglevel-bogus|ADD|7|in_conf '.logLevel="loud"'
|conf-deviceid-not-bdf|ADD|7|in_conf '.deviceID="../../etc"'
|conf-agent-relative|ADD|7|in_conf '.agentSocket="pflinkd.sock"'
|conf-agent-timeout-zero|ADD|7|in_conf '.agentSocket="/x" | .agentTimeoutMs=0'
|conf-agent-timeout-huge|ADD|7|in_conf '.agentSocket="/x" | .agentTimeoutMs=10001'
|conf-agent-timeout-string|ADD|7|in_conf '.agentSocket="/x" | .agentTimeoutMs="250"'
|conf-gc-attachments-bad|GC|7|in_conf '."cni.dev/valid-attachments"=[{"containerID":1}]'
|conf-logfile-is-dir|ADD|105|env_set CNI_IFNAME nosuch1; in_conf ".logFile=\"$ALT\"" 1.1.0 nosuch1; post 'check "$R_NAME: log line went to stderr" grep -q nosuch1 "$T/stderr"'
v|agent-absent|ADD|ok|agent_conf "$ALT/no-agent.sock"
|agent-regular-file|ADD|ok|echo x > "$ALT/ag-file"; agent_conf "$ALT/ag-file"
|agent-directory|ADD|ok|mkdir -p "$ALT/ag-dir"; agent_conf "$ALT/ag-dir"
|agent-path-overlong|ADD|ok|agent_conf "/$(printf 'a%.0s' $(seq 200))"
v|agent-silent|ADD|ok|agent silent
|agent-noaccept|ADD|ok|agent noaccept
v|agent-garbage|ADD|ok|agent garbage
v|agent-huge|ADD|ok|agent huge
v|agent-partial|ADD|ok|agent partial
|agent-close|ADD|ok|agent close
|agent-v2|ADD|ok|agent v2
|agent-refuse|ADD|ok|agent refuse
|agent-unhealthy|ADD|ok|agent unhealthy
|agent-array|ADD|ok|agent array
|agent-nov|ADD|ok|agent nov
EOF
)

# ----------------------------------------------------------------------
TABLE=() R_N=0 NROWS=0
run_row() {
	local flags=$1 verb=$3 want=$4 setup=$5 fail0=$TL_FAIL before after t0 ms got k
	local -a ev own
	R_NAME=$2 R_N=$((R_N + 1)) R_IN=$T/in R_POST="" R_CLEAN="" R_SYS="" R_TMO=""
	NROWS=$((NROWS + 1))
	declare -gA R_ENV=([CNI_COMMAND]="$verb" [CNI_CONTAINERID]="mx$R_N-$TAG" [CNI_NETNS]="$NS"
		[CNI_IFNAME]=net1 [CNI_PATH]=/opt/cni/bin [CNI_ARGS]="$ARGS")
	[ "$verb" = - ] && unset 'R_ENV[CNI_COMMAND]'
	: > "$T/side.err"
	in_conf
	eval "$setup" || bad "$R_NAME: set-up failed ($setup)"
	before=$(snap)

	ev=(PATH=/usr/sbin:/usr/bin:/sbin:/bin LD_PRELOAD="$RSHIM" PFLINK_TEST_BUSINFO="$MAP"
	    PFLINK_NETNS_DIRS="$NOMOUNTS" ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS=print_stacktrace=1)
	for k in "${!R_ENV[@]}"; do ev+=("$k=${R_ENV[$k]}"); done
	rm -f "$T/vg.log"
	t0=$(date +%s%N)
	timeout -s KILL "${R_TMO:-60}" env -i "${ev[@]}" "${WRAP[@]}" "$PFLINK" < "$R_IN" > "$T/out" 2> "$T/stderr"
	RC=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	OUT=$(tr -d '\0' < "$T/out")

	# Invariants of every row.
	case $RC in
	0 | 1) ;;
	*) bad "$R_NAME: exit status $RC (signal or hang): $(head -c 2000 "$T/stderr")" ;;
	esac
	if [ -s "$T/out" ]; then
		[ "$(wc -l < "$T/out")" = 1 ] && [ "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" = '\n' ] &&
			jq_file "$T/out" 'type=="object"' 2>/dev/null ||
			bad "$R_NAME: stdout is not one JSON object on one line: $(head -c 400 "$T/out")"
		iconv -f UTF-8 -t UTF-8 "$T/out" >/dev/null 2>&1 ||
			bad "$R_NAME: stdout is not valid UTF-8: $(head -c 400 "$T/out" | od -c | head -5)"
	elif [ "$RC" = 1 ] || { [ "$RC" = 0 ] && [[ $verb =~ ^(ADD|VERSION)$ ]]; }; then
		bad "$R_NAME: nothing on stdout (rc $RC)"
	fi
	if [ "$RC" = 0 ] && [[ $verb =~ ^(DEL|CHECK|GC|STATUS)$ ]] && [ -s "$T/out" ]; then
		bad "$R_NAME: $verb printed something on success: $OUT"
	fi
	tl_sanitizer_check "$R_NAME"
	if [ ${#WRAP[@]} -gt 0 ]; then
		if [ "$RC" = 99 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$T/vg.log"; then
			bad "$R_NAME: valgrind reports errors"
			cat "$T/vg.log"
		fi
	fi
	after=$(snap)
	if [ -n "$(find "$STATE" "$DEVINFO" "$ALT" "$MULTUS" \( -name '.*' -o -name '*.tmp' \) 2>/dev/null)" ]; then
		bad "$R_NAME: temp files left: $(find "$STATE" "$DEVINFO" "$ALT" "$MULTUS" \( -name '.*' -o -name '*.tmp' \))"
	fi
	if [ "$RC" != 0 ] && [ "$verb" != DEL ]; then
		[ "$before" = "$after" ] || bad "$R_NAME: failed, yet changed files: $(diff <(echo "$before") <(echo "$after") | head -20)"
	else
		# Only this attachment's own files may change.
		own=(-e "${R_ENV[CNI_CONTAINERID]:-@@}" -e "$(tl_esc "${R_ENV[CNI_CONTAINERID]:-@@}" -_)")
		[ "$(grep -vF "${own[@]}" <<<"$before")" = "$(grep -vF "${own[@]}" <<<"$after")" ] ||
			bad "$R_NAME: changed another attachment's files: $(diff <(echo "$before") <(echo "$after") | head -20)"
	fi

	# The expected outcome.
	if [ "$want" = ok ]; then
		expect_ok "$R_NAME"
	else
		expect_code "$R_NAME" "$want"
	fi
	eval "$R_POST"
	# An ADD that succeeded is undone with the row's own input, as DEL.
	if [ "$verb" = ADD ] && [ "$RC" = 0 ]; then
		R_ENV[CNI_COMMAND]=DEL
		ev=(PATH=/usr/sbin:/usr/bin:/sbin:/bin)
		for k in "${!R_ENV[@]}"; do ev+=("$k=${R_ENV[$k]}"); done
		env -i "${ev[@]}" "$PFLINK" < "$R_IN" > /dev/null 2>&1 || bad "$R_NAME: DEL after it failed"
		grep -qF -e "${R_ENV[CNI_CONTAINERID]}" -e "$(tl_esc "${R_ENV[CNI_CONTAINERID]}" -_)" <<<"$(snap)" &&
			bad "$R_NAME: DEL after it left files"
	fi
	eval "$R_CLEAN"
	# Undo pre_add leftovers of rows whose DEL did not run or failed.
	rm -rf "$STATE/${R_ENV[CNI_CONTAINERID]:-@@}"_* "$DEVINFO"/*"-$(tl_esc "${R_ENV[CNI_CONTAINERID]:-@@}" -_)"_*
	if [ "$RC" = 0 ]; then got=ok; else got=$(jq -r '.code // empty' "$T/out" 2>/dev/null); got=${got:-rc$RC}; fi
	TABLE+=("$(printf '%-40s %-8s %-6s %-6s %6s  %s' "$R_NAME" "$verb" "$want" "$got" "${ms}ms" \
		"$([ "$TL_FAIL" = "$fail0" ] && echo PASS || echo FAIL)")")
}

while IFS='|' read -r flags name verb want setup; do
	[ -n "$name" ] || continue
	if [ ${#WRAP[@]} -gt 0 ] && [[ $flags != *v* ]]; then continue; fi
	run_row "$flags" "$name" "$verb" "$want" "$setup"
done <<<"$ROWS"

# In valgrind mode, prove the shim reached the client: the ADD rows above
# could not have succeeded otherwise, but say it outright.
if [ ${#WRAP[@]} -gt 0 ]; then
	OUT=$(conf 1.1.0 '' net1 "$NS" | env CNI_COMMAND=ADD CNI_CONTAINERID=mx-vgshim CNI_NETNS="$NS" \
		CNI_IFNAME=net1 CNI_PATH=/x LD_PRELOAD="$RSHIM" PFLINK_TEST_BUSINFO_LOG="$T/shim.log" \
		"${WRAP[@]}" "$PFLINK" 2>"$T/stderr")
	check "valgrind: the LD_PRELOAD shim answered inside the valgrind client" grep -q 'bus_info=0000:01:10.0' "$T/shim.log"
	# What the kernel saw: valgrind answered openat2 itself (ENOSYS), so
	# sysfs was read through pflink's fallback walk -- no openat2 reached
	# the kernel and the walk read the physfn link by name.
	# (strace is required in this mode: without it these checks would
	# vanish and the fallback would go unproven.)
	conf 1.1.0 '' net1 "$NS" | env CNI_COMMAND=CHECK CNI_CONTAINERID=mx-vgshim CNI_NETNS="$NS" \
		CNI_IFNAME=net1 CNI_PATH=/x LD_PRELOAD="$RSHIM" \
		strace -f -qq -e trace=openat2,readlinkat -o "$T/vg.strace" "${WRAP[@]}" "$PFLINK" >/dev/null 2>&1
	check "valgrind: sysfs read through the fallback walk (readlinkat physfn)" grep -q 'readlinkat(.*"physfn"' "$T/vg.strace"
	check "valgrind: no openat2 reached the kernel" bash -c "[ -s '$T/vg.strace' ] && ! grep -q 'openat2(' '$T/vg.strace'"
	conf 1.1.0 '' net1 "$NS" | env CNI_COMMAND=DEL CNI_CONTAINERID=mx-vgshim CNI_IFNAME=net1 "$PFLINK" >/dev/null 2>&1
fi

check "the other pod's state is intact" jq_file "$STATE/mx-keep_net1.json" '.vfPciAddress=="0000:01:10.2" and .network=="keep-net"'
echo
printf '%-40s %-8s %-6s %-6s %6s  %s\n' row verb expect got time result
printf '%s\n' "${TABLE[@]}"
echo "$NROWS rows in $(( ($(date +%s%N) - START) / 1000000 )) ms"
tl_summary
