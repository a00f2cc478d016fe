#!/usr/bin/env python3
"""A Kubernetes-shaped OCI config.json, for bench/k8s.sh.

    k8s-bundle.py BASE.json OUT.json VOLUMES_DIR [ARG...]

BASE.json is a plain config (`crun spec`'s, as bench/k8s.sh adjusts it);
OUT.json gets what kubelet and containerd add to a pod's container:

  * 20 bind mounts, 10 of them read-only, from files and directories this
    script makes under VOLUMES_DIR: /etc/hosts, /etc/hostname,
    /etc/resolv.conf and /dev/termination-log (read-write, as containerd
    mounts them), the service-account token directory, configmap, secret
    and downward-API volumes (read-only), emptyDir and hostPath volumes;
  * 4 tmpfs mounts (/tmp, /run, /var/tmp and a memory-backed volume);
  * containerd's default maskedPaths and readonlyPaths;
  * a seccomp profile: defaultAction SCMP_ACT_ERRNO (errnoRet 1), one rule
    allowing 90 system calls by name, and about 200 rules matching
    arguments (personality values, clone flag masks, socket families,
    prctl options, ioctl requests, ...). Every name is checked against
    <asm/unistd_64.h> when it is there: all are x86_64 system calls;
  * the writable root, hostname and environment of a pod's container.

The process is ARG... (default /bin/true). The generated content is fixed:
the same config every time, so runs and commits compare.
"""
import json
import os
import re
import sys

base, out, vols = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:] or ["/bin/true"]
c = json.load(open(base))

