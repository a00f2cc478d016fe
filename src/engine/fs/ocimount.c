/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime's mounts, devices and sysctls inside a new root: generic
 * mount(2)s from config.json, device nodes, the default /dev entries the
 * runtime spec requires, and /proc/sys settings. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "engine/fs/cgroupfs.h"
#include "engine/fs/devfs.h"
#include "engine/fs/mount.h"
#include "engine/fs/ocimount.h"
#include "engine/fs/resolve.h"
#include "util/cleanup.h"

#define PROPAGATION_FLAGS (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

bool ocimount_is_bind(const struct nsrun_fs_op *op)
{
	return op->kind == NSRUN_FS_MOUNT && (op->flags & MS_BIND);
}

bool ocimount_is_cgroupfs(const struct nsrun_fs_op *op)
{
	return op->kind == NSRUN_FS_MOUNT && !ocimount_is_bind(op) && op->fstype &&
	       (strcmp(op->fstype, "cgroup") == 0 || strcmp(op->fstype, "cgroup2") == 0);
}

int ocimount_clone_bind(const struct nsrun_fs_op *op, int *tree, bool *is_dir,
			struct nsrun_error *err)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (op->flags & MS_REC)
		flags |= AT_RECURSIVE;
	*tree = open_tree(AT_FDCWD, op->src, flags);
	if (*tree < 0)
		return nsrun_fail(err, errno, "bind source %s", op->src);
	struct stat st;
	if (fstat(*tree, &st) < 0)
		return nsrun_fail(err, errno, "bind source %s", op->src);
	*is_dir = S_ISDIR(st.st_mode);
	struct mount_attr attr = { .attr_set = mount_attrs_of(op->flags),
				   .propagation = op->propagation & PROPAGATION_FLAGS };
	if ((attr.attr_set || attr.propagation) &&
	    mount_setattr(*tree, "", AT_EMPTY_PATH | ((op->flags & MS_REC) ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "set the options of the bind of %s", op->src);
	return 0;
}

/* A "cgroup" mount: cgroup2 on a v2 host; on a v1 or hybrid host a view of
 * each hierarchy rooted at the container's cgroup (cgroupfs.h). */
static int mount_cgroup(int root_fd, const struct nsrun_fs_op *op, int dest,
			struct nsrun_error *err)
{
	struct statfs sf;
	unsigned long flags = op->flags & ~(unsigned long)(MS_BIND | MS_REC);
	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
		if (mount_on_fd("cgroup2", dest, "cgroup2", flags, NULL) < 0)
			return nsrun_fail(err, errno, "mount cgroup2 on %s", op->dest);
		return 0;
	}
	return cgroupfs_mount_v1(root_fd, op->dest, dest, mount_attrs_of(op->flags), err);
}

/* Propagation (shared, rslave...) of the mount just made on op->dest. The
 * descriptor opened before mounting names the directory underneath, so the
 * path is resolved again to reach the new mount on top of it. */
static int set_mount_propagation(int root_fd, const struct nsrun_fs_op *op, struct nsrun_error *err)
{
	cleanup_close int top = resolve_in_root(root_fd, op->dest, RESOLVE_EXISTING, err);
	if (top < 0)
		return -1;
	if (mount_on_fd(NULL, top, NULL, op->propagation, NULL) < 0)
		return nsrun_fail(err, errno, "set the propagation of %s", op->dest);
	return 0;
}

/* sysfs needs a network namespace of our own user namespace: bind the
 * host's read-only instead, as runc does. */
static int bind_host_sysfs(const struct nsrun_fs_op *op, int dest, struct nsrun_error *err)
{
	struct nsrun_fs_op bind = *op;
	bind.src = "/sys";
	bind.flags = op->flags | MS_BIND | MS_REC | MS_RDONLY;
	cleanup_close int tree = -1;
	bool is_dir;
	if (ocimount_clone_bind(&bind, &tree, &is_dir, err) < 0)
		return -1;
	return mount_attach(tree, dest, op->dest, err);
}

static int mount_filesystem(int root_fd, const struct nsrun_fs_op *op, int dest,
			    struct nsrun_error *err)
{
	const char *type = op->fstype ? op->fstype : "";
	if (ocimount_is_cgroupfs(op))
		return mount_cgroup(root_fd, op, dest, err);
	if (mount_on_fd(op->src ? op->src : type, dest, type, op->flags, op->data) == 0)
		return 0;
	if (strcmp(type, "sysfs") == 0 && (errno == EPERM || errno == EACCES))
		return bind_host_sysfs(op, dest, err);
	return nsrun_fail(err, errno, "mount %s on %s", type, op->dest);
}

int ocimount_apply(int root_fd, const struct nsrun_fs_op *op, int tree, bool src_is_dir,
		   bool *on_root, struct nsrun_error *err)
{
	*on_root = false;
	if (op->kind == NSRUN_FS_DEVICE)
		return ocimount_device(root_fd, op, err);
	bool bind = ocimount_is_bind(op);
	enum resolve_create how = bind && !src_is_dir ? RESOLVE_MAKE_FILE : RESOLVE_MAKE_DIR;
	cleanup_close int dest = resolve_in_root(root_fd, op->dest, how, err);
	if (dest < 0)
		return -1;
	*on_root = resolve_is_root(root_fd, dest);
	if (bind)
		return mount_attach(tree, dest, op->dest, err);
	if (mount_filesystem(root_fd, op, dest, err) < 0)
		return -1;
	return op->propagation ? set_mount_propagation(root_fd, op, err) : 0;
}

/* Without mknod (a user namespace): the host's node bound onto a new file.
 * The host's /dev/char/MAJ:MIN link names it; without udev's links, the
 * node at the same path, if it is the same device. */
