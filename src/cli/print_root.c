/* SPDX-License-Identifier: Apache-2.0 */
/* --print-config: the sandbox's new root and its filesystem steps as
 * config.json's root and mounts. See print_config.h.
 *
 * With --rootfs DIR, root.path is DIR. Without it, the caller's root "/":
 * as it is where the sandbox has no filesystem steps, and else covered as
 * the sandbox covers it, by an empty tmpfs mounted on "/" and the steps
 * (--sandbox's first step, --ro-bind / /, covers it by itself). Every
 * step is a mount, in order. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/print_config.h"
#include "util/cleanup.h"

static bool is_bind(enum nsrun_fs_kind kind)
{
	return kind == NSRUN_FS_BIND || kind == NSRUN_FS_RO_BIND || kind == NSRUN_FS_DEV_BIND;
}

/* The steps that mount a filesystem on their destination. */
static bool mounts_on_dest(enum nsrun_fs_kind kind)
{
	return is_bind(kind) || kind == NSRUN_FS_TMPFS || kind == NSRUN_FS_PROC ||
	       kind == NSRUN_FS_DEV || kind == NSRUN_FS_MQUEUE;
}

/* A --bind-try whose source is missing is skipped, now as when it runs. */
static bool skipped(const struct nsrun_fs_op *op)
{
	struct stat st;
	return is_bind(op->kind) && op->optional && stat(op->src, &st) < 0;
}

/* Whether path is dir or below it. */
static bool path_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	while (len > 0 && dir[len - 1] == '/')
		len--;
	return strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static const char *origin(const struct cli_options *opts, unsigned i)
{
	return i < opts->fs_ops.n ? opts->fs_ops.option[i] : "a filesystem option";
}

/* Where a path of the sandbox comes from: 1 with the host path in buf, 2
 * where it is the root of a fresh filesystem, 0 where nothing gives it. */
static int source_of(const struct nsrun_spec *spec, const char *path, char *buf, size_t size)
{
	for (unsigned i = spec->n_fs_ops; i-- > 0;) {
		const struct nsrun_fs_op *op = &spec->fs_ops[i];
		if (!mounts_on_dest(op->kind) || !path_under(path, op->dest) || skipped(op))
			continue;
		if (!is_bind(op->kind))
			return strcmp(path, op->dest) == 0 ? 2 : 0;
		const char *rest = strcmp(op->dest, "/") == 0 ? path : path + strlen(op->dest);
		return snprintf(buf, size, "%s%s", op->src, rest) < (int)size;
	}
	if (spec->rootfs)
		return snprintf(buf, size, "%s%s", spec->rootfs, path) < (int)size;
	if (spec->n_fs_ops == 0)
		return snprintf(buf, size, "%s", path) < (int)size;
	return strcmp(path, "/") == 0 ? 2 : 0;
}

bool print_config_dir_exists(const struct nsrun_spec *spec, const char *path)
{
	char host[4096];
	struct stat st;
	int where = source_of(spec, path, host, sizeof(host));
	return where == 2 || (where == 1 && stat(host, &st) == 0 && S_ISDIR(st.st_mode));
}

bool print_config_host_file(const struct nsrun_spec *spec, const char *path, char *buf, size_t size)
{
	return source_of(spec, path, buf, size) == 1;
}

/* A host path as the caller named it, made absolute: config.json's
 * relative paths are the bundle's. */
static json_t *host_path(const char *path)
{
	char cwd[4096];
	if (path[0] == '/')
		return json_string(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	cleanup_free char *abs = NULL;
	if (asprintf(&abs, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path) < 0)
		return NULL;
	return json_string(abs);
}

/* Append {destination, type, source, options}; consumes source and
 * options. */
static int add_mount(json_t *mounts, const char *dest, const char *type, json_t *source,
		     json_t *options)
{
	json_t *m = json_pack("{s:s, s:s, s:o, s:o}", "destination", dest, "type", type, "source",
			      source, "options", options);
	return m ? json_array_append_new(mounts, m) : -1;
}

/* The sandbox's binds are recursive and nodev (but --dev-bind), and
 * read-only with --ro-bind, all through the tree: the recursive options. */
static int add_bind(json_t *mounts, const struct nsrun_fs_op *op)
{
	json_t *opts = json_pack("[s]", "rbind");
	if (opts && op->kind == NSRUN_FS_RO_BIND)
		json_array_append_new(opts, json_string("rro"));
	if (opts && op->kind != NSRUN_FS_DEV_BIND)
		json_array_append_new(opts, json_string("rnodev"));
	return add_mount(mounts, op->dest, "bind", host_path(op->src), opts);
}

static int add_tmpfs(json_t *mounts, const struct nsrun_fs_op *op)
{
	char mode[32], size[40];
	(void)snprintf(mode, sizeof(mode), "mode=%o", op->mode >= 0 ? op->mode : 0755);
	(void)snprintf(size, sizeof(size), "size=%llu", (unsigned long long)op->size);
	json_t *opts = json_pack("[s, s, s]", "nosuid", "nodev", mode);
	if (opts && op->size)
		json_array_append_new(opts, json_string(size));
	return add_mount(mounts, op->dest, "tmpfs", json_string("tmpfs"), opts);
}

static int add_kernel_fs(json_t *mounts, const char *dest, const char *type)
{
	return add_mount(mounts, dest, type, json_string(type),
			 json_pack("[s, s, s]", "nosuid", "nodev", "noexec"));
}

/* --dev /dev: a tmpfs, the host's nodes bound on files, its own devpts and
 * a shm tmpfs, as devfs.c makes them. The links (fd, stdin, ptmx...) are
 * the default ones every OCI runtime makes in /dev. */
static int add_dev(json_t *mounts)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	if (add_mount(mounts, "/dev", "tmpfs", json_string("tmpfs"),
		      json_pack("[s, s, s]", "nosuid", "noexec", "mode=755")) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		char path[32];
		(void)snprintf(path, sizeof(path), "/dev/%s", nodes[i]);
		if (add_mount(mounts, path, "bind", json_string(path), json_pack("[s]", "bind")) <
		    0)
			return -1;
	}
	if (add_mount(mounts, "/dev/pts", "devpts", json_string("devpts"),
		      json_pack("[s, s, s, s, s]", "nosuid", "noexec", "newinstance",
				"ptmxmode=0666", "mode=0620")) < 0)
		return -1;
	return add_mount(mounts, "/dev/shm", "tmpfs", json_string("shm"),
			 json_pack("[s, s, s]", "nosuid", "nodev", "mode=1777"));
}

