"""What a load phase may leave behind on the host, and how to find it.

The supervisor (load.py) takes a Snapshot before a phase and compares one
taken after it. Everything here reads /proc and /sys only; nothing changes
the host except Cgroups, which moves the supervisor into cgroups of its own
(below the ones it is in) so that every process and cgroup the phase makes
is found under them, whoever else runs nsrun on this machine meanwhile.
"""
import collections
import os
import re
import signal
import time

CGROUP_ROOT = "/sys/fs/cgroup"
# The hierarchies nsrun makes cgroups in (src/engine/cgroup.c: memory,
# pids, cpu and freezer under v1, anything under cgroup2).
NSRUN_CONTROLLERS = ("memory", "pids", "cpu", "freezer")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def cgroup_mounts():
    """{controller or "" for cgroup2: mount point} from /proc/self/mountinfo."""
    mounts = {}
    for line in read("/proc/self/mountinfo").splitlines():
        left, _, right = line.partition(" - ")
        fields, rfields = left.split(), right.split()
        if len(rfields) < 3:
            continue
        if rfields[0] == "cgroup2":
            mounts.setdefault("", fields[4])
        elif rfields[0] == "cgroup":
            for opt in rfields[2].split(","):
                if opt in NSRUN_CONTROLLERS:
                    mounts.setdefault(opt, fields[4])
    return mounts


def own_cgroups():
    """{controller or "": path} of this process, from /proc/self/cgroup."""
    own = {}
    for line in read("/proc/self/cgroup").splitlines():
        _, ctls, path = line.split(":", 2)
        for c in ctls.split(",") if ctls else [""]:
            own[c] = path
    return own


