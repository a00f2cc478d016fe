/* SPDX-License-Identifier: Apache-2.0 */
/* Installing a compiled seccomp program, and the built-in default profile
 * (compiled when nsrun is built: see tools/seccomp-bpfgen.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/seccomp.h>

#include "engine/limits/caps.h"
#include "engine/limits/seccomp.h"
#include "util/log.h"

/* Generated from data/seccomp-default.json at build time. */
extern const struct sock_filter nsrun_default_seccomp_prog[];
extern const unsigned nsrun_default_seccomp_len;
extern const unsigned nsrun_default_seccomp_flags;

struct nsrun_seccomp *seccomp_from_program(const struct sock_filter *prog, unsigned len,
					   unsigned flags)
{
	struct nsrun_seccomp *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->prog = malloc((size_t)len * sizeof(*prog));
	if (!p->prog) {
		free(p);
		return NULL;
	}
	memcpy(p->prog, prog, (size_t)len * sizeof(*prog));
	p->prog_len = len;
	p->flags = flags;
	return p;
}

struct nsrun_seccomp *nsrun_seccomp_default(struct nsrun_error *err)
{
	struct nsrun_seccomp *p = seccomp_from_program(
		nsrun_default_seccomp_prog, nsrun_default_seccomp_len, nsrun_default_seccomp_flags);
	if (!p)
		nsrun_fail(err, errno, "the default seccomp profile");
	return p;
}

/* The stage installs one filter, early or as its last step. */
static bool installed;

bool seccomp_installed(void)
{
	return installed;
}

int seccomp_install(const struct nsrun_seccomp *p, int verbose, struct nsrun_error *err)
{
	/* Without CAP_SYS_ADMIN the kernel takes a filter only under
	 * no_new_privs. */
	if (!caps_have(CAP_SYS_ADMIN) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_SECCOMP, -1, errno, "PR_SET_NO_NEW_PRIVS");
	struct sock_fprog fprog = { .len = (unsigned short)p->prog_len, .filter = p->prog };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &fprog) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_SECCOMP, -1, errno,
					"install the filter (%u instructions, flags %#x)",
					p->prog_len, p->flags);
	installed = true;
	nsrun_trace(verbose, "seccomp filter installed: %u instructions", p->prog_len);
	return 0;
}
