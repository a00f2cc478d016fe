/* SPDX-License-Identifier: Apache-2.0 */
/* <nsrun/reexec.h>: named stages a program runs by re-executing itself.
 *
 * The C form of Moby's pkg/reexec. A program registers stages by name and
 * calls nsrun_reexec_dispatch() first thing in main(). nsrun_reexec_spawn()
 * starts a child (optionally in new namespaces) that executes a sealed memfd
 * copy of the running binary with argv[0] set to the stage name; dispatch in
 * the child then runs that stage instead of main's usual work.
 *
 * The sealed copy means the child's /proc/PID/exe can never be written
 * through to the binary on disk (CVE-2019-5736). Between clone and execve the
 * child makes only async-signal-safe system calls, so spawning is safe from a
 * program that runs threads. */
#ifndef NSRUN_REEXEC_H
#define NSRUN_REEXEC_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include <nsrun/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A stage receives the argv it was spawned with (argv[0] is its name) and
 * returns the process's exit status. */
typedef int (*nsrun_stage_fn)(int argc, char **argv);

/* Register stage `name` (kept by pointer, not copied). Call before
 * nsrun_reexec_dispatch(), before the program starts threads.
 * Returns -1 with errno EEXIST for a duplicate name, ENOSPC when full. */
int nsrun_reexec_register(const char *name, nsrun_stage_fn fn);

/* If argv[0] names a registered stage (or libnsrun's own "nsrun:init"),
 * run it and exit with its status. Otherwise return 0. */
int nsrun_reexec_dispatch(int argc, char **argv);

/* A descriptor of the sealed copy of the running binary: created on first
 * use, close-on-exec, shared by later calls. -1 with err filled on failure. */
int nsrun_reexec_sealed_fd(struct nsrun_error *err);

struct nsrun_reexec_attr {
	unsigned long clone_flags; /* CLONE_NEW* for the child, 0 for none */
	int pdeathsig; /* signal the child gets when the spawning
	                              thread dies, 0 for none */
	const sigset_t *sigmask; /* signal mask the child starts with,
	                              NULL keeps the caller's */
	int hold_fd; /* > 0: before executing the stage the child
	                              reads one byte from this descriptor, so
	                              the caller can write its id maps first
	                              (capabilities in a new user namespace
	                              survive execve only with uid 0 mapped);
	                              at EOF the child exits with status 125 */
	bool keep_capabilities; /* with CLONE_NEWUSER: carry the child's
	                              capabilities across execve as ambient
	                              ones, so the stage holds them even before
	                              its id maps are written. The stage clears
	                              them (PR_CAP_AMBIENT_CLEAR_ALL and the
	                              inheritable set) before it executes
	                              anything else */
	int cgroup_fd; /* > 0: a cgroup v2 directory the child
	                              starts in (clone3 CLONE_INTO_CGROUP;
	                              before Linux 5.7 it starts in the
	                              caller's, to be moved by the caller) */
	const int *inherit_fds; /* descriptors the stage inherits: their
	                              close-on-exec flag is cleared in the child */
	unsigned n_inherit_fds;
	int hold_peer_fd; /* > 0: the caller's end of hold_fd's socket,
	                              closed in the child at once, so that the
	                              caller's death reads as EOF on hold_fd
	                              and a held child never outlives it */
};

/* Start `stage` in a child from the sealed copy, with argv (argv[0] is
 * replaced by the stage name) and envp (NULL: the caller's environ).
 * attr may be NULL. Returns the child's pid, or -1 with err filled. */
pid_t nsrun_reexec_spawn(const char *stage, char *const argv[], char *const envp[],
			 const struct nsrun_reexec_attr *attr, struct nsrun_error *err);

#ifdef __cplusplus
}
#endif
#endif
