#!/bin/bash
# SPDX-License-Identifier: MIT
# pflinkctl's bash completion (packaging/pflinkctl.bash-completion),
# sourced into bash and asked for the completions of partial command
# lines, against a real pflinkd in this test's own namespaces: PFs and
# VFs (veth links with the test shim's bus addresses), a pod netns, a
# pod's record written by pflink ADD.  What it offers is checked against
# pflinkctl --help and against pflinkd's own answer, read with jq.
# Usage: completion.sh PFLINK PFLINKD PFLINKCTL SHIM FIXTURE_SCRIPT
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
. "$here/lib.sh"
tl_skip_unless_root "completion.sh"
tl_own_namespaces "$0" "$@"
set -o pipefail
PFLINKD=$2 CTL=$3
tl_setup "$1" "$4" "$5"
COMPLETION=$here/../../packaging/pflinkctl.bash-completion
SOCK=$T/pflinkd.sock

LD_PRELOAD="$SHIM" "$PFLINKD" --socket "$SOCK" --sysfs "$SYS" --state-dir "$STATE" \
	--rescan-ms 300 2>>"$T/agent.log" &
AGENT=$!
trap 'kill "$AGENT" 2>/dev/null; wait "$AGENT" 2>/dev/null; tl_cleanup' EXIT
# until CMD: retry up to 5 s (the map is eventually consistent).
until_ok() { for _ in $(seq 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

# MACs no other suite uses: a pflinkd of another suite running meanwhile
# sees this netns through /proc, and the shim maps links by MAC.
tl_dev "pfa$TAG" 02:c0:00:01:00:00 0000:01:00.0 igb
tl_dev "pfb$TAG" 02:c0:00:02:00:00 0000:02:00.0 igb
tl_dev "va0$TAG" 02:c0:01:10:00:00 0000:01:10.0 igbvf
tl_dev "va1$TAG" 02:c0:01:10:02:00 0000:01:10.2 igbvf
tl_dev "vb0$TAG" 02:c0:02:10:00:00 0000:02:10.0 igbvf
POD=cpod-$TAG NS=/run/netns/cpod-$TAG
tl_netns "$POD"
ip link set "va0$TAG" netns "$POD" name net1
CONF=$(conf 1.1.0 '' net1 "$NS" | jq -c --arg s "$SOCK" '.agentSocket=$s')
CID=c1 pflink_run ADD "$NS" net1 "$CONF" "K8S_POD_NAMESPACE=team-a;K8S_POD_NAME=web-0;K8S_POD_UID=u1"
expect_ok "pflink ADD records pod team-a/web-0"
check "pflinkd names the pod of VF 0000:01:10.0" \
	until_ok jq_cmd "\"\$CTL\" --socket \"\$SOCK\" --json vf 0000:01:10.0" '.vf.pod.name == "web-0"'

# pflinkd's answer, read with jq: what the completion must offer.
if ! show=$("$CTL" --socket "$SOCK" --json show) || [ -z "$show" ]; then
	bad "pflinkctl --json show failed"; tl_summary; exit 1
fi
jq -r '.pfs[].pciAddress' <<< "$show" | sort > "$T/want.pf"
jq -r '.pfs[].vfs[].pciAddress' <<< "$show" | sort > "$T/want.vf"
jq -r '.pfs[].vfs[] | select(.pod) | .pod.namespace + "/" + .pod.name' <<< "$show" | sort -u > "$T/want.pod"
check "pflinkd's answer has the PFs, VFs and pod made here" \
	sh -c "grep -qx 0000:01:00.0 '$T/want.pf' && grep -qx 0000:02:00.0 '$T/want.pf' &&
		grep -qx 0000:01:10.2 '$T/want.vf' && grep -qx 0000:02:10.0 '$T/want.vf' &&
		[ \"\$(cat '$T/want.pod')\" = team-a/web-0 ]"

# complete LINE: what bash would put in place of the word being completed,
# one per line (sorted), as a fresh interactive bash does: the script
# sourced, COMP_LINE and COMP_POINT set, the function complete bound to
# pflinkctl called.  Then the whole word: bash replaces only the part
# after the last ':' or '=' (COMP_WORDBREAKS), so that part is put back.
complete_line() {
	PATH=$(dirname "$CTL"):$PATH bash --norc --noprofile -c '
		. "$1" || exit 1
		f=$(complete -p pflinkctl | sed -n "s/.*-F \([^ ]*\) pflinkctl$/\1/p")
		[ -n "$f" ] || { echo "no completion bound to pflinkctl" >&2; exit 1; }
		COMP_LINE=$2 COMP_POINT=${#2}
		read -ra COMP_WORDS <<< "$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		"$f" pflinkctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" || exit 1
		cur=${COMP_WORDS[COMP_CWORD]}
		pre=${cur%"${cur##*[:=]}"}
		for r in "${COMPREPLY[@]}"; do printf "%s%s\n" "$pre" "$r"; done
	' _ "$COMPLETION" "$1" | sort
}
# offers WHAT LINE WANT-FILE: the completions of LINE are exactly WANT-FILE.
offers() {
	local got
	if ! got=$(complete_line "$2"); then bad "$1: completing '$2' failed"; return; fi
	if [ "$got" = "$(cat "$3")" ]; then
		ok "$1: '$2' -> $(tr '\n' ' ' < "$3")"
	else
		bad "$1: '$2' -> '$(printf '%s' "$got" | tr '\n' ' ')', want '$(tr '\n' ' ' < "$3")'"
	fi
}

help_commands "$CTL" > "$T/want.cmd"
help_flags "$CTL" > "$T/want.flags"
grep -- '^--' "$T/want.flags" > "$T/want.long"
offers "the commands of pflinkctl --help" "pflinkctl " "$T/want.cmd"
offers "every flag of pflinkctl --help" "pflinkctl -" "$T/want.flags"
offers "the long options of pflinkctl --help" "pflinkctl --" "$T/want.long"
grep '^h' "$T/want.cmd" > "$T/want.h"
offers "a command from its first letter" "pflinkctl h" "$T/want.h"
offers "options after a command (getopt takes them anywhere)" "pflinkctl show --" "$T/want.long"
offers "pf: the PFs pflinkd knows" "pflinkctl --socket $SOCK pf " "$T/want.pf"
offers "vf: the VFs pflinkd knows" "pflinkctl --socket $SOCK vf " "$T/want.vf"
grep '^0000:01:1' "$T/want.vf" > "$T/want.vf01"
offers "vf: a partial address across its colons" "pflinkctl -s $SOCK vf 0000:01:1" "$T/want.vf01"
offers "pod: NAMESPACE/NAME of the pods pflinkd names" "pflinkctl --socket=$SOCK pod " "$T/want.pod"
offers "pod: from a partial namespace" "pflinkctl --socket $SOCK --json pod team-" "$T/want.pod"
: > "$T/none"
offers "nothing after the one argument" "pflinkctl --socket $SOCK pf 0000:01:00.0 " "$T/none"
offers "nothing for a command with no argument" "pflinkctl --socket $SOCK show " "$T/none"
offers "no pflinkd on the socket: no address, no error" "pflinkctl --socket $T/nothing pf " "$T/none"
offers "nothing for --timeout's value" "pflinkctl --timeout " "$T/none"
printf '%s\n' "$T/pflinkd.sock" > "$T/want.sock"
offers "--socket's value is a file name" "pflinkctl --socket $T/pflinkd.s" "$T/want.sock"

tl_summary
