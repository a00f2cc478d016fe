/* SPDX-License-Identifier: Apache-2.0 */
/* Device rules on cgroup v2: a BPF_CGROUP_DEVICE program made from the
 * rules and attached to the container's cgroup2 directory. The kernel runs
 * it on every mknod and every open of a device node below that cgroup. The
 * rules are checked from the last to the first, and the first one that
 * matches decides, as the v1 controller's list behaves after each write;
 * where none matches the device is allowed, as in a v1 cgroup before any
 * "deny a" (the usual first rule). */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "engine/cgroup/devices.h"
#include "util/cleanup.h"

/* The context: access_type (device type in the low 16 bits, access in
 * the high ones), major, minor. */
#define CTX_ACCESS_TYPE 0
#define CTX_MAJOR 4
#define CTX_MINOR 8
/* The program's registers. */
#define R_CTX BPF_REG_1
#define R_TYPE BPF_REG_2
#define R_ACCESS BPF_REG_3
#define R_MAJOR BPF_REG_4
#define R_MINOR BPF_REG_5
#define R_SCRATCH BPF_REG_6
/* A rule's check takes at most this many instructions. */
#define INSNS_PER_RULE 8
#define PROLOGUE_INSNS 6
#define LOG_SIZE 4096

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
}

struct program {
	struct bpf_insn *insns;
	unsigned n;
};

static void emit(struct program *p, struct bpf_insn i)
{
	p->insns[p->n++] = i;
}

/* Jumps to the next rule are written with their offset from the rule's
 * end: fixed up once the rule's length is known. */
#define TO_NEXT_RULE 0x7fff

static void fix_jumps(struct program *p, unsigned from)
{
	for (unsigned i = from; i < p->n; i++)
		if (BPF_CLASS(p->insns[i].code) == BPF_JMP && p->insns[i].off == TO_NEXT_RULE)
			p->insns[i].off = (__s16)(p->n - i - 1);
}

/* One rule: its checks, each jumping to the next rule when it fails, then
 * the verdict. */
static void emit_rule(struct program *p, const struct device_rule *r)
{
	unsigned start = p->n;
	if (r->type != 'a')
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, R_TYPE, 0, TO_NEXT_RULE,
			     r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
	/* allow: every access asked for is allowed; deny: any is denied. */
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, R_SCRATCH, R_ACCESS, 0, 0));
	emit(p, insn(BPF_ALU64 | BPF_AND | BPF_K, R_SCRATCH, 0, 0,
		     r->allow ? (__s32)(~r->access & 7) : (__s32)r->access));
	emit(p,
	     insn(BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, R_SCRATCH, 0, TO_NEXT_RULE, 0));
	if (r->major >= 0)
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, R_MAJOR, 0, TO_NEXT_RULE, r->major));
	if (r->minor >= 0)
		emit(p, insn(BPF_JMP | BPF_JNE | BPF_K, R_MINOR, 0, TO_NEXT_RULE, r->minor));
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, r->allow ? 1 : 0));
	emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	fix_jumps(p, start);
}

static int build(const struct device_rule *rules, unsigned n, struct program *p)
{
	p->insns = calloc(PROLOGUE_INSNS + (size_t)n * INSNS_PER_RULE + 2, sizeof(*p->insns));
	if (!p->insns)
		return -1;
	p->n = 0;
	emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, R_TYPE, R_CTX, CTX_ACCESS_TYPE, 0));
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_X, R_ACCESS, R_TYPE, 0, 0));
	emit(p, insn(BPF_ALU64 | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff));
	emit(p, insn(BPF_ALU64 | BPF_RSH | BPF_K, R_ACCESS, 0, 0, 16));
	emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, R_CTX, CTX_MAJOR, 0));
	emit(p, insn(BPF_LDX | BPF_MEM | BPF_W, R_MINOR, R_CTX, CTX_MINOR, 0));
	for (unsigned i = n; i-- > 0;)
		emit_rule(p, &rules[i]);
	emit(p, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
	emit(p, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	return 0;
}

static int load(const struct program *p, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(uintptr_t)p->insns;
	attr.insn_cnt = p->n;
	attr.license = (__u64)(uintptr_t) "Apache-2.0";
	attr.log_buf = (__u64)(uintptr_t)log;
	attr.log_size = (__u32)log_size;
	attr.log_level = 1;
	return (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
}

int devices_bpf_attach(const char *dir, const struct device_rule *rules, unsigned n,
		       struct nsrun_error *err)
{
	struct program p;
	if (build(rules, n, &p) < 0)
		return nsrun_fail(err, errno, "build the device program");
	cleanup_free struct bpf_insn *insns = p.insns;
	(void)insns; /* held for its release only */
	char log[LOG_SIZE] = "";
	cleanup_close int prog = load(&p, log, sizeof(log));
	if (prog < 0 && errno == ENOSPC)
		prog = load(&p, NULL, 0); /* a verifier log too long for us: load without */
	if (prog < 0)
		return nsrun_fail(err, errno, "load the device program (%u instructions)%s%s", p.n,
				  log[0] ? ": " : "", log);
	cleanup_close int cgroup = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgroup < 0)
		return nsrun_fail(err, errno, "open %s", dir);
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (__u32)cgroup;
	attr.attach_bpf_fd = (__u32)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "attach the device program to %s", dir);
	return 0;
}
