/* SPDX-License-Identifier: Apache-2.0 */
/* Mounting by descriptor: new detached filesystems (fsopen, fsmount),
 * attaching a detached tree onto a resolved directory (move_mount), and
 * mount(2) onto a resolved descriptor. Every step of the new root is built
 * from these, never by path. */
#ifndef NSRUN_ENGINE_FS_MOUNT_H
#define NSRUN_ENGINE_FS_MOUNT_H

#include <nsrun/error.h>

/* A new detached filesystem of `type` with comma-separated options
 * ("mode=755,size=64k"), mounted with MOUNT_ATTR_* attrs; returns its mount
 * descriptor. `dest` names where it is meant to go, in errors. */
int mount_new_fs(const char *type, const char *options, unsigned attrs, const char *dest,
		 struct nsrun_error *err);

/* Attach a detached mount (tree_fd) onto the directory or file dest_fd. */
int mount_attach(int tree_fd, int dest_fd, const char *dest, struct nsrun_error *err);

/* A new filesystem attached onto dest_fd in one step. */
int mount_new_fs_on(int dest_fd, const char *type, const char *options, unsigned attrs,
		    const char *dest, struct nsrun_error *err);

/* mount(2) onto exactly the resolved descriptor, through its /proc link. */
int mount_on_fd(const char *src, int dest_fd, const char *fstype, unsigned long flags,
		const char *data);

/* The MOUNT_ATTR_* flags of mount(2)'s MS_* flags. */
unsigned mount_attrs_of(unsigned long ms_flags);

#endif
