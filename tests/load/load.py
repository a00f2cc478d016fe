"""The load test's supervisor: the long-lived process that starts every
nsrun command of tests/load/run.sh, in sequence or N at a time, and checks
the host after each phase. See run.sh for what it asserts.

    load.py --nsrun NSRUN --work DIR --rootfs DIR --bundle DIR --uid UID
            --tag TAG [--seq N] [--par N] [--jobs 8] [--phases LIST]
    load.py --bench --runtime PATH --work DIR --bundle DIR --tag TAG
            --kind run|lifecycle --count N --jobs J

It prints TAP (the plan at the end) and exits 1 if any test failed. With
--bench it checks nothing and prints one line of JSON: the wall time of
COUNT containers of that kind.

It is a child subreaper: a process that outlives the nsrun that started it
is re-parented here, where it is seen. The OCI lifecycle needs this as
containerd's shim does: the container's init is re-parented here when
`create` exits, and its exit status is collected here.
"""
import argparse
import ctypes
import itertools
import json
import os
import shutil
import signal
import statistics
import sys
import time

import hostcheck

PR_SET_CHILD_SUBREAPER = 36
STEP_TIMEOUT = 60  # seconds a single command or container may take
RSS_WINDOW = 100  # runs at the start and at the end whose peak RSS is compared
RSS_SLACK_KB = 256
RSS_SLACK_RATIO = 0.10


class Spawn:
    """A job's request: run ARGV (its peak RSS is recorded under KIND)."""

    def __init__(self, kind, argv):
        self.kind, self.argv = kind, argv


class Adopted:
    """A job's request: wait until PID, re-parented here, has exited."""

    def __init__(self, pid):
        self.pid = pid


class Result:
    def __init__(self, status, maxrss=0, seconds=0.0, err=""):
        self.status, self.maxrss, self.seconds, self.err = status, maxrss, seconds, err


