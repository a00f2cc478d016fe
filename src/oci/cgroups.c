/* SPDX-License-Identifier: Apache-2.0 */
/* See cgroups.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oci/cgroups.h"

unsigned oci_cgroup_dirs(const struct stored_container *ct, struct cgroup_dir *dirs)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ct->n_cgroups && n < CGROUP_MAX_DIRS; i++) {
		char probe[NSRUN_CGROUP_PATH_MAX + 32];
		/* Only a cgroup2 directory has cgroup.controllers. */
		(void)snprintf(probe, sizeof(probe), "%s/cgroup.controllers",
			       ct->cgroups[i]); /* fits */
		memcpy(dirs[n].path, ct->cgroups[i], sizeof(dirs[n].path));
		dirs[n].v2 = access(probe, F_OK) == 0;
		n++;
	}
	return n;
}
