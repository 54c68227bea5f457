#!/bin/bash
# SPDX-License-Identifier: MIT
# The man pages (docs/man/*.scd, made into roff by the build):
#   - each renders with man -l, as lintian runs it, without a warning, and
#     has the sections it promises;
#   - pflinkd(8) and pflinkctl(8) list exactly the flags of the program's
#     --help, pflinkctl(8) exactly its commands, and --help lists exactly
#     what the program accepts: every name in the binary's read-only data
#     is tried as --NAME (and every letter as -L) and the program says
#     whether it knows it;
#   - pflink(8) lists exactly the network configuration keys pflink reads:
#     every name in its read-only data is set to -1, a value wrong for
#     every key, and STATUS names the key in error 7 when pflink reads it.
# Each difference is one FAIL line naming the flag, key or command and
# the file to add it to.
# Usage: man.sh MANDIR PFLINK PFLINKD PFLINKCTL
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/lib.sh"
. "$here/lib.sh"
set -o pipefail
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
MANDIR=$(abs "$1") PFLINK=$(abs "$2") PFLINKD=$(abs "$3") PFLINKCTL=$(abs "$4")
SRC=$(cd "$here/../.." && pwd)/docs/man
for t in man objcopy strings jq comm; do
	command -v "$t" >/dev/null || { echo "FAIL: $t not installed (bash hack/deps.sh --test)"; exit 1; }
done
T=$(mktemp -d /tmp/pflink-man.XXXXXX)
trap 'rm -rf "$T"' EXIT
unset POSIXLY_CORRECT

# Rendering: lintian's own call (its groff-message check), then the text.
for p in pflink pflinkd pflinkctl; do
	f=$MANDIR/$p.8.gz
	[ -s "$f" ] || { bad "$f was not built"; continue; }
	LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$f" \
		>/dev/null 2>"$T/$p.err"
	check "$p(8): man --warnings -l renders it without a warning$( [ -s "$T/$p.err" ] && printf ': %s' "$(head -c 300 "$T/$p.err")")" \
		test ! -s "$T/$p.err"
	MANWIDTH=80 MANPAGER=cat man -l "$f" > "$T/$p.txt" 2>&1
	want="NAME SYNOPSIS DESCRIPTION EXIT_STATUS FILES EXAMPLES SEE_ALSO"
	case $p in
	pflink) want="$want CONFIGURATION ENVIRONMENT" ;;
	pflinkd) want="$want OPTIONS SOCKET METRICS" ;;
	pflinkctl) want="$want COMMANDS OPTIONS" ;;
	esac
	missing=""
	for s in $want; do grep -qx "${s//_/ }" "$T/$p.txt" || missing="$missing ${s//_/ }"; done
	check "$p(8): man -l shows $p and the sections${missing:+ (missing:$missing)}" \
		sh -c "[ -z '$missing' ] && grep -q '^ *$p - ' '$T/$p.txt'"
done

# same WHAT A-LIST A-NAME B-LIST B-NAME: one FAIL per name in one list
# and not the other.
same() {
	local what=$1 a=$2 an=$3 b=$4 bn=$5 x n=0
	for x in $(comm -23 "$a" "$b"); do bad "$what $x: in $an, not in $bn"; n=$((n + 1)); done
	for x in $(comm -13 "$a" "$b"); do bad "$what $x: in $bn, not in $an"; n=$((n + 1)); done
	[ $n = 0 ] && ok "$what: $an and $bn list the same $(wc -l < "$a"): $(tr '\n' ' ' < "$a")"
}

# The flags a program accepts, by trying them: each try is followed by an
# option nobody knows, so the program stops there and starts nothing (and
# pflinkd, should it start, is given a socket of its own).  An
# abbreviation getopt accepts of a listed flag is not a flag of its own.
try_pflinkd() { (cd "$T" && timeout 10 "$PFLINKD" --socket "$T/probe.sock" "$@" 2>&1 >/dev/null); }

