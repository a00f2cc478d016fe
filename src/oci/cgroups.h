/* SPDX-License-Identifier: Apache-2.0 */
/* A stored container's cgroup directories as the engine's cgroup code
 * takes them (update writes limits there, events reads use). */
#ifndef NSRUN_OCI_CGROUPS_H
#define NSRUN_OCI_CGROUPS_H

#include "engine/cgroup/cgroup.h"
#include "oci/store.h"

/* Fill dirs (CGROUP_MAX_DIRS of them) from ct; returns how many. */
unsigned oci_cgroup_dirs(const struct stored_container *ct, struct cgroup_dir *dirs);

#endif