class Engine:
    """Runs jobs (generators yielding Spawn and Adopted) CONCURRENCY at a
    time. One process, no threads: waitid() without reaping names the
    process that ended, which is looked at before wait4() reaps it and
    returns its rusage."""

    def __init__(self, env, work, maxrss=None):
        self.env, self.work, self.maxrss = env, work, maxrss
        self.running = {}  # pid -> (slot, kind, started)
        self.awaited = {}  # pid -> slot: adopted processes jobs wait for
        self.adopted = {}  # pid -> (status, description): reaped, not claimed yet
        self.failures = []  # texts
        self.records = {}  # kind -> [(maxrss kB, seconds)] in the order they ended
        self.spawned = set()  # every pid started, and the commands' under maxrss
        signal.signal(signal.SIGALRM, self._watchdog)

    def _watchdog(self, *_):
        now = time.monotonic()
        for pid, (slot, kind, started) in list(self.running.items()):
            if now - started > STEP_TIMEOUT:
                self.failures.append(f"{kind} (pid {pid}) still running after {STEP_TIMEOUT} s: killed")
                os.kill(pid, signal.SIGKILL)
        for pid, slot in list(self.awaited.items()):
            if now - self.waiting_since.get(pid, now) > STEP_TIMEOUT:
                self.failures.append(f"container init (pid {pid}) still running after {STEP_TIMEOUT} s: killed")
                self.waiting_since[pid] = now
                os.kill(pid, signal.SIGKILL)

    def errfile(self, slot):
        return os.path.join(self.work, f"err.{slot}")

    def rssfile(self, slot):
        return os.path.join(self.work, f"rss.{slot}")

    def _send(self, slot, value):
        gen = self.jobs_of[slot]
        while True:
            try:
                action = gen.send(value)
            except StopIteration:
                self.jobs_of[slot] = None
                return
            if isinstance(action, Spawn):
                actions = [
                    (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, self.errfile(slot), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                ]
                argv = action.argv
                if self.maxrss:
                    argv = [self.maxrss, self.rssfile(slot)] + argv
                pid = os.posix_spawn(argv[0], argv, self.env, file_actions=actions)
                self.spawned.add(pid)
                self.running[pid] = (slot, action.kind, time.monotonic())
                return
            if action.pid in self.adopted:
                value = Result(self.adopted.pop(action.pid)[0])
                continue
            self.awaited[action.pid] = slot
            self.waiting_since[action.pid] = time.monotonic()
            return

    def run(self, jobs, concurrency):
        """Run every job of the iterable JOBS; returns the wall time."""
        jobs = iter(jobs)
        self.jobs_of = {}
        self.waiting_since = {}
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 1, 1)
        try:
            for slot in range(concurrency):
                self._next_job(slot, jobs)
            while self.running or self.awaited:
                try:
                    info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
                except ChildProcessError:
                    self.failures.append(f"waiting for {sorted(self.awaited)}, which are not children")
                    break
                pid = info.si_pid
                described = None if pid in self.running else hostcheck.describe(pid)
                _, wstatus, usage = os.wait4(pid, 0)
                status = os.waitstatus_to_exitcode(wstatus)
                now = time.monotonic()
                if pid in self.running:
                    slot, kind, t0 = self.running.pop(pid)
                    err = ""
                    if status != 0:
                        err = hostcheck.read(self.errfile(slot))
                    rss = usage.ru_maxrss
                    if self.maxrss:
                        try:
                            command_pid, rss = map(int, hostcheck.read(self.rssfile(slot)).split())
                            self.spawned.add(command_pid)
                            os.unlink(self.rssfile(slot))
                        except (OSError, ValueError):
                            rss = 0  # the command did not run
                    self.records.setdefault(kind, []).append((rss, now - t0))
                    self._send(slot, Result(status, rss, now - t0, err))
                elif pid in self.awaited:
                    slot = self.awaited.pop(pid)
                    self.waiting_since.pop(pid, None)
                    self._send(slot, Result(status))
                else:
                    self.adopted[pid] = (status, described)
                for slot, gen in list(self.jobs_of.items()):
                    if gen is None:
                        self._next_job(slot, jobs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
        return time.monotonic() - started

    def _next_job(self, slot, jobs):
        gen = next(jobs, None)
        self.jobs_of[slot] = gen
        if gen is not None:
            self._send(slot, None)
            # A job that finished without starting anything frees its slot.
            if self.jobs_of[slot] is None:
                self._next_job(slot, jobs)


def fail_text(what, r):
    return f"{what}: exit status {r.status}: {r.err.strip()[:300]}"


# --- jobs ---------------------------------------------------------------------


def sandbox_job(variant, argv, failures):
    r = yield Spawn(variant, argv)
    if r.status != 0:
        failures.append(fail_text(variant, r))


def run_job(rt, root, bundle, cid, failures):
    r = yield Spawn("run", [rt, "--root", root, "run", "--bundle", bundle, cid])
    if r.status != 0:
        failures.append(fail_text(f"run {cid}", r))


def lifecycle_job(rt, root, bundle, cid, pid_file, failures):
    """create, start, the init's exit (collected here), delete."""
    r = yield Spawn("create", [rt, "--root", root, "create", "--bundle", bundle, "--pid-file", pid_file, cid])
    if r.status != 0:
        failures.append(fail_text(f"create {cid}", r))
        yield Spawn("delete --force", [rt, "--root", root, "delete", "--force", cid])
        return
    try:
        init = int(hostcheck.read(pid_file))
        os.unlink(pid_file)
    except (OSError, ValueError) as e:
        failures.append(f"create {cid}: no pid file: {e}")
        yield Spawn("delete --force", [rt, "--root", root, "delete", "--force", cid])
        return
    r = yield Spawn("start", [rt, "--root", root, "start", cid])
    if r.status != 0:
        failures.append(fail_text(f"start {cid}", r))
        yield Spawn("delete --force", [rt, "--root", root, "delete", "--force", cid])
    init_status = (yield Adopted(init)).status
    if r.status == 0 and init_status != 0:
        failures.append(f"container {cid}: its process exited with status {init_status}")
    if r.status == 0:
        r = yield Spawn("delete", [rt, "--root", root, "delete", cid])
        if r.status != 0:
            failures.append(fail_text(f"delete {cid}", r))


# --- TAP ----------------------------------------------------------------------


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, name, details=()):
        self.n += 1
        if not ok:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {name}", flush=True)
        for d in list(details)[:20]:
            print(f"#   {d}", flush=True)
        extra = len(list(details)) - 20
        if extra > 0:
            print(f"#   ... and {extra} more", flush=True)

    def note(self, text):
        print(f"# {text}", flush=True)


