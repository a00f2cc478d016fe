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
#include "engine/fs/ocimount.h"
#include "engine/fs/resolve.h"
#include "engine/fs/rootfs.h"


static unsigned mount_attrs(unsigned long flags)
{
	unsigned attrs = 0;
	if (flags & MS_RDONLY)
		attrs |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		attrs |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		attrs |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		attrs |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NOATIME)
		attrs |= MOUNT_ATTR_NOATIME;
	if (flags & MS_NODIRATIME)
		attrs |= MOUNT_ATTR_NODIRATIME;
	return attrs;
}

bool ocimount_is_bind(const struct nsrun_fs_op *op)
{
	return op->kind == NSRUN_FS_MOUNT && (op->flags & MS_BIND);
}

int ocimount_clone_bind(const struct nsrun_fs_op *op, int *tree, bool *is_dir,
			struct nsrun_error *err)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (op->flags & MS_REC)
		flags |= AT_RECURSIVE;
	*tree = open_tree(AT_FDCWD, op->src, flags);
	if (*tree < 0)
		return nsrun_fail(err, errno, "mounts: %s: bind source %s", op->dest, op->src);
	struct stat st;
	if (fstat(*tree, &st) < 0)
		return nsrun_fail(err, errno, "mounts: %s", op->src);
	*is_dir = S_ISDIR(st.st_mode);
	struct mount_attr attr = { .attr_set = mount_attrs(op->flags) };
	if (op->propagation & (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE))
		attr.propagation = op->propagation & (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE);
	if ((attr.attr_set || attr.propagation) &&
	    mount_setattr(*tree, "", AT_EMPTY_PATH | ((op->flags & MS_REC) ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "mounts: %s: bind options", op->dest);
	return 0;
}

/* mount(2) onto exactly the resolved directory, through its /proc link. */
static int mount_on_fd(const char *src, int dest, const char *fstype, unsigned long flags,
		       const char *data)
{
	char target[64];
	(void)snprintf(target, sizeof(target), "/proc/self/fd/%d", dest); /* a number: fits */
	return mount(src, target, fstype, flags, data);
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
			return nsrun_fail(err, errno, "mounts: %s: cgroup2", op->dest);
		return 0;
	}
	return cgroupfs_mount_v1(root_fd, op->dest, dest, mount_attrs(op->flags), err);
}

/* Propagation (shared, rslave...) of the mount just made on op->dest. The
 * descriptor opened before mounting names the directory underneath, so the
 * path is resolved again to reach the new mount on top of it. */
static int set_mount_propagation(int root_fd, const struct nsrun_fs_op *op,
				 struct nsrun_error *err)
{
	int top = resolve_in_root(root_fd, op->dest, RESOLVE_EXISTING, "mounts:", err);
	if (top < 0)
		return -1;
	int rc = 0;
	if (mount_on_fd(NULL, top, NULL, op->propagation, NULL) < 0)
		rc = nsrun_fail(err, errno, "mounts: %s: propagation", op->dest);
	close(top);
	return rc;
}

int ocimount_apply(int root_fd, const struct nsrun_fs_op *op, int tree, bool src_is_dir,
		   bool *on_root, struct nsrun_error *err)
{
	int dest, rc = 0;
	*on_root = false;
	if (op->kind == NSRUN_FS_DEVICE)
		return ocimount_device(root_fd, op, err);
	if (ocimount_is_bind(op)) {
		dest = resolve_in_root(root_fd, op->dest, src_is_dir ? RESOLVE_MAKE_DIR : RESOLVE_MAKE_FILE,
				       "mounts:", err);
		if (dest < 0)
			return -1;
		*on_root = resolve_is_root(root_fd, dest);
		rc = rootfs_attach_tree(tree, dest, "mounts:", op->dest, err);
		close(dest);
		return rc;
	}
	dest = resolve_in_root(root_fd, op->dest, RESOLVE_MAKE_DIR, "mounts:", err);
	if (dest < 0)
		return -1;
	*on_root = resolve_is_root(root_fd, dest);
	const char *type = op->fstype ? op->fstype : "";
	if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0) {
		rc = mount_cgroup(root_fd, op, dest, err);
	} else if (mount_on_fd(op->src ? op->src : type, dest, type, op->flags, op->data) < 0) {
		int e = errno;
		/* sysfs needs a network namespace of our own user namespace: bind
		 * the host's read-only instead, as runc does. */
		if (strcmp(type, "sysfs") == 0 && (e == EPERM || e == EACCES)) {
			struct nsrun_fs_op bind = *op;
			bind.src = "/sys";
			bind.flags = op->flags | MS_BIND | MS_REC | MS_RDONLY;
			int t = -1;
			bool is_dir;
			rc = ocimount_clone_bind(&bind, &t, &is_dir, err);
			if (rc == 0)
				rc = rootfs_attach_tree(t, dest, "mounts:", op->dest, err);
			if (t >= 0)
				close(t);
		} else {
			rc = nsrun_fail(err, e, "mounts: %s: mount %s", op->dest, type);
		}
	}
	close(dest);
	if (rc == 0 && op->propagation)
		rc = set_mount_propagation(root_fd, op, err);
	return rc;
}

