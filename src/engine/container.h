/* SPDX-License-Identifier: Apache-2.0 */
/* What only nsrun's OCI runtime asks of the engine, beyond the library's
 * struct nsrun_spec: a created container parked until start, its terminal
 * handed over a console socket, the hooks that run inside it, joining an
 * existing container's cgroups (exec), and the two-phase create.
 * struct nsrun_spec.container points at one; library callers have none. */
#ifndef NSRUN_ENGINE_CONTAINER_H
#define NSRUN_ENGINE_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include <nsrun/nsrun.h>

#include "engine/cgroup/systemd.h"
#include "engine/ns/netns_ahead.h"

/* A container's cgroup directories at most: one per v1 hierarchy nsrun
 * manages plus the v2 one. */
#define NSRUN_MAX_CGROUP_DIRS 16
/* A cgroup directory's path, with room for a file name after it. */
#define NSRUN_CGROUP_PATH_MAX 1100

struct nsrun_container {
	bool park; /* create: report ready, then wait for a byte on
	                            exec_fifo_fd before the exec (OCI start);
	                            exec_fifo_fd -1: go on as soon as create
	                            commits (OCI run) */
	int exec_fifo_fd;
	bool report_errors; /* the stage sends set-up errors to the launcher
	                            before it exits (exec --detach) */
	bool make_cwd; /* create the working directory when missing */
	bool default_devices; /* the default /dev nodes and links of the OCI spec */
	bool terminal; /* the command gets a pty; its master goes to
	                            console_socket_fd over SCM_RIGHTS */
	int console_socket_fd; /* -1: none */
	unsigned short console_rows, console_cols;
	const char *hooks; /* config.json's hooks object (JSON text) whose
	                            createContainer hooks run before pivot_root and
	                            startContainer hooks after start */
	const char *hooks_state; /* the state JSON those hooks read on stdin;
	                            "pid" is set to the container's host pid */
	const char *const *cgroup_join; /* existing cgroup directories to enter */
	unsigned n_cgroup_join;
	const struct systemd_unit *systemd; /* the systemd driver's scope; NULL: cgroupfs */
	const char *apparmor_profile; /* the command runs confined by it; NULL: as we do */
	struct netns_ahead *net_ahead; /* the network namespace, being made ahead
	                            (ns/netns_ahead.h); NULL: none */
};

/* No parking, no terminal, nothing to join. */
void container_init(struct nsrun_container *c);

/* spec->container, or the defaults when it has none. */
const struct nsrun_container *spec_container(const struct nsrun_spec *spec);

/* What container_create started. */
struct nsrun_created {
	pid_t pid; /* the container's first process, on the host */
	unsigned n_cgroup_dirs; /* its cgroup directories, one per hierarchy */
	char cgroup_dirs[NSRUN_MAX_CGROUP_DIRS][NSRUN_CGROUP_PATH_MAX];
	/* Optional, set by the caller: called once the cgroup directories exist
	 * and before any process is in them, so that a caller which may be
	 * killed can first record what to clean up. A non-zero return (err
	 * filled) fails the create. */
	int (*on_cgroups)(const struct nsrun_created *made, void *arg, struct nsrun_error *err);
	/* Optional: called once `pid` runs in its cgroups, while it sets the
	 * container up, for work the caller would otherwise do between ready
	 * and commit. A non-zero return (err filled) fails the create. */
	int (*on_started)(const struct nsrun_created *made, void *arg, struct nsrun_error *err);
	void *arg;
	int commit_fd; /* engine's: see container_commit */
};

/* OCI create, in two phases. container_create starts the sandbox up to the
 * point right before the command (container->park) and returns with its
 * first process, our child, parked. Then exactly one of:
 *   container_commit  the process goes on to wait for a byte on
 *                     exec_fifo_fd (OCI start), or without one to
 *                     execute the command, and outlives us;
 *   container_abort   it is killed and reaped, its cgroups removed.
 * Should the caller die in between, the process exits by itself: nothing
 * runs that no state records. Its cgroups stay for the caller's cleanup. */
int container_create(const struct nsrun_spec *spec, struct nsrun_created *out,
		     struct nsrun_error *err);
int container_commit(struct nsrun_created *made, struct nsrun_error *err);
void container_abort(struct nsrun_created *made);

/* OCI exec --detach: start the command as nsrun_run's staged path does, but
 * return its pid as soon as it has been executed; it is not waited for.
 * Where the stage ran in the cloned child (RELIABILITY.md), what the
 * kernel refuses after nsrun's checks passed (a missing ELF interpreter) is
 * the process's exit status 126 or 127 and a line on its stderr. */
int container_spawn(const struct nsrun_spec *spec, pid_t *pid, struct nsrun_error *err);

#endif
