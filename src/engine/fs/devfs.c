/* A minimal /dev. See devfs.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fs/devfs.h"
#include "engine/fs/rootfs.h"
#include "util/log.h"

static const char *const device_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct {
	const char *name, *target;
} dev_links[] = {
	{ "fd", "/proc/self/fd" },     { "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	{ "ptmx", "pts/ptmx" },
};

static int bind_node(int dev, const char *name, const char *dest, struct nsrun_error *err)
{
	char host[32];
	if ((size_t)snprintf(host, sizeof(host), "/dev/%s", name) >= sizeof(host))
		return nsrun_fail(err, ENAMETOOLONG, "--dev %s: /dev/%s", dest, name);
	int file = openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
	if (file < 0)
		return nsrun_fail(err, errno, "--dev %s: create %s", dest, name);
	close(file);
	int target = openat(dev, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return nsrun_fail(err, errno, "--dev %s: open %s", dest, name);
	int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int rc = 0;
	if (tree < 0)
		rc = nsrun_fail(err, errno, "--dev %s: bind %s", dest, host);
	else
		rc = rootfs_attach_tree(tree, target, "--dev", dest, err);
	if (tree >= 0)
		close(tree);
	close(target);
	return rc;
}

/* A new filesystem mounted on directory `name` under dev. */
static int mount_subdir(int dev, const char *name, mode_t mode, const char *type,
			const char *opts, unsigned attrs, const char *dest,
			struct nsrun_error *err)
{
	if (mkdirat(dev, name, mode) < 0)
		return nsrun_fail(err, errno, "--dev %s: create %s", dest, name);
	int dir = openat(dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir < 0)
		return nsrun_fail(err, errno, "--dev %s: open %s", dest, name);
	int mnt = rootfs_new_fs(type, opts, attrs, "--dev", dest, err);
	int rc = mnt < 0 ? -1 : rootfs_attach_tree(mnt, dir, "--dev", dest, err);
	if (mnt >= 0)
		close(mnt);
	close(dir);
	return rc;
}

int devfs_populate(int dest_fd, const char *dest, int verbose, struct nsrun_error *err)
{
	int dev = rootfs_new_fs("tmpfs", "mode=0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
				"--dev", dest, err);
	if (dev < 0)
		return -1;
	int rc = -1;
	if (rootfs_attach_tree(dev, dest_fd, "--dev", dest, err) < 0)
		goto out;
	/* dev now names the root of the attached tmpfs. */
	for (size_t i = 0; i < sizeof(device_nodes) / sizeof(device_nodes[0]); i++)
		if (bind_node(dev, device_nodes[i], dest, err) < 0)
			goto out;
	if (mount_subdir(dev, "pts", 0755, "devpts", "newinstance,ptmxmode=0666,mode=0620",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, dest, err) < 0 ||
	    mount_subdir(dev, "shm", 01777, "tmpfs", "mode=1777",
			 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, dest, err) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0) {
			nsrun_fail(err, errno, "--dev %s: link %s", dest, dev_links[i].name);
			goto out;
		}
	}
	nsrun_trace(verbose, "--dev %s: nodes, pts, shm and links", dest);
	rc = 0;
out:
	close(dev);
	return rc;
}
