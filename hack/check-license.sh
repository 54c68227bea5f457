#!/bin/bash
# SPDX-License-Identifier: MIT
# The licensing rules (README.md, "Licence"), checked on the tree:
#   - every source file says its licence in an SPDX-License-Identifier
#     line near its top (files that cannot hold a comment are listed below,
#     LICENSE covers them);
#   - every licence named has its text in the tree: MIT in LICENSE, any
#     other in LICENSES/<id>.txt;
#   - what the programs, the image and the package are built from is MIT;
#   - packaging/debian/copyright (the package's machine-readable copyright,
#     copyright-format 1.0) gives each file the licence the file names:
#     the last Files pattern that matches it decides, as in the format;
#   - every folder of third_party/ keeps its licence file and has its own
#     Files stanza there.
# usage: check-license.sh   (prints FAIL lines; exit 1 on any)
set -uo pipefail
cd "$(dirname "$0")/.."
fail=0
bad() { echo "FAIL: $*"; fail=1; }
COPYRIGHT=packaging/debian/copyright

grep -q '^MIT License' LICENSE 2>/dev/null || bad "LICENSE at the top is missing or not the MIT licence"
[ -f "$COPYRIGHT" ] || { bad "$COPYRIGHT is missing"; exit 1; }

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard)
else
	files=$(find . -path ./.git -prune -o -path './build*' -prune -o -type f -print | sed 's|^\./||')
fi

# Files that cannot carry a comment, or are the licence texts themselves:
# JSON (manifests, schemas, test data), fuzz corpora, the licence files,
# the Debian copyright and changelog formats.  Markdown is prose: LICENSE
# covers it.  third_party/ keeps its upstream headers and licence files.
exempt() {
	case $1 in
	third_party/*|*.json|*.md|*/corpus/*|LICENSE|LICENSES/*) return 0 ;;
	packaging/debian/copyright|packaging/debian/changelog) return 0 ;;
	esac
	return 1
}

# SPDX id -> the short name copyright-format uses (Debian's names).
debian_name() {
	case $1 in
	MIT) echo Expat ;;
	GPL-2.0-or-later) echo GPL-2+ ;;
	GPL-2.0-only) echo GPL-2 ;;
	LGPL-2.1-or-later) echo LGPL-2.1+ ;;
	LGPL-2.1-only) echo LGPL-2.1 ;;
	*) echo "$1" ;;
	esac
}

# The Files stanzas of the copyright file, in order: "pattern<TAB>licence".
stanzas=$(awk '
	function flush() { if (pats != "") { n = split(pats, p, /[ \t]+/); for (i = 1; i <= n; i++) if (p[i] != "") print p[i] "\t" lic } pats = ""; lic = ""; infiles = 0 }
	/^$/ { flush(); next }
	/^Files:/ { pats = substr($0, 7); infiles = 1; next }
	/^[ \t]/ { if (infiles) pats = pats " " $0; next }
	/^License:/ { lic = $2; infiles = 0; next }
	{ infiles = 0 }
	END { flush() }' "$COPYRIGHT")
[ -n "$stanzas" ] || bad "$COPYRIGHT has no Files stanza"

# GOV: the licence of the last stanza whose pattern matches $1.
governing() {
	local pat lic
	GOV=""
	while IFS=$'\t' read -r pat lic; do
		# shellcheck disable=SC2053
		[[ $1 == $pat ]] && GOV=$lic
	done <<< "$stanzas"
}

# "file<TAB>id" for every file with an SPDX line in its first 5 lines.
declare -A ID
while IFS=$'\t' read -r f id; do
	ID[$f]=$id
done < <(printf '%s\n' "$files" | while IFS= read -r f; do [ -f "$f" ] && ! exempt "$f" && printf '%s\0' "$f"; done |
	xargs -0 -r awk 'FNR > 5 { nextfile }
		match($0, /SPDX-License-Identifier: *[A-Za-z0-9.+-]+/) {
			s = substr($0, RSTART, RLENGTH); sub(/SPDX-License-Identifier: */, "", s)
			print FILENAME "\t" s; nextfile }')

n=0
while IFS= read -r f; do
	[ -f "$f" ] || continue
	exempt "$f" && continue
	n=$((n + 1))
	id=${ID[$f]:-}
	if [ -z "$id" ]; then
		bad "$f: no SPDX-License-Identifier line in its first 5 lines (add '# SPDX-License-Identifier: MIT', or the comment syntax of its language)"
		continue
	fi
	case $id in
	MIT) ;;
	*) [ -f "LICENSES/$id.txt" ] || bad "$f: licence $id has no text in LICENSES/$id.txt" ;;
	esac
	case $f in
	lib/*|plugin/*|agent/*|include/*|manifests/*|packaging/*|docs/*|CMakeLists.txt)
		[ "$id" = MIT ] || bad "$f: $id in what the programs, image or package are built from (must be MIT)" ;;
	esac
	want=$(debian_name "$id")
	governing "$f"
	[ "$GOV" = "$want" ] ||
		bad "$f: says $id, but $COPYRIGHT gives it '${GOV:-no stanza}' (want a Files stanza with License: $want)"
done <<< "$files"

for d in third_party/*/; do
	d=${d%/}
	[ -d "$d" ] || continue
	ls "$d" | grep -qiE '^(LICENSE|COPYING)' || bad "$d: no LICENSE or COPYING file"
	printf '%s\n' "$stanzas" | cut -f1 | grep -qx "$d/\*" ||
		bad "$d: no 'Files: $d/*' stanza in $COPYRIGHT (its Copyright: lines and its License:, with a License: paragraph for the text)"
done

[ $n -gt 0 ] || bad "no source file found"
[ $fail = 0 ] && echo "licence: $n files checked, each names its licence and $COPYRIGHT agrees"
exit $fail
