#!/usr/bin/env bash
# What nsrun's sealed re-exec costs on the staged path (bench/README.md,
# "where the time goes").
#
#   bash bench/reexec-cost.sh
#
# 1. memfd_copy: the sealed copy (memfd_create + sendfile + seals) and a
#    fork+exec+wait of the binary from its file and from the copy, for nsrun
#    as built, for nsrun linked statically and for exit0 (bench/exit0.c, no
#    libc: the least any re-executed stage can cost).
# 2. abrun, interleaved: nsrun staged as built against variants that skip the
#    re-exec (bench/reexec-variants.patch, applied to a temporary copy of a
#    commit from before the exec shim, never to src/; variant 4 executes the
#    command through a sealed copy of bench/exec-shim.c), a statically
#    linked nsrun, the floor and unshare.
#
# Environment: RUNS=400 (per command), RESULTS_DIR=bench/results/reexec-<date>,
# REV=<commit> to measure another commit of that time than 6007cc4.
# Root, and the tools of bench/run.sh; takes about a minute.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs=${RUNS:-400}
out=${RESULTS_DIR:-$here/results/reexec-$(date +%Y%m%d-%H%M%S)}
work=$(mktemp -d /tmp/nsrun-reexec.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$out"
reexec_variants "$work" 0 1 2 3 4
# The same objects linked statically (glibc warns about getpwuid: fine here),
# with libseccomp and jansson where this commit uses them.
extra_libs=()
if grep -q "dependency('libseccomp'" "$work/tree/meson.build"; then
	read -ra extra_libs < <(pkg-config --static --libs libseccomp jansson)
fi
cc -static -o "$work/b0/nsrun-static" "$work"/b0/nsrun.p/*.o "$work/b0/libnsrun.a" \
	"${extra_libs[@]}" 2>"$work/static.log" ||
	{ cat "$work/static.log" >&2; echo "reexec-cost.sh: static link failed" >&2; exit 1; }
cc -O2 -Wall -Wextra -Werror -o "$work/floor" "$here/floor.c"
cc -O2 -Wall -Wextra -Werror -o "$work/abrun" "$here/abrun.c"
cc -O2 -Wall -Wextra -Werror -o "$work/memfd_copy" "$here/memfd_copy.c"
exec_shim "$work"
have_exit0=0
cc -O2 -Wall -Wextra -Werror -static -nostdlib -o "$work/exit0" "$here/exit0.c" 2>/dev/null && have_exit0=1

busy_before "the run"

{
	echo "git: $rev"
	echo "busy before the run: ${load}% of CPU time"
	echo "kernel: $(uname -r), $(nproc) cpus"
	echo "nsrun: $(stat -c %s "$work/b0/nsrun") bytes; static: $(stat -c %s "$work/b0/nsrun-static") bytes"
	echo
	"$work/memfd_copy" -n "$runs" "$work/b0/nsrun" --version
	echo
	"$work/memfd_copy" -n "$runs" "$work/b0/nsrun-static" --version
	echo
	if ((have_exit0)); then
		"$work/memfd_copy" -n "$runs" "$work/exit0"
		echo
	fi
	ns=(-Urpmuin --mount-proc -- /bin/true)
	"$work/abrun" -n "$runs" -w 20 \
		"$work/b0/nsrun" "${ns[@]}" ::: \
		"$work/b1/nsrun" "${ns[@]}" ::: \
		"$work/b2/nsrun" "${ns[@]}" ::: \
		"$work/b3/nsrun" "${ns[@]}" ::: \
		"$work/b4/nsrun" "${ns[@]}" ::: \
		"$work/b0/nsrun-static" "${ns[@]}" ::: \
		"$work/floor" -UpmnuiPL /bin/true ::: \
		"$work/floor" -UpmnuiP /bin/true ::: \
		"$(command -v unshare)" -Urpmuinf --mount-proc /bin/true
} | sed "s|$work/||g" | tee "$out/reexec-cost.txt"
echo "b0 = as built, b1 = no execve, b2 = no copy and no execve, b3 = exec /proc/self/exe, no copy, b4 = no copy and no execve, the command executed through the exec shim" |
	tee -a "$out/reexec-cost.txt"
say "results: $out/reexec-cost.txt"
