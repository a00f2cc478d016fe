/* SPDX-License-Identifier: Apache-2.0 */
/* What the option steps of cli_parse share: the getopt codes of the long
 * options, the state built while argv is read, and the value parsers. Each
 * area of options (ns.c, fs.c, process.c, controls.c, preset.c) has one
 * step: 0 when it took the option, -1 on error (err filled), 1 when the
 * option is not one of its own. */
#ifndef NSRUN_CLI_PARSE_H
#define NSRUN_CLI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/environ.h"
#include "cli/options.h"

enum {
	OPT_JOIN = 0x100,
	OPT_MAP_AUTO,
	OPT_SETGROUPS,
	OPT_MOUNT_PROC,
	OPT_KEEP_FD,
	OPT_BLOCK_FD,
	/* filesystem */
	OPT_ROOTFS,
	OPT_NO_PIVOT,
	OPT_PROPAGATION,
	OPT_BIND,
	OPT_RO_BIND,
	OPT_DEV_BIND,
	OPT_BIND_TRY,
	OPT_RO_BIND_TRY,
	OPT_DEV_BIND_TRY,
	OPT_TMPFS,
	OPT_SIZE,
	OPT_PERMS,
	OPT_PROC,
	OPT_DEV,
	OPT_MQUEUE,
	OPT_DIR,
	OPT_SYMLINK,
	OPT_REMOUNT_RO,
	OPT_CHMOD,
	/* identity and environment */
	OPT_HOSTNAME,
	OPT_DOMAINNAME,
	OPT_CHDIR,
	OPT_SETENV,
	OPT_UNSETENV,
	OPT_CLEARENV,
	OPT_ENV_FILE,
	OPT_AS,
	OPT_UMASK,
	/* the first process */
	OPT_INIT,
	OPT_INIT_GROUP,
	OPT_DIE_WITH_PARENT,
	OPT_NEW_SESSION,
	OPT_NO_NEW_SESSION,
	OPT_JSON_STATUS_FD,
	/* isolation controls */
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_NO_NEW_PRIVS,
	OPT_SECCOMP,
	OPT_SECCOMP_DEFAULT,
	OPT_RLIMIT,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_PIDS,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_MASK,
	OPT_RO,
	/* presets */
	OPT_SANDBOX,
	OPT_SHARE_NET,
	OPT_BOOT,
	/* about nsrun itself */
	OPT_PRINT_CONFIG,
};

/* --perms and --size apply to the next step that takes them. */
struct fs_modifiers {
	int perms; /* -1: none pending */
	uint64_t size; /* 0: none pending */
};

/* The capability set being built, and what --cap-add named (a non-root
 * --as user gets only those). */
struct cap_state {
	bool touched;
	uint64_t set, added;
};

struct cli_parser {
	struct cli_options *opts;
	struct nsrun_spec *spec; /* &opts->spec */
	int argc;
	char **argv;
	struct nsrun_error *err;
	const char *id_option; /* the id option given (-r, -M, ...), for conflicts */
	struct fs_modifiers mod;
	struct cap_state caps;
	struct env_list env; /* valid once env_set_up */
	bool env_set_up;
	bool boot; /* --boot: COMMAND defaults to /sbin/init */
};

/* The steps, one an area. */
int cli_ns_option(struct cli_parser *p, int c);
int cli_fs_option(struct cli_parser *p, int c);
int cli_process_option(struct cli_parser *p, int c);
int cli_control_option(struct cli_parser *p, int c);
int cli_preset_option(struct cli_parser *p, int c);

/* After the options: the combinations the engine would refuse, with
 * messages naming options (check.c). */
int cli_check(const struct cli_options *opts, struct nsrun_error *err);

/* What the presets (--sandbox, --boot) share with the options they stand
 * for. */
struct nsrun_fs_op *cli_add_fs_op(struct cli_parser *p, const char *option, enum nsrun_fs_kind kind,
				  const char *src, const char *dest);
int cli_add_masked(struct cli_parser *p, const char *path, const char *option);
int cli_add_readonly(struct cli_parser *p, const char *path, const char *option);
void cli_caps_drop(struct cap_state *caps, uint64_t bits);
int cli_use_default_seccomp(struct cli_parser *p);
int cli_env_set(struct cli_parser *p, const char *key, const char *value);

/* Value parsers; the error names option and text. */
int cli_parse_fd(const char *text, const char *option, int *fd, struct nsrun_error *err);
int cli_parse_mode(const char *text, const char *option, int *mode, struct nsrun_error *err);
int cli_parse_bytes(const char *text, const char *option, uint64_t *size, struct nsrun_error *err);
int cli_parse_range(const char *text, const char *option, uint64_t min, uint64_t max,
		    uint64_t *value, struct nsrun_error *err);

/* The second value of a two-value option (--bind SRC DEST), or NULL. */
const char *cli_second_value(struct cli_parser *p, const char *option);

/* Room for one more element after the n of *array_ptr, each `size` bytes:
 * the new element, or NULL with errno (the array is unchanged). */
void *cli_append(void *array_ptr, unsigned n, size_t size);

#endif
