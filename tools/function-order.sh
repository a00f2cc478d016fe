#!/usr/bin/env bash
# Write data/nsrun.order: nsrun's functions (glibc's, libseccomp's and
# jansson's among them) in the order the paths that matter run them first.
#
#   tools/function-order.sh BUILD/nsrun [OUT]     # OUT: data/nsrun.order
#
# The release build links the program with lld and
# --symbol-ordering-file=data/nsrun.order (meson.build), so that the code a
# start runs sits together at the front of the text instead of spread over
# its megabyte: each page of the program a process touches first costs a few
# microseconds on a virtual machine (bench/README.md, "Results at ..."), and
# a start touched 84 pages of text before its clone where 26 would hold what
# it runs. Functions not listed follow, in the linker's own order; a name no
# longer in the program is skipped. Regenerate after changes to what the
# start-up paths call (a stale list only costs speed).
#
# The paths, in this order (earlier ones are packed first): the staged
# sandbox (-Urpmuin --mount-proc), the rootfs sandbox (-a -r --rootfs); OCI
# `run` and `exec` of `nsrun spec`'s bundle, then of bench/k8s-bundle.py's
# (seccomp, 24 mounts), each in every cgroup layout of the bench (on a
# hybrid host: with only the v1 hierarchies, as bench/k8s.sh measures them,
# then as it is; bench/lib.sh, cgroup_layouts); what an engine calls
# (create, start, state, kill, delete); all on a busybox root. Each runs
# under gdb with a breakpoint on every
# function (tools/function-order-gdb.py): slow (about 20 minutes in all),
# and exact, the forked children included. Root; gdb, python3,
# busybox-static.
set -euo pipefail
# die, busybox_root, cgroup_layouts, in_layout; root (the repository).
. "$(dirname "${BASH_SOURCE[0]}")/../bench/lib.sh"

[[ $# -ge 1 && $# -le 2 ]] || die "usage: tools/function-order.sh NSRUN [OUT]"
nsrun=$(readlink -f "$1")
out=${2:-$root/data/nsrun.order}
[[ $(id -u) -eq 0 ]] || die "run it as root: it runs OCI containers"
for tool in gdb python3 nm readelf; do
	command -v "$tool" >/dev/null || die "needs $tool"
done
[[ -x /bin/busybox ]] || die "needs /bin/busybox (busybox-static)"
[[ -x $nsrun ]] || die "no program at $1"

work=$(mktemp -d /tmp/nsrun-function-order.XXXXXX)
state=$work/state
cleanup() {
	local dir
	for dir in "$state"/order-*; do
		[[ -d $dir ]] && { "$nsrun" --root "$state" delete -f "${dir##*/}" >/dev/null 2>&1 || true; }
	done
	rm -rf "$work"
}
trap cleanup EXIT

# Every function with code, by address: "ADDRESS NAME..." (aliases such as
# stat and __stat64 share one line).
nm --defined-only -S "$nsrun" | python3 -c '
import sys
names = {}
for line in sys.stdin:
    f = line.split()
    if len(f) == 4 and f[2] in "tTwW" and int(f[1], 16) > 0:
        names.setdefault(f[0], []).append(f[3])
for address, n in names.items():
    print(address, *n)
' >"$work/symbols"
[[ -s $work/symbols ]] || die "$nsrun has no symbol table (stripped?)"
entry=$(LC_ALL=C readelf -h "$nsrun" | awk '/Entry point address/ {print $4}')

# A busybox root and the four bundles.
rootfs=$work/rootfs
busybox_root "$rootfs" proc dev sys tmp etc
# bundle NAME ARG...: NAME, `nsrun spec`'s config running ARG..., and
# k8s-NAME, bench/k8s-bundle.py's made from it.
bundle() {
	local dir=$work/$1
	shift
	mkdir -p "$dir" "$work/k8s-${dir##*/}"
	"$nsrun" spec -b "$dir"
	python3 - "$dir/config.json" "$rootfs" "$@" <<'PY'
import json, sys
path, rootfs, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["root"]["path"] = rootfs
c["process"]["args"] = args
c["process"]["terminal"] = False
json.dump(c, open(path, "w"), indent=2)
PY
	python3 "$root/bench/k8s-bundle.py" "$dir/config.json" "$work/k8s-${dir##*/}/config.json" \
		"$work/volumes" "$@" >/dev/null
}
bundle plain /bin/true
bundle sleep sleep 100000

: >"$work/order"
export NSRUN_ORDER_SYMBOLS=$work/symbols NSRUN_ORDER_OUT=$work/order NSRUN_ORDER_ENTRY=$entry
trace() { # trace [WRAPPER...] NSRUN ARG...: that command, nsrun under gdb
	local wrapper=()
	while [[ $1 != "$nsrun" ]]; do
		wrapper+=("$1")
		shift
	done
	shift
	echo "tracing: ${wrapper[*]}${wrapper[*]:+ }nsrun $*" >&2
	"${wrapper[@]}" gdb -q -batch -x "$root/tools/function-order-gdb.py" --args "$nsrun" "$@" \
		</dev/null >"$work/gdb.log" 2>&1 || true
	grep -q . "$work/order" || die "gdb recorded nothing: see $work/gdb.log"
}
cgroup_layouts

# run, then exec, of both bundles, each in every layout one after the other
# (a path's functions stay together).
oci_paths() {
	local b l
	for b in "" k8s-; do
		for l in "${layouts[@]}"; do
			trace in_layout "$l" "$nsrun" --root "$state" run -b "$work/${b}plain" order-run
			in_layout "$l" "$nsrun" --root "$state" delete -f order-run >/dev/null 2>&1 || true
		done
		for l in "${layouts[@]}"; do
			in_layout "$l" "$nsrun" --root "$state" run -d -b "$work/${b}sleep" order-exec \
				</dev/null >/dev/null 2>&1 || die "could not start the ${b}sleep container"
			trace in_layout "$l" "$nsrun" --root "$state" exec order-exec /bin/true
			in_layout "$l" "$nsrun" --root "$state" delete -f order-exec >/dev/null
		done
	done
}
# The calls an engine makes. create's container outlives create's process:
# its children go on untraced (run's were traced).
engine_calls() {
	local id=order-engine
	NSRUN_ORDER_PARENT_ONLY=1 trace "$nsrun" --root "$state" create -b "$work/sleep" "$id"
	NSRUN_ORDER_PARENT_ONLY=1 trace "$nsrun" --root "$state" start "$id"
	trace "$nsrun" --root "$state" state "$id"
	trace "$nsrun" --root "$state" kill "$id" KILL
	trace "$nsrun" --root "$state" delete -f "$id"
}
trace "$nsrun" -Urpmuin --mount-proc -- /bin/true
trace "$nsrun" -a -r --rootfs "$rootfs" --proc /proc --dev /dev -- /bin/true
oci_paths
engine_calls

{
	echo "# nsrun's functions in the order its start-up paths first run them:"
	echo "# the lld --symbol-ordering-file of the release build. Made by"
	echo "# tools/function-order.sh; regenerate it rather than edit it."
	awk '!seen[$0]++' "$work/order"
} >"$out"
echo "function-order.sh: $(($(wc -l <"$out") - 3)) names in $out" >&2