# --- volumes: the sources kubelet would have made -------------------------------
def write(rel, text):
    path = os.path.join(vols, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path

def mkdir(rel, files=()):
    path = os.path.join(vols, rel)
    os.makedirs(path, exist_ok=True)
    for name, text in files:
        write(os.path.join(rel, name), text)
    return path

etc_hosts = write("pod/etc-hosts", "127.0.0.1\tlocalhost\n10.244.1.23\tbench-pod\n")
hostname = write("pod/hostname", "bench-pod\n")
resolv = write("pod/resolv.conf",
               "search default.svc.cluster.local svc.cluster.local cluster.local\n"
               "nameserver 10.96.0.10\noptions ndots:5\n")
termlog = write("pod/containers/app/termination-log", "")
# Read-only: projected service-account token, configmaps, secrets, downward API.
sa = mkdir("volumes/kube-api-access", [("token", "x" * 900), ("ca.crt", "-----BEGIN CERTIFICATE-----\n"),
                                       ("namespace", "default")])
cm = [mkdir(f"volumes/configmap-{n}", [("config.yaml", f"{n}: true\n")])
      for n in ("app", "logging", "features", "envoy")]
secret = [mkdir(f"volumes/secret-{n}", [("tls.crt", "c"), ("tls.key", "k")]) for n in ("tls", "db")]
downward = mkdir("volumes/podinfo", [("labels", 'app="bench"\n'), ("annotations", "")])
# Read-write: emptyDir and hostPath volumes.
empty = [mkdir(f"volumes/empty-{n}") for n in ("cache", "data", "logs", "work", "sock")]
host_run = mkdir("host/run-app")

def bind(src, dst, ro):
    return {"destination": dst, "type": "bind", "source": src,
            "options": ["rbind", "rprivate", "ro" if ro else "rw"]}

binds = [
    bind(etc_hosts, "/etc/hosts", False),
    bind(hostname, "/etc/hostname", False),
    bind(resolv, "/etc/resolv.conf", False),
    bind(termlog, "/dev/termination-log", False),
    bind(sa, "/var/run/secrets/kubernetes.io/serviceaccount", True),
    bind(cm[0], "/etc/app", True),
    bind(cm[1], "/etc/logging", True),
    bind(cm[2], "/etc/features", True),
    bind(cm[3], "/etc/envoy", True),
    bind(secret[0], "/etc/tls", True),
    bind(secret[1], "/etc/db-credentials", True),
    bind(downward, "/etc/podinfo", True),
    bind(cm[0] + "/config.yaml", "/app/config.yaml", True),  # a subPath mount: a file
    bind(sa + "/ca.crt", "/etc/ssl/certs/cluster-ca.crt", True),
    bind(empty[0], "/cache", False),
    bind(empty[1], "/data", False),
    bind(empty[2], "/var/log/app", False),
    bind(empty[3], "/work", False),
    bind(empty[4], "/var/run/app-sock", False),
    bind(host_run, "/run/host-app", False),
]
assert len(binds) == 20 and sum("ro" in b["options"] for b in binds) == 10

def tmpfs(dst, mode="1777", size="65536k"):
    return {"destination": dst, "type": "tmpfs", "source": "tmpfs",
            "options": ["nosuid", "nodev", f"mode={mode}", f"size={size}"]}

# /run first: /run/host-app is a bind below it, so it must come after it.
tmpfss = [tmpfs("/tmp"), tmpfs("/run", "755"), tmpfs("/var/tmp"), tmpfs("/secrets-mem", "700")]
# The base's own mounts (proc, /dev, devpts, shm, mqueue, sysfs, cgroup),
# then the tmpfs and the binds in containerd's order (by destination depth).
c["mounts"] = c["mounts"] + sorted(tmpfss + binds, key=lambda m: m["destination"].count("/"))

# --- containerd's default masked and read-only paths -----------------------------
c["linux"]["maskedPaths"] = [
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap",
]
c["linux"]["readonlyPaths"] = [
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
]

# --- seccomp ------------------------------------------------------------------------
# 90 names allowed unconditionally: what static and glibc programs, busybox and
# Go's runtime (runc's init installs the filter before its last system calls)
# need, and the common file and process calls. The calls matched on arguments
# below are not among them. execveat and prctl are, as in containerd's
# profile: nsrun's exec shim needs them (with either one matched on
# arguments or refused, nsrun falls back to re-executing itself, the
# slower path; bench/README.md, "The k8s set").
allowed = """
read write open close stat fstat lstat poll lseek mmap munmap brk
rt_sigaction rt_sigprocmask rt_sigreturn pread64 pwrite64 readv writev access
pipe execveat sched_yield mremap dup dup2 nanosleep
getpid sendfile connect accept sendto recvfrom sendmsg recvmsg
shutdown bind listen getsockname getpeername socketpair wait4 uname fsync
fdatasync ftruncate getdents getcwd chdir fchdir rename mkdir rmdir
unlink readlink chmod fchmod umask gettimeofday
getrlimit getrusage prctl statx getuid getgid geteuid getegid getppid
getpgrp setsid sigaltstack statfs fstatfs gettid exit exit_group
setuid setgid setgroups setresuid setresgid capset execve
openat newfstatat getdents64 set_tid_address clock_gettime pipe2 dup3
""".split()
assert len(allowed) == 90, len(allowed)
assert len(set(allowed)) == len(allowed)
assert not set(allowed) & {"personality", "clone", "socket", "ioctl", "fcntl", "futex",
                           "madvise", "mprotect", "kill", "capget", "close_range"}

def eq(i, v):
    return {"index": i, "value": v, "op": "SCMP_CMP_EQ"}

def masked(i, mask, v):
    return {"index": i, "value": v, "valueTwo": mask, "op": "SCMP_CMP_MASKED_EQ"}

def rule(name, *cmp):
    return {"names": [name], "action": "SCMP_ACT_ALLOW", "args": list(cmp)}

rules = []
# personality: the values containerd allows (PER_LINUX, PER_LINUX32,
# UNAME26, their combination, and the query 0xffffffff), and a few more.
for v in (0x0, 0x8, 0x20000, 0x20008, 0xffffffff, 0x0400000, 0x0040000, 0x0200000):
    rules.append(rule("personality", eq(0, v)))
# clone without namespace flags (containerd's mask); clone3 fails with ENOSYS
# (a rule at the end), as in containerd's profile, so glibc falls back.
ns_flags = 0x7E020000
rules.append(rule("clone", masked(0, ns_flags, 0)))
# socket: every address family but AF_VSOCK (40), one rule each.
for fam in range(1, 46):
    if fam != 40:
        rules.append(rule("socket", eq(0, fam)))
# setsockopt at SOL_SOCKET: the option names, one rule each (two arguments).
for name in (1, 2, 4, 5, 6, 7, 8, 9, 10, 13, 15, 16, 17, 18, 20, 21, 29, 30, 36, 47):
    rules.append(rule("setsockopt", eq(1, 1), eq(2, name)))
# arch_prctl: ARCH_SET_GS, SET_FS, GET_FS, GET_GS, GET_CPUID, SET_CPUID.
for code in (0x1001, 0x1002, 0x1003, 0x1004, 0x1011, 0x1012):
    rules.append(rule("arch_prctl", eq(0, code)))
# ioctl: terminal, file and socket requests.
for req in (0x5401, 0x5402, 0x5403, 0x5404, 0x5405, 0x5406, 0x5407, 0x5408, 0x5409,
            0x540A, 0x540B, 0x540C, 0x540D, 0x540E, 0x540F, 0x5410, 0x5411, 0x5413,
            0x5414, 0x541B, 0x541C, 0x5421, 0x5422, 0x5450, 0x5451, 0x5452,
            0x8912, 0x8913, 0x8915, 0x8927, 0x8933, 0x80045430, 0x40045431,
            0x80086601, 0x40086602):
    rules.append(rule("ioctl", eq(1, req)))
# fcntl: F_DUPFD .. F_SETLKW, F_SETOWN, F_GETOWN, F_DUPFD_CLOEXEC, seals.
for cmd in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1030, 1031, 1032, 1033, 1034):
    rules.append(rule("fcntl", eq(1, cmd)))
# futex: the operations, without FUTEX_PRIVATE_FLAG and CLOCK_REALTIME bits.
for op in (0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13):
    rules.append(rule("futex", masked(1, 0x7f, op)))
# madvise: the advice values.
for adv in (0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 14, 15, 20, 21, 22):
    rules.append(rule("madvise", eq(2, adv)))
