#!/usr/bin/env bash
# Run every libFuzzer target of a fuzzing build for a short while, one after
# the other, each on a copy of its seed corpus (the tree is not written), and
# print one TAP line per target. Exits 0 only when no target found anything.
#
#   tests/fuzz/short-run.sh BUILD_FUZZ_DIR SECONDS
#
# BUILD_FUZZ_DIR is a build with -Dfuzzing=true (clang), e.g. as `make fuzz`
# sets up build-fuzz. A finding's input is kept under FUZZ_ARTIFACTS
# (default: a new directory under TMPDIR, named on stderr); its path and the
# first lines of the sanitizer's report go to stderr.
set -u

usage() {
	echo "usage: $0 BUILD_FUZZ_DIR SECONDS" >&2
	exit 2
}
[[ $# -eq 2 ]] || usage
build=$1
seconds=$2
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
here=$(cd "$(dirname "$0")" && pwd)
[[ -d $build/tests/fuzz ]] || { echo "$0: $build/tests/fuzz: no such directory" >&2; exit 2; }

# libFuzzer binaries only: a plain build's targets are corpus replayers.
targets=()
for t in "$build"/tests/fuzz/fuzz_*; do
	[[ -f $t && -x $t ]] || continue
	grep -qa 'libFuzzer' "$t" || continue
	targets+=("$t")
done
if [[ ${#targets[@]} -eq 0 ]]; then
	echo "$0: no libFuzzer targets in $build/tests/fuzz (configure it with -Dfuzzing=true and clang)" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/nsrun-short-run.XXXXXX") || exit 2
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts" "$work/tmp" || exit 2
found=0
cleanup() {
	# The inputs behind a finding stay; everything else goes.
	rm -rf "$work/corpus" "$work/tmp" "$work"/*.log
	[[ $found -eq 0 ]] && rm -rf "$work"
	[[ $found -eq 0 && -n ${FUZZ_ARTIFACTS:-} ]] && rmdir "$artifacts" 2>/dev/null
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# UBSan stops at its first report, so libFuzzer saves the input.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

echo "1..${#targets[@]}"
for t in "${targets[@]}"; do
	name=${t##*/}
	short=${name#fuzz_}
	corpus=$work/corpus/$short
	mkdir -p "$corpus"
	if [[ -d $here/corpus/$short ]]; then
		cp -R "$here/corpus/$short/." "$corpus/"
	fi
	dict=()
	[[ -f $here/$short.dict ]] && dict=(-dict="$here/$short.dict")
	log=$work/$short.log
	start=$(date +%s)
	# The targets write their inputs under TMPDIR; a private one per run.
	TMPDIR=$work/tmp nice -n 10 timeout -k 10 $((seconds + 120)) \
		"$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$artifacts/$short-" "${dict[@]}" \
		"$corpus" >"$log" 2>&1
	rc=$?
	elapsed=$(($(date +%s) - start))
	crash=$(find "$artifacts" -maxdepth 1 -type f -name "$short-*" -print -quit)
	report=$(grep -m1 -E '^==[0-9]+== ?ERROR|runtime error:|^SUMMARY:' "$log")
	if [[ $rc -eq 0 && -z $crash && -z $report ]]; then
		echo "ok - $name ran $elapsed s without a finding"
	else
		found=1
		[[ -n $report ]] || report="exit status $rc"
		echo "not ok - $name: ${report#==*==}"
		{
			echo "# $name: input: ${crash:-none saved}"
			grep -m1 -A 14 -E '^==[0-9]+== ?ERROR|runtime error:' "$log" |
				sed 's/^/#   /'
			echo "# replay: $t ${crash:-<input>}"
		} >&2
	fi
	# libFuzzer's own stats, as TAP comments
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' )
	echo "# $name: ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-no coverage line}"
	rm -rf "$corpus" "$work/tmp"/*
done
[[ $found -eq 0 ]] || echo "# findings kept in $artifacts" >&2
exit $found
