/* SPDX-License-Identifier: Apache-2.0 */
/* Compiling a parsed seccomp profile to a BPF program with libseccomp.
 * Shared by the launcher and the build-time generator of the default
 * profile, so it depends on nothing else of the engine. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <seccomp.h>

#include "engine/limits/seccomp.h"
#include "util/cleanup.h"

static uint32_t full_action(uint32_t action, int errno_ret)
{
	if (action == SCMP_ACT_ERRNO(0))
		return SCMP_ACT_ERRNO(errno_ret >= 0 ? (uint16_t)errno_ret : EPERM);
	if (action == SCMP_ACT_TRACE(0))
		return SCMP_ACT_TRACE(errno_ret >= 0 ? (uint16_t)errno_ret : 0);
	return action;
}

static bool args_share_an_index(const struct seccomp_rule *r)
{
	for (unsigned i = 0; i < r->n_args; i++)
		for (unsigned j = 0; j < i; j++)
			if (r->args[i].index == r->args[j].index)
				return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *r, unsigned index,
		    uint32_t default_action, struct nsrun_error *err)
{
	uint32_t action = full_action(r->action, r->errno_ret);
	if (action == default_action)
		return 0; /* libseccomp refuses a rule that changes nothing */
	struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
	for (unsigned i = 0; i < r->n_args; i++)
		cmp[i] = (struct scmp_arg_cmp){ r->args[i].index, (enum scmp_compare)r->args[i].op,
						r->args[i].value, r->args[i].value_two };
	/* Two conditions on one argument cannot be ANDed by libseccomp: add
	 * one rule per condition, as the other runtimes do. */
	bool split = args_share_an_index(r);
	for (unsigned n = 0; n < r->n_names; n++) {
		int nr = seccomp_syscall_resolve_name(r->names[n]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a system call of this architecture */
		int rc = 0;
		if (split) {
			for (unsigned i = 0; i < r->n_args && rc == 0; i++)
				rc = seccomp_rule_add_array(ctx, action, nr, 1, &cmp[i]);
		} else {
			rc = seccomp_rule_add_array(ctx, action, nr, r->n_args, cmp);
		}
		if (rc < 0)
			return nsrun_fail(err, -rc, "seccomp: syscalls[%u]: rule for %s", index,
					  r->names[n]);
	}
	return 0;
}

static int export_program(scmp_filter_ctx ctx, struct nsrun_seccomp *p, struct nsrun_error *err)
{
	cleanup_close int fd = memfd_create("nsrun-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno, "seccomp: memfd_create");
	int rc = seccomp_export_bpf(ctx, fd);
	off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
	if (rc < 0 || size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0)
		return nsrun_fail(err, rc < 0 ? -rc : EIO, "seccomp: export the filter");
	cleanup_free struct sock_filter *prog = malloc((size_t)size);
	if (!prog)
		return nsrun_fail(err, errno, "seccomp: read the exported filter");
	if (pread(fd, prog, (size_t)size, 0) != size)
		return nsrun_fail(err, EIO, "seccomp: read the exported filter");
	p->prog = take_ptr(prog);
	p->prog_len = (unsigned)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int seccomp_compile(struct nsrun_seccomp *p, struct nsrun_error *err)
{
	if (p->prog)
		return 0; /* compiled already (the built-in default, or decoded) */
	uint32_t default_action = full_action(p->default_action, p->default_errno);
	scmp_filter_ctx ctx = seccomp_init(default_action);
	if (!ctx)
		return nsrun_fail(err, EINVAL, "seccomp: defaultAction");
	int rc = -1;
	/* nsrun sets no_new_privs itself, where the kernel requires it. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0) {
		nsrun_fail(err, EINVAL, "seccomp: filter attributes");
		goto out;
	}
	for (unsigned i = 0; i < p->n_archs; i++) {
		int r = seccomp_arch_add(ctx, p->archs[i]);
		if (r < 0 && r != -EEXIST) {
			nsrun_fail(err, -r, "seccomp: architectures[%u]", i);
			goto out;
		}
	}
	for (unsigned i = 0; i < p->n_rules; i++)
		if (add_rule(ctx, &p->rules[i], i, default_action, err) < 0)
			goto out;
	rc = export_program(ctx, p, err);
out:
	seccomp_release(ctx);
	return rc;
}
