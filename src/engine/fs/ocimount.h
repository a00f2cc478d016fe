/* SPDX-License-Identifier: Apache-2.0 */
/* OCI mounts, devices and sysctls inside the new root (config.json's
 * mounts, linux.devices, the default /dev entries, linux.sysctl). */
#ifndef NSRUN_ENGINE_FS_OCIMOUNT_H
#define NSRUN_ENGINE_FS_OCIMOUNT_H

#include <stdbool.h>

#include <nsrun/nsrun.h>

/* Whether a step is an OCI bind mount (its source is cloned up front). */
bool ocimount_is_bind(const struct nsrun_fs_op *op);

/* Whether a step mounts a cgroup filesystem (type cgroup or cgroup2),
 * whose view depends on the cgroups the mounting process is in. */
bool ocimount_is_cgroupfs(const struct nsrun_fs_op *op);

/* Clone an OCI bind mount's source with its options applied. */
int ocimount_clone_bind(const struct nsrun_fs_op *op, int *tree, bool *is_dir,
			struct nsrun_error *err);

/* Apply an NSRUN_FS_MOUNT or NSRUN_FS_DEVICE step inside root_fd.
 * *on_root: the mount went onto the root directory itself. */
int ocimount_apply(int root_fd, const struct nsrun_fs_op *op, int tree, bool src_is_dir,
		   bool *on_root, struct nsrun_error *err);

/* One device node (mknod, or a bind of the host's node in a user namespace). */
int ocimount_device(int root_fd, const struct nsrun_fs_op *op, struct nsrun_error *err);

/* /dev/null, zero, full, random, urandom, tty and the fd, stdin, stdout,
 * stderr and ptmx links, where missing. */
int ocimount_default_devices(int root_fd, struct nsrun_error *err);

/* Write the spec's sysctls under the new root's /proc/sys. */
int ocimount_sysctl(int root_fd, const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
