# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# What every shell suite of pflink stands on; sourced by the suites'
# libraries (test/integration/lib.sh, and through it test/runtime and
# test/node; test/vm/lib.sh) and by the hack/ scripts that check things.
#
# jq 1.6 (Debian 12) exits 0 on empty input, -e or not, so "cmd | jq -e F"
# passes whenever cmd fails and prints nothing: a check that cannot fail.
# Hence:
#   - pipefail: a pipeline fails when any command in it does;
#   - jq_cmd, jq_text, jq_file: jq -e on a command's output, on text, on a
#     file, each failing when the command fails or there is nothing to
#     read (and saying so on stderr);
#   - need_tools: as root, a tool that is missing fails the suite;
#   - hack/lint-checks.sh (the lint_checks test) flags a command piped
#     into jq -e, jq -e on a process substitution, curl piped into jq, and
#     a bash script without pipefail.
set -o pipefail

# jq_text TEXT JQ-ARGS...: jq -e JQ-ARGS on TEXT; fails when TEXT is empty.
jq_text() {
	local text=$1
	shift
	if [ -z "$text" ]; then
		echo "    (jq $*: no input)" >&2
		return 1
	fi
	jq -e "$@" <<<"$text" >/dev/null && return 0
	echo "    (jq $*: not true of ${text:0:300})" >&2
	return 1
}

# jq_cmd COMMAND JQ-ARGS...: run the shell command COMMAND (a string, for
# pipelines and functions), then jq -e JQ-ARGS on what it printed; fails
# when COMMAND fails or prints nothing.
jq_cmd() {
	local cmd=$1 out rc
	shift
	out=$(eval "$cmd") || {
		rc=$?
		echo "    ($cmd: exit $rc)" >&2
		return 1
	}
	jq_text "$out" "$@"
}

# jq_file FILE JQ-ARGS...: jq -e JQ-ARGS on FILE; fails when FILE is
# missing or empty.
jq_file() {
	local f=$1
	shift
	if [ ! -s "$f" ]; then
		echo "    (jq $*: $f is missing or empty)" >&2
		return 1
	fi
	jq -e "$@" "$f" >/dev/null
}

# need_tools WHAT TOOL...: each TOOL (a command, or the path of a program)
# is there.  As root a missing one fails WHAT (CI runs as root and
# installs every tool with hack/deps.sh --test: a skip there would hide a
# whole suite); otherwise WHAT is skipped (exit 77), with the reason.
need_tools() {
	local what=$1 t missing=""
	shift
	for t in "$@"; do
		command -v "$t" >/dev/null || missing="$missing $t"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" = 0 ]; then
		echo "FAIL: $what: not installed:$missing (hack/deps.sh --test installs it)"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "SKIP: $what: not installed:$missing"
	exit 77
}
