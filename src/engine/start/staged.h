/* SPDX-License-Identifier: Apache-2.0 */
/* The staged start: a child cloned into the new namespaces runs the stage,
 * which the launcher places in its cgroups, maps and releases. */
#ifndef NSRUN_ENGINE_START_STAGED_H
#define NSRUN_ENGINE_START_STAGED_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine/cgroup/cgroup.h"
#include "engine/container.h"

/* A started stage. */
struct staged_child {
	pid_t pid;
	int sync_fd; /* our end of the sync socket */
	struct cgroup_sandbox cg;
	sigset_t old_mask; /* the caller's signal mask */
	bool masked;
};

/* Clone the stage into the new namespaces and cgroup, write its maps,
 * release it and send it the spec. `supervised`: it dies with us and
 * signals meant for it are blocked here until forward_until_exit takes
 * them. `made` (container_create only) hears of the cgroups. On failure
 * nothing is left: no child, no cgroup. */
int staged_start(const struct nsrun_spec *spec, bool supervised, struct staged_child *c,
		 struct nsrun_created *made, struct nsrun_error *err);

/* Restore the signal mask and close what the launcher held. */
void staged_release(struct staged_child *c);

void staged_kill_and_reap(pid_t pid);

#endif