# pflinkd's long options, in glibc getopt's own words (pflinkd lets it
# speak): "--P=x" names every option beginning with P when there are
# several, or the one there is when it takes no value; one that takes a
# value names itself when it is given none.
pflinkd_long() {
	local p err n
	for p in {a..z}; do
		err=$(try_pflinkd "--$p=x" --zz9-probe)
		case $err in
		*"unrecognized option '--$p=x'"*) continue ;;
		*"is ambiguous; possibilities:"*)
			grep -oE "'--[a-z0-9-]+'" <<< "${err#*possibilities:}" | tr -d "'"; continue ;;
		*"' doesn't allow an argument"*) n=${err#*option \'}; echo "${n%%\'*}"; continue ;;
		esac
		err=$(try_pflinkd "--$p")
		case $err in
		*"' requires an argument"*) n=${err#*option \'}; echo "${n%%\'*}" ;;
		*) bad "pflinkd takes an option beginning --$p that this test cannot name" ;;
		esac
	done
}

# accepted PROG CANDIDATES: the candidates PROG knows.  pflinkd is tried
# with --NAME=x and -Lx (a bare value after an option that takes one
# would be its argument); pflinkctl, whose getopt is quiet and calls
# --NAME=x of a flag without a value unknown, with --NAME and -L.
accepted() {
	local prog=$1 c arg err
	sort -u "$2" | while read -r c; do
		if [ "$prog" = "$PFLINKD" ]; then
			case $c in --*) arg="$c=x" ;; *) arg="${c}x" ;; esac
			err=$(try_pflinkd "$arg" --zz9-probe)
		else
			arg=$c
			err=$("$prog" "$arg" --zz9-probe 2>&1 >/dev/null)
		fi
		[[ $err == *@(unrecognized|unknown)" option '$arg'"* || $err == *"invalid option -- '${c#-}'"* ]] ||
			echo "$c"
	done > "$T/accepted.raw"
	while read -r c; do
		[[ $c == --* ]] && grep -q -- "^$c." "$T/help" && continue
		echo "$c"
	done < "$T/accepted.raw"
}

for p in pflinkd pflinkctl; do
	bin=$PFLINKD
	[ $p = pflinkctl ] && bin=$PFLINKCTL
	help_flags "$bin" > "$T/help" || bad "$p --help failed"
	man_flags "$SRC/$p.8.scd" > "$T/man"
	[ -s "$T/help" ] && [ -s "$T/man" ] || bad "$p: no flags found in --help or in $p.8.scd"
	same "$p flag" "$T/help" "$p --help" "$T/man" "docs/man/$p.8.scd (OPTIONS)"
	{
		grep -- '^--' "$T/help"
		printf -- '-%s\n' {a..z} {A..Z}
		if [ $p = pflinkd ]; then
			pflinkd_long
		else	# every name in its read-only data
			rodata_words "$bin" '^[a-z][a-z0-9-]+$' | sed 's/^/--/'
		fi
	} > "$T/cand"
	accepted "$bin" "$T/cand" > "$T/acc"
	same "$p flag" "$T/acc" "what $p accepts" "$T/help" "$p --help"
done

help_commands "$PFLINKCTL" > "$T/help"
man_entries "$SRC/pflinkctl.8.scd" COMMANDS > "$T/man"
same "pflinkctl command" "$T/help" "pflinkctl --help" "$T/man" "docs/man/pflinkctl.8.scd (COMMANDS)"
# Every name in its read-only data, and --help's own: the linker keeps
# "vf" only as the tail of "pcivf", where strings(1) does not see it.
{ rodata_words "$PFLINKCTL" '^[a-z]+$'; cat "$T/help"; } | sort -u | while read -r c; do
	err=$("$PFLINKCTL" --socket "$T/none" --timeout 100 "$c" 2>&1 >/dev/null)
	[[ $err == *"unknown command '$c'"* ]] || echo "$c"