/* mknod where allowed (no user namespace), else bind the host's node. */
int ocimount_device(int root_fd, const struct nsrun_fs_op *op, struct nsrun_error *err)
{
	mode_t type = op->dev_type == 'b' ? S_IFBLK : op->dev_type == 'p' ? S_IFIFO : S_IFCHR;
	mode_t mode = (mode_t)(op->mode >= 0 ? op->mode : 0666) & 07777;
	const char *name;
	int dir = resolve_parent_in_root(root_fd, op->dest, &name, "devices:", err);
	if (dir < 0)
		return -1;
	int rc = 0;
	if (mknodat(dir, name, type | mode, makedev(op->major, op->minor)) == 0) {
		/* mknod applies the umask; the config's mode is what counts */
		if (fchownat(dir, name, op->uid, op->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
		    fchmodat(dir, name, mode, 0) < 0)
			rc = nsrun_fail(err, errno, "devices: %s: chown and chmod", op->dest);
	} else if (errno == EEXIST) {
		rc = 0;
	} else if (errno == EPERM && type != S_IFIFO) {
		char dev_link[64]; /* two numbers: fits */
		(void)snprintf(dev_link, sizeof(dev_link), "/dev/%s/%u:%u",
			       type == S_IFBLK ? "block" : "char", op->major, op->minor);
		const char *host = dev_link;
		/* Without udev's /dev/char links, the node at the same path, if it
		 * is the same device. */
		struct stat hs;
		if (stat(host, &hs) < 0 && stat(op->dest, &hs) == 0 && (hs.st_mode & S_IFMT) == type &&
		    major(hs.st_rdev) == op->major && minor(hs.st_rdev) == op->minor)
			host = op->dest;
		int tree = open_tree(AT_FDCWD, host, OPEN_TREE_CLOEXEC | OPEN_TREE_CLONE);
		int file = -1;
		if (tree < 0)
			rc = nsrun_fail(err, errno, "devices: %s: no mknod here, and no host node %s",
					op->dest, host);
		else if ((file = openat(dir, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666)) < 0 ||
			 (close(file), (file = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0))
			rc = nsrun_fail(err, errno, "devices: %s: create", op->dest);
		else
			rc = rootfs_attach_tree(tree, file, "devices:", op->dest, err);
		if (file >= 0)
			close(file);
		if (tree >= 0)
			close(tree);
	} else {
		rc = nsrun_fail(err, errno, "devices: %s: mknod", op->dest);
	}
	close(dir);
	return rc;
}

int ocimount_default_devices(int root_fd, struct nsrun_error *err)
{
	static const struct { const char *name; unsigned minor; } nodes[] = {
		{ "null", 3 }, { "zero", 5 }, { "full", 7 }, { "random", 8 }, { "urandom", 9 },
	};
	static const struct { const char *name, *target; } links[] = {
		{ "/dev/fd", "/proc/self/fd" },       { "/dev/stdin", "/proc/self/fd/0" },
		{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
		{ "/dev/ptmx", "pts/ptmx" },
	};
	char path[32];
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]) + 1; i++) {
		struct nsrun_fs_op op = { .kind = NSRUN_FS_DEVICE, .dev_type = 'c', .mode = 0666,
					  .major = 1 };
		/* the names above: they fit */
		if (i < sizeof(nodes) / sizeof(nodes[0])) {
			(void)snprintf(path, sizeof(path), "/dev/%s", nodes[i].name);
			op.minor = nodes[i].minor;
		} else {
			(void)snprintf(path, sizeof(path), "/dev/tty");
			op.major = 5;
		}
		op.dest = path;
		if (ocimount_device(root_fd, &op, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		const char *name;
		int dir = resolve_parent_in_root(root_fd, links[i].name, &name, "devices:", err);
		if (dir < 0)
			return -1;
		int rc = symlinkat(links[i].target, dir, name);
		int e = errno;
		close(dir);
		if (rc < 0 && e != EEXIST)
			return nsrun_fail(err, e, "devices: link %s", links[i].name);
	}
	return 0;
}

int ocimount_sysctl(int root_fd, const struct nsrun_spec *spec, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_sysctl; i++) {
		const char *kv = spec->sysctl[i];
		const char *eq = strchr(kv, '=');
		char path[256] = "/proc/sys/";
		size_t n = strlen(path), klen = eq ? (size_t)(eq - kv) : 0;
		if (!eq || klen == 0 || klen >= sizeof(path) - n)
			return nsrun_fail(err, EINVAL, "sysctl %s", kv);
		for (size_t k = 0; k < klen; k++)
			path[n + k] = (char)(kv[k] == '.' ? '/' : kv[k]);
		path[n + klen] = '\0';
		int fd = resolve_open_in_root(root_fd, path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return nsrun_fail(err, errno, "sysctl %.*s", (int)(eq - kv), kv);
		ssize_t w = write(fd, eq + 1, strlen(eq + 1));
		int e = errno;
		close(fd);
		if (w < 0)
			return nsrun_fail(err, e, "sysctl %.*s", (int)(eq - kv), kv);
	}
	return 0;
}
