# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# What a program's --help, its man page source and its binary say it
# takes, one name per line, sorted: for man.sh and completion.sh.

# help_flags PROG: the flags of PROG --help, from its option lines (an
# indented line that starts with '-'; the flags are what comes before
# the first two spaces after the flags: "  -s, --socket PATH   text").
help_flags() {
	local out
	out=$("$1" --help) || return 1
	printf '%s\n' "$out" | awk '/^ +-/ { sub(/^ +/, ""); sub(/  .*/, ""); print }' |
		grep -oE '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' | tr -d ' ,' | sort -u
}

# help_commands PROG: the first word of each line of --help's "Commands:"
# block.
help_commands() {
	local out
	out=$("$1" --help) || return 1
	printf '%s\n' "$out" | awk '/^Commands:/ { on = 1; next } on && /^$/ { on = 0 }
		on && /^  [a-z]/ { print $1 }' | sort -u
}

# man_section SCD SECTION: the lines of one "# SECTION" of an scdoc source.
man_section() {
	awk -v s="# $2" '$0 == s { on = 1; next } /^# / { on = 0 } on' "$1"
}

# man_flags SCD: the flags of the OPTIONS entries ("*-s*, *--socket* _PATH_").
man_flags() {
	man_section "$1" OPTIONS | grep -E '^\*-' | grep -oE '\*--?[A-Za-z0-9][A-Za-z0-9-]*\*' |
		tr -d '*' | sort -u
}

# man_entries SCD SECTION: the bold word opening each entry of SECTION
# ("*show*", "*pf* _BDF_", "*sysfsRoot* (string...)").
man_entries() {
	man_section "$1" "$2" | grep -oE '^\*[A-Za-z][A-Za-z0-9./_-]*\*' | tr -d '*' | sort -u
}

# rodata_words BIN REGEX: the strings of BIN's read-only data, and their
# tails after a character other than a letter or digit, that match REGEX:
# the names a program compares its arguments with are among them (a tail,
# when the compiler stored "proc" as the end of "/proc").
rodata_words() {
	objcopy -O binary --only-section=.rodata "$1" /dev/stdout | strings -n 2 |
		awk -v re="$2" '{ for (i = 1; i < length($0); i++) {
			if (i > 1 && substr($0, i - 1, 1) ~ /[A-Za-z0-9]/) continue
			s = substr($0, i); if (s ~ re) print s } }' | sort -u
}
