#!/bin/bash
# Static and dynamic analysis gate: cppcheck, clang-tidy and valgrind memcheck.
#   tests/static/run.sh BUILD_DIR
# BUILD_DIR is a meson build directory of this tree (any build type, without
# sanitizers, which valgrind cannot run under). Its compile_commands.json
# drives clang-tidy; the unit test binaries are built in it when missing.
# Prints TAP, one line per check, and exits 0 only if every check passes.
# Needs: cppcheck (2.10), clang-tidy (14), valgrind, python3, ninja.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" 2>/dev/null && pwd) || { echo "run.sh: $1: no such build directory" >&2; exit 2; }
jobs=${JOBS:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
# Indented as TAP diagnostics.
diag() { sed 's/^/#   /'; }

missing=
for tool in cppcheck clang-tidy valgrind python3 ninja; do
	command -v "$tool" >/dev/null || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "1..1"
	echo "not ok 1 - tools installed: missing$missing (apt-get install$missing)"
	exit 1
fi

cd "$root" || exit 2
# The sources to check; headers are checked through the files that include them.
mapfile -t sources < <(find src tools -name '*.c' | sort)

# --- cppcheck -------------------------------------------------------------
# One configuration, the one the build uses (-D_GNU_SOURCE, C11 is the newest
# cppcheck 2.10 knows); the posix and gnu library models let it follow
# descriptors, allocations and the libc calls' contracts.
cppcheck_out=$work/cppcheck.txt
cppcheck --std=c11 --library=posix --library=gnu -D_GNU_SOURCE -D__linux__ -D__x86_64__ \
	-Iinclude -Isrc --enable=warning,style,performance,portability \
	--inline-suppr --suppressions-list=tests/static/cppcheck-suppressions.txt \
	--error-exitcode=1 --quiet -j "$jobs" \
	--template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	src include tools >"$cppcheck_out" 2>&1
rc=$?
files=$(grep -oE '^[^: ]+\.[ch]:[0-9]+' "$cppcheck_out" | cut -d: -f1 | sort -u | tr '\n' ' ')
if [ $rc -eq 0 ] && [ ! -s "$cppcheck_out" ]; then
	ok "cppcheck clean: src include tools"
else
	not_ok "cppcheck: $(grep -c '\[[A-Za-z0-9_]*\]$' "$cppcheck_out") finding(s) in ${files:-(see below)}"
	diag <"$cppcheck_out"
fi

# --- clang-tidy -----------------------------------------------------------
# .clang-tidy at the top of the tree says which checks and why. meson lists a
# file once per target that builds it; clang-tidy is given one entry per file
# (analysing the same file twice in one run gives the path-sensitive checks
# stale state: a valist.Uninitialized false positive in src/util/error.c).
db=$build/compile_commands.json
if [ ! -f "$db" ]; then
	not_ok "clang-tidy: $db missing (meson setup $1 writes it)"
else
	# The generated default_seccomp.c must exist for its includers to parse.
	ninja -C "$build" >"$work/ninja.txt" 2>&1 || { not_ok "build $1"; diag <"$work/ninja.txt"; }
	mkdir -p "$work/db"
	# A source meson builds only under an option (meson_options.txt), such as
	# src/util/fault.c with -Dfault_injection=true, is checked anyway: with
	# the command of another file of its directory plus the options' defines.
	printf '%s\n' "${sources[@]}" >"$work/sources.txt"
	python3 - "$db" "$work/db/compile_commands.json" "$root" "$work/sources.txt" \
		>"$work/borrowed.txt" <<'PY'
import json, os, sys
db, out_path, root, sources = sys.argv[1:5]
option_defines = " -DNSRUN_FAULT_INJECTION"
entries, seen, out = json.load(open(db)), {}, []
for e in entries:
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if path not in seen and "command" in e:
        seen[path] = e
        out.append(e)
for rel in open(sources).read().split():
    path = os.path.join(root, rel)
    if path in seen:
        continue
    if rel.startswith("src/shim/"):
        # The exec shim is built by the compiler alone (meson.build).
        cmd = "cc -std=gnu17 -ffreestanding -I%s/include -I%s/src -c %s" % (root, root, path)
        out.append({"directory": root, "file": path, "command": cmd, "output": "/dev/null"})
        print(rel)
        continue
    sibling = next((e for p, e in seen.items()
                    if os.path.dirname(p) == os.path.dirname(path)), None)
    if sibling is None:
        continue
    old = sibling["file"]
    cmd = sibling["command"].replace(" -c " + old, " -c " + path)
    cmd = cmd.replace(" -D_GNU_SOURCE", " -D_GNU_SOURCE" + option_defines, 1)
    out.append({"directory": sibling["directory"], "file": path, "command": cmd,
                "output": "/dev/null"})
    print(rel)
json.dump(out, open(out_path, "w"), indent=1)
PY
	mkdir -p "$work/tidy"
	tidy_one() {
		local file=$1 out
		out=$work/tidy/$(echo "$file" | tr / _)
		if ! grep -q "/$file\"" "$work/db/compile_commands.json"; then
			echo "not in compile_commands.json, nor any file of its directory" >"$out.txt"
			echo 1 >"$out.rc"
			return
		fi
		nice -n 10 clang-tidy -p "$work/db" --quiet --warnings-as-errors='*' "$file" \
			>"$out.txt" 2>"$out.err"
		echo $? >"$out.rc"
	}
	export -f tidy_one
	export work
	printf '%s\n' "${sources[@]}" | xargs -P "$jobs" -I{} bash -c 'tidy_one "$1"' _ {}
	for file in "${sources[@]}"; do
		out=$work/tidy/$(echo "$file" | tr / _)
		how=
		grep -qxF "$file" "$work/borrowed.txt" && how=" (built only under a meson option: flags of its directory)"
		[[ $file == src/shim/* ]] && how=" (built by the compiler alone: freestanding flags)"
		if [ "$(cat "$out.rc")" = 0 ]; then
			ok "clang-tidy clean: $file$how"
		else
			not_ok "clang-tidy: $file: $(grep -c ': \(warning\|error\): ' "$out.txt") finding(s)"
			diag <"$out.txt"
			grep -v '^[0-9]* \(warnings\?\|errors\?\) .*generated\.$' "$out.err" 2>/dev/null | diag
		fi
	done
fi

# --- valgrind memcheck on the unit tests ----------------------------------
# --trace-children=no: the tests re-execute themselves (test_reexec's stages,
# test_seccomp's filter stage); what they execute runs natively, everything
# before the execve, forked children included, runs under memcheck. Two
# system calls valgrind 3.19 lacks are covered where they are used:
#  - clone3 fails with ENOSYS and libnsrun falls back to clone
#    (src/engine/reexec.c, clone_child) when no time namespace is asked for;
#  - execveat(fd, "", AT_EMPTY_PATH) fails with ENOENT and libnsrun falls
#    back to execve of /proc/self/fd/N, the same sealed copy;
#  - seccomp(2) is not implemented at all, so test_seccomp installs its
#    filters in a re-executed stage (native) and checks the compiled program
#    it hands over; libseccomp's own probe of seccomp(2) only gets ENOSYS.
vg_status=97
units=()
for t in "$build"/tests/unit/test_*; do
	[ -f "$t" ] && [ -x "$t" ] && units+=("$t")
done
if [ ${#units[@]} -eq 0 ]; then
	not_ok "valgrind: no unit test binaries in $1/tests/unit"
fi
for t in "${units[@]}"; do
	name=${t##*/}
	log=$work/$name.valgrind
	(cd "$root/tests/unit" && timeout 600 nice -n 10 valgrind --tool=memcheck \
		--leak-check=full --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=$vg_status --trace-children=no --log-file="$log.%p" \
		"$t" >"$work/$name.tap" 2>&1)
	rc=$?
	errors=$(cat "$log".* 2>/dev/null | grep -c '^==[0-9]*== ERROR SUMMARY: [1-9]')
	if [ $rc -eq 0 ] && [ "$errors" -eq 0 ]; then
		ok "valgrind memcheck clean: tests/unit/$name"
	elif [ $rc -eq $vg_status ] || [ "$errors" -ne 0 ]; then
		not_ok "valgrind memcheck: tests/unit/$name: errors or leaks in $errors process(es)"
		for l in "$log".*; do
			grep -q 'ERROR SUMMARY: [1-9]' "$l" && diag <"$l"
		done
	else
		not_ok "valgrind memcheck: tests/unit/$name: the test failed under valgrind (status $rc)"
		grep -v '^ok ' "$work/$name.tap" | diag
	fi
done

echo "1..$n"
[ $failed -eq 0 ]
