/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the cgroup module: the hierarchies this process is in, and where
 * the host mounts them (v1 under /sys/fs/cgroup/NAME, cgroup2 at
 * /sys/fs/cgroup or, on a hybrid host, /sys/fs/cgroup/unified). */
#ifndef NSRUN_ENGINE_CGROUP_HIERARCHY_H
#define NSRUN_ENGINE_CGROUP_HIERARCHY_H

#include <stdbool.h>

#include <nsrun/error.h>

#include "engine/cgroup/cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define HIERARCHY_MOUNT_SIZE 256
#define HIERARCHY_OWN_SIZE 512

struct hierarchy {
	char mount[HIERARCHY_MOUNT_SIZE]; /* where the host mounts it */
	char controllers[128]; /* "cpu,cpuacct", "name=systemd"; v2: the
					     controllers it has */
	char own[HIERARCHY_OWN_SIZE]; /* our cgroup in it: "" for the root */
	bool v2;
};

bool cgroup_is_fs(const char *path, long magic);

/* Where the cgroup2 hierarchy is mounted, or NULL (pure v1). */
const char *cgroup_v2_root(void);

/* Every hierarchy we are in that the host mounts, v1 ones first. The
 * number found, or -1 with err filled. */
int cgroup_hierarchies(struct hierarchy *out, unsigned max, struct nsrun_error *err);

#endif