def rss_check(tap, phase, kind, records):
    n = len(records)
    w = min(RSS_WINDOW, n // 2)
    if w == 0:
        tap.check(False, f"{phase}: peak RSS of {kind}: no runs to compare")
        return
    first = [m for m, _ in records[:w]]
    last = [m for m, _ in records[-w:]]
    limit = max(first) + max(RSS_SLACK_KB, int(max(first) * RSS_SLACK_RATIO))
    t_first = statistics.median(s for _, s in records[:w]) * 1000
    t_last = statistics.median(s for _, s in records[-w:]) * 1000
    tap.check(max(last) <= limit,
              f"{phase}: peak RSS of {kind} flat: first {w} max {max(first)} kB, last {w} max {max(last)} kB "
              f"(limit {limit} kB); median {t_first:.1f} ms then {t_last:.1f} ms a run")


def phase(tap, engine, name, jobs, concurrency, args, cgroups, id_prefix, expect_adopted, count, kinds):
    """Runs JOBS (and the faults of --inject) and asserts the host is as it
    was before."""
    listings = [args.rootfs, os.path.join(args.bundle, "rootfs")]
    before = hostcheck.Snapshot(args.work, args.state, listings)
    engine.failures, engine.records, engine.spawned, engine.adopted = [], {}, set(), {}
    failures = engine.failures
    stream = itertools.chain(jobs(failures), injected_jobs(args, cgroups, kinds[0], failures))
    wall = engine.run(stream, concurrency)
    tap.note(f"{name}: {count} in {wall:.1f} s, {count / wall:.1f} a second")

    tap.check(not failures, f"{name}: {count} runs, every exit status 0", failures)

    # Processes re-parented here: the lifecycle's container inits, claimed by
    # their jobs; any other is a process that outlived its nsrun.
    orphans = [f"pid {pid} exited with status {st} after its parent: {d}"
               for pid, (st, d) in engine.adopted.items()]
    stray = {}
    for _ in range(50):  # SIGKILLed processes take a moment to go
        stray = hostcheck.stray_processes(args.tag, args.nsrun_real, args.work, cgroups)
        if not stray:
            break
        time.sleep(0.1)
    details = orphans + [f"{hostcheck.describe(pid)}: {why}" for pid, why in sorted(stray.items())]
    tap.check(not details, f"{name}: no process left (children, zombies, orphans, cgroup members, "
              f"tagged, rooted in the test's files, nsrun)" + (f"; {expect_adopted} inits collected here"
                                                                if expect_adopted else ""), details)
    if stray:
        for pid in stray:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.3)
        reap_children()

    after = hostcheck.Snapshot(args.work, args.state, listings)
    added = after.added_mounts(before)
    tap.check(not added, f"{name}: no mount added to the host's mount table", added)
    for line in reversed(added):
        point = line.split()[4]
        if point == args.work or point.startswith(args.work + "/"):
            quiet(["/bin/umount", "-l", point])

    left = hostcheck.named_cgroups(id_prefix, engine.spawned)
    if left:
        time.sleep(1)  # another nsrun's cgroup may have had a pid of ours
        left = [d for d in hostcheck.named_cgroups(id_prefix, engine.spawned) if d in left]
    below = cgroups.tree()
    tap.check(not left and not below, f"{name}: no cgroup directory left (nsrun-PID of this phase or "
              f"{id_prefix}*, anywhere under {hostcheck.CGROUP_ROOT}; nothing below the supervisor's cgroups)",
              sorted(set(left) | set(below)))
    if below:
        cgroups.clean()

    added = sorted(set(after.state) - set(before.state))
    tap.check(not added, f"{name}: no state directory left under --root", added)
    for cid in added:
        quiet([args.nsrun, "--root", args.state, "delete", "--force", cid])
        shutil.rmtree(os.path.join(args.state, cid), ignore_errors=True)

    tap.check(after.fds == before.fds, f"{name}: the supervisor's descriptors unchanged "
              f"({len(before.fds)} before, {len(after.fds)} after)", after.fd_changes(before))
    for fd in set(after.fds) - set(before.fds):
        os.close(fd)

    changed = [root for root in listings if after.listings[root] != before.listings[root]]
    tap.check(not changed, f"{name}: the root filesystems unchanged", changed)

    for kind in kinds:
        rss_check(tap, name, kind, engine.records.get(kind, []))


