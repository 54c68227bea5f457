#!/bin/bash
# SPDX-License-Identifier: MIT
# 100 pods attached, checked and detached in parallel, agent up: every
# answer names the pod's own VF and PF, no record is lost or mixed.
# Usage: concurrency.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
. "$(dirname "$0")/lib.sh"
tl_skip_unless_root "concurrency.sh"
PFLINKD=$2 CTL=$3 N=${PFLINK_CONC_N:-100}
tl_setup "$1" "$4" "$5"
# shellcheck source=../fixtures/sysfs.sh
. "$FIXTURE"
SOCK=$T/pflinkd.sock

# One more PF with N VFs: 0000:0a:00.0, VFs 0000:0a:DD.F from 0a:10.0 on.
fx_pf "$SYS" 0000:0a:00.0 igb 128 >/dev/null
vfbdf() { printf '0000:0a:%02x.%d' $((0x10 + $1 / 8)) $(($1 % 8)); }
# MACs carry the run's tag: two suites running at once on one machine must
# not see each other's links as their own (the shim maps by MAC).
M1=${TAG:0:2} M2=${TAG:2:2}
tl_dev "pfc$TAG" "02:$M1:$M2:0a:00:00" 0000:0a:00.0 igb
for i in $(seq 0 $((N - 1))); do
	fx_vf "$SYS" 0000:0a:00.0 "$i" "$(vfbdf "$i")" igbvf >/dev/null
	mac=$(printf '02:%s:%s:01:%02x:%02x' "$M1" "$M2" $((i / 256)) $((i % 256)))
	echo "$mac $(vfbdf "$i") igbvf" >> "$MAP"
	echo "netns add cc$TAG-$i" >> "$T/ns.batch"
	echo "link add c$i$TAG address $mac type veth peer name c$i${TAG}p" >> "$T/ln.batch"
	echo "link set c$i$TAG netns cc$TAG-$i name net1" >> "$T/mv.batch"
	TL_NETNS="$TL_NETNS cc$TAG-$i"; TL_LINKS="$TL_LINKS c$i${TAG}p"
done
ip -batch "$T/ns.batch" && ip -batch "$T/ln.batch" && ip -batch "$T/mv.batch"

LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" 2>"$T/agent.log" &
AGENT=$!
trap 'kill $AGENT 2>/dev/null; wait $AGENT 2>/dev/null; tl_cleanup' EXIT
for _ in $(seq 100); do "$CTL" --socket "$SOCK" health >/dev/null 2>&1 && break; sleep 0.05; done

one() {	# one VERB I: run pflink for pod i, output in $T/out.VERB.i
	local v=$1 i=$2 ns=/run/netns/cc$TAG-$2 c
	c=$(conf 1.1.0 '' net1 "$ns" | jq -c --arg s "$SOCK" '.agentSocket=$s')
	[ "$v" = CHECK ] && c=$(jq -c --slurpfile p "$T/out.ADD.$i" '.prevResult=$p[0]' <<<"$c")
	printf '%s' "$c" | env CNI_COMMAND="$v" CNI_CONTAINERID="pod$i" CNI_NETNS="$ns" CNI_IFNAME=net1 \
		CNI_ARGS="K8S_POD_NAMESPACE=conc;K8S_POD_NAME=p$i" LD_PRELOAD="$SHIM" "$PFLINK" \
		>"$T/out.$v.$i" 2>"$T/err.$v.$i"
	echo $? >"$T/rc.$v.$i"
}
for v in ADD CHECK DEL; do
	for i in $(seq 0 $((N - 1))); do one "$v" "$i" & done
	wait $(jobs -p | grep -vx "$AGENT")
	bad_n=0
	for i in $(seq 0 $((N - 1))); do
		[ "$(cat "$T/rc.$v.$i")" = 0 ] || { bad_n=$((bad_n + 1)); [ $bad_n -le 3 ] && cat "$T/out.$v.$i" "$T/err.$v.$i"; }
	done
	check "$N parallel $v all succeeded" test "$bad_n" = 0
	if [ "$v" = ADD ]; then
		wrong=0
		for i in $(seq 0 $((N - 1))); do
			jq_file "$T/out.ADD.$i" --arg vf "$(vfbdf "$i")" '(.interfaces[] | select(.name=="net1") | .pciID==$vf) and ([.interfaces[] | select(.pciID=="0000:0a:00.0")] | length==1)' ||
				wrong=$((wrong + 1))
			jq_file "$STATE/pod${i}_net1.json" --arg vf "$(vfbdf "$i")" --arg c "pod$i" --arg p "p$i" '.vfPciAddress==$vf and .containerID==$c and .podName==$p' 2>/dev/null ||
				wrong=$((wrong + 1))
		done
		check "every ADD result and record names its own VF and pod" test "$wrong" = 0
		check "$N records, no temp files" test "$(ls "$STATE" | grep -c '^pod.*json$')" = "$N" -a -z "$(find "$STATE" -name '.*')"
		sleep 0.5
		check "the agent names all $N pods" \
			jq_cmd "'$CTL' --socket '$SOCK' --json pf 0000:0a:00.0" --argjson n "$N" '[.pf.vfs[] | select(.pod.namespace=="conc")] | length==$n'
	fi
done
check "DEL left no record and no device-info" test -z "$(ls -A "$STATE" "$DEVINFO" 2>/dev/null | grep json)"
check "agent alive" "$CTL" --socket "$SOCK" health
tl_summary
