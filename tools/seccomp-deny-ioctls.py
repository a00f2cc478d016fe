#!/usr/bin/env python3
"""Rewrite the ioctl rules of a seccomp profile so that every ioctl request
is allowed except the ones named, which fail with EPERM.

libseccomp lets an unconditional allow of a system call win over any rule
on its arguments, and it has no "not equal under a mask" comparison. The
request is an unsigned int the kernel reads from the low 32 bits of the
argument, so a plain "not equal" on 64 bits could be bypassed with high
bits set. What is allowed is therefore written as a union of masked
equalities on the low 32 bits: a request that differs from every denied
one in a bit they all share, or that shares those bits and is none of
them.

    tools/seccomp-deny-ioctls.py data/seccomp-default.json

rewrites the file in place (TIOCSTI and TIOCLINUX: keystroke injection
into the caller's terminal, and the console's equivalents).
"""
import json
import sys

DENIED = {"TIOCSTI": 0x5412, "TIOCLINUX": 0x541C}
LOW32 = 0xFFFFFFFF
EPERM = 1


def masked_eq(mask, value):
    return {"index": 1, "value": mask, "valueTwo": value, "op": "SCMP_CMP_MASKED_EQ"}


def allow_rules(denied):
    shared = LOW32
    for v in denied:
        shared &= ~(v ^ denied[0])
    rules = []
    for bit in range(32):
        if shared >> bit & 1:
            rules.append(masked_eq(1 << bit, ~denied[0] & (1 << bit)))
    free_bits = [b for b in range(32) if not shared >> b & 1]
    base = denied[0] & shared
    for combo in range(1 << len(free_bits)):
        v = base
        for i, b in enumerate(free_bits):
            if combo >> i & 1:
                v |= 1 << b
        if v not in denied:
            rules.append(masked_eq(LOW32, v))
    return rules


def main(path):
    with open(path) as f:
        profile = json.load(f)
    syscalls = [s for s in profile["syscalls"] if s["names"] != ["ioctl"]]
    for s in syscalls:
        if "ioctl" in s["names"]:
            s["names"].remove("ioctl")
    denied = list(DENIED.values())
    for rule in allow_rules(denied):
        syscalls.append({"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [rule]})
    for v in denied:
        syscalls.append({"names": ["ioctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": EPERM,
                         "args": [masked_eq(LOW32, v)]})
    profile["syscalls"] = syscalls
    with open(path, "w") as f:
        json.dump(profile, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
