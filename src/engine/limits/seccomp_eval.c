/* SPDX-License-Identifier: Apache-2.0 */
/* Running a compiled seccomp program on one system call, in the launcher,
 * the way the kernel will run it in the sandbox: whether the filter lets
 * the exec shim's own calls through (launch.c asks before it chooses to
 * run the init stage in the cloned child). A small classic-BPF
 * interpreter for the instructions seccomp accepts. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "engine/limits/seccomp.h"

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define BPF_MEMWORDS_SECCOMP 16

/* The machine the program runs on: accumulator, index, scratch memory. */
struct vm {
	uint32_t a, x, mem[BPF_MEMWORDS_SECCOMP];
	const struct seccomp_data *data;
};

/* Loads into A or X; false for one seccomp would not run the same way
 * here: reading the instruction pointer or an argument, which the launcher
 * cannot know for the calls it asks about. */
static bool load(struct vm *m, const struct sock_filter *in)
{
	uint32_t k = in->k;
	uint32_t *to = BPF_CLASS(in->code) == BPF_LDX ? &m->x : &m->a;
	switch (in->code & ~(uint16_t)BPF_CLASS(in->code)) {
	case BPF_W | BPF_ABS:
		if (to != &m->a || k % 4 || k > sizeof(*m->data) - 4 ||
		    k >= offsetof(struct seccomp_data, instruction_pointer))
			return false;
		memcpy(&m->a, (const char *)m->data + k, 4);
		return true;
	case BPF_W | BPF_LEN: *to = sizeof(*m->data); return true;
	case BPF_IMM: *to = k; return true;
	case BPF_MEM:
		if (k >= BPF_MEMWORDS_SECCOMP)
			return false;
		*to = m->mem[k];
		return true;
	default: return false;
	}
}

static bool alu(struct vm *m, const struct sock_filter *in)
{
	uint32_t src = BPF_SRC(in->code) == BPF_X ? m->x : in->k;
	switch (BPF_OP(in->code)) {
	case BPF_ADD: m->a += src; return true;
	case BPF_SUB: m->a -= src; return true;
	case BPF_MUL: m->a *= src; return true;
	case BPF_DIV:
		if (src == 0)
			return false;
		m->a /= src;
		return true;
	case BPF_AND: m->a &= src; return true;
	case BPF_OR: m->a |= src; return true;
	case BPF_XOR: m->a ^= src; return true;
	/* The kernel's shifts take the amount modulo 32. */
	case BPF_LSH: m->a <<= src & 31; return true;
	case BPF_RSH: m->a >>= src & 31; return true;
	case BPF_NEG: m->a = -m->a; return true;
	default: return false;
	}
}

/* How many instructions a jump skips; -1 for an unknown one. */
static long jump(const struct vm *m, const struct sock_filter *in)
{
	uint32_t src = BPF_SRC(in->code) == BPF_X ? m->x : in->k;
	bool taken;
	switch (BPF_OP(in->code)) {
	case BPF_JA: return in->k;
	case BPF_JEQ: taken = m->a == src; break;
	case BPF_JGT: taken = m->a > src; break;
	case BPF_JGE: taken = m->a >= src; break;
	case BPF_JSET: taken = (m->a & src) != 0; break;
	default: return -1;
	}
	return taken ? in->jt : in->jf;
}

/* The program's return value, or -1 when it is not one seccomp would run
 * the same way here (an unknown instruction, a jump out of it, a bad load,
 * an argument read). */
static long long run_program(const struct sock_filter *prog, unsigned len,
			     const struct seccomp_data *data)
{
	struct vm m = { .data = data };
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		long skip;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
		case BPF_LDX:
			if (!load(&m, in))
				return -1;
			break;
		case BPF_ST:
		case BPF_STX:
			if (in->k >= BPF_MEMWORDS_SECCOMP)
				return -1;
			m.mem[in->k] = BPF_CLASS(in->code) == BPF_ST ? m.a : m.x;
			break;
		case BPF_ALU:
			if (!alu(&m, in))
				return -1;
			break;
		case BPF_JMP:
			skip = jump(&m, in);
			if (skip < 0 || (unsigned long)skip >= len - pc - 1)
				return -1;
			pc += (unsigned)skip;
			break;
		case BPF_RET: return BPF_RVAL(in->code) == BPF_A ? m.a : in->k;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				m.x = m.a;
			else
				m.a = m.x;
			break;
		default: return -1;
		}
	}
	return -1; /* fell off the end: the kernel refuses such a program */
}

bool seccomp_allows(const struct nsrun_seccomp *profile, int nr)
{
#ifdef NATIVE_AUDIT_ARCH
	if (profile == NULL || profile->prog == NULL)
		return profile == NULL;
	struct seccomp_data data;
	memset(&data, 0, sizeof(data));
	data.nr = nr;
	data.arch = NATIVE_AUDIT_ARCH;
	long long ret = run_program(profile->prog, profile->prog_len, &data);
	if (ret < 0)
		return false;
	uint32_t action = (uint32_t)ret & SECCOMP_RET_ACTION_FULL;
	return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
#else
	(void)profile;
	(void)nr;
	return false;
#endif
}
