#!/usr/bin/env python3
"""Count the system calls of an `strace -f` log per process and phase
(bench/README.md, "Process images and system calls").

    strace -f -o LOG COMMAND...
    python3 bench/strace_phases.py LOG

A process's phase changes after each successful execve/execveat (named after
the new argv[0]), after prctl(PR_SET_NAME) (nsrun's init stage names itself
first thing), and after clone/clone3/fork/vfork in the parent. Each line:
the number of calls, "pid: phase", and the most frequent calls. A call that
strace shows as "unfinished" and "resumed" counts once.
"""
import collections
import re
import sys


def main(path):
    phase = {}
    counts = collections.OrderedDict()
    calls = collections.defaultdict(collections.Counter)
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"^(\d+)\s+(.*)$", line.rstrip("\n"))
        if not m:
            continue
        pid, rest = m.groups()
        if rest.startswith(("+++", "---", "<... ")):
            continue
        name = re.match(r"(\w+)\(", rest)
        if not name:
            continue
        name = name.group(1)
        key = phase.get(pid, f"{pid}: start")
        counts[key] = counts.get(key, 0) + 1
        calls[key][name] += 1
        if name in ("execve", "execveat") and ("= 0" in rest or "unfinished" in rest):
            argv0 = re.search(r'\["([^"]*)"', rest)
            phase[pid] = f"{pid}: after exec {argv0.group(1) if argv0 else '?'}"
        elif name == "prctl" and "PR_SET_NAME" in rest:
            phase[pid] = f"{pid}: after PR_SET_NAME"
        elif name in ("clone", "clone3", "fork", "vfork"):
            phase[pid] = f"{pid}: after {name}"
    for key, n in counts.items():
        top = ", ".join(f"{c} {k}" for c, k in calls[key].most_common(8))
        print(f"{n:4d}  {key}   {top}")
    print(f"{sum(counts.values())} total")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: strace_phases.py STRACE_LOG")
    main(sys.argv[1])
