/* SPDX-License-Identifier: Apache-2.0 */
/* Filesystem options: the new root and its steps, in order. Every step
 * records the option that made it (cli_options.fs_ops) for messages. */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <string.h>

#include "cli/parse.h"
#include "util/cleanup.h"

struct nsrun_fs_op *cli_add_fs_op(struct cli_parser *p, const char *option, enum nsrun_fs_kind kind,
				  const char *src, const char *dest)
{
	struct nsrun_spec *spec = p->spec;
	struct cli_origins *origins = &p->opts->fs_ops;
	struct nsrun_fs_op *op = cli_append(&spec->fs_ops, spec->n_fs_ops, sizeof(*op));
	const char **origin = op ? cli_append(&origins->option, origins->n, sizeof(*origin)) : NULL;
	if (!origin) {
		nsrun_fail(p->err, errno, "filesystem option");
		return NULL;
	}
	spec->n_fs_ops++;
	origins->option[origins->n++] = option;
	*op = (struct nsrun_fs_op){ .kind = kind, .src = src, .dest = dest, .mode = -1 };
	/* Only the steps that take them consume --perms and --size. */
	if (kind == NSRUN_FS_TMPFS || kind == NSRUN_FS_DIR) {
		op->mode = p->mod.perms;
		p->mod.perms = -1;
	}
	if (kind == NSRUN_FS_TMPFS) {
		op->size = p->mod.size;
		p->mod.size = 0;
	}
	spec->new_ns |= CLONE_NEWNS;
	return op;
}

/* The options that add one step. */
static const struct fs_step {
	int opt;
	const char *option;
	enum nsrun_fs_kind kind;
	bool two_values; /* SRC DEST, else DEST alone */
	bool optional;
} steps[] = {
	{ OPT_BIND, "--bind", NSRUN_FS_BIND, true, false },
	{ OPT_RO_BIND, "--ro-bind", NSRUN_FS_RO_BIND, true, false },
	{ OPT_DEV_BIND, "--dev-bind", NSRUN_FS_DEV_BIND, true, false },
	{ OPT_BIND_TRY, "--bind-try", NSRUN_FS_BIND, true, true },
	{ OPT_RO_BIND_TRY, "--ro-bind-try", NSRUN_FS_RO_BIND, true, true },
	{ OPT_DEV_BIND_TRY, "--dev-bind-try", NSRUN_FS_DEV_BIND, true, true },
	{ OPT_SYMLINK, "--symlink", NSRUN_FS_SYMLINK, true, false },
	{ OPT_TMPFS, "--tmpfs", NSRUN_FS_TMPFS, false, false },
	{ OPT_PROC, "--proc", NSRUN_FS_PROC, false, false },
	{ OPT_DEV, "--dev", NSRUN_FS_DEV, false, false },
	{ OPT_MQUEUE, "--mqueue", NSRUN_FS_MQUEUE, false, false },
	{ OPT_DIR, "--dir", NSRUN_FS_DIR, false, false },
	{ OPT_REMOUNT_RO, "--remount-ro", NSRUN_FS_REMOUNT_RO, false, false },
};

static int add_step(struct cli_parser *p, const struct fs_step *step)
{
	const char *src = NULL, *dest = optarg;
	if (step->two_values) {
		src = optarg;
		if (!(dest = cli_second_value(p, step->option)))
			return -1;
	}
	struct nsrun_fs_op *op = cli_add_fs_op(p, step->option, step->kind, src, dest);
	if (!op)
		return -1;
	op->optional = step->optional;
	return 0;
}

static int add_chmod(struct cli_parser *p)
{
	int mode = 0;
	const char *path = cli_second_value(p, "--chmod");
	if (!path || cli_parse_mode(optarg, "--chmod", &mode, p->err) < 0)
		return -1;
	struct nsrun_fs_op *op = cli_add_fs_op(p, "--chmod", NSRUN_FS_CHMOD, NULL, path);
	if (!op)
		return -1;
	op->mode = mode;
	return 0;
}

static int set_propagation(struct nsrun_spec *spec, const char *name, struct nsrun_error *err)
{
	static const char *const names[] = {
		[NSRUN_PROPAGATION_PRIVATE] = "private",
		[NSRUN_PROPAGATION_SLAVE] = "slave",
		[NSRUN_PROPAGATION_SHARED] = "shared",
		[NSRUN_PROPAGATION_UNBINDABLE] = "unbindable",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(name, names[i]) == 0) {
			spec->propagation = (enum nsrun_propagation)i;
			return 0;
		}
	}
	return nsrun_fail(
		err, 0, "--propagation '%s': expected private, slave, shared or unbindable", name);
}

int cli_fs_option(struct cli_parser *p, int c)
{
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (steps[i].opt == c)
			return add_step(p, &steps[i]);
	switch (c) {
	case OPT_CHMOD: return add_chmod(p);
	case OPT_PERMS: return cli_parse_mode(optarg, "--perms", &p->mod.perms, p->err);
	case OPT_SIZE: return cli_parse_bytes(optarg, "--size", &p->mod.size, p->err);
	case OPT_ROOTFS:
		p->spec->rootfs = optarg;
		p->spec->new_ns |= CLONE_NEWNS;
		return 0;
	case OPT_NO_PIVOT: p->spec->no_pivot = true; return 0;
	case OPT_PROPAGATION: return set_propagation(p->spec, optarg, p->err);
	default: return 1;
	}
}
