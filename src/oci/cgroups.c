/* SPDX-License-Identifier: Apache-2.0 */
/* See cgroups.h. */
#include <linux/magic.h>
#include <string.h>

#include "engine/cgroup/hierarchy.h"
#include "oci/cgroups.h"

unsigned oci_cgroup_dirs(const struct stored_container *ct, struct cgroup_dir *dirs)
{
	unsigned n = 0;
	for (unsigned i = 0; i < ct->n_cgroups && n < CGROUP_MAX_DIRS; i++, n++) {
		memcpy(dirs[n].path, ct->cgroups[i], sizeof(dirs[n].path));
		dirs[n].v2 = cgroup_is_fs(ct->cgroups[i], CGROUP2_SUPER_MAGIC);
	}
	return n;
}
