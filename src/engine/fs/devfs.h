/* SPDX-License-Identifier: Apache-2.0 */
/* --dev: a minimal /dev for a sandbox. */
#ifndef NSRUN_ENGINE_FS_DEVFS_H
#define NSRUN_ENGINE_FS_DEVFS_H

#include <nsrun/error.h>

/* The links every /dev has, the sandbox's and an OCI container's. */
struct devfs_link {
	const char *name, *target;
};
#define DEVFS_N_LINKS 5
extern const struct devfs_link devfs_links[DEVFS_N_LINKS];

/* Mount a tmpfs on dest_fd and fill it: null, zero, full, random, urandom
 * and tty bound from the host (mknod needs privileges a user namespace
 * lacks), a devpts instance with its own ptmx, a shm tmpfs, and the fd,
 * stdin, stdout and stderr links. */
int devfs_populate(int dest_fd, const char *dest, struct nsrun_error *err);

#endif