# kill, tkill, tgkill: the signal numbers up to SIGRTMAX and 0 (a probe).
rules.append(rule("kill", {"index": 1, "value": 64, "op": "SCMP_CMP_LE"}))
rules.append(rule("tkill", {"index": 1, "value": 64, "op": "SCMP_CMP_LE"}))
rules.append(rule("tgkill", {"index": 2, "value": 64, "op": "SCMP_CMP_LE"}))
# setsockopt / getsockopt by level: SOL_SOCKET, IPPROTO_IP, TCP, IPV6.
for lvl in (1, 0, 6, 41):
    rules.append(rule("setsockopt", eq(1, lvl)))
    rules.append(rule("getsockopt", eq(1, lvl)))
# epoll_ctl: ADD, DEL, MOD.
for op in (1, 2, 3):
    rules.append(rule("epoll_ctl", eq(1, op)))
# mprotect and mmap: anything but writable and executable at once.
rules.append(rule("mprotect", masked(2, 0x6, 0x2)))
rules.append(rule("mprotect", masked(2, 0x6, 0x4)))
rules.append(rule("mprotect", masked(2, 0x6, 0x0)))
# setns: the network namespace type (CLONE_NEWNET) only.
rules.append(rule("setns", eq(1, 0x40000000)))
# sched_setscheduler: SCHED_OTHER, BATCH, IDLE.
for pol in (0, 3, 5):
    rules.append(rule("sched_setscheduler", eq(1, pol)))
# fadvise64 advice, flock operations.
for adv in range(6):
    rules.append(rule("fadvise64", eq(3, adv)))
for op in (1, 2, 8, 5, 6):
    rules.append(rule("flock", eq(1, op)))
# prlimit64 on the process itself (pid 0) only.
rules.append(rule("prlimit64", eq(0, 0)))
# waitid types, getrandom flags, unshare without namespace flags, and a few
# with the other operators.
for t in (0, 1, 2, 3):
    rules.append(rule("waitid", eq(0, t)))
for f in (0, 1, 2, 3):
    rules.append(rule("getrandom", eq(2, f)))
rules.append(rule("unshare", masked(0, ns_flags, 0)))
for name in ("rt_sigtimedwait", "rt_sigqueueinfo", "rt_sigsuspend"):
    rules.append(rule(name, {"index": 0, "value": 0, "op": "SCMP_CMP_NE"}))
rules.append(rule("close_range", {"index": 0, "value": 3, "op": "SCMP_CMP_GE"}))
rules.append(rule("clock_nanosleep", {"index": 0, "value": 12, "op": "SCMP_CMP_LT"}))
rules.append(rule("sched_getaffinity", eq(0, 0)))
rules.append(rule("capget", {"index": 0, "value": 0, "op": "SCMP_CMP_GT"}))
rules.append(rule("setpgid", eq(0, 0)))

syscalls = [{"names": allowed, "action": "SCMP_ACT_ALLOW"}] + rules
# clone3: ENOSYS, so that glibc falls back to clone (as containerd's profile).
syscalls.append({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38})
arg_rules = len(rules)
assert 190 <= arg_rules <= 210, arg_rules
for r in rules:
    assert r["args"] and len({a["index"] for a in r["args"]}) == len(r["args"]), r

# Every name must be an x86_64 system call.
hdr = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
if not os.path.exists(hdr):
    hdr = "/usr/include/asm/unistd_64.h"
if os.path.exists(hdr):
    known = set(re.findall(r"#define __NR_(\w+)\s+\d+", open(hdr).read()))
    bad = sorted({n for s in syscalls for n in s["names"]} - known)
    if bad:
        sys.exit(f"k8s-bundle.py: not x86_64 system calls: {' '.join(bad)}")

c["linux"]["seccomp"] = {
    "defaultAction": "SCMP_ACT_ERRNO",
    "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
    "syscalls": syscalls,
}

# --- the rest of a pod's container ------------------------------------------------------
c["root"]["readonly"] = False  # readOnlyRootFilesystem is off by default
c["hostname"] = "bench-pod"
c["process"]["args"] = args
c["process"]["env"] = c["process"].get("env", []) + [
    "HOSTNAME=bench-pod",
    "KUBERNETES_SERVICE_HOST=10.96.0.1",
    "KUBERNETES_SERVICE_PORT=443",
    "KUBERNETES_SERVICE_PORT_HTTPS=443",
    "KUBERNETES_PORT=tcp://10.96.0.1:443",
    "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443",
    "KUBERNETES_PORT_443_TCP_PROTO=tcp",
    "KUBERNETES_PORT_443_TCP_PORT=443",
    "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1",
]
c["process"]["oomScoreAdj"] = 1000  # BestEffort
json.dump(c, open(out, "w"), indent=2)
print(f"{out}: {len(binds)} binds ({sum('ro' in b['options'] for b in binds)} read-only), "
      f"{len(tmpfss)} tmpfs, {len(allowed)} names allowed, {arg_rules} argument rules",
      file=sys.stderr)
