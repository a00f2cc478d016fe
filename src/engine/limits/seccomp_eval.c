/* Running a compiled seccomp program on one system call, in the launcher,
 * the way the kernel will run it in the sandbox: whether the filter lets
 * the exec shim's own calls through (launch.c asks before it chooses to
 * run the init stage in the cloned child). A small classic-BPF
 * interpreter for the instructions seccomp accepts. */
#include <stddef.h>
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

/* The program's return value, or -1 when it is not one seccomp would run
 * the same way here (an unknown instruction, a jump out of it, a bad load)
 * or when the way it went read the instruction pointer or an argument,
 * which the launcher cannot know for the calls it asks about. */
static long long run_program(const struct sock_filter *prog, unsigned len,
			     const struct seccomp_data *data)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS_SECCOMP] = { 0 };
	for (unsigned pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		uint32_t k = in->k;
		uint32_t src = BPF_SRC(in->code) == BPF_X ? x : k;
		switch (BPF_CLASS(in->code)) {
		case BPF_LD:
			if (in->code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (k % 4 || k > sizeof(*data) - 4 ||
				    k >= offsetof(struct seccomp_data, instruction_pointer))
					return -1;
				memcpy(&a, (const char *)data + k, 4);
			} else if (in->code == (BPF_LD | BPF_W | BPF_LEN)) {
				a = sizeof(*data);
			} else if (in->code == (BPF_LD | BPF_IMM)) {
				a = k;
			} else if (in->code == (BPF_LD | BPF_MEM) && k < BPF_MEMWORDS_SECCOMP) {
				a = mem[k];
			} else {
				return -1;
			}
			break;
		case BPF_LDX:
			if (in->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = sizeof(*data);
			else if (in->code == (BPF_LDX | BPF_IMM))
				x = k;
			else if (in->code == (BPF_LDX | BPF_MEM) && k < BPF_MEMWORDS_SECCOMP)
				x = mem[k];
			else
				return -1;
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS_SECCOMP)
				return -1;
			mem[k] = BPF_CLASS(in->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(in->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV: if (src == 0) return -1; a /= src; break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			/* The kernel's shifts take the amount modulo 32. */
			case BPF_LSH: a <<= src & 31; break;
			case BPF_RSH: a >>= src & 31; break;
			case BPF_NEG: a = -a; break;
			default: return -1;
			}
			break;
		case BPF_JMP: {
			unsigned skip;
			if (BPF_OP(in->code) == BPF_JA) {
				skip = k;
			} else {
				int taken;
				switch (BPF_OP(in->code)) {
				case BPF_JEQ: taken = a == src; break;
				case BPF_JGT: taken = a > src; break;
				case BPF_JGE: taken = a >= src; break;
				case BPF_JSET: taken = (a & src) != 0; break;
				default: return -1;
				}
				skip = taken ? in->jt : in->jf;
			}
			if (skip >= len - pc - 1)
				return -1;
			pc += skip;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(in->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(in->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return -1;
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
