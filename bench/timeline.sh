#!/usr/bin/env bash
# Where one command's wall time goes, per process and per system call, from
# kernel tracepoints (bench/README.md, "The oci set: where the time goes").
#
#   bash bench/timeline.sh [-n RUNS] [-w WARMUP] [-o DIR] -- COMMAND [ARG...]
#
# Runs COMMAND RUNS times in a row (after WARMUP runs not recorded) under
# `perf record` with the tracepoints raw_syscalls:sys_enter/sys_exit and
# sched:sched_process_fork/exec/exit, for COMMAND's processes only (no -a).
# Then prints, as medians over the runs:
#   * milestones: every exec, process creation and exit in the process tree,
#     in µs from the first exec of the run (processes are named by where they
#     sit in the tree: p0 is COMMAND's, p0.1 its first child, p0.1.2 that
#     one's second child; threads count with their process);
#   * per process, the wall time spent inside each system call (from entry
#     to exit, summed over the run and over the process's threads), and the
#     rest of its life: user space, page faults, waiting to be scheduled.
# Wall time, unlike bench/profile.sh's CPU time: a process blocked in read()
# while another works shows up as time in read. Each traced system call costs
# about a microsecond more than it would (the tracepoints), so the totals are
# a little above hyperfine's; compare the runtimes with each other here, and
# take absolute times from the benchmark. Root; perf (linux-perf).
# Defaults: RUNS=100, WARMUP=5, DIR=bench/results/timeline-<date>-<time>.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=100
warmup=5
out=
while getopts n:w:o: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	w) warmup=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
(($# > 0)) || { echo "usage: timeline.sh [-n RUNS] [-w WARMUP] [-o DIR] -- COMMAND [ARG...]" >&2; exit 2; }
out=${out:-$here/results/timeline-$(date +%Y%m%d-%H%M%S)}
command -v perf >/dev/null || { echo "timeline.sh: needs perf (apt-get install linux-perf)" >&2; exit 1; }
mkdir -p "$out"
printf '%q ' "$@" >"$out/command.txt"
echo >>"$out/command.txt"

loop='n=$1; shift; i=0; while [ "$i" -lt "$n" ]; do "$@" >/dev/null || exit 1; i=$((i + 1)); done'
sh -c "$loop" sh "$warmup" "$@"
perf record -q -o "$out/perf.data" \
	-e raw_syscalls:sys_enter,raw_syscalls:sys_exit \
	-e sched:sched_process_fork,sched:sched_process_exec,sched:sched_process_exit \
	-- sh -c "$loop" sh "$runs" "$@"
perf script -i "$out/perf.data" -F comm,pid,tid,time,event,trace 2>/dev/null >"$out/perf.txt"

python3 - "$out/perf.txt" "$runs" <<'PY' | tee "$out/timeline.md"
import collections, os, re, statistics as st, sys

path, runs = sys.argv[1], int(sys.argv[2])

# System call numbers to names, from the kernel headers when they are there.
names = {}
for hdr in ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h", "/usr/include/asm/unistd_64.h"):
    if os.path.exists(hdr):
        for line in open(hdr):
            m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
            if m:
                names[int(m.group(2))] = m.group(1)
        break
sysname = lambda nr: names.get(nr, f"NR {nr}")

line_re = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)$")
events = []
tgid_of = {}
for line in open(path, errors="replace"):
    m = line_re.match(line)
    if not m:
        continue
    comm, pid, tid, t, ev, rest = m.groups()
    pid, tid, t = int(pid), int(tid), float(t) * 1e6  # µs
    events.append((t, comm, pid, tid, ev, rest))
    tgid_of[tid] = pid
events.sort(key=lambda e: e[0])

# The loop shell: the first process that execs.
loop = next(e[2] for e in events if e[4] == "sched:sched_process_exec")
# Process tree: fork events whose child turned out to be a process (its own
# thread group) name it after its parent.
name = {loop: "loop"}
nkids = collections.Counter()
run_of = {}
run_start = {}
nrun = 0
for t, comm, pid, tid, ev, rest in events:
    if ev != "sched:sched_process_fork":
        continue
    child = int(re.search(r"child_pid=(\d+)", rest).group(1))
    if tgid_of.get(child, child) != child:
        continue  # a thread
    if pid == loop:
        name[child] = "p0"
        run_of[child] = nrun
        nrun += 1
    elif pid in name and pid != loop:
        nkids[pid] += 1
        name[child] = f"{name[pid]}.{nkids[pid]}"
        run_of[child] = run_of[pid]

# Per run: milestones and per-process system call time.
miles = collections.defaultdict(dict)      # run -> key -> time
seen = collections.defaultdict(collections.Counter)
insys = collections.defaultdict(lambda: collections.defaultdict(float))  # run -> (proc, sys) -> µs
nsys = collections.defaultdict(collections.Counter)
life = collections.defaultdict(dict)       # run -> proc -> [start, end]
comm_of = collections.defaultdict(dict)    # run -> proc -> last comm
enter = {}                                 # tid -> (nr, t)

def mile(run, key, t):
    seen[run][key] += 1
    k = key if seen[run][key] == 1 else f"{key} #{seen[run][key]}"
    miles[run][k] = t

for t, comm, pid, tid, ev, rest in events:
    if pid not in run_of:
        continue
    run, proc = run_of[pid], name[pid]
    comm_of[run][proc] = comm
    lf = life[run].setdefault(proc, [t, t])
    lf[1] = max(lf[1], t)
    if ev == "raw_syscalls:sys_enter":
        nr = int(rest.split()[1])
        enter[tid] = (nr, t)
    elif ev == "raw_syscalls:sys_exit":
        nr = int(rest.split()[1])
        if tid in enter and enter[tid][0] == nr:
            insys[run][(proc, sysname(nr))] += t - enter[tid][1]
            nsys[run][(proc, sysname(nr))] += 1
        enter.pop(tid, None)
    elif ev == "sched:sched_process_exec":
        fn = re.search(r"filename=(\S+)", rest).group(1)
        mile(run, f"{proc} exec {os.path.basename(fn)}", t)
        if tid in enter:  # the execve's own time ends here
            nr, t0 = enter.pop(tid)
            insys[run][(proc, sysname(nr))] += t - t0
            nsys[run][(proc, sysname(nr))] += 1
            enter[tid] = (nr, t)  # its exit event follows in the new image
    elif ev == "sched:sched_process_fork":
        child = int(re.search(r"child_pid=(\d+)", rest).group(1))
        if child in name and child in run_of:
            mile(run, f"{proc} creates {name[child]}", t)
            life[run].setdefault(name[child], [t, t])
    elif ev == "sched:sched_process_exit":
        if tid in enter:  # exit_group or a call cut short
            nr, t0 = enter.pop(tid)
            insys[run][(proc, sysname(nr))] += t - t0
            nsys[run][(proc, sysname(nr))] += 1
        if tid == pid:
            mile(run, f"{proc} exit", t)

runs_done = sorted(miles)
if not runs_done:
    sys.exit("no runs recorded")
# Times from the start of each run: the first exec of p0.
for r in runs_done:
    t0 = min(t for k, t in miles[r].items() if k.startswith("p0 exec"))
    miles[r] = {k: t - t0 for k, t in miles[r].items()}
    for proc, lf in life[r].items():
        lf[0] -= t0
        lf[1] -= t0
common = collections.Counter(k for r in runs_done for k in miles[r])
n = len(runs_done)
keys = [k for k, c in common.items() if c >= n * 0.9]
med = {k: st.median(miles[r][k] for r in runs_done if k in miles[r]) for k in keys}
total = med.get("p0 exit")
print(f"{n} runs recorded. Times in µs, medians over the runs.")
print()
print("| milestone | µs from the start | since the line before |")
print("|---|---:|---:|")
prev = 0.0
for k in sorted(keys, key=lambda k: med[k]):
    print(f"| {k} | {med[k]:.0f} | {med[k] - prev:+.0f} |")
    prev = med[k]
print()

# Per process: lifetime and system call time.
procs = collections.Counter(p for r in runs_done for p in life[r])
print("| process (last name) | lifetime µs | in system calls µs | outside µs | largest system calls, µs (count) |")
print("|---|---:|---:|---:|---|")
for p in sorted(procs, key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"[.p]", p)]):
    if procs[p] < n * 0.9:
        continue
    rs = [r for r in runs_done if p in life[r]]
    lt = st.median(life[r][p][1] - life[r][p][0] for r in rs)
    calls = collections.defaultdict(list)
    counts = collections.defaultdict(list)
    for r in rs:
        for (pp, s), v in insys[r].items():
            if pp == p:
                calls[s].append(v)
                counts[s].append(nsys[r][(pp, s)])
    # a call missing from a run counts as 0 in it
    cm = {s: st.median(v + [0.0] * (len(rs) - len(v))) for s, v in calls.items()}
    tot = st.median(sum(v for (pp, s), v in insys[r].items() if pp == p) for r in rs)
    top = sorted(cm.items(), key=lambda kv: -kv[1])[:8]
    comm = collections.Counter(comm_of[r].get(p, "?") for r in rs).most_common(1)[0][0]
    desc = ", ".join(f"{s} {v:.0f} ({st.median(counts[s]):.0f})" for s, v in top if v >= 1)
    print(f"| {p} ({comm}) | {lt:.0f} | {tot:.0f} | {lt - tot:.0f} | {desc} |")
print()
PY
echo "timeline: $out (timeline.md, perf.data, perf.txt)" >&2