done | sort -u > "$T/acc"
same "pflinkctl command" "$T/acc" "what pflinkctl accepts" "$T/help" "pflinkctl --help"

# pflink: a key it reads, set to -1 (a value wrong for every key), makes
# it fail with code 7 naming the key.  All candidates go in one config,
# each in turn named and put back valid: one run per key, not per
# candidate.  The rest of the config is valid and asks nothing of this
# machine (no agent, no sysfs: STATUS then fails with 50).  The members of
# an object-valued key (runtimeConfig) are found the same way one level
# down, and stand for it.
declare -A BASE=([cniVersion]='"1.1.0"' [name]='"probe"' [type]='"pflink"' [agentSocket]='""'
	[sysfsRoot]='"/nonexistent"')
# config MEMBER...: the base config with these '"key":value' members, each
# in place of the base's own.
config() {
	local conf="{" k m
	local -A set=()
	for m in "$@"; do k=${m%%\":*}; set[${k#\"}]=1; conf+="$m,"; done
	for k in "${!BASE[@]}"; do [ -n "${set[$k]:-}" ] || conf+="\"$k\":${BASE[$k]},"; done
	printf '%s}' "${conf%,}"
}
# named CONFIG: the field pflink names in error 7 for CONFIG, if any.
named() {
	local out
	out=$(printf '%s' "$1" | env -i CNI_COMMAND=STATUS CNI_CONTAINERID=probe CNI_NETNS=/nonexistent \
		CNI_IFNAME=net1 "$PFLINK" 2>/dev/null)
	[[ $out == *'"code":7,'*'field \"'* ]] || return 0
	out=${out#*'field \"'}
	printf '%s\n' "${out%%'\"'*}"
}
# keys_read [OBJECT] < CANDIDATES: the candidates pflink reads, at the top
# or inside OBJECT (what goes wrong: in $T/errors).
keys_read() {
	local obj=$1 f c in n=0
	local -a m
	local -A left=()
	while read -r c; do left[$c]=1; done
	while [ $n -le 200 ]; do
		m=() in=""
		for c in "${!left[@]}"; do m+=("\"$c\":-1"); in+="\"$c\":-1,"; done
		[ -z "$obj" ] || m=("\"$obj\":{${in%,}}")
		f=$(named "$(config "${m[@]}")")
		[ -n "$f" ] || return 0
		[ -z "$obj" ] || f=${f#"$obj."}
		if [ -z "${left[$f]:-}" ]; then
			echo "pflink names '${obj:+$obj.}$f', which is not among the keys tried" >> "$T/errors"
			return 0
		fi
		echo "$f"
		unset "left[$f]"
		n=$((n + 1))
	done
	echo "pflink: more than 200 keys${obj:+ in $obj}?" >> "$T/errors"
}
man_entries "$SRC/pflink.8.scd" CONFIGURATION > "$T/man"
{ rodata_words "$PFLINK" '^[A-Za-z][A-Za-z0-9./_-]+$'; cat "$T/man"; sed 's/\./\n/' "$T/man"; } |
	sort -u > "$T/cand"
keys_read "" < "$T/cand" | while read -r k; do
	members=""
	# An object-valued key ({} is a valid value): its members.
	[ -n "$(named "$(config "\"$k\":{}")")" ] || members=$(keys_read "$k" < "$T/cand")
	if [ -n "$members" ]; then printf "$k.%s\n" $members; else echo "$k"; fi
done | sort -u > "$T/acc"
while read -r e; do bad "$e"; done < <(cat "$T/errors" 2>/dev/null)
check "pflink: the probe finds the keys it is known to read (sysfsRoot, runtimeConfig.CNIDeviceInfoFile)" \
	sh -c "grep -qx sysfsRoot '$T/acc' && grep -qx runtimeConfig.CNIDeviceInfoFile '$T/acc'"
same "pflink configuration key" "$T/acc" "what pflink reads" "$T/man" "docs/man/pflink.8.scd (CONFIGURATION)"

tl_summary
