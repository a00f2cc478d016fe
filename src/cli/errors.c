/* SPDX-License-Identifier: Apache-2.0 */
/* Engine errors named by option. See errors.h. */
#include <stdio.h>
#include <string.h>

#include "cli/errors.h"
#include "engine/ns/namespaces.h"
#include "util/cleanup.h"

/* The option that fills each part of the spec the engine may name. */
static const char *const option_of[NSRUN_ABOUT_COUNT] = {
	[NSRUN_ABOUT_UID_MAP] = "-M",
	[NSRUN_ABOUT_GID_MAP] = "-G",
	[NSRUN_ABOUT_MOUNT_PROC] = "--mount-proc",
	[NSRUN_ABOUT_ROOTFS] = "--rootfs",
	[NSRUN_ABOUT_NO_PIVOT] = "--no-pivot",
	[NSRUN_ABOUT_PROPAGATION] = "--propagation",
	[NSRUN_ABOUT_HOSTNAME] = "--hostname",
	[NSRUN_ABOUT_DOMAINNAME] = "--domainname",
	[NSRUN_ABOUT_CHDIR] = "--chdir",
	[NSRUN_ABOUT_AS_USER] = "--as",
	[NSRUN_ABOUT_CAPS] = "--cap-add/--cap-drop",
	[NSRUN_ABOUT_NO_NEW_PRIVS] = "--no-new-privs",
	[NSRUN_ABOUT_RLIMIT] = "--rlimit",
	[NSRUN_ABOUT_SECCOMP] = "--seccomp",
	[NSRUN_ABOUT_MEMORY] = "--memory",
	[NSRUN_ABOUT_MEMORY_SWAP] = "--memory-swap",
	[NSRUN_ABOUT_PIDS] = "--pids",
	[NSRUN_ABOUT_CPU_QUOTA] = "--cpus",
	[NSRUN_ABOUT_CPU_WEIGHT] = "--cpu-weight",
	[NSRUN_ABOUT_BLOCK_FD] = "--block-fd",
	[NSRUN_ABOUT_JSON_STATUS_FD] = "--json-status-fd",
	[NSRUN_ABOUT_INIT] = "--init",
	[NSRUN_ABOUT_INIT_GROUP] = "--init-group",
	[NSRUN_ABOUT_DIE_WITH_PARENT] = "--die-with-parent",
	[NSRUN_ABOUT_NEW_SESSION] = "--new-session",
};

static bool in_range(int index, unsigned n)
{
	return index >= 0 && (unsigned)index < n;
}

/* A filesystem step: its option and values; a preset's by destination,
 * as --sandbox and --boot take no values. */
static void wrap_fs_op(const struct cli_options *opts, int i, struct nsrun_error *err)
{
	const struct nsrun_fs_op *op = &opts->spec.fs_ops[i];
	const char *option = opts->fs_ops.option[i];
	if (op->src && strcmp(option, CLI_PRESET) != 0 && strcmp(option, CLI_BOOT) != 0)
		nsrun_error_wrap(err, "%s %s %s", option, op->src, op->dest);
	else
		nsrun_error_wrap(err, "%s %s", option, op->dest);
}

/* Options that name one element of a list: the option and its value. */
static void wrap_element(const struct cli_options *opts, struct nsrun_error *err)
{
	const struct nsrun_spec *spec = &opts->spec;
	int i = err->index;
	if (err->about == NSRUN_ABOUT_FS_OP && in_range(i, spec->n_fs_ops) &&
	    in_range(i, opts->fs_ops.n)) {
		wrap_fs_op(opts, i, err);
	} else if (err->about == NSRUN_ABOUT_JOIN && in_range(i, spec->n_joins)) {
		nsrun_error_wrap(err, "--join %s:%s", ns_name(spec->joins[i].type),
				 spec->joins[i].path);
	} else if (err->about == NSRUN_ABOUT_MASKED_PATH && in_range(i, spec->n_masked_paths) &&
		   in_range(i, opts->masked_paths.n)) {
		nsrun_error_wrap(err, "%s %s", opts->masked_paths.option[i], spec->masked_paths[i]);
	} else if (err->about == NSRUN_ABOUT_READONLY_PATH && in_range(i, spec->n_readonly_paths) &&
		   in_range(i, opts->readonly_paths.n)) {
		nsrun_error_wrap(err, "%s %s", opts->readonly_paths.option[i],
				 spec->readonly_paths[i]);
	} else if (err->about == NSRUN_ABOUT_KEEP_FD && in_range(i, spec->n_keep_fds)) {
		nsrun_error_wrap(err, "--keep-fd %d", spec->keep_fds[i]);
	}
}

void cli_error_wrap(const struct cli_options *opts, struct nsrun_error *err)
{
	enum nsrun_about about = (enum nsrun_about)err->about;
	if (about <= NSRUN_ABOUT_NOTHING || about >= NSRUN_ABOUT_COUNT)
		return;
	if (err->index >= 0) {
		wrap_element(opts, err);
		return;
	}
	if (opts->by_preset[about]) {
		nsrun_error_wrap(err, "%s", CLI_PRESET);
		return;
	}
	if (about == NSRUN_ABOUT_ID_SOURCE) {
		nsrun_error_wrap(err, "%s",
				 opts->spec.id_source == NSRUN_IDS_AUTO ? "--map-auto" : "-r");
		return;
	}
	const struct nsrun_spec *spec = &opts->spec;
	const char *value = about == NSRUN_ABOUT_CHDIR	      ? spec->chdir
			    : about == NSRUN_ABOUT_HOSTNAME   ? spec->hostname
			    : about == NSRUN_ABOUT_DOMAINNAME ? spec->domainname
			    : about == NSRUN_ABOUT_ROOTFS     ? spec->rootfs
							      : NULL;
	if (option_of[about] && value)
		nsrun_error_wrap(err, "%s %s", option_of[about], value);
	else if (option_of[about])
		nsrun_error_wrap(err, "%s", option_of[about]);
	/* Without CAP_SETUID only one's own id maps: the subordinate ids of
	 * /etc/subuid go through newuidmap. */
	if ((about == NSRUN_ABOUT_UID_MAP || about == NSRUN_ABOUT_GID_MAP) && err->errnum == 0) {
		size_t len = strlen(err->msg);
		(void)snprintf(err->msg + len,
			       sizeof(err->msg) - len, /* a hint: cut short is fine */
			       "; use --map-auto for the ranges in /etc/sub%cid",
			       about == NSRUN_ABOUT_UID_MAP ? 'u' : 'g');
	}
}
