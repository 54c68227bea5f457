#!/bin/bash
# SPDX-License-Identifier: MIT
# Shell checks that cannot fail.  jq 1.6 exits 0 on empty input, with -e
# too, so a check written "cmd | jq -e F" passes whenever cmd fails and
# prints nothing (test/checks.sh has the helpers that do not).  This flags,
# in the bash scripts under test/ and hack/:
#   pipe-jq-e   a command piped into jq -e (--exit-status): its status and
#               its silence are lost; use jq_cmd, or capture the output
#               with its status checked and use jq_text
#   procsub-jq-e  jq -e reading a process substitution <(cmd): the same
#   curl-jq     curl piped into jq (-e or not): curl -sf prints nothing on
#               an error, and an empty answer looks like an empty result
#   pipefail    a bash script without pipefail in effect (set in it, or
#               in a library it sources)
# A line is one logical line: "\"-continued lines and lines ending in a
# pipe or && are joined; whole-line comments and here-documents are
# skipped.
#
# usage: lint-checks.sh [FILE...]   (default: every *.sh under test/, hack/)
#        lint-checks.sh --self-test (the old patterns must be flagged, and
#                                    only they)
set -uo pipefail
shopt -s extglob
cd "$(dirname "$0")/.."

FOUND=0
report() {	# report FILE LINE RULE TEXT
	FOUND=$((FOUND + 1))
	printf '%s:%s: %s: %s\n' "$1" "$2" "$3" "$(sed 's/^[[:space:]]*//' <<<"$4" | cut -c1-160)"
}

# jq_e WORDS: the rest of a jq command (quoted strings already blanked)
# asks for -e / --exit-status.  jq takes options anywhere among its
# arguments; --arg and friends take two values.
jq_e() {
	local -a w
	local i=0 t b=$1
	# Operators glued to a word end the command all the same.
	for t in ';' '|' '&' '(' ')' '<' '>'; do b=${b//"$t"/ $t }; done
	read -r -a w <<<"$b"
	while [ "$i" -lt "${#w[@]}" ]; do
		t=${w[i]}
		case $t in
		';'* | '|'* | '&'* | ')'* | '>'* | '<'*) return 1 ;;
		--exit-status) return 0 ;;
		--arg | --argjson | --slurpfile | --rawfile) i=$((i + 2)) ;;
		--*) ;;
		-+([a-zA-Z])) [[ $t == *e* ]] && return 0 ;;
		esac
		i=$((i + 1))
	done
	return 1
}

