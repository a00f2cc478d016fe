/* Inside the cgroup module: the controllers nsrun manages and where the
 * host mounts their hierarchies (v1 under /sys/fs/cgroup/NAME, cgroup2 at
 * /sys/fs/cgroup or, on a hybrid host, /sys/fs/cgroup/unified). */
#ifndef NSRUN_ENGINE_CGROUP_HIERARCHY_H
#define NSRUN_ENGINE_CGROUP_HIERARCHY_H

#include <stdbool.h>

#include <nsrun/nsrun.h>

#define CGROUP_ROOT "/sys/fs/cgroup"

/* freezer: for OCI pause/resume (in cgroup v2 it is part of every cgroup). */
enum controller { CTL_MEMORY, CTL_PIDS, CTL_CPU, CTL_FREEZER, CTL_DEVICES, N_CTL };

/* "memory", "pids", ... */
const char *cgroup_ctl_name(enum controller c);

/* The part of the spec that asks for a controller, for errors. */
enum nsrun_about cgroup_ctl_about(enum controller c);

bool cgroup_is_fs(const char *path, long magic);

/* Where the cgroup2 hierarchy is mounted, or NULL (pure v1). */
const char *cgroup_v2_root(void);

/* Whether the spec needs controller c. */
bool cgroup_wants(const struct nsrun_spec *spec, enum controller c);

/* Write the spec's limits of controller c into the cgroup directory dir. */
int cgroup_write_limits(const char *dir, bool v2, const struct nsrun_spec *spec,
			enum controller c, struct nsrun_error *err);

#endif