static int bind_host_node(int dir, const char *name, const struct nsrun_fs_op *op, mode_t type,
			  struct nsrun_error *err)
{
	char host_link[64]; /* two numbers: fits */
	(void)snprintf(host_link, sizeof(host_link), "/dev/%s/%u:%u",
		       type == S_IFBLK ? "block" : "char", op->major, op->minor);
	const char *host = host_link;
	struct stat hs;
	if (stat(host, &hs) < 0 && stat(op->dest, &hs) == 0 && (hs.st_mode & S_IFMT) == type &&
	    major(hs.st_rdev) == op->major && minor(hs.st_rdev) == op->minor)
		host = op->dest;
	cleanup_close int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLOEXEC | OPEN_TREE_CLONE);
	if (tree < 0)
		return nsrun_fail(err, errno, "device %s: no mknod here, and no host node %s",
				  op->dest, host);
	cleanup_close int file =
		openat(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (file < 0)
		return nsrun_fail(err, errno, "create %s", op->dest);
	close(file);
	file = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (file < 0)
		return nsrun_fail(err, errno, "open %s", op->dest);
	return mount_attach(tree, file, op->dest, err);
}

/* mknod where allowed (no user namespace), else bind the host's node.
 * exact: mknod gives the node the owner and mode asked (the umask is 0,
 * the caller's ids are the op's), so neither is set again. */
static int make_node(int dir, const char *name, const struct nsrun_fs_op *op, bool exact,
		     struct nsrun_error *err)
{
	mode_t type = op->dev_type == 'b' ? S_IFBLK : op->dev_type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = (mode_t)(op->mode >= 0 ? op->mode : 0666) & 07777;
	if (mknodat(dir, name, type | mode, makedev(op->major, op->minor)) == 0) {
		/* mknod applies the umask; the config's mode is what counts */
		if (!exact && (fchownat(dir, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
			       fchmodat(dir, name, mode, 0) < 0))
			return nsrun_fail(err, errno, "chown and chmod %s", op->dest);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno == EPERM && type != S_IFIFO)
		return bind_host_node(dir, name, op, type, err);
	return nsrun_fail(err, errno, "mknod %s", op->dest);
}

int ocimount_device(int root_fd, const struct nsrun_fs_op *op, struct nsrun_error *err)
{
	const char *name;
	cleanup_close int dir = resolve_parent_in_root(root_fd, op->dest, &name, err);
	if (dir < 0)
		return -1;
	return make_node(dir, name, op, false, err);
}

#define DEV_PREFIX_LEN (sizeof("/dev/") - 1)

/* The nodes, in the /dev open at dev: root's and mode 0666 each. */
static int default_nodes(int dev, struct nsrun_error *err)
{
	static const struct {
		const char *path;
		unsigned major, minor;
	} nodes[] = {
		{ "/dev/null", 1, 3 },	 { "/dev/zero", 1, 5 },	   { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	/* As root, with no umask and no set-group-ID /dev, mknod makes them
	 * as asked: twelve system calls fewer. */
	struct stat st;
	bool exact =
		fstat(dev, &st) == 0 && !(st.st_mode & S_ISGID) && geteuid() == 0 && getegid() == 0;
	mode_t mask = umask(0);
	int rc = 0;
	for (size_t i = 0; i < ARRAY_SIZE(nodes) && rc == 0; i++) {
		struct nsrun_fs_op op = { .kind = NSRUN_FS_DEVICE,
					  .dev_type = 'c',
					  .mode = 0666,
					  .dest = nodes[i].path,
					  .major = nodes[i].major,
					  .minor = nodes[i].minor };
		rc = make_node(dev, nodes[i].path + DEV_PREFIX_LEN, &op, exact, err);
	}
	umask(mask);
	return rc;
}

int ocimount_default_devices(int root_fd, struct nsrun_error *err)
{
	/* /dev resolved once for all eleven entries */
	cleanup_close int dev = resolve_in_root(root_fd, "/dev", RESOLVE_MAKE_DIR, err);
	if (dev < 0 || default_nodes(dev, err) < 0)
		return -1;
	for (size_t i = 0; i < DEVFS_N_LINKS; i++)
		if (symlinkat(devfs_links[i].target, dev, devfs_links[i].name) < 0 &&
		    errno != EEXIST)
			return nsrun_fail(err, errno, "link /dev/%s", devfs_links[i].name);
	return 0;
}

/* "net.ipv4.ip_forward=1": the key as a path under /proc/sys. */
static int write_sysctl(int root_fd, const char *kv, struct nsrun_error *err)
{
	const char *eq = strchr(kv, '=');
	char path[256] = "/proc/sys/";
	size_t n = strlen(path), klen = eq ? (size_t)(eq - kv) : 0;
	if (!eq || klen == 0 || klen >= sizeof(path) - n)
		return nsrun_fail(err, EINVAL, "sysctl %s", kv);
	for (size_t k = 0; k < klen; k++)
		path[n + k] = (char)(kv[k] == '.' ? '/' : kv[k]);
	path[n + klen] = '\0';
	cleanup_close int fd = resolve_open_in_root(root_fd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, eq + 1, strlen(eq + 1)) < 0)
		return nsrun_fail(err, errno, "write sysctl %.*s", (int)klen, kv);
	return 0;
}

int ocimount_sysctl(int root_fd, const struct nsrun_spec *spec, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_sysctl; i++)
		if (write_sysctl(root_fd, spec->sysctl[i], err) < 0)
			return nsrun_error_about(err, NSRUN_ABOUT_SYSCTL, (int)i);
	return 0;
}
