/* SPDX-License-Identifier: Apache-2.0 */
/* A container's /sys/fs/cgroup on a v1 or hybrid host: a tmpfs with one
 * mount per hierarchy the host has, each showing the container's own
 * cgroup and what is below it, never the host's tree. See cgroupfs.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/cgroup/cgroup.h"
#include "engine/fs/cgroupfs.h"
#include "engine/fs/resolve.h"
#include "engine/fs/mount.h"
#include "util/cleanup.h"

#define HOST_CGROUP "/sys/fs/cgroup"

/* A detached mount onto top/name, a directory just made in our tmpfs. */
static int attach(int mnt, int top, const char *name, const char *dest, struct nsrun_error *err)
{
	if (move_mount(mnt, "", top, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return nsrun_fail(err, errno, "attach the mount on %s/%s", dest, name);
	return 0;
}

/* One hierarchy onto top/name: a fresh mount where our cgroup is the root
 * of the view (in a cgroup namespace, that is always so), else a bind of
 * the host's directory for our cgroup (its options set with the others',
 * by cgroupfs_mount_v1). */
static int mount_hierarchy(const char *table, const char *name, bool v2, int top, unsigned attrs,
			   const char *dest, struct nsrun_error *err)
{
	char path[3800], host_dir[4096];
	bool systemd = strcmp(name, "systemd") == 0;
	if (cgroup_own_path_in(table,
			       v2	 ? NULL
			       : systemd ? "name=systemd"
					 : name,
			       path, sizeof(path)) < 0)
		return 0; /* not a hierarchy we are in: nothing to show */
	if (path[0] == '\0') {
		char opts[320];
		if (v2)
			opts[0] = '\0';
		else if (systemd)
			(void)snprintf(opts, sizeof(opts), "none,name=systemd"); /* fits */
		else
			(void)snprintf(opts, sizeof(opts), "%s", name); /* a directory name: fits */
		struct nsrun_error ignored;
		cleanup_close int mnt =
			mount_new_fs(v2 ? "cgroup2" : "cgroup", opts, attrs, dest, &ignored);
		if (mnt >= 0)
			return attach(mnt, top, name, dest, err);
		/* A user namespace without a cgroup namespace of its own may not
		 * mount the hierarchy: the bind below shows the same. */
	}
	if ((size_t)snprintf(host_dir, sizeof(host_dir), HOST_CGROUP "/%s%s", name, path) >=
	    sizeof(host_dir))
		return nsrun_fail(err, ENAMETOOLONG, "cgroup %s on %s", name, dest);
	cleanup_close int tree = open_tree(AT_FDCWD, host_dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return nsrun_fail(err, errno, "bind %s on %s", host_dir, dest);
	return attach(tree, top, name, dest, err);
}

/* Each entry of the host's /sys/fs/cgroup into the tmpfs at `top`: the
 * hierarchies, and the symlinks of co-mounted ones (cpu -> cpu,cpuacct). */
static int fill(int top, unsigned attrs, const char *dest, struct nsrun_error *err)
{
	char table[4096];
	if (cgroup_own_table(table, sizeof(table)) < 0)
		return nsrun_fail(err, errno, "read /proc/self/cgroup");
	cleanup_closedir DIR *d = opendir(HOST_CGROUP);
	if (!d)
		return nsrun_fail(err, errno, "read " HOST_CGROUP);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_LNK) {
			char target[256];
			ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				if (symlinkat(target, top, e->d_name) < 0)
					rc = nsrun_fail(err, errno, "symlink %s/%s", dest,
							e->d_name);
			}
			continue;
		}
		char host[300];
		struct statfs sf;
		if ((size_t)snprintf(host, sizeof(host), HOST_CGROUP "/%s", e->d_name) >=
			    sizeof(host) ||
		    statfs(host, &sf) < 0 ||
		    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
			continue;
		if (mkdirat(top, e->d_name, 0755) < 0)
			return nsrun_fail(err, errno, "create %s/%s", dest, e->d_name);
		rc = mount_hierarchy(table, e->d_name, sf.f_type == CGROUP2_SUPER_MAGIC, top, attrs,
				     dest, err);
	}
	return rc;
}

int cgroupfs_mount_v1(int root_fd, const char *dest, int dest_fd, unsigned attrs,
		      struct nsrun_error *err)
{
	if (mount_new_fs_on(dest_fd, "tmpfs", "mode=755",
			    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, dest,
			    err) < 0)
		return -1;
	/* The tmpfs now covers dest_fd's directory: resolve again to reach it. */
	cleanup_close int top = resolve_in_root(root_fd, dest, RESOLVE_EXISTING, err);
	if (top < 0)
		return -1;
	cleanup_close int dir = openat(top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return nsrun_fail(err, errno, "open %s", dest);
	if (fill(dir, attrs, dest, err) < 0)
		return -1;
	/* The mount's options on the tmpfs and every hierarchy at once. */
	struct mount_attr attr = { .attr_set = attrs };
	if (attrs && mount_setattr(top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "set the options of %s", dest);
	return 0;
}
