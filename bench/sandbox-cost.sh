#!/usr/bin/env bash
# What the sandbox comparisons of bench/run.sh (SET=sandbox) are made of, for
# bench/README.md, "where the time goes": interleaved (abrun) timings of
#
# 1. the steps, nsrun against bwrap: namespaces only, then adding a busybox
#    root, --proc and --dev one at a time, and the time namespace that
#    nsrun's -a makes and bwrap's --unshare-all does not;
# 2. the re-exec: nsrun as built (variant 0) against variant 2 (no sealed
#    copy, no re-exec: the init stage runs in the cloned child) and variant 4
#    (the same, but the command is executed through a sealed copy of a 9 KB
#    no-libc shim, bench/exec-shim.c), on the busybox root and --sandbox,
#    with bwrap alongside; and --sandbox against its older, smaller form by
#    hand (no seccomp filter, no masked paths), with and without the time
#    namespace. The variants come from bench/reexec-variants.patch,
#    applied to a temporary copy of the tree, never to src/;
# 3. the --sandbox preset part by part (--seccomp-default, the masked and
#    read-only paths), and what installing a seccomp filter costs by its
#    length (bench/seccomp_cost.c).
#
# Part 3 needs a commit with --seccomp-default, --mask and --ro (5e0a214 or
# later); the patch was made against 6007cc4.
#
#   bash bench/sandbox-cost.sh
#
# Environment: RUNS=300 (per command), RESULTS_DIR=bench/results/sandbox-
# <date>, REV=<commit> to measure another commit from before the exec
# shim than 6007cc4. Root, bwrap, busybox-static and the tools of bench/run.sh
# (run that first); takes about two minutes.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

runs=${RUNS:-300}
out=${RESULTS_DIR:-$here/results/sandbox-$(date +%Y%m%d-%H%M%S)}
work=$(mktemp -d /tmp/nsrun-sandbox-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT

for tool in bwrap meson ninja cc python3 readelf; do
	command -v "$tool" >/dev/null || die "needs $tool (run bench/run.sh first)"
done

mkdir -p "$out"
reexec_variants "$work" 0 2 4
cc -O2 -Wall -Wextra -Werror -o "$work/abrun" "$here/abrun.c"
cc -O2 -Wall -Wextra -Werror -o "$work/seccomp_cost" "$here/seccomp_cost.c"
exec_shim "$work"

# The busybox root, as bench/run.sh builds it.
bb=$work/rootfs
busybox_root "$bb" proc dev tmp
chmod 755 "$work" "$bb"

busy_before "the run"

n0=$work/b0/nsrun n2=$work/b2/nsrun n4=$work/b4/nsrun
bw=$(command -v bwrap)
fs=(--proc /proc --dev /dev)
sandbox_fs=(--ro-bind / / --proc /proc --dev /dev --tmpfs /tmp --hostname nsrun)
sandbox_bwrap=(--unshare-all "${sandbox_fs[@]}")
# What --sandbox masks and makes read-only besides (default_masked and
# default_readonly in src/cli/options.c, as of 6007cc4). Only the parts
# table depends on this list; --sandbox itself is measured as built.
masks=() ros=()
for p in /proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys \
	/proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug \
	/proc/scsi /sys/firmware /sys/devices/virtual/powercap; do
	masks+=(--mask "$p")
done
for p in /proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger; do
	ros+=(--ro "$p")
done
{
	echo "git: $rev"
	echo "busy before the run: ${load}% of CPU time"
	echo "kernel: $(uname -r), $(nproc) cpus; $("$bw" --version)"
	echo
	echo "1. the steps (variant 0 = nsrun as built)"
	"$work/abrun" -n "$runs" -w 20 \
		"$n0" -r -UmpnuiC -- /bin/true ::: \
		"$n0" -r -UmpnuiC --ro-bind "$bb" / -- /bin/true ::: \
		"$n0" -r -UmpnuiC --ro-bind "$bb" / --proc /proc -- /bin/true ::: \
		"$n0" -r -UmpnuiC --ro-bind "$bb" / "${fs[@]}" -- /bin/true ::: \
		"$n0" -a -r --ro-bind "$bb" / "${fs[@]}" -- /bin/true ::: \
		"$bw" --unshare-all --ro-bind "$bb" / /bin/true ::: \
		"$bw" --unshare-all --ro-bind "$bb" / --proc /proc /bin/true ::: \
		"$bw" --unshare-all --ro-bind "$bb" / "${fs[@]}" /bin/true
	echo
	echo "2. the re-exec (b0 as built, b2 no re-exec, b4 no re-exec + exec shim), and the preset"
	"$work/abrun" -n "$runs" -w 20 \
		"$n0" -a -r --rootfs "$bb" "${fs[@]}" -- /bin/true ::: \
		"$n2" -a -r --rootfs "$bb" "${fs[@]}" -- /bin/true ::: \
		"$n4" -a -r --rootfs "$bb" "${fs[@]}" -- /bin/true ::: \
		"$bw" --unshare-all --ro-bind "$bb" / "${fs[@]}" /bin/true ::: \
		"$n0" --sandbox -- /bin/true ::: \
		"$n2" --sandbox -- /bin/true ::: \
		"$n4" --sandbox -- /bin/true ::: \
		"$n0" -a -r "${sandbox_fs[@]}" -- /bin/true ::: \
		"$n0" -r -UmpnuiC "${sandbox_fs[@]}" -- /bin/true ::: \
		"$bw" "${sandbox_bwrap[@]}" /bin/true
	echo
	echo "3. the --sandbox preset, part by part (b0), and seccomp_cost"
	"$work/abrun" -n "$runs" -w 20 \
		"$n0" -a -r "${sandbox_fs[@]}" -- /bin/true ::: \
		"$n0" -a -r "${sandbox_fs[@]}" --seccomp-default -- /bin/true ::: \
		"$n0" -a -r "${sandbox_fs[@]}" "${masks[@]}" -- /bin/true ::: \
		"$n0" -a -r "${sandbox_fs[@]}" "${ros[@]}" -- /bin/true ::: \
		"$n0" -a -r "${sandbox_fs[@]}" "${masks[@]}" "${ros[@]}" --seccomp-default -- /bin/true ::: \
		"$n0" --sandbox -- /bin/true ::: \
		"$n0" -- /bin/true ::: \
		"$n0" --seccomp-default -- /bin/true
	echo
	"$work/seccomp_cost" -n "$runs" 0 15 63 127 255 369 511 1111 1999
} | sed "s|$bb|BUSYBOX|g; s|$work/||g; s|$bw|bwrap|g; s|--mask /proc/acpi.* --mask /sys/devices/virtual/powercap|MASKS|; s|--ro /proc/bus.* --ro /proc/sysrq-trigger|RO|" |
	tee "$out/sandbox-cost.txt"
say "results: $out/sandbox-cost.txt"
