/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the cgroup module: removing cgroup directories. */
#ifndef NSRUN_ENGINE_CGROUP_REMOVE_H
#define NSRUN_ENGINE_CGROUP_REMOVE_H

#include <stdbool.h>

/* A sandbox's own cgroup is named this and the launcher's pid. */
#define CGROUP_NAME_PREFIX "nsrun-"

/* dir and every cgroup below it, their processes SIGKILLed: 0, or -1
 * with errno. A missing dir is removed already. */
int cgroup_remove_tree(const char *dir, bool v2);

/* The sandboxes' cgroups below parent whose launcher is gone. */
void cgroup_remove_stale(const char *parent, bool v2);

#endif