/* One step as mounts; the steps config.json has no form for are refused. */
static int add_step(const struct cli_options *opts, unsigned i, json_t *mounts,
		    struct nsrun_error *err)
{
	const struct nsrun_fs_op *op = &opts->spec.fs_ops[i];
	int rc;
	switch (op->kind) {
	case NSRUN_FS_BIND:
	case NSRUN_FS_RO_BIND:
	case NSRUN_FS_DEV_BIND: rc = skipped(op) ? 0 : add_bind(mounts, op); break;
	case NSRUN_FS_TMPFS: rc = add_tmpfs(mounts, op); break;
	case NSRUN_FS_PROC: rc = add_kernel_fs(mounts, op->dest, "proc"); break;
	case NSRUN_FS_MQUEUE: rc = add_kernel_fs(mounts, op->dest, "mqueue"); break;
	case NSRUN_FS_DEV:
		/* Elsewhere than /dev its links would be missing. */
		if (strcmp(op->dest, "/dev") != 0)
			return print_config_refuse(err, origin(opts, i));
		rc = add_dev(mounts);
		break;
	default: return print_config_refuse(err, origin(opts, i));
	}
	return rc < 0 ? nsrun_fail(err, ENOMEM, "--print-config") : 0;
}

/* --mount-proc mounts on the caller's tree: without a new root that is
 * the command's; with one, a bind that takes /proc along would show it. */
static int add_mount_proc(const struct cli_options *opts, bool new_root, json_t *mounts,
			  struct nsrun_error *err)
{
	const struct nsrun_spec *spec = &opts->spec;
	if (!spec->mount_proc)
		return 0;
	if (!new_root)
		return add_kernel_fs(mounts, "/proc", "proc") < 0
			       ? nsrun_fail(err, ENOMEM, "--print-config")
			       : 0;
	for (unsigned i = 0; i < spec->n_fs_ops; i++)
		if (is_bind(spec->fs_ops[i].kind) && path_under("/proc", spec->fs_ops[i].src))
			return print_config_refuse(err, "--mount-proc");
	return 0;
}

/* Without --rootfs the sandbox's root is an empty tmpfs: root.path is the
 * caller's root, covered by a tmpfs, unless the first step covers it with
 * a bind anyway (--sandbox's --ro-bind / /). */
static bool root_tmpfs(const struct nsrun_spec *spec)
{
	if (spec->rootfs || spec->n_fs_ops == 0)
		return false;
	const struct nsrun_fs_op *op = &spec->fs_ops[0];
	return !is_bind(op->kind) || strcmp(op->dest, "/") != 0 || skipped(op);
}

int print_config_root(const struct cli_options *opts, json_t *config, struct nsrun_error *err)
{
	const struct nsrun_spec *spec = &opts->spec;
	bool new_root = spec->rootfs || spec->n_fs_ops;
	json_t *root = json_pack("{s:o, s:b}", "path", host_path(spec->rootfs ? spec->rootfs : "/"),
				 "readonly", 0);
	if (!root || json_object_set_new(config, "root", root) < 0)
		return nsrun_fail(err, ENOMEM, "--print-config");
	json_t *mounts = json_array();
	if (!mounts || json_object_set_new(config, "mounts", mounts) < 0)
		return nsrun_fail(err, ENOMEM, "--print-config");
	if (add_mount_proc(opts, new_root, mounts, err) < 0)
		return -1;
	if (root_tmpfs(spec) &&
	    add_mount(mounts, "/", "tmpfs", json_string("tmpfs"),
		      json_pack("[s, s, s]", "nosuid", "nodev", "mode=755")) < 0)
		return nsrun_fail(err, ENOMEM, "--print-config");
	for (unsigned i = 0; i < spec->n_fs_ops; i++)
		if (add_step(opts, i, mounts, err) < 0)
			return -1;
	return 0;
}
