#!/usr/bin/env bash
# Where one command's start-up time goes, by process image and by system call
# (bench/README.md, "where the time goes"): perf's software clock, system
# wide, while abrun runs the command RUNS times.
#
#   bash bench/profile.sh [-n RUNS] [-o DIR] -- COMMAND [ARG...]
#
# Prints two tables of CPU time per run, in µs:
#   * per process image (perf's comm: "nsrun", "memfd:nsrun", "nsrun:init",
#     "bwrap", "true", kernel workers...): kernel, ld.so, libc, the rest;
#   * per image and system call: kernel time under each system call (the
#     outermost __x64_sys_* or __do_sys_* frame, else the function that
#     do_syscall_64 called), page faults, the return from fork, the work
#     items of kernel workers, and everything else in the kernel.
# CPU time, not wall time: work on the two CPUs can overlap, and time spent
# waiting is not in it. It samples the whole machine, so run it when nothing
# else runs (the "other" rows show what did). Root; perf (linux-perf) and cc.
# Defaults: RUNS=400, DIR=bench/results/profile-<date>-<time>, which keeps
# perf.data, the command and the tables.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=400
out=
while getopts n:o: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
(($# > 0)) || { echo "usage: profile.sh [-n RUNS] [-o DIR] -- COMMAND [ARG...]" >&2; exit 2; }
out=${out:-$here/results/profile-$(date +%Y%m%d-%H%M%S)}
command -v perf >/dev/null || { echo "profile.sh: needs perf (apt-get install linux-perf)" >&2; exit 1; }

work=$(mktemp -d /tmp/nsrun-profile.XXXXXX)
trap 'rm -rf "$work"' EXIT
cc -O2 -Wall -Wextra -Werror -o "$work/abrun" "$here/abrun.c"
mkdir -p "$out"
printf '%q ' "$@" >"$out/command.txt"
echo >>"$out/command.txt"

# Warm the caches first, outside the recording.
"$work/abrun" -n 20 -w 0 "$@" >/dev/null
freq=10000
perf record -q -o "$out/perf.data" -e cpu-clock -F "$freq" -a -g -- \
	"$work/abrun" -n "$runs" -w 0 "$@" >"$out/abrun.txt" 2>&1
cat >"$work/aggregate.py" <<'PY'
import re, sys
from collections import defaultdict

runs, freq = int(sys.argv[1]), int(sys.argv[2])
us = 1e6 / freq / runs  # µs per run for one sample

img = defaultdict(lambda: defaultdict(int))   # comm -> kernel/ld.so/libc/rest
call = defaultdict(lambda: defaultdict(int))  # comm -> system call bucket
sysre = re.compile(r"^(?:__x64_sys|__do_sys|__se_sys|__ia32_sys)_(\w+)")

def flush(comm, frames):
    if comm is None or not frames:
        return
    sym0, dso0 = frames[0]
    if "kallsyms" in dso0:
        img[comm]["kernel"] += 1
        bucket = None
        for sym, dso in frames:           # innermost first: keep the outermost
            m = sysre.match(sym)
            if m:
                bucket = m.group(1)
        syms = [s for s, _ in frames]
        if bucket is None and "do_syscall_64" in syms:
            i = syms.index("do_syscall_64")  # the handler it called, when
            if i > 0:                        # the __x64_sys_ frame is inlined
                bucket = syms[i - 1]
        if bucket is None and "process_one_work" in syms:
            i = syms.index("process_one_work")  # a kernel worker: the work item
            bucket = "work: " + syms[i - 1] if i > 0 else "work"
        elif bucket is None and "kthread" in syms:
            i = syms.index("kthread")           # another kernel thread
            bucket = "thread: " + syms[i - 1] if i > 0 else "thread"
        if bucket is None:
            syms = set(syms)
            if syms & {"asm_exc_page_fault", "exc_page_fault"}:
                bucket = "(page faults)"
            elif any(s.startswith("ret_from_fork") for s in syms):
                bucket = "(return from fork)"
            else:
                bucket = "(other kernel)"
        call[comm][bucket] += 1
    elif "ld-linux" in dso0:
        img[comm]["ld.so"] += 1
    elif "libc.so" in dso0:
        img[comm]["libc"] += 1
    else:
        img[comm]["rest"] += 1

comm, frames = None, []
for line in sys.stdin:
    if not line.strip():
        flush(comm, frames)
        comm, frames = None, []
    elif line[0] in " \t":
        parts = line.split(None, 1)
        if len(parts) == 2:
            rest = parts[1].rstrip()
            m = re.match(r"(.*) \((.*)\)$", rest)
            frames.append((m.group(1), m.group(2)) if m else (rest, ""))
    else:
        flush(comm, frames)
        comm, frames = line.split()[0], []
flush(comm, frames)

total = lambda c: sum(img[c].values())
shown = [c for c in sorted(img, key=total, reverse=True)
         if c != "swapper" and total(c) * us >= 10]
print(f"CPU time per run, µs ({runs} runs, cpu-clock at {freq} Hz, whole machine; "
      f"one sample = {us:.2f} µs per run)")
print()
print("| image | total | kernel | ld.so | libc | rest |")
print("|---|---:|---:|---:|---:|---:|")
for c in shown:
    d = img[c]
    print(f"| `{c}` | {total(c) * us:.0f} | {d['kernel'] * us:.0f} | {d['ld.so'] * us:.0f} "
          f"| {d['libc'] * us:.0f} | {d['rest'] * us:.0f} |")
print()
print("Kernel time by system call, µs per run (10 µs or more):")
print()
print("| image | system call | µs |")
print("|---|---|---:|")
for c in shown:
    for b, n in sorted(call[c].items(), key=lambda kv: -kv[1]):
        if n * us >= 10:
            print(f"| `{c}` | {b} | {n * us:.0f} |")
PY
perf script -i "$out/perf.data" -F comm,ip,sym,dso 2>/dev/null |
	python3 "$work/aggregate.py" "$runs" "$freq" | tee "$out/profile.md"
echo "profile.sh: results in $out (perf.data, profile.md, abrun.txt, command.txt)" >&2
