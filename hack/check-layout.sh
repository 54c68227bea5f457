#!/bin/bash
# SPDX-License-Identifier: MIT
# The layout rules of docs/layout.md, checked on the tree (and, given the
# built programs, on what they link):
#   - lib/ and include/pflink/ include only include/pflink/ headers;
#   - plugin/ and agent/ include their own folder's headers and
#     include/pflink/, never each other's;
#   - the include graph has no cycle;
#   - the product reads no environment but the CNI_* variables and NO_COLOR
#     (test hooks live under test/);
#   - with PFLINK PFLINKD PFLINKCTL given: pflinkd and pflinkctl carry no
#     CNI verb, format or device-info symbol; pflink none of the agent's
#     map, answers or event loop.
# usage: check-layout.sh [PFLINK PFLINKD PFLINKCTL]
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# Resolve the includes of one file to repository paths, one per line.
includes() {
	local f=$1 dir inc
	dir=$(dirname "$f")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
	while read -r inc; do
		case $inc in
		pflink/*) echo "include/$inc" ;;
		# (agent/devlink/ reaches the agent's headers as ../map.h)
		*) realpath -m --relative-to=. "$dir/$inc" ;;
		esac
	done
}

declare -A EDGES
files=$(find lib include/pflink plugin agent -name '*.[ch]' | sort)
for f in $files; do
	top=${f%%/*}
	for inc in $(includes "$f"); do
		[ -f "$inc" ] || { bad "$f includes $inc, which does not exist"; continue; }
		itop=${inc%%/*}
		case $top in
		lib|include) [ "$itop" = include ] || bad "$f (shared) includes $inc" ;;
		plugin) [ "$itop" = include ] || [ "$itop" = plugin ] || bad "$f includes $inc (plugin/ reaches into $itop/)" ;;
		agent) [ "$itop" = include ] || [ "$itop" = agent ] || bad "$f includes $inc (agent/ reaches into $itop/)" ;;
		esac
		EDGES[$f]="${EDGES[$f]:-} $inc"
	done
done

# Cycle search, depth-first over the graph in the array named $1, colouring
# nodes in the array named $2: 1 on the current path, 2 done.
visit() {
	local -n _edges=$1 _color=$2
	local n=$4 m
	_color[$n]=1
	for m in ${_edges[$n]:-}; do
		case ${_color[$m]:-0} in
		1) bad "$3 cycle through $n -> $m" ;;
		0) visit "$1" "$2" "$3" "$m" ;;
		esac
	done
	_color[$n]=2
}
declare -A COLOR
for f in $files; do [ "${COLOR[$f]:-0}" = 0 ] && visit EDGES COLOR include "$f"; done

# The same on modules (x.c with its header x.h, include/pflink/x.h being
# lib/x's): a module using another's functions must not be used by it.
module() {
	local m=${1%.[ch]}
	case $m in include/pflink/*) m=lib/${m#include/pflink/} ;; esac
	echo "$m"
}
declare -A MEDGES MCOLOR
for f in $files; do
	a=$(module "$f")
	for inc in ${EDGES[$f]:-}; do
		b=$(module "$inc")
		[ "$a" = "$b" ] || MEDGES[$a]="${MEDGES[$a]:-} $b"
	done
done
for f in $files; do m=$(module "$f"); [ "${MCOLOR[$m]:-0}" = 0 ] && visit MEDGES MCOLOR module "$m"; done

# Environment: only what a CNI runtime sets, and NO_COLOR for pflinkctl.
while IFS= read -r hit; do
	var=$(printf '%s' "$hit" | sed -n 's/.*getenv("\([^"]*\)").*/\1/p')
	case $var in
	CNI_*|NO_COLOR) ;;
	*) bad "product code reads the environment: $hit" ;;
	esac
done < <(grep -rn 'getenv(' lib plugin agent include)

if [ $# -eq 3 ]; then
	PFLINK=$1 PFLINKD=$2 PFLINKCTL=$3
	verbs='pflink_cni_run|cni_conf_parse|cni_error_json|result_build|devinfo_(update|merge)|ask_agent_'
	agent='agent_serve|agent_new|agent_handle|agent_discover|discover_walk|ag_index'
	# symbols BIN WANT: BIN's symbol table into SYMS; it must define WANT
	# (a symbol only that program has), so that an absence below means
	# something, not that nm failed or read another file.  (Into a
	# variable: grep -q closing nm's pipe early would fail it.)
	symbols() {
		SYMS=$(nm "$1") || { bad "nm $1 failed"; return 1; }
		grep -q " T $2\$" <<<"$SYMS" || { bad "$(basename "$1") has no $2: is it the program it should be?"; return 1; }
	}
	for b in "$PFLINKD:agent_serve" "$PFLINKCTL:render_topology"; do
		symbols "${b%:*}" "${b##*:}" || continue
		s=$(grep -E " [TtDdBbRr] ($verbs)" <<<"$SYMS" || true)
		[ -z "$s" ] || bad "$(basename "${b%:*}") carries CNI verb symbols: $(echo $s)"
	done
	if symbols "$PFLINK" pflink_cni_run; then
		s=$(grep -E " [TtDdBbRr] ($agent)" <<<"$SYMS" || true)
		[ -z "$s" ] || bad "pflink carries agent symbols: $(echo $s)"
	fi
fi

[ $fail = 0 ] && echo "layout: ok ($(echo "$files" | wc -l) files)"
exit $fail
