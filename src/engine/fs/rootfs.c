/* SPDX-License-Identifier: Apache-2.0 */
/* Building the new root from the spec's filesystem steps and switching to it.
 *
 * Sources are host paths, cloned (open_tree) and attached in order; those
 * a step could hide, before anything is mounted (clone_up_front). Destinations are
 * resolved inside the new root only (resolve.c). Mounts are attached with
 * move_mount() onto the resolved descriptor, never by path. An error in a
 * step is about that step (NSRUN_ABOUT_FS_OP and its index). */
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
#include "engine/fs/mount.h"
#include "engine/fs/ocimount.h"
#include "engine/fs/resolve.h"
#include "engine/fs/rootfs.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Where the empty tmpfs root is built when no rootfs is given. */
#define SCRATCH_ROOT "/tmp"

static bool is_bind(enum nsrun_fs_kind kind)
{
	return kind == NSRUN_FS_BIND || kind == NSRUN_FS_RO_BIND || kind == NSRUN_FS_DEV_BIND;
}

/* Clone the source tree of a bind step; read-only or nodev as the step says. */
static int clone_source(const struct nsrun_fs_op *op, int *tree, bool *is_dir,
			struct nsrun_error *err)
{
	*tree = open_tree(AT_FDCWD, op->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (*tree < 0) {
		if (errno == ENOENT && op->optional)
			return 0;
		return nsrun_fail(err, errno, "bind source %s", op->src);
	}
	struct stat st;
	if (fstat(*tree, &st) < 0)
		return nsrun_fail(err, errno, "bind source %s", op->src);
	*is_dir = S_ISDIR(st.st_mode);
	struct mount_attr attr = { 0 };
	if (op->kind == NSRUN_FS_RO_BIND)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (op->kind != NSRUN_FS_DEV_BIND)
		attr.attr_set |= MOUNT_ATTR_NODEV;
	if (attr.attr_set &&
	    mount_setattr(*tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "make the bind of %s %s", op->src,
				  op->kind == NSRUN_FS_RO_BIND ? "read-only" : "nodev");
	return 0;
}

static int apply_symlink(int root_fd, const struct nsrun_fs_op *op, struct nsrun_error *err)
{
	const char *name;
	cleanup_close int dir = resolve_parent_in_root(root_fd, op->dest, &name, err);
	if (dir < 0)
		return -1;
	if (symlinkat(op->src, dir, name) == 0)
		return 0;
	/* An identical existing link is fine, as bwrap has it. */
	char have[4096];
	ssize_t n = readlinkat(dir, name, have, sizeof(have) - 1);
	if (errno != EEXIST || n < 0 || ((have[n] = '\0'), strcmp(have, op->src) != 0))
		return nsrun_fail(err, EEXIST, "symlink %s -> %s", op->dest, op->src);
	return 0;
}

/* chmod through the O_PATH descriptor's /proc link, which names exactly the
 * resolved inode. */
static int chmod_fd(int fd, int mode, const char *path, struct nsrun_error *err)
{
	char link[64];
	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", fd); /* a number: fits */
	if (chmod(link, (mode_t)mode) < 0)
		return nsrun_fail(err, errno, "chmod %o %s", mode, path);
	return 0;
}

static bool mounts_on_dest(enum nsrun_fs_kind kind)
{
	return is_bind(kind) || kind == NSRUN_FS_TMPFS || kind == NSRUN_FS_PROC ||
	       kind == NSRUN_FS_DEV || kind == NSRUN_FS_MQUEUE || kind == NSRUN_FS_MOUNT;
}

/* A kind of step that mounts a new filesystem on a directory it creates. */
static int mount_fresh(int dest, const struct nsrun_fs_op *op, struct nsrun_error *err)
{
	char opts[96];
	switch (op->kind) {
	case NSRUN_FS_TMPFS:
		/* two numbers: they fit */
		(void)snprintf(opts, sizeof(opts), "mode=%o", op->mode >= 0 ? op->mode : 0755);
		if (op->size)
			(void)snprintf(opts + strlen(opts), sizeof(opts) - strlen(opts),
				       ",size=%" PRIu64, op->size);
		return mount_new_fs_on(dest, "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				       op->dest, err);
	case NSRUN_FS_PROC:
	case NSRUN_FS_MQUEUE:
		return mount_new_fs_on(dest, op->kind == NSRUN_FS_PROC ? "proc" : "mqueue", NULL,
				       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
				       op->dest, err);
	case NSRUN_FS_DEV: return devfs_populate(dest, op->dest, err);
	default: return op->mode >= 0 ? chmod_fd(dest, op->mode, op->dest, err) : 0; /* a dir */
	}
}

static int remount_readonly(int dest, const char *path, struct nsrun_error *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (mount_setattr(dest, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "make %s read-only", path);
	return 0;
}

/* One step onto the root at root_fd. *covered_root: the step mounted onto
 * the root directory itself, which hides what root_fd names. */
static int apply_op(int root_fd, const struct nsrun_fs_op *op, int tree, bool src_is_dir,
		    bool *covered_root, struct nsrun_error *err)
{
	cleanup_close int dest = -1;
	int rc = -1;
	*covered_root = false;
	switch (op->kind) {
	case NSRUN_FS_BIND:
	case NSRUN_FS_RO_BIND:
	case NSRUN_FS_DEV_BIND:
		if (tree < 0)
			return 0; /* an optional source that does not exist */
		dest = resolve_in_root(root_fd, op->dest,
				       src_is_dir ? RESOLVE_MAKE_DIR : RESOLVE_MAKE_FILE, err);
		rc = dest < 0 ? -1 : mount_attach(tree, dest, op->dest, err);
		break;
	case NSRUN_FS_TMPFS:
	case NSRUN_FS_PROC:
	case NSRUN_FS_MQUEUE:
	case NSRUN_FS_DEV:
	case NSRUN_FS_DIR:
		dest = resolve_in_root(root_fd, op->dest, RESOLVE_MAKE_DIR, err);
		rc = dest < 0 ? -1 : mount_fresh(dest, op, err);
		break;
	case NSRUN_FS_SYMLINK: return apply_symlink(root_fd, op, err);
	case NSRUN_FS_REMOUNT_RO:
	case NSRUN_FS_CHMOD:
		dest = resolve_in_root(root_fd, op->dest, RESOLVE_EXISTING, err);
		if (dest >= 0)
			rc = op->kind == NSRUN_FS_CHMOD ? chmod_fd(dest, op->mode, op->dest, err)
							: remount_readonly(dest, op->dest, err);
		break;
	case NSRUN_FS_MOUNT:
	case NSRUN_FS_DEVICE:
		return ocimount_apply(root_fd, op, tree, src_is_dir, covered_root, err);
	default: return nsrun_fail(err, EINVAL, "unknown filesystem step %d", (int)op->kind);
	}
	if (rc == 0)
		*covered_root = mounts_on_dest(op->kind) && resolve_is_root(root_fd, dest);
	return rc;
}

/* A rootfs that is the caller's root ("/", "//"). Bound onto itself it
 * would stay under the process's root, where pivot_root cannot reach it:
 * a clone of its tree is built on SCRATCH_ROOT instead, as the tmpfs is. */
static bool rootfs_is_root(const struct nsrun_spec *spec)
{
	return spec->rootfs && spec->rootfs[0] == '/' &&
	       spec->rootfs[strspn(spec->rootfs, "/")] == '\0';
}

static int open_root_path(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	const char *path = spec->rootfs && !rootfs_is_root(spec) ? spec->rootfs : SCRATCH_ROOT;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && spec->rootfs)
		return nsrun_fail_about(err, NSRUN_ABOUT_ROOTFS, -1, errno, "open");
	if (fd < 0)
		return nsrun_fail(err, errno, "open the new root %s", path);
	return fd;
}

/* A read-only path: the mount tree at it cloned, made read-only
 * recursively and bound back onto it. Missing paths are skipped. */
static int make_readonly(int root_fd, const char *path, struct nsrun_error *err)
{
	cleanup_close int dest = resolve_in_root(root_fd, path, RESOLVE_EXISTING, err);
	if (dest < 0)
		return err->errnum == ENOENT ? 0 : -1;
	cleanup_close int tree = open_tree(
		dest, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	if (tree < 0 ||
	    mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return nsrun_fail(err, errno, "make %s read-only", path);
	return mount_attach(tree, dest, path, err);
}

/* A masked path: a file is covered by /dev/null, a directory by an empty
 * read-only tmpfs. Missing paths are skipped. */
static int mask(int root_fd, const char *path, struct nsrun_error *err)
{
	cleanup_close int dest = resolve_in_root(root_fd, path, RESOLVE_EXISTING, err);
	if (dest < 0)
		return err->errnum == ENOENT ? 0 : -1;
	struct stat st;
	if (fstat(dest, &st) < 0)
		return nsrun_fail(err, errno, "mask %s", path);
	if (S_ISDIR(st.st_mode))
		return mount_new_fs_on(dest, "tmpfs", "mode=0755,size=0",
				       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					       MOUNT_ATTR_NOEXEC,
				       path, err);
	cleanup_close int tree =
		open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return nsrun_fail(err, errno, "mask %s with /dev/null", path);
	return mount_attach(tree, dest, path, err);
}

int rootfs_protect_paths(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err)
{
	if (!spec->n_readonly_paths && !spec->n_masked_paths)
		return 0;
	/* cppcheck-suppress variableScope ; closed at return, when the paths are done */
	cleanup_close int own = -1;
	if (root_fd < 0) {
		own = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (own < 0)
			return nsrun_fail(err, errno, "open /");
		root_fd = own;
	}
	for (unsigned i = 0; i < spec->n_readonly_paths; i++)
		if (make_readonly(root_fd, spec->readonly_paths[i], err) < 0)
			return nsrun_error_about(err, NSRUN_ABOUT_READONLY_PATH, (int)i);
	for (unsigned i = 0; i < spec->n_masked_paths; i++)
		if (mask(root_fd, spec->masked_paths[i], err) < 0)
			return nsrun_error_about(err, NSRUN_ABOUT_MASKED_PATH, (int)i);
	nsrun_trace(spec->verbose, "%u paths read-only, %u masked", spec->n_readonly_paths,
		    spec->n_masked_paths);
	return 0;
}

/* The caller's root tree, cloned onto SCRATCH_ROOT. */
static int clone_host_root(struct nsrun_error *err)
{
	cleanup_close int tree =
		open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ROOTFS, -1, errno, "clone");
	if (move_mount(tree, "", AT_FDCWD, SCRATCH_ROOT, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_ROOTFS, -1, errno,
					"attach its clone on %s", SCRATCH_ROOT);
	return 0;
}

/* The directory to pivot into: the rootfs bound onto itself (so it is a
 * mount point), the caller's root cloned, or a fresh tmpfs. */
static int open_new_root(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (rootfs_is_root(spec)) {
		if (clone_host_root(err) < 0)
			return -1;
	} else if (spec->rootfs) {
		if (mount(spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_ROOTFS, -1, errno,
						"bind onto itself");
	} else {
		cleanup_close int mnt =
			mount_new_fs("tmpfs", "mode=0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
				     "the new root", err);
		if (mnt < 0)
			return -1;
		if (move_mount(mnt, "", AT_FDCWD, SCRATCH_ROOT, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return nsrun_fail(err, errno, "attach the new root's tmpfs on %s",
					  SCRATCH_ROOT);
	}
	return open_root_path(spec, err);
}

static int switch_root(int root_fd, const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (fchdir(root_fd) < 0)
		return nsrun_fail(err, errno, "enter the new root");
	if (spec->no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_NO_PIVOT, -1, errno,
						"move the new root onto /");
		if (chroot(".") < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_NO_PIVOT, -1, errno, "chroot");
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
	nsrun_trace(spec->verbose, "%s into the new root",
		    spec->no_pivot ? "chroot" : "pivot_root");
	return 0;
}

/* The bind source of step i, cloned. */
static int clone_source_of(const struct nsrun_spec *spec, unsigned i, int *tree, bool *is_dir,
			   struct nsrun_error *err)
{
	const struct nsrun_fs_op *op = &spec->fs_ops[i];
	if ((is_bind(op->kind) && clone_source(op, tree, is_dir, err) < 0) ||
	    (ocimount_is_bind(op) && ocimount_clone_bind(op, tree, is_dir, err) < 0))
		return nsrun_error_about(err, NSRUN_ABOUT_FS_OP, (int)i);
	return 0;
}

/* Without a rootfs (or with "/") the new root is on /tmp, which would
 * hide a source below /tmp: every source is cloned before anything is
 * mounted.
 * With a rootfs, so is a source inside it (an earlier step may cover it:
 * --tmpfs /); any other is cloned when its step comes, so that the
 * container's mount table lists its mounts in the config's order, as
 * runtimes are checked for. */
static bool clone_up_front(const struct nsrun_spec *spec, unsigned i)
{
	const char *src = spec->fs_ops[i].src;
	if (!spec->rootfs || rootfs_is_root(spec))
		return true;
	size_t len = strlen(spec->rootfs);
	while (len > 1 && spec->rootfs[len - 1] == '/')
		len--;
	return src && strncmp(src, spec->rootfs, len) == 0 && (src[len] == '/' || src[len] == '\0');
}

static int clone_sources(const struct nsrun_spec *spec, int *trees, bool *is_dir,
			 struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_fs_ops; i++)
		if (clone_up_front(spec, i) &&
		    clone_source_of(spec, i, &trees[i], &is_dir[i], err) < 0)
			return -1;
	return 0;
}

static void trace_op(const struct nsrun_spec *spec, const struct nsrun_fs_op *op, int tree)
{
	static const char *const names[] = {
		[NSRUN_FS_BIND] = "bind",
		[NSRUN_FS_RO_BIND] = "read-only bind",
		[NSRUN_FS_DEV_BIND] = "device bind",
		[NSRUN_FS_TMPFS] = "tmpfs",
		[NSRUN_FS_PROC] = "proc",
		[NSRUN_FS_DEV] = "dev",
		[NSRUN_FS_MQUEUE] = "mqueue",
		[NSRUN_FS_DIR] = "directory",
		[NSRUN_FS_SYMLINK] = "symlink",
		[NSRUN_FS_REMOUNT_RO] = "remount read-only",
		[NSRUN_FS_CHMOD] = "chmod",
		[NSRUN_FS_MOUNT] = "mount",
		[NSRUN_FS_DEVICE] = "device",
	};
	const char *name =
		(unsigned)op->kind < ARRAY_SIZE(names) && names[op->kind] ? names[op->kind] : "?";
	if (is_bind(op->kind) && tree < 0)
		nsrun_trace(spec->verbose, "%s %s: no such source, skipped", name, op->src);
	else
		nsrun_trace(spec->verbose, "%s %s%s%s", name, op->src ? op->src : "",
			    op->src ? " " : "", op->dest);
}

/* The steps in order; *root_fd is opened again wherever one covers it. */
static int apply_steps(const struct nsrun_spec *spec, int *root_fd, int *trees, bool *is_dir,
		       rootfs_before_cgroupfs *before_cgroupfs, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_fs_ops; i++) {
		bool covered = false;
		if (before_cgroupfs && ocimount_is_cgroupfs(&spec->fs_ops[i]) &&
		    before_cgroupfs(spec, err) < 0)
			return -1;
		if (!clone_up_front(spec, i) &&
		    clone_source_of(spec, i, &trees[i], &is_dir[i], err) < 0)
			return -1;
		if (apply_op(*root_fd, &spec->fs_ops[i], trees[i], is_dir[i], &covered, err) < 0)
			return nsrun_error_about(err, NSRUN_ABOUT_FS_OP, (int)i);
		trace_op(spec, &spec->fs_ops[i], trees[i]);
		if (covered) {
			close(*root_fd);
			if ((*root_fd = open_root_path(spec, err)) < 0)
				return -1;
		}
	}
	return 0;
}

/* What the OCI runtime adds to the steps: the working directory where it
 * is missing, the default devices, the sysctls. */
static int container_extras(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	if (ct->make_cwd && spec->chdir) {
		cleanup_close int cwd =
			resolve_in_root(root_fd, spec->chdir, RESOLVE_MAKE_DIR, err);
		if (cwd < 0)
			return nsrun_error_about(err, NSRUN_ABOUT_CHDIR, -1);
	}
	if (ct->default_devices && ocimount_default_devices(root_fd, err) < 0)
		return -1;
	return ocimount_sysctl(root_fd, spec, err);
}

int rootfs_prepare(const struct nsrun_spec *spec, rootfs_before_cgroupfs *before_cgroupfs,
		   struct nsrun_error *err)
{
	cleanup_free int *trees = calloc(spec->n_fs_ops + 1, sizeof(int));
	cleanup_free bool *is_dir = calloc(spec->n_fs_ops + 1, sizeof(bool));
	if (!trees || !is_dir)
		return nsrun_fail(err, errno, "build the new root");
	for (unsigned i = 0; i < spec->n_fs_ops; i++)
		trees[i] = -1;
	int rc = clone_sources(spec, trees, is_dir, err);
	cleanup_close int root_fd = rc < 0 ? -1 : open_new_root(spec, err);
	if (root_fd < 0 || apply_steps(spec, &root_fd, trees, is_dir, before_cgroupfs, err) < 0 ||
	    container_extras(spec, root_fd, err) < 0)
		rc = -1;
	for (unsigned i = 0; i < spec->n_fs_ops; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	return rc < 0 ? -1 : take_fd(&root_fd);
}

int rootfs_enter(const struct nsrun_spec *spec, int root_fd, struct nsrun_error *err)
{
	if (rootfs_protect_paths(spec, root_fd, err) < 0)
		return -1;
	if (spec->root_readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(root_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			return nsrun_fail_about(err, NSRUN_ABOUT_ROOT_READONLY, -1, errno,
						"make the new root read-only");
	}
	return switch_root(root_fd, spec, err);
}
