#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# hack/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]
#
# Builds the libFuzzer targets of test/fuzz (and test/agentctl's) with clang (-DPFLINK_FUZZ=ON, in
# BUILD_DIR, default build-fuzz) and runs each for SECONDS_PER_TARGET
# (default 30) with -max_len=65536 -timeout=5.
#
# Each target fuzzes a working corpus in BUILD_DIR/fuzz/corpus/<target>,
# seeded with a copy of test/fuzz/corpus/<target>: new units stay in the
# build dir, the repo is never written.  The working corpus is kept between
# runs (delete it to start over).  Crashes, leaks, timeouts and OOMs are
# saved as BUILD_DIR/fuzz/artifacts/<target>/<kind>-<sha1>; the script then
# exits 1 and names them.  To keep one as a regression test, copy it into
# test/<dir>/corpus/<target>/ -- every build replays that directory
# (ctest -L fuzz).
#
# Environment: FUZZ_CC (default clang), FUZZ_JOBS (parallel builds),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-workers=4 -jobs=4").
set -euo pipefail

SECS=${1:-30}
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${2:-$SRC/build-fuzz}
CC_FUZZ=${FUZZ_CC:-clang}
# Every test/fuzz/fuzz_<target>.c is a target, and so is
# test/agentctl/fuzz_agent_response.c (pflinkctl's parser and views): each
# is built as test/<dir>/fuzz_<target>, seeded from test/<dir>/corpus/<target>.
TARGETS=()
declare -A DIR DICT
for f in "$SRC"/test/fuzz/fuzz_*.c "$SRC"/test/agentctl/fuzz_*.c; do
	d=${f%/*} t=${f##*/fuzz_}
	t=${t%.c} d=${d##*/test/}
	TARGETS+=("$t")
	DIR[$t]=$d DICT[$t]=$SRC/test/$d/$t.dict
done
# pflinkctl reads the same answers as the plugin: one dictionary for both.
DICT[agent_response]=$SRC/test/fuzz/agent_resp.dict

case $SECS in
''|*[!0-9]*) echo "usage: $0 [SECONDS_PER_TARGET] [BUILD_DIR]" >&2; exit 2 ;;
esac
[[ $BUILD = /* ]] || BUILD=$PWD/$BUILD

gen=()
command -v ninja >/dev/null && [[ ! -f $BUILD/Makefile ]] && gen=(-G Ninja)
echo "== configure $BUILD (CC=$CC_FUZZ, PFLINK_FUZZ=ON)"
cmake -S "$SRC" -B "$BUILD" "${gen[@]}" -DCMAKE_C_COMPILER="$CC_FUZZ" -DPFLINK_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD.configure.log" 2>&1 || {
	cat "$BUILD.configure.log" >&2
	exit 1
}
rm -f "$BUILD.configure.log"
echo "== build"
build_targets=()
for t in "${TARGETS[@]}"; do build_targets+=("fuzz_$t" "fuzz_replay_$t"); done
cmake --build "$BUILD" --parallel "${FUZZ_JOBS:-$(nproc)}" --target "${build_targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

W=$BUILD/fuzz
mkdir -p "$W/logs"
passed=0 failed=0
summary=() artifacts=()

for t in "${TARGETS[@]}"; do
	bin=$BUILD/test/${DIR[$t]}/fuzz_$t
	corpus=$W/corpus/$t
	art=$W/artifacts/$t
	log=$W/logs/$t.log
	dict=()
	[[ -f ${DICT[$t]} ]] && dict=(-dict="${DICT[$t]}")
	mkdir -p "$corpus" "$art"
	cp -f "$SRC/test/${DIR[$t]}/corpus/$t"/* "$corpus"/
	before=$(find "$art" -type f | sort)

	echo "== fuzz_$t: ${SECS}s on $(find "$corpus" -type f | wc -l) inputs (log: $log)"
	rc=0
	# shellcheck disable=SC2086
	"$bin" -max_len=65536 -timeout=5 -max_total_time="$SECS" -print_final_stats=1 \
		-artifact_prefix="$art/" "${dict[@]}" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1 || rc=$?

	# What this run saved (older artifacts of earlier runs are not news).
	mapfile -t new < <(comm -13 <(printf '%s\n' "$before") <(find "$art" -type f | sort) | sed '/^$/d')

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	# A crash cuts the run short and its final stats say 0 exec/s; the
	# last status line has the rate until then.
	[[ ${eps:-0} != 0 ]] || eps=$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$last")
	cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
	units=$(find "$corpus" -type f | wc -l)
	line=$(printf '%-14s %-4s execs=%-9s exec/s=%-7s cov=%-5s ft=%-5s corpus=%s' \
		"$t" "$([[ $rc -eq 0 && ${#new[@]} -eq 0 ]] && echo ok || echo FAIL)" \
		"${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$units")
	if [[ $rc -eq 0 && ${#new[@]} -eq 0 ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		line+="  (exit $rc)"
		artifacts+=("${new[@]}")
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*property violated|.*runtime error)' "$log" | head -5 | sed 's/^/    /' >&2 || true
	fi
	summary+=("$line")
done

echo
echo "== summary (${SECS}s per target, logs in $W/logs)"
printf '%s\n' "${summary[@]}"
if (( ${#artifacts[@]} )); then
	echo "artifacts (replay one with $BUILD/test/<dir>/fuzz_<target> FILE):"
	printf '  %s\n' "${artifacts[@]}"
fi
echo "$passed passed, $failed failed"
(( failed == 0 ))
