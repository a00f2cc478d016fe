/* SPDX-License-Identifier: Apache-2.0 */
/* The new root: the spec's filesystem steps applied in order inside it, then
 * pivot_root (or MS_MOVE + chroot) into it. Runs inside the new mount
 * namespace, after the id maps are written. */
#ifndef NSRUN_ENGINE_FS_ROOTFS_H
#define NSRUN_ENGINE_FS_ROOTFS_H

#include <nsrun/nsrun.h>

/* Run before a step mounts a cgroup filesystem, whose view depends on the
 * cgroups the process is in: the stage waits for them there. */
typedef int rootfs_before_cgroupfs(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Build the new root: the spec's rootfs (or an empty tmpfs) with its
 * steps applied in order, and the container's working directory, devices
 * and sysctls. Returns the new root's descriptor; call only when the spec
 * has a rootfs or steps. before_cgroupfs may be NULL. */
int rootfs_prepare(const struct nsrun_spec *spec, rootfs_before_cgroupfs *before_cgroupfs,
		   struct nsrun_error *err);

/* Protect paths inside the prepared root, make it read-only if asked, and
 * switch to it (pivot_root, or MS_MOVE + chroot). */
int rootfs_enter(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err);

/* Apply the spec's read-only and masked paths inside root_fd (-1: the
 * current root), read-only ones first. Missing paths are skipped. */
int rootfs_protect_paths(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err);

#endif
