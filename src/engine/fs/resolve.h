/* SPDX-License-Identifier: Apache-2.0 */
/* Paths inside a new root, resolved without ever leaving it: symlinks and
 * ".." are resolved as if the root were "/" (openat2 RESOLVE_IN_ROOT), so a
 * rootfs whose /etc is a symlink to "/" cannot point a mount at the host. */
#ifndef NSRUN_ENGINE_FS_RESOLVE_H
#define NSRUN_ENGINE_FS_RESOLVE_H

#include <stdbool.h>

#include <nsrun/error.h>

enum resolve_create {
	RESOLVE_EXISTING, /* the path must exist */
	RESOLVE_MAKE_DIR, /* create it (and its parents) as a directory */
	RESOLVE_MAKE_FILE, /* create it as an empty file, parents as directories */
};

/* An O_PATH descriptor of `path` inside the root open at root_fd, creating
 * what is missing as `how` says. */
int resolve_in_root(int root_fd, const char *path, enum resolve_create how,
		    struct nsrun_error *err);

/* open(2) of an existing path inside the root with `flags` (no O_CREAT). */
int resolve_open_in_root(int root_fd, const char *path, int flags);

/* The directory that will hold the last component of `path`, created if
 * missing, and that component in *name (a pointer into path). */
int resolve_parent_in_root(int root_fd, const char *path, const char **name,
			   struct nsrun_error *err);

/* Whether fd names the root directory itself (a mount on it hides it). */
bool resolve_is_root(int root_fd, int fd);

#endif
