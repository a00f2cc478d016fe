/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp inside the engine: the parsed profile, its compilation to a BPF
 * program (libseccomp, in the launcher) and installing that program (in the
 * sandbox, the last step before execve). */
#ifndef NSRUN_ENGINE_LIMITS_SECCOMP_H
#define NSRUN_ENGINE_LIMITS_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/filter.h>

#include <nsrun/seccomp.h>

#define SECCOMP_MAX_ARGS 6

struct seccomp_arg_rule {
	unsigned index;
	uint64_t value, value_two;
	int op; /* enum scmp_compare */
};

struct seccomp_rule {
	char **names;
	unsigned n_names;
	uint32_t action; /* SCMP_ACT_* without the errno */
	int errno_ret; /* -1: none given */
	struct seccomp_arg_rule args[SECCOMP_MAX_ARGS];
	unsigned n_args;
};

struct nsrun_seccomp {
	/* the parsed profile */
	uint32_t default_action;
	int default_errno; /* -1: none given */
	uint32_t *archs; /* SCMP_ARCH_* tokens */
	unsigned n_archs;
	unsigned flags; /* SECCOMP_FILTER_FLAG_* */
	struct seccomp_rule *rules;
	unsigned n_rules;
	/* the compiled program (seccomp_compile, or decoded from the wire) */
	struct sock_filter *prog;
	unsigned prog_len;
};

/* Parse a linux.seccomp object (a json_t *) of config.json or a profile
 * file. `what` prefixes errors. */
struct nsrun_seccomp *seccomp_from_json(const void *json_object, const char *what,
					struct nsrun_error *err);

/* A parsed profile as a linux.seccomp object (a new json_t *), rules and
 * all; NULL without memory. A profile that is only a program (the
 * built-in one) has no rules to give. */
void *seccomp_to_json(const struct nsrun_seccomp *profile);

/* Compile profile->rules into profile->prog with libseccomp. */
int seccomp_compile(struct nsrun_seccomp *profile, struct nsrun_error *err);

/* Install profile->prog on the calling process, setting no_new_privs first
 * when the kernel requires it (the process lacks CAP_SYS_ADMIN). */
int seccomp_install(const struct nsrun_seccomp *profile, int verbose, struct nsrun_error *err);

/* Whether seccomp_install ran in this process. */
bool seccomp_installed(void);

/* An empty profile holding only a compiled program (the init stage's view). */
struct nsrun_seccomp *seccomp_from_program(const struct sock_filter *prog, unsigned len,
					   unsigned flags);

/* Whether profile's compiled program lets system call nr run on the native
 * architecture whatever its arguments: its action is allow or log, decided
 * on the number alone. A NULL profile allows everything; an uncompiled one,
 * one whose answer depends on the arguments, or one that does anything the
 * interpreter does not know, allows nothing. */
bool seccomp_allows(const struct nsrun_seccomp *profile, int nr);

#endif