def reap_children():
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


def injected_jobs(args, cgroups, kind, failures):
    """--inject: faults added at the end of a phase, one of each kind
    asked for, to show that the checks see them (tests/load/selftest.sh)."""
    n = args.nsrun
    for fault in args.inject:
        if fault == "exit":
            yield sandbox_job("inject exit", [n, "--", "/bin/false"], failures)
        elif fault == "rss":  # a command of the phase's first kind, 64 MB larger
            yield sandbox_job(kind, [n, "--", "/usr/bin/python3", "-c", "x = bytearray(64 << 20)"], failures)
        elif fault == "orphan":
            yield sandbox_job("inject orphan", [n, "-U", "-r", "--", "/bin/sh", "-c", "/bin/sleep 60 & exit 0"],
                              failures)
        elif fault == "mount":
            leak = os.path.join(args.work, "leak")
            os.makedirs(leak, exist_ok=True)
            yield sandbox_job("inject mount", [n, "--", "/bin/mount", "-t", "tmpfs", "load-leak", leak], failures)
        elif fault == "cgroup":
            d = os.path.join(cgroups.dirs.get("pids") or next(iter(cgroups.dirs.values())), "injected")
            yield sandbox_job("inject cgroup", [n, "--", "/bin/mkdir", d], failures)
        elif fault == "state":
            d = os.path.join(args.state, f"load-{args.tag}-injected")
            yield sandbox_job("inject state", [n, "--", "/bin/mkdir", d], failures)
        elif fault == "rootfs":
            yield sandbox_job("inject rootfs", [n, "--", "/bin/touch", os.path.join(args.rootfs, f"injected.{time.monotonic_ns()}")],
                              failures)
        elif fault == "fd":
            yield fd_job(args.work)


def fd_job(work):
    """Leaks a descriptor into the supervisor itself (no command)."""
    os.open(os.path.join(work, "bundle", "config.json"), os.O_RDONLY | os.O_CLOEXEC)
    return
    yield


def quiet(argv):
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
                                       (os.POSIX_SPAWN_OPEN, 2, "/dev/null", os.O_WRONLY, 0)])
    os.waitpid(pid, 0)


