/* Namespace types and joining existing namespaces. See namespaces.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "engine/ns/namespaces.h"

static const struct {
	int flag;
	const char *name;
} ns_types[] = {
	{ CLONE_NEWUSER, "user" }, { CLONE_NEWNS, "mnt" },
	{ CLONE_NEWPID, "pid" },   { CLONE_NEWNET, "net" },
	{ CLONE_NEWUTS, "uts" },   { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
};
#define N_TYPES (sizeof(ns_types) / sizeof(ns_types[0]))

int ns_flag_from_name(const char *name)
{
	if (strcmp(name, "mount") == 0)
		return CLONE_NEWNS;
	for (size_t i = 0; i < N_TYPES; i++)
		if (strcmp(name, ns_types[i].name) == 0)
			return ns_types[i].flag;
	return 0;
}

const char *ns_name(int flag)
{
	for (size_t i = 0; i < N_TYPES; i++)
		if (ns_types[i].flag == flag)
			return ns_types[i].name;
	return "?";
}

const char *ns_describe(unsigned long flags, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < N_TYPES && len < size; i++) {
		if (!(flags & (unsigned long)ns_types[i].flag))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "",
				 ns_types[i].name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		(void)snprintf(buf, size, "none"); /* a description: cut short is fine */
	return buf;
}

int ns_open_joins(const struct nsrun_spec *spec, int *fds, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_joins; i++)
		fds[i] = -1;
	for (unsigned i = 0; i < spec->n_joins; i++) {
		const struct nsrun_ns_join *j = &spec->joins[i];
		const char *want = ns_name(j->type);
		fds[i] = open(j->path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			goto fail_errno;
		int type = ioctl(fds[i], NS_GET_NSTYPE);
		if (type < 0) {
			if (errno == ENOTTY || errno == EINVAL) {
				nsrun_fail(err, 0, "--join %s:%s: not a namespace file",
					   want, j->path);
				goto fail;
			}
			goto fail_errno;
		}
		if (type != j->type) {
			nsrun_fail(err, 0, "--join %s:%s: is a %s namespace, not %s",
				   want, j->path, ns_name(type), want);
			goto fail;
		}
		continue;
fail_errno:
		nsrun_fail(err, errno, "--join %s:%s", want, j->path);
fail:
		ns_close_joins(spec, fds);
		return -1;
	}
	return 0;
}

void ns_close_joins(const struct nsrun_spec *spec, int *fds)
{
	for (unsigned i = 0; i < spec->n_joins; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int ns_enter_joins(const struct nsrun_spec *spec, int *fds, bool skip_mount,
		   struct nsrun_error *err)
{
	/* Joining the user namespace first gives the capabilities the other
	 * joins need when they belong to it. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < spec->n_joins; i++) {
			const struct nsrun_ns_join *j = &spec->joins[i];
			if ((j->type == CLONE_NEWUSER) != (pass == 0))
				continue;
			if (skip_mount && j->type == CLONE_NEWNS) {
				close(fds[i]);
				fds[i] = -1;
				continue;
			}
			if (setns(fds[i], j->type) < 0) {
				nsrun_fail(err, errno, "--join %s:%s: setns",
					   ns_name(j->type), j->path);
				ns_close_joins(spec, fds);
				return -1;
			}
			close(fds[i]);
			fds[i] = -1;
		}
	}
	return 0;
}

int ns_enter_mount_join(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_joins; i++) {
		const struct nsrun_ns_join *j = &spec->joins[i];
		if (j->type != CLONE_NEWNS)
			continue;
		int fd = open(j->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return nsrun_fail(err, errno, "--join mnt:%s", j->path);
		int rc = setns(fd, CLONE_NEWNS);
		int e = errno;
		close(fd);
		if (rc < 0)
			return nsrun_fail(err, e, "--join mnt:%s: setns", j->path);
	}
	return 0;
}
