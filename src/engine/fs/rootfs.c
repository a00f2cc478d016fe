/* Building the new root from the spec's filesystem steps and switching to it.
 *
 * Sources are host paths, cloned (open_tree) before anything is mounted, so a
 * later step cannot change what an earlier path names. Destinations are
 * resolved inside the new root only (resolve.c). Mounts are attached with
 * move_mount() onto the resolved descriptor, never by path. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/fs/devfs.h"
#include "engine/start/hookrun.h"
#include "engine/fs/ocimount.h"
#include "engine/fs/resolve.h"
#include "engine/fs/rootfs.h"
#include "util/log.h"

/* Where the empty tmpfs root is built when no --rootfs is given. */
#define SCRATCH_ROOT "/tmp"

static const char *op_name(enum nsrun_fs_kind kind)
{
	static const char *const names[] = {
		[NSRUN_FS_BIND] = "--bind", [NSRUN_FS_RO_BIND] = "--ro-bind",
		[NSRUN_FS_DEV_BIND] = "--dev-bind", [NSRUN_FS_TMPFS] = "--tmpfs",
		[NSRUN_FS_PROC] = "--proc", [NSRUN_FS_DEV] = "--dev",
		[NSRUN_FS_MQUEUE] = "--mqueue", [NSRUN_FS_DIR] = "--dir",
		[NSRUN_FS_SYMLINK] = "--symlink", [NSRUN_FS_REMOUNT_RO] = "--remount-ro",
		[NSRUN_FS_CHMOD] = "--chmod", [NSRUN_FS_MOUNT] = "mounts:",
		[NSRUN_FS_DEVICE] = "devices:",
	};
	return (unsigned)kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}

static bool is_bind(enum nsrun_fs_kind kind)
{
	return kind == NSRUN_FS_BIND || kind == NSRUN_FS_RO_BIND || kind == NSRUN_FS_DEV_BIND;
}

