/* SPDX-License-Identifier: Apache-2.0 */
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
#include "util/cleanup.h"

static const struct {
	int flag;
	const char *name;
} ns_types[] = {
	{ CLONE_NEWUSER, "user" },     { CLONE_NEWNS, "mnt" },	  { CLONE_NEWPID, "pid" },
	{ CLONE_NEWNET, "net" },       { CLONE_NEWUTS, "uts" },	  { CLONE_NEWIPC, "ipc" },
	{ CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWTIME, "time" },
};
#define N_TYPES ARRAY_SIZE(ns_types)

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
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", ns_types[i].name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		(void)snprintf(buf, size, "none"); /* a description: cut short is fine */
	return buf;
}

/* Open join i and check that it is a namespace of its declared type. */
static int open_join(const struct nsrun_ns_join *j, int i, struct nsrun_error *err)
{
	const char *want = ns_name(j->type);
	cleanup_close int fd = open(j->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, i, errno, "open %s", j->path);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0 && (errno == ENOTTY || errno == EINVAL))
		return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, i, 0, "%s is not a namespace file",
					j->path);
	if (type < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, i, errno, "%s", j->path);
	if (type != j->type)
		return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, i, 0, "%s is a %s namespace, not %s",
					j->path, ns_name(type), want);
	return take_fd(&fd);
}

int ns_open_joins(const struct nsrun_spec *spec, int *fds, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_joins; i++)
		fds[i] = -1;
	for (unsigned i = 0; i < spec->n_joins; i++) {
		fds[i] = open_join(&spec->joins[i], (int)i, err);
		if (fds[i] < 0) {
			ns_close_joins(spec, fds);
			return -1;
		}
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
			if (!(skip_mount && j->type == CLONE_NEWNS) && setns(fds[i], j->type) < 0) {
				nsrun_fail_about(err, NSRUN_ABOUT_JOIN, (int)i, errno, "setns %s",
						 j->path);
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
		cleanup_close int fd = open(j->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, (int)i, errno, "open %s",
						j->path);
		if (setns(fd, CLONE_NEWNS) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_JOIN, (int)i, errno, "setns %s",
						j->path);
	}
	return 0;
}
