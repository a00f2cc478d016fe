/* SPDX-License-Identifier: Apache-2.0 */
/* Inside libnsrun: nsrun_reexec_spawn() with a choice of where the stage
 * runs. With `in_child`, the cloned child calls it directly instead of
 * executing the sealed copy of the binary: one execve and one copy of the
 * binary less (bench/README.md). The caller must be single-threaded, since
 * the child then runs ordinary library code after a raw clone, and must
 * make sure nothing untrusted can see the child before it executes
 * something sealed (launch.c, init_runs_in_child). */
#ifndef NSRUN_ENGINE_START_REEXEC_H
#define NSRUN_ENGINE_START_REEXEC_H

#include <nsrun/reexec.h>

struct reexec_in_child {
	/* First thing in the child, before it waits on attr->hold_fd: work
	 * that may overlap with the caller's. NULL: none. */
	void (*early)(void *arg);
	/* The stage: its return value is the child's exit status. */
	int (*stage)(int argc, char **argv, void *arg);
	void *arg;
	/* The caller has work of its own after the release: the held child
	 * is sent to another CPU to set up beside it (reexec.c). */
	bool spread;
};

/* in_child NULL: exactly nsrun_reexec_spawn(). Otherwise the stage runs in
 * the child with the caller's environ (envp is not used), and
 * attr->keep_capabilities has nothing to carry. */
pid_t reexec_spawn(const char *stage, char *const argv[], char *const envp[],
		   const struct nsrun_reexec_attr *attr, const struct reexec_in_child *in_child,
		   struct nsrun_error *err);

/* After a spawn given attr->cgroup_fd: true if the kernel could not start
 * the child there (before Linux 5.7), so the caller must move it. */
bool reexec_cgroup_not_entered(void);

#endif
