#!/usr/bin/env bash
# Run every test against one or more build directories and print the total:
# the unit tests (TAP), the fuzz targets' regression corpora, and the bats
# integration tests; then, when asked through the environment, the suites
# that need a build of their own kind or run long:
#
#   STATIC_BUILD=DIR   tests/static/run.sh: cppcheck, clang-tidy, valgrind
#   FUZZ_BUILD=DIR     tests/fuzz/short-run.sh: each libFuzzer target for
#                      FUZZ_SECONDS (default 10) on its seed corpus
#   LOAD_NSRUN=BIN     tests/load/run.sh: thousands of sandboxes and
#                      containers, the host checked after each phase
#                      (LOAD_SCALE divides the counts, default 1)
#   VALIDATION_NSRUN=BIN  tests/validation/run.sh: the OCI runtime-tools
#                      conformance suite (skipped without its source tree)
#
# Each stage's start is stamped with the seconds since the first.
# Ends with "N passed, N failed" (skipped tests are counted apart); exits 1
# on any failure.
#
#   tests/run.sh build [build-asan ...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
skipped=0
# Every "not ok" line, repeated before the total: a CI log is often read
# from its tail only.
failures=$(mktemp)
# Each bats test's duration (bats --timing), for the slowest list at the
# end: where make check's time goes.
timings=$(mktemp)
trap 'rm -f "$failures" "$timings"' EXIT

# Count TAP "ok"/"not ok" lines from stdin, echoing them.
count_tap() {
	local label=$1 line
	while IFS= read -r line; do
		if [[ $line =~ ^(not\ )?ok\ .*\ in\ ([0-9]+)ms$ ]]; then
			printf '%s\t%s %s\n' "${BASH_REMATCH[2]}" "$label" "$line" >>"$timings"
		fi
		case $line in
		"ok "*"# skip"* | "ok "*"# SKIP"*) skipped=$((skipped + 1)); echo "$label $line" ;;
		"ok "*) passed=$((passed + 1)); echo "$label $line" ;;
		"not ok "*) failed=$((failed + 1)); echo "$label $line" | tee -a "$failures" ;;
		*) echo "$line" ;;
		esac
	done
}

# Run a TAP producer; one that exits non-zero without a "not ok" line
# (a crash, a sanitizer report) counts as one more failure.
run_tap() {
	local label=$1; shift
	local out rc before=$failed
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	count_tap "$label" <"$out"
	rm -f "$out"
	if [ "$rc" -ne 0 ] && [ "$failed" -eq "$before" ]; then
		failed=$((failed + 1))
		echo "$label not ok - exited with status $rc" | tee -a "$failures"
	fi
}

first_build=$(cd "$1" && pwd)
for build in "$@"; do
	build=$(cd "$build" && pwd)
	name=$(basename "$build")
	echo "# === $name === (${SECONDS}s)"
	for t in "$build"/tests/unit/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		run_tap "[$name unit $(basename "$t")]" "$t"
	done
	for f in "$build"/tests/fuzz/fuzz_*; do
		[ -x "$f" ] && [ -f "$f" ] || continue
		target=$(basename "$f")
		corpus="$here/fuzz/corpus/${target#fuzz_}"
		if "$f" "$corpus"/* >/dev/null 2>&1; then
			passed=$((passed + 1)); echo "[$name fuzz] ok - $target replays its corpus"
		else
			failed=$((failed + 1)); echo "[$name fuzz] not ok - $target replays its corpus" | tee -a "$failures"
		fi
	done
	# The engines (dockerd, buildah, containerd) and the booted systemd root
	# take minutes to start and drive nsrun through the OCI verbs that the
	# oci_* files cover in every build: they run against the first build.
	files=("$here"/integration/*.bats)
	if [ "$build" != "$first_build" ]; then
		files=()
		for f in "$here"/integration/*.bats; do
			case $(basename "$f") in engine_*.bats | systemd.bats) ;; *) files+=("$f") ;; esac
		done
	fi
	run_tap "[$name bats]" env NSRUN="$build/nsrun" NSRUN_DEMO="$build/reexec-demo" \
		bats --tap --timing "${files[@]}"
done

if [ -n "${STATIC_BUILD:-}" ]; then
	echo "# === static analysis ($STATIC_BUILD) === (${SECONDS}s)"
	run_tap "[static]" bash "$here/static/run.sh" "$STATIC_BUILD"
fi
if [ -n "${FUZZ_BUILD:-}" ]; then
	echo "# === fuzzing, ${FUZZ_SECONDS:-10} s per target ($FUZZ_BUILD) === (${SECONDS}s)"
	run_tap "[fuzz]" bash "$here/fuzz/short-run.sh" "$FUZZ_BUILD" "${FUZZ_SECONDS:-10}"
fi
if [ -n "${LOAD_NSRUN:-}" ]; then
	echo "# === load, scale 1/${LOAD_SCALE:-1} ($LOAD_NSRUN) === (${SECONDS}s)"
	run_tap "[load]" bash "$here/load/run.sh" "$LOAD_NSRUN" "${LOAD_SCALE:-1}"
fi

if [ -n "${VALIDATION_NSRUN:-}" ]; then
	echo "# === OCI runtime-tools validation ($VALIDATION_NSRUN) === (${SECONDS}s)"
	run_tap "[validation]" bash "$here/validation/run.sh" "nsrun=$VALIDATION_NSRUN"
fi
echo "# wall time ${SECONDS}s"
if [ -s "$timings" ]; then
	echo "# the slowest tests:"
	sort -rn "$timings" | head -10 | cut -f2-
fi
if [ -s "$failures" ]; then
	echo "# failed:"
	cat "$failures"
fi

[ "$skipped" -eq 0 ] || echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
