/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal /dev. See devfs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fs/devfs.h"
#include "engine/fs/mount.h"
#include "util/cleanup.h"
#include "util/file.h"

static const char *const device_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

const struct devfs_link devfs_links[DEVFS_N_LINKS] = {
	{ "fd", "/proc/self/fd" },	 { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

/* The host's node bound onto a new file of the same name: mknod needs
 * privileges a user namespace lacks. */
static int bind_node(int dev, const char *name, const char *dest, struct nsrun_error *err)
{
	char host[32];
	if (path_format(host, sizeof(host), "/dev/%s", name) < 0)
		return nsrun_fail(err, ENAMETOOLONG, "/dev/%s", name);
	cleanup_close int file = openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
	if (file < 0)
		return nsrun_fail(err, errno, "create %s/%s", dest, name);
	cleanup_close int target = openat(dev, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return nsrun_fail(err, errno, "open %s/%s", dest, name);
	cleanup_close int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return nsrun_fail(err, errno, "bind %s", host);
	return mount_attach(tree, target, host, err);
}

/* A new filesystem mounted on directory `name` under dev. */
static int mount_subdir(int dev, const char *name, mode_t mode, const char *type, const char *opts,
			unsigned attrs, const char *dest, struct nsrun_error *err)
{
	if (mkdirat(dev, name, mode) < 0)
		return nsrun_fail(err, errno, "create %s/%s", dest, name);
	cleanup_close int dir = openat(dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return nsrun_fail(err, errno, "open %s/%s", dest, name);
	return mount_new_fs_on(dir, type, opts, attrs, dest, err);
}

int devfs_populate(int dest_fd, const char *dest, struct nsrun_error *err)
{
	cleanup_close int dev = mount_new_fs("tmpfs", "mode=0755",
					     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, dest, err);
	if (dev < 0 || mount_attach(dev, dest_fd, dest, err) < 0)
		return -1;
	/* dev now names the root of the attached tmpfs. */
	for (size_t i = 0; i < ARRAY_SIZE(device_nodes); i++)
		if (bind_node(dev, device_nodes[i], dest, err) < 0)
			return -1;
	if (mount_subdir(dev, "pts", 0755, "devpts", "newinstance,ptmxmode=0666,mode=0620",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, dest, err) < 0 ||
	    mount_subdir(dev, "shm", 01777, "tmpfs", "mode=1777",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest, err) < 0)
		return -1;
	for (size_t i = 0; i < DEVFS_N_LINKS; i++)
		if (symlinkat(devfs_links[i].target, dev, devfs_links[i].name) < 0)
			return nsrun_fail(err, errno, "link %s/%s", dest, devfs_links[i].name);
	return 0;
}
