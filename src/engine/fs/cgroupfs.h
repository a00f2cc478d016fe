/* SPDX-License-Identifier: Apache-2.0 */
/* The "cgroup" mount of an OCI container on a host with cgroup v1
 * hierarchies (v1 or hybrid): a tmpfs at dest holding, for every
 * hierarchy of the host's /sys/fs/cgroup (and its cgroup2 mount on a
 * hybrid host), a view rooted at the container's own cgroup: a fresh
 * mount in a cgroup namespace, else a bind of that cgroup's directory.
 * runc and crun show the same; the host's other cgroups stay hidden. */
#ifndef NSRUN_ENGINE_FS_CGROUPFS_H
#define NSRUN_ENGINE_FS_CGROUPFS_H

#include <nsrun/error.h>

/* dest_fd: the resolved directory of dest inside root_fd; attrs:
 * MOUNT_ATTR_* for every mount (read-only for the tmpfs too). */
int cgroupfs_mount_v1(int root_fd, const char *dest, int dest_fd, unsigned attrs,
		      struct nsrun_error *err);

#endif
