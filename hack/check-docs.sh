#!/bin/bash
# SPDX-License-Identifier: MIT
# What the docs say of the code, checked against the code:
#   - every `function()` the README and docs/ name is defined in the tree
#     (a renamed or removed function leaves no stale name behind);
#   - the threads: netns_sockets() makes none (the calling thread enters
#     the netns and comes back, design notes 16), and no paragraph of the
#     docs says otherwise in the present tense;
#   - every relative markdown link in them, [text](path) or
#     [text](path#anchor) or [text](#anchor), leads to a file of the tree
#     and, when it names an anchor in a markdown file, to a heading there
#     (GitHub's slug: lower case, punctuation dropped, spaces to hyphens).
# usage: check-docs.sh
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0 n=0
bad() { echo "FAIL: $*"; fail=1; }
DOCS=(README.md docs/*.md manifests/README.md test/*/README.md)

names=$(grep -ohE '`[a-z_][a-z0-9_]*\(\)`' "${DOCS[@]}" | tr -d '`()' | sort -u) || {
	bad "no function named in ${DOCS[*]}"
	names=""
}
for f in $names; do
	n=$((n + 1))
	grep -rqE "(^|[^a-z0-9_])$f[[:space:]]*\(" --include='*.c' --include='*.h' lib agent plugin include test ||
		bad "the docs name $f(), which nothing in lib/ agent/ plugin/ include/ test/ defines or calls"
done

# netns_sockets()'s body, from its line to the closing brace at column 0.
body=$(awk '/^int netns_sockets\(/ { on = 1 } on { print } on && /^}/ { exit }' lib/netns.c)
if [ -z "$body" ]; then
	bad "lib/netns.c defines no netns_sockets()"
elif grep -q 'pthread_create\|clone(' <<<"$body"; then
	bad "netns_sockets() makes a thread: the docs (design notes 5, 16) say it does not"
fi
# Paragraphs (blank-line separated; each numbered design note is one) that
# name netns_sockets() and a thread: the calling thread, or a thread it
# used to make (past tense).
while IFS= read -r -d '' para; do
	n=$((n + 1))
	flat=$(tr '\n' ' ' <<<"$para" | tr -s ' ')
	case $flat in
	*"calling thread"* | *"used a throwaway thread"*) ;;
	*) bad "a paragraph says netns_sockets() uses a thread of its own: ${flat:0:200}" ;;
	esac
done < <(awk '
	function flush() { if (rec ~ /netns_sockets\(\)/ && rec ~ /thread/) printf "%s%c", rec, 0; rec = "" }
	FNR == 1 || /^[[:space:]]*$/ || /^[0-9]+\. \*\*/ { flush() }
	{ rec = rec $0 "\n" }
	END { flush() }' "${DOCS[@]}")

# Relative links. Links inside code (fenced blocks, `spans`) are not links.
# slugs FILE: the anchors of FILE's headings, one a line.
slugs() {
	awk '/^```/ { code = !code; next } !code && /^#+ / { sub(/^#+ +/, ""); print }' "$1" |
		tr 'A-Z' 'a-z' | LC_ALL=C sed -e 's/[^a-z0-9 _-]//g' -e 's/ /-/g'
}
for md in "${DOCS[@]}"; do
	dir=$(dirname "$md")
	links=$(awk '/^```/ { code = !code; next } !code { gsub(/`[^`]*`/, ""); print }' "$md" |
		grep -oE '\]\([^)[:space:]]+\)' | sed -e 's/^](//' -e 's/)$//') || continue
	for link in $links; do
		case $link in
		http://* | https://* | mailto:*) continue ;;
		esac
		n=$((n + 1))
		path=${link%%#*} anchor=
		[[ $link == *'#'* ]] && anchor=${link#*#}
		if [ -z "$path" ]; then
			target=$md
		else
			target=$dir/$path
		fi
		if [ ! -e "$target" ]; then
			bad "$md links to $link: no file $target"
		elif [ -n "$anchor" ] && [[ $target == *.md ]] &&
			! grep -qxF -- "$anchor" <<<"$(slugs "$target")"; then
			bad "$md links to $link: $target has no heading with anchor #$anchor"
		fi
	done
done

if [ $fail = 0 ]; then
	echo "docs agree with the code ($n claims)"
fi
exit $fail