class Cgroups:
    """The supervisor's own cgroup, NAME, below its current one in every
    hierarchy nsrun uses. Everything the supervisor starts is inside, and
    so is every cgroup nsrun makes for it (nsrun nests its cgroups in its
    caller's). NAME must not look like nsrun's own cgroups (nsrun-*): the
    integration tests' teardown kills whatever is in those."""

    def __init__(self, name):
        self.dirs = {}  # controller -> our directory
        self.origin = {}  # controller -> where the supervisor was
        mounts, own = cgroup_mounts(), own_cgroups()
        for c, mount in sorted(mounts.items()):
            if c not in own:
                continue
            origin = os.path.join(mount, own[c].lstrip("/"))
            d = os.path.join(origin, name)
            os.mkdir(d)
            self.dirs[c], self.origin[c] = d, origin
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    def tree(self):
        """Every directory below ours (ours excluded), deepest first."""
        found = []
        for d in self.dirs.values():
            for top, subdirs, _ in os.walk(d):
                found += [os.path.join(top, s) for s in subdirs]
        return sorted(found, key=lambda p: -p.count("/"))

    def procs(self):
        """Pids in our cgroups and below, the supervisor excluded."""
        pids = set()
        for d in self.dirs.values():
            for top, _, files in os.walk(d):
                if "cgroup.procs" in files:
                    try:
                        pids |= {int(p) for p in read(os.path.join(top, "cgroup.procs")).split()}
                    except OSError:
                        pass
        pids.discard(os.getpid())
        return pids

    def clean(self):
        """After a failure: kill what is inside and remove the cgroups
        below ours, so that the next phase starts clean."""
        left = self.tree()
        for d in left:
            for name, value in (("freezer.state", "THAWED"), ("cgroup.freeze", "0")):
                try:
                    with open(os.path.join(d, name), "w") as f:
                        f.write(value)
                except OSError:
                    pass
        for pid in self.procs():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.3)
        for d in left:
            try:
                os.rmdir(d)
            except OSError:
                pass

    def close(self):
        """Back to where the supervisor was; our cgroups removed."""
        self.clean()
        for c, d in self.dirs.items():
            with open(os.path.join(self.origin[c], "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
            for _ in range(20):
                try:
                    os.rmdir(d)
                    break
                except OSError:
                    time.sleep(0.1)


def host_mounts(ours):
    """The host's mount table, less what other programs on this machine
    mount and unmount while the test runs (under /tmp outside OURS, /run,
    /var/lib/containers): a mount leaking out of a sandbox lands in OURS or
    on a system path."""
    lines = []
    for line in read("/proc/self/mountinfo").splitlines():
        point = line.split()[4]
        if point == ours or point.startswith(ours + "/"):
            lines.append(line)
        elif point.startswith(("/tmp/", "/run/", "/var/lib/containers/")):
            continue
        else:
            lines.append(line)
    return collections.Counter(lines)


def fds():
    """The supervisor's descriptors: {fd: target}."""
    out = {}
    for fd in os.listdir("/proc/self/fd"):
        try:
            out[int(fd)] = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            pass  # the directory's own descriptor, closed meanwhile
    return out


def tree_listing(root):
    """Path, type, mode, owner, size and link target of every entry."""
    out = []
    for top, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(top, name)
            st = os.lstat(p)
            link = os.readlink(p) if os.path.islink(p) else ""
            out.append((os.path.relpath(p, root), st.st_mode, st.st_uid, st.st_gid,
                        0 if os.path.isdir(p) else st.st_size, link))
    return sorted(out)


def proc_info(pid):
    """(ppid, state, comm, cmdline) of a process, or None if it is gone."""
    try:
        stat = read(f"/proc/{pid}/stat")
        cmd = read(f"/proc/{pid}/cmdline", "rb").replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
    return int(ppid), state, comm, cmd.strip()


def describe(pid):
    info = proc_info(pid)
    if not info:
        return f"{pid} (gone)"
    ppid, state, comm, cmd = info
    return f"{pid} ppid {ppid} state {state} comm {comm!r} cmdline {cmd[:120]!r}"


def stray_processes(tag, nsrun, ours, cgroups):
    """Processes a phase left: children or zombies of the supervisor, any
    process in its cgroups, any process whose environment carries the run's
    TAG (every command the supervisor starts has it, and nsrun and the
    containers inherit it), any process whose root is under OURS (the test's
    root filesystems) and any process running the nsrun binary under test.
    Returns {pid: why}."""
    me = os.getpid()
    found = {}
    for pid in cgroups.procs():
        found[pid] = "in the supervisor's cgroup"
    needle = f"NSRUN_LOAD_TAG={tag}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        pid = int(entry)
        info = proc_info(pid)
        if not info:
            continue
        ppid, state, comm, _ = info
        if ppid == me:
            found[pid] = "a zombie of the supervisor" if state == "Z" else "a child of the supervisor"
            continue
        try:
            if needle in read(f"/proc/{pid}/environ", "rb").split(b"\0"):
                found[pid] = "carries the run's tag in its environment"
                continue
        except OSError:
            pass
        try:
            root = os.readlink(f"/proc/{pid}/root")
            if root == ours or root.startswith(ours + "/"):
                found[pid] = f"its root is {root}"
                continue
        except OSError:
            pass
        try:
            if os.readlink(f"/proc/{pid}/exe") == nsrun:
                found[pid] = "runs the nsrun under test"
        except OSError:
            pass
    return found


NSRUN_CGROUP = re.compile(r"^nsrun-(\d+)$")


def named_cgroups(id_prefix, pids):
    """Cgroup directories anywhere under /sys/fs/cgroup named as nsrun names
    them for this run: an OCI container id (starts with ID_PREFIX), or
    nsrun-PID (src/engine/cgroup.c, make_dir) for a PID among PIDS, the
    launchers the phase started."""
    found = []
    for top, dirs, _ in os.walk(CGROUP_ROOT):
        for d in dirs:
            m = NSRUN_CGROUP.match(d)
            if d.startswith(id_prefix) or (m and int(m.group(1)) in pids):
                found.append(os.path.join(top, d))
    return sorted(found)


def state_entries(state_root):
    """The entries of the state root, less the pool of emptied state
    directories (@free), which holds no container's state: anything in it
    but empty directories is listed as @free/NAME."""
    entries = [n for n in os.listdir(state_root) if n != "@free"]
    pool = os.path.join(state_root, "@free")
    for n in os.listdir(pool) if os.path.isdir(pool) else []:
        path = os.path.join(pool, n)
        if os.path.islink(path) or not os.path.isdir(path) or os.listdir(path):
            entries.append("@free/" + n)
    return sorted(entries)


class Snapshot:
    """What the host looks like between phases."""

    def __init__(self, ours, state_root, listings):
        self.mounts = host_mounts(ours)
        self.fds = fds()
        self.state = state_entries(state_root)
        self.listings = {root: tree_listing(root) for root in listings}

    def added_mounts(self, before):
        return sorted((self.mounts - before.mounts).elements())

    def fd_changes(self, before):
        changes = []
        for fd in sorted(set(before.fds) | set(self.fds)):
            a, b = before.fds.get(fd), self.fds.get(fd)
            if a != b:
                changes.append(f"fd {fd}: {a or '(none)'} -> {b or '(none)'}")
        return changes
