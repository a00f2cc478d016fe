/* The new root: the spec's filesystem steps applied in order inside it, then
 * pivot_root (or MS_MOVE + chroot) into it. Runs inside the new mount
 * namespace, after the id maps are written. */
#ifndef NSRUN_ENGINE_FS_ROOTFS_H
#define NSRUN_ENGINE_FS_ROOTFS_H

#include <nsrun/nsrun.h>

/* Build the root and switch to it; nothing to do without rootfs or steps. */
int rootfs_build(const struct nsrun_spec *spec, struct nsrun_error *err);

/* Apply the spec's read-only and masked paths inside root_fd (-1: the
 * current root), read-only ones first. Missing paths are skipped. */
int rootfs_protect_paths(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err);

/* A new detached filesystem of `type` with comma-separated options, mounted
 * with MOUNT_ATTR_* attrs; returns its mount descriptor. */
int rootfs_new_fs(const char *type, const char *data_opts, unsigned attrs,
		  const char *what, const char *dest, struct nsrun_error *err);

/* Attach a detached mount (tree_fd) onto the directory or file dest_fd. */
int rootfs_attach_tree(int tree_fd, int dest_fd, const char *what, const char *dest,
		       struct nsrun_error *err);

#endif