# --- main ---------------------------------------------------------------------


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--nsrun")
    p.add_argument("--maxrss", help="tests/load/maxrss.c, built: measures each command's peak RSS")
    p.add_argument("--runtime", help="--bench: the OCI runtime (default --nsrun)")
    p.add_argument("--work", required=True)
    p.add_argument("--rootfs")
    p.add_argument("--bundle", required=True)
    p.add_argument("--uid", type=int, default=65534)
    p.add_argument("--gid", type=int, default=65534)
    p.add_argument("--tag", required=True)
    p.add_argument("--seq", type=int, default=10000)
    p.add_argument("--par", type=int, default=2000)
    p.add_argument("--jobs", type=int, default=8)
    p.add_argument("--phases", default="sandbox,run,lifecycle")
    p.add_argument("--bench", action="store_true")
    p.add_argument("--kind", choices=["run", "lifecycle"])
    p.add_argument("--count", type=int)
    p.add_argument("--inject", default="", help="faults to add to every phase (selftest.sh): "
                   "exit,rss,orphan,mount,cgroup,state,rootfs,fd")
    args = p.parse_args()
    args.inject = [f for f in args.inject.split(",") if f]
    args.state = os.path.join(args.work, "state")
    os.makedirs(args.state, exist_ok=True)

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"load.py: PR_SET_CHILD_SUBREAPER: {os.strerror(ctypes.get_errno())}")
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "NSRUN_LOAD_TAG": args.tag}
    engine = Engine(env, args.work, None if args.bench else args.maxrss)

    if args.bench:
        rt = args.runtime or args.nsrun
        jobs = (make_oci_job(args.kind, rt, args, f"{args.tag}-{i}", engine.failures)
                for i in range(args.count))
        wall = engine.run(jobs, args.jobs)
        print(json.dumps({"runtime": rt, "kind": args.kind, "count": args.count, "jobs": args.jobs,
                          "seconds": wall, "failures": len(engine.failures),
                          "first_failure": engine.failures[0] if engine.failures else ""}), flush=True)
        sys.exit(1 if engine.failures else 0)

    if not args.maxrss:
        sys.exit("load.py: --maxrss is needed")
    args.nsrun_real = os.path.realpath(args.nsrun)
    tap = Tap()
    cgroups = hostcheck.Cgroups(f"load-supervisor.{args.tag}")
    tap.note(f"supervisor pid {os.getpid()}, cgroups {', '.join(cgroups.dirs.values())}")
    phases = args.phases.split(",")
    started = time.monotonic()
    try:
        for mode, count, conc in (("in sequence", args.seq, 1), (f"{args.jobs} at a time", args.par, args.jobs)):
            short = "seq" if conc == 1 else "par"
            if "sandbox" in phases:
                variants = sandbox_variants(args)
                phase(tap, engine, f"sandbox CLI, {count} {mode}",
                      lambda f: (sandbox_job(*variants[i % len(variants)], f) for i in range(count)),
                      conc, args, cgroups, f"load-{args.tag}-", 0, count, [v[0] for v in variants])
            if "run" in phases:
                prefix = f"load-{args.tag}-run{short}-"
                phase(tap, engine, f"nsrun run, {count} {mode}",
                      lambda f: (make_oci_job("run", args.nsrun, args, f"{prefix}{i}", f)
                                 for i in range(count)),
                      conc, args, cgroups, prefix, 0, count, ["run"])
            if "lifecycle" in phases:
                prefix = f"load-{args.tag}-life{short}-"
                phase(tap, engine, f"nsrun create + start + delete, {count} {mode}",
                      lambda f: (make_oci_job("lifecycle", args.nsrun, args, f"{prefix}{i}", f)
                                 for i in range(count)),
                      conc, args, cgroups, prefix, count, count, ["create", "start", "delete"])
    finally:
        cgroups.close()
    tap.note(f"wall time {time.monotonic() - started:.0f} s")
    print(f"1..{tap.n}", flush=True)
    sys.exit(1 if tap.failed else 0)


def make_oci_job(kind, rt, args, cid, failures):
    if kind == "run":
        return run_job(rt, args.state, args.bundle, cid, failures)
    return lifecycle_job(rt, args.state, args.bundle, cid, os.path.join(args.work, f"{cid}.pid"), failures)


def sandbox_variants(args):
    """(kind, argv): the sandbox CLI as root with the preset, as root with a
    busybox root and cgroup limits (a cgroup in the memory and pids
    hierarchies per run), and as an unprivileged user with the preset."""
    n = args.nsrun
    return [
        ("nsrun --sandbox", [n, "--sandbox", "--", "/bin/true"]),
        ("nsrun -a -r --rootfs + limits",
         [n, "-a", "-r", "--rootfs", args.rootfs, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
          "--pids", "64", "--memory", "64m", "--", "/bin/true"]),
        (f"setpriv uid {args.uid} nsrun --sandbox",
         ["/usr/bin/setpriv", f"--reuid={args.uid}", f"--regid={args.gid}", "--clear-groups",
          n, "--sandbox", "--", "/bin/true"]),
    ]


if __name__ == "__main__":
    main()