# lint_line FILE LINE TEXT
lint_line() {
	local f=$1 n=$2 s=$3 m pre post bare stage piped
	while [[ $s =~ (^|[^[:alnum:]_./$-])jq([[:space:]]+(.*))?$ ]]; do
		m=${BASH_REMATCH[0]} post=${BASH_REMATCH[3]}
		pre=${s:0:${#s}-${#m}}${BASH_REMATCH[1]}
		# Quoted strings (the filter, --arg values) say nothing of options.
		bare=${post//\'*([^\'])\'/ Q }
		bare=${bare//\"*([^\"])\"/ Q }
		piped=0
		[[ $pre =~ (^|[^|])\|[[:space:]]*$ ]] && piped=1
		if [ "$piped" = 1 ]; then
			stage=${pre%|*}
			stage=${stage##*|}
			[[ $stage =~ (^|[^[:alnum:]_-])curl[[:space:]] ]] &&
				report "$f" "$n" curl-jq "$3"
		fi
		if jq_e "$bare"; then
			if [ "$piped" = 1 ]; then
				report "$f" "$n" pipe-jq-e "$3"
			elif [[ ${bare%%[;|&]*} == *'<('* ]]; then
				report "$f" "$n" procsub-jq-e "$3"
			fi
		fi
		s=$post
	done
}

# logical FILE: "LINE<TAB>TEXT" for each logical line that runs jq:
# "\"-continued lines and lines ending in a pipe or && joined; whole-line
# comments and here-document bodies (data, and this script's own cases)
# left out.
logical() {
	awk '
	function flush() { if (buf ~ /(^|[^[:alnum:]_.\/$-])jq([[:space:]]|$)/) printf "%d\t%s\n", start, buf; buf = "" }
	doc != "" { if ($0 == doc || (strip && $0 ~ "^\t*" doc "$")) doc = ""; next }
	{
		if (buf == "") { if ($0 ~ /^[[:space:]]*#/) next; start = FNR }
		line = $0
		if (match(line, /<<-?[[:space:]]*["\047]?[A-Za-z_]+["\047]?/)) {
			d = substr(line, RSTART, RLENGTH); strip = (d ~ /^<<-/)
			gsub(/^<<-?[[:space:]]*|["\047]/, "", d); doc = d
		}
		if (line ~ /\\$/) { buf = buf substr(line, 1, length(line) - 1) " "; next }
		if (line ~ /(\||&&)[[:space:]]*$/) { buf = buf line " "; next }
		buf = buf line; flush()
	}
	END { if (buf != "") flush() }' "$1"
}

lint_file() {	# lint_file FILE
	local n text
	while IFS=$'\t' read -r n text; do
		lint_line "$1" "$n" "$text"
	done < <(logical "$1")
}

# pipefail: in effect in every bash script (a file with a bash #! line);
# files without one are libraries, sourced by such scripts.  A script has
# it when it sets it, or sources a file that does (followed through the
# libraries it sources in turn).
# A script's own "set -o pipefail" may stand in a branch (sysfs.sh sets it
# only when run, not when sourced); a sourced file's counts only at its
# top level, where it runs whenever it is sourced.
sets_pipefail() {	# sets_pipefail FILE [top]
	local indent='[[:space:]]*'
	[ "${2:-}" = top ] && indent=
	grep -Eq "^${indent}set[[:space:]]+-[[:alpha:]]*o[[:space:]]+pipefail" "$1"
}
declare -A HAS
has_pipefail() {	# has_pipefail FILE [top]: FILE (sourced, with "top") has it
	local f=$1 src d
	[ -n "${HAS[$f${2:+:top}]:-}" ] && { [ "${HAS[$f${2:+:top}]}" = 1 ]; return; }
	HAS[$f${2:+:top}]=0	# a cycle of sources proves nothing
	if sets_pipefail "$f" "${2:-}"; then
		HAS[$f${2:+:top}]=1
		return 0
	fi
	d=$(dirname "$f")
	# ". PATH" / "source PATH", PATH as the scripts write it: relative to
	# the script's own directory through $(dirname ...) or $HERE.
	while read -r src; do
		src=${src//\"/}
		src=${src//\$\(dirname \$0\)/$d}
		src=${src//\$\(dirname \$\{BASH_SOURCE\[0\]\}\)/$d}
		src=${src//\$HERE/$d}
		src=${src//\$NODE_SRC/.}
		[ -f "$src" ] && has_pipefail "$(realpath --relative-to=. "$src")" top && { HAS[$f${2:+:top}]=1; return 0; }
	done < <(sed -nE 's/^[[:space:]]*(\.|source)[[:space:]]+([^;#]*[^;#[:space:]]).*/\2/p' "$f")
	return 1
}
lint_pipefail() {	# lint_pipefail FILE
	head -n1 "$1" | grep -Eq '^#!.*bash' || return 0
	has_pipefail "$1" || report "$1" 1 pipefail "no set -o pipefail in effect (set it, or source test/checks.sh)"
}

self_test() {
	local d bad=0 got want
	d=$(mktemp -d)
	trap 'rm -rf "$d"' RETURN
	# The old patterns (each was in the tree) and the ways that are fine.
	# Columns: the rules the line must raise (- for none) | the line.
	cat >"$d/cases" <<'EOF'
pipe-jq-e|		pq "$1" | jq -e "$2" >/dev/null 2>&1 && return 0
curl-jq|pq() { curl -sf --max-time 10 --data-urlencode "query=$1" "$PURL/api/v1/query" | jq -c '.data.result'; }
curl-jq pipe-jq-e|	curl -sf --max-time 5 --data-urlencode "query=$q" "$PURL/api/v1/query" | jq -e '.status == "success"' >/dev/null || bad_q="$bad_q [$q]"
pipe-jq-e|check "garbage line: error answer" eval "printf 'hello\n' | raw | jq -e '.ok==false'"
pipe-jq-e|nudge() { printf '{"v":1,"op":"nudge"}\n' | raw | jq -e .ok >/dev/null; }
pipe-jq-e|jqe() { printf '%s' "$OUT" | jq -e "$@" >/dev/null; }
pipe-jq-e|	eval "ctl --json show | jq -e --arg n pfa$TAG '.pfs[] | select(.pciAddress==\"0000:01:00.0\") | .netdevs[0].name==\$n'"
procsub-jq-e|if [ "$RC" != 0 ] && jq -e '.code==104' <(tail -n1 "$T/stderr") >/dev/null 2>&1; then
pipe-jq-e|check "pflink's ADD failed with code 101" sh -c "grep '^ADD .* rc=1 ' '$CALLS' | sed 's/.* out=//' | jq -e '.code==101'"
pipe-jq-e|		sh -c "printf '%s' \"\$1\" | jq -e --arg b \"\$(basename '$ns')\" --argjson i $inode '.vf.netdevs[0].netns == \"/run/netns/\" + \$b'" _ "$out"
pipe-jq-e|	if [ "$(printf '%s\n' "$OUT" | wc -l)" != 1 ] || ! got=$(printf '%s' "$OUT" | jq -er .code); then
pipe-jq-e|check "two requests on one connection" eval "printf '{}\n' | raw | jq -s -e 'length==2 and all(.ok)'"
pipe-jq-e|x=$(ctl --json health | jq --exit-status .ok)
pipe-jq-e|x=$(ctl --json health | jq .ok -e)
pipe-jq-e|x=$(ctl --json health | jq --arg a -x -ce '.ok')
+|ctl --json show |
pipe-jq-e|	jq -e '.pfs | length > 0'
-|check "topology" jq_cmd "ctl --json show" --arg n "pfa$TAG" '.pfs[] | .netdevs[0].name==$n'
-|check "device-info" jq -e '.pci["pf-pci-address"]=="0000:01:00.0"' "$DI"
-|	if ! jq -e --arg n "/run/netns/sc$i" '.vf.netdevs[0].netns == $n' <<<"$line" >/dev/null; then
-|N0=$(ctl --json health | jq .netns)
-|macs=$(ip -n "$net-a" -j link show "$IFN" | jq -r '.[0].address')
-|jq -c --arg d "\$dev" '.device = \$d' | exec /usr/lib/cni/host-device
-|curl -s -o "$T/m2" "$MURL"
-|grep -c 'jq -e' "$f" | sort
-|x=$(printf '%s' "$OUT" | jq -r '.msg | test("a|b -e")')
-|# a comment: cmd | jq -e .ok
EOF
	{ echo '#!/bin/bash'; echo 'set -o pipefail'; cut -d'|' -f2- "$d/cases"; } >"$d/t.sh"
	# Line k of the cases is line k+2 of the script; a case line ending in
	# a pipe is reported with the line that continues it.
	want=$(awk -F'|' '{ if (cont == "") start = NR + 2; cont = ($0 ~ /\|[[:space:]]*$/) ? 1 : ""
		if (!cont) { n = split($1, r, " "); for (i = 1; i <= n; i++) if (r[i] != "-") print start ": " r[i] } }' "$d/cases" | sort)
	got=$(lint_file "$d/t.sh" | sed -E 's/^[^:]*:([0-9]+): ([a-z-]+):.*/\1: \2/' | sort)
	if [ "$got" != "$want" ]; then
		echo "FAIL: self-test: flagged lines differ from the expected ones (< expected, > flagged):"
		diff <(echo "$want") <(echo "$got")
		bad=1
	fi
	# No pipefail; from a library; a library's that runs only when it is
	# run, not when sourced; the script's own, in a branch.
	printf '#!/bin/bash\nset -u\nfalse | true\n' >"$d/nopf.sh"
	printf '#!/bin/bash\n. "$(dirname "$0")/lib.sh"\n' >"$d/sourced.sh"
	printf '# lib\nset -euo pipefail\n' >"$d/lib.sh"
	printf '#!/bin/bash\n. "$(dirname "$0")/fx.sh"\n' >"$d/viafx.sh"
	printf '#!/bin/bash\nif [ "$0" = x ]; then\n\tset -o pipefail\nfi\n' >"$d/fx.sh"
	got=$(cd "$d" && for f in nopf.sh sourced.sh viafx.sh fx.sh; do lint_pipefail "$f"; done | cut -d: -f1 | xargs)
	if [ "$got" != "nopf.sh viafx.sh" ]; then
		echo "FAIL: self-test: pipefail rule: $got"
		bad=1
	fi
	FOUND=0
	[ "$bad" = 0 ] && echo "lint-checks self-test: ok ($(wc -l <"$d/cases") lines, $(grep -vcE '^[-+][|]' "$d/cases") flagged as expected)"
	return "$bad"
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit
fi
if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(git ls-files -co --exclude-standard 'test/*.sh' 'hack/*.sh' 2>/dev/null ||
		find test hack -name '*.sh')
fi
for f in "${files[@]}"; do
	lint_file "$f"
	lint_pipefail "$f"
done
if [ "$FOUND" -gt 0 ]; then
	echo "lint-checks: $FOUND finding(s); test/checks.sh says why and what to use instead"
	exit 1
fi
echo "lint-checks: ok (${#files[@]} files)"