int rootfs_attach_tree(int tree_fd, int dest_fd, const char *what, const char *dest,
		       struct nsrun_error *err)
{
	if (move_mount(tree_fd, "", dest_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return nsrun_fail(err, errno, "%s %s: attach the mount", what, dest);
	return 0;
}

int rootfs_new_fs(const char *type, const char *data_opts, unsigned attrs,
		  const char *what, const char *dest, struct nsrun_error *err)
{
	int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return nsrun_fail(err, errno, "%s %s: fsopen %s", what, dest, type);
	/* data_opts: "key=value,key=value" */
	char opts[256];
	if ((size_t)snprintf(opts, sizeof(opts), "%s", data_opts ? data_opts : "") >= sizeof(opts)) {
		close(fs);
		return nsrun_fail(err, ENAMETOOLONG, "%s %s: options %s", what, dest, data_opts);
	}
	char *save = NULL;
	for (char *kv = strtok_r(opts, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		int rc;
		if (eq) {
			*eq = '\0';
			rc = fsconfig(fs, FSCONFIG_SET_STRING, kv, eq + 1, 0);
		} else {
			rc = fsconfig(fs, FSCONFIG_SET_FLAG, kv, NULL, 0);
		}
		if (rc < 0) {
			int saved = errno;
			close(fs);
			return nsrun_fail(err, saved, "%s %s: %s option %s", what, dest, type, kv);
		}
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		int saved = errno;
		close(fs);
		return nsrun_fail(err, saved, "%s %s: create %s", what, dest, type);
	}
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	int saved = errno;
	close(fs);
	if (mnt < 0)
		return nsrun_fail(err, saved, "%s %s: mount %s", what, dest, type);
	return mnt;
}

/* Clone the source tree of a bind step; read-only or nodev as the step says. */
static int clone_source(const struct nsrun_fs_op *op, int *tree, bool *is_dir,
			struct nsrun_error *err)
{
	const char *what = op_name(op->kind);
	*tree = open_tree(AT_FDCWD, op->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (*tree < 0) {
		if (errno == ENOENT && op->optional)
			return 0;
		return nsrun_fail(err, errno, "%s %s", what, op->src);
	}
	struct stat st;
	if (fstat(*tree, &st) < 0)
		return nsrun_fail(err, errno, "%s %s", what, op->src);
	*is_dir = S_ISDIR(st.st_mode);
	struct mount_attr attr = { 0 };
	if (op->kind == NSRUN_FS_RO_BIND)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (op->kind != NSRUN_FS_DEV_BIND)
		attr.attr_set |= MOUNT_ATTR_NODEV;
	if (attr.attr_set &&
	    mount_setattr(*tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "%s %s: set %s", what, op->src,
				  op->kind == NSRUN_FS_RO_BIND ? "read-only" : "nodev");
	return 0;
}

static int apply_symlink(int root_fd, const struct nsrun_fs_op *op, struct nsrun_error *err)
{
	const char *name;
	int dir = resolve_parent_in_root(root_fd, op->dest, &name, "--symlink", err);
	if (dir < 0)
		return -1;
	int rc = 0;
	if (symlinkat(op->src, dir, name) < 0) {
		/* An identical existing link is fine, as bwrap has it. */
		char have[4096];
		ssize_t n = readlinkat(dir, name, have, sizeof(have) - 1);
		if (errno != EEXIST || n < 0 || ((have[n] = '\0'), strcmp(have, op->src) != 0))
			rc = nsrun_fail(err, EEXIST, "--symlink %s %s", op->src, op->dest);
	}
	close(dir);
	return rc;
}

/* chmod through the O_PATH descriptor's /proc link, which names exactly the
 * resolved inode. */
static int chmod_fd(int fd, int mode, const char *what, const char *path,
		    struct nsrun_error *err)
{
	char link[64];
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd); /* a number: fits */
	if (chmod(link, (mode_t)mode) < 0)
		return nsrun_fail(err, errno, "%s %s", what, path);
	return 0;
}

static bool mounts_on_dest(enum nsrun_fs_kind kind)
{
	return is_bind(kind) || kind == NSRUN_FS_TMPFS || kind == NSRUN_FS_PROC ||
	       kind == NSRUN_FS_DEV || kind == NSRUN_FS_MQUEUE || kind == NSRUN_FS_MOUNT;
}

static int apply_op(int root_fd, const struct nsrun_fs_op *op, int tree, bool src_is_dir,
		    bool *covered_root, int verbose, struct nsrun_error *err)
{
	const char *what = op_name(op->kind);
	int dest = -1, mnt = -1, rc = -1;
	char opts[96];

	*covered_root = false;

	switch (op->kind) {
	case NSRUN_FS_BIND:
	case NSRUN_FS_RO_BIND:
	case NSRUN_FS_DEV_BIND:
		if (tree < 0) {
			nsrun_trace(verbose, "%s %s: no such source, skipped", what, op->src);
			return 0;
		}
		dest = resolve_in_root(root_fd, op->dest,
				       src_is_dir ? RESOLVE_MAKE_DIR : RESOLVE_MAKE_FILE, what, err);
		if (dest < 0 || rootfs_attach_tree(tree, dest, what, op->dest, err) < 0)
			goto out;
		break;
	case NSRUN_FS_TMPFS:
		/* two numbers: they fit */
		(void)snprintf(opts, sizeof(opts), "mode=%o", op->mode >= 0 ? op->mode : 0755);
		if (op->size)
			(void)snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts), ",size=%" PRIu64,
				       op->size);
		if ((dest = resolve_in_root(root_fd, op->dest, RESOLVE_MAKE_DIR, what, err)) < 0 ||
		    (mnt = rootfs_new_fs("tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
					 what, op->dest, err)) < 0 ||
		    rootfs_attach_tree(mnt, dest, what, op->dest, err) < 0)
			goto out;
		break;
	case NSRUN_FS_PROC:
	case NSRUN_FS_MQUEUE:
		if ((dest = resolve_in_root(root_fd, op->dest, RESOLVE_MAKE_DIR, what, err)) < 0 ||
		    (mnt = rootfs_new_fs(op->kind == NSRUN_FS_PROC ? "proc" : "mqueue", NULL,
					 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
					 what, op->dest, err)) < 0 ||
		    rootfs_attach_tree(mnt, dest, what, op->dest, err) < 0)
			goto out;
		break;
	case NSRUN_FS_DEV:
		if ((dest = resolve_in_root(root_fd, op->dest, RESOLVE_MAKE_DIR, what, err)) < 0 ||
		    devfs_populate(dest, op->dest, verbose, err) < 0)
			goto out;
		break;
	case NSRUN_FS_DIR:
		if ((dest = resolve_in_root(root_fd, op->dest, RESOLVE_MAKE_DIR, what, err)) < 0 ||
		    (op->mode >= 0 && chmod_fd(dest, op->mode, what, op->dest, err) < 0))
			goto out;
		break;
	case NSRUN_FS_SYMLINK:
		if (apply_symlink(root_fd, op, err) < 0)
			goto out;
		break;
	case NSRUN_FS_REMOUNT_RO: {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if ((dest = resolve_in_root(root_fd, op->dest, RESOLVE_EXISTING, what, err)) < 0)
			goto out;
		if (mount_setattr(dest, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
			nsrun_fail(err, errno, "%s %s", what, op->dest);
			goto out;
		}
		break;
	}
	case NSRUN_FS_CHMOD:
		if ((dest = resolve_in_root(root_fd, op->dest, RESOLVE_EXISTING, what, err)) < 0 ||
		    chmod_fd(dest, op->mode, what, op->dest, err) < 0)
			goto out;
		break;
	case NSRUN_FS_MOUNT:
	case NSRUN_FS_DEVICE:
		if (ocimount_apply(root_fd, op, tree, src_is_dir, covered_root, err) < 0)
			goto out;
		break;
	default:
		nsrun_fail(err, EINVAL, "unknown filesystem step %d", (int)op->kind);
		goto out;
	}
	/* A mount on the root itself hides the directory root_fd names. */
	if (dest >= 0)
		*covered_root = mounts_on_dest(op->kind) && resolve_is_root(root_fd, dest);
	nsrun_trace(verbose, "%s %s%s%s", what, op->src ? op->src : "", op->src ? " " : "",
		    op->dest);
	rc = 0;
out:
	if (dest >= 0)
		close(dest);
	if (mnt >= 0)
		close(mnt);
	return rc;
}

static int open_root_path(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	const char *path = spec->rootfs ? spec->rootfs : SCRATCH_ROOT;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno, "%s %s", spec->rootfs ? "--rootfs" : "new root", path);
	return fd;
}

/* --ro PATH: the mount tree at PATH cloned, made read-only recursively and
 * bound back onto PATH. */
static int make_readonly(int root_fd, const char *path, struct nsrun_error *err)
{
	int dest = resolve_in_root(root_fd, path, RESOLVE_EXISTING, "--ro", err);
	if (dest < 0)
		return err->errnum == ENOENT ? 0 : -1;
	int rc = -1;
	int tree = open_tree(dest, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
					   AT_EMPTY_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (tree < 0 || mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		nsrun_fail(err, errno, "--ro %s", path);
	else
		rc = rootfs_attach_tree(tree, dest, "--ro", path, err);
	if (tree >= 0)
		close(tree);
	close(dest);
	return rc;
}

/* --mask PATH: a file is covered by /dev/null, a directory by an empty
 * read-only tmpfs. */
static int mask(int root_fd, const char *path, struct nsrun_error *err)
{
	int dest = resolve_in_root(root_fd, path, RESOLVE_EXISTING, "--mask", err);
	if (dest < 0)
		return err->errnum == ENOENT ? 0 : -1;
	struct stat st;
	int rc = -1, tree = -1;
	if (fstat(dest, &st) < 0) {
		nsrun_fail(err, errno, "--mask %s", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode))
		tree = rootfs_new_fs("tmpfs", "mode=0755,size=0",
				     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
				     MOUNT_ATTR_NOEXEC, "--mask", path, err);
	else if ((tree = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0)
		nsrun_fail(err, errno, "--mask %s: bind /dev/null", path);
	if (tree >= 0)
		rc = rootfs_attach_tree(tree, dest, "--mask", path, err);
out:
	if (tree >= 0)
		close(tree);
	close(dest);
	return rc;
}

int rootfs_protect_paths(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err)
{
	int own = -1;
	if (root_fd < 0 && (spec->n_readonly_paths || spec->n_masked_paths)) {
		own = root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0)
			return nsrun_fail(err, errno, "open /");
	}
	int rc = 0;
	for (unsigned i = 0; i < spec->n_readonly_paths && rc == 0; i++)
		rc = make_readonly(root_fd, spec->readonly_paths[i], err);
	for (unsigned i = 0; i < spec->n_masked_paths && rc == 0; i++)
		rc = mask(root_fd, spec->masked_paths[i], err);
	if (own >= 0)
		close(own);
	if (rc == 0 && (spec->n_readonly_paths || spec->n_masked_paths))
		nsrun_trace(spec->verbose, "%u paths read-only, %u masked", spec->n_readonly_paths,
			    spec->n_masked_paths);
	return rc;
}

/* The directory to pivot into: the rootfs bound onto itself (so it is a
 * mount point), or a fresh tmpfs. */
static int open_new_root(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->rootfs) {
		if (mount(spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			return nsrun_fail(err, errno, "--rootfs %s", spec->rootfs);
	} else {
		int mnt = rootfs_new_fs("tmpfs", "mode=0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
					"new root", "tmpfs", err);
		if (mnt < 0)
			return -1;
		int rc = move_mount(mnt, "", AT_FDCWD, SCRATCH_ROOT, MOVE_MOUNT_F_EMPTY_PATH);
		int saved = errno;
		close(mnt);
		if (rc < 0)
			return nsrun_fail(err, saved, "new root: attach a tmpfs on %s", SCRATCH_ROOT);
	}
	return open_root_path(spec, err);
}

static int switch_root(int root_fd, const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (fchdir(root_fd) < 0)
		return nsrun_fail(err, errno, "enter the new root");
	if (spec->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return nsrun_fail(err, errno, "--no-pivot: move the new root onto /");
		if (chroot(".") < 0)
			return nsrun_fail(err, errno, "--no-pivot: chroot");
	} else {
		/* pivot_root(".", "."): the old root ends up stacked under the new
		 * one, where a lazy unmount detaches it without a directory. */
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return nsrun_fail(err, errno, "pivot_root into the new root");
		if (umount2(".", MNT_DETACH) < 0)
			return nsrun_fail(err, errno, "detach the old root");
	}
	if (chdir("/") < 0)
		return nsrun_fail(err, errno, "chdir / in the new root");
	nsrun_trace(spec->verbose, "%s into the new root", spec->no_pivot ? "chroot" : "pivot_root");
	return 0;
}

int rootfs_build(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (!spec->rootfs && spec->n_fs_ops == 0)
		return 0;
	int rc = -1, root_fd = -1;
	int *trees = calloc(spec->n_fs_ops + 1, sizeof(int));
	bool *is_dir = calloc(spec->n_fs_ops + 1, sizeof(bool));
	if (!trees || !is_dir) {
		nsrun_fail(err, errno, "build the new root");
		goto out;
	}
	for (unsigned i = 0; i < spec->n_fs_ops; i++)
		trees[i] = -1;
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		const struct nsrun_fs_op *op = &spec->fs_ops[i];
		if ((is_bind(op->kind) && clone_source(op, &trees[i], &is_dir[i], err) < 0) ||
		    (ocimount_is_bind(op) && ocimount_clone_bind(op, &trees[i], &is_dir[i], err) < 0))
			goto out;
	}
	if ((root_fd = open_new_root(spec, err)) < 0)
		goto out;
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		bool covered = false;
		if (apply_op(root_fd, &spec->fs_ops[i], trees[i], is_dir[i], &covered,
			     spec->verbose, err) < 0)
			goto out;
		if (covered) {
			close(root_fd);
			if ((root_fd = open_root_path(spec, err)) < 0)
				goto out;
		}
	}
	if (spec_container(spec)->make_cwd && spec->chdir) {
		int cwd = resolve_in_root(root_fd, spec->chdir, RESOLVE_MAKE_DIR, "process.cwd", err);
		if (cwd < 0)
			goto out;
		close(cwd);
	}
	/* createContainer hooks: the container's mounts are made, and the
	 * hook's path still resolves on the host, as the runtime spec says. */
	if ((spec_container(spec)->default_devices && ocimount_default_devices(root_fd, err) < 0) ||
	    ocimount_sysctl(root_fd, spec, err) < 0 ||
	    hookrun_container(spec, "createContainer", err) < 0 ||
	    rootfs_protect_paths(spec, root_fd, err) < 0)
		goto out;
	if (spec->root_readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(root_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
			nsrun_fail(err, errno, "root.readonly");
			goto out;
		}
	}
	rc = switch_root(root_fd, spec, err);
out:
	for (unsigned i = 0; trees && i < spec->n_fs_ops; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	if (root_fd >= 0)
		close(root_fd);
	free(trees);
	free(is_dir);
	return rc;
}
