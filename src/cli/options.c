/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox command line -> struct nsrun_spec: the option table, and
 * cli_parse, which offers each option to the step of its area (parse.h)
 * and then finishes the spec. */
#include <getopt.h>
#include <stdlib.h>

#include "cli/errors.h"
#include "cli/parse.h"
#include "util/cleanup.h"

static const char short_opts[] = "+:UmpnuiCTafrzM:G:vhV";

static const struct option long_opts[] = {
	{ "user", no_argument, NULL, 'U' },
	{ "mount", no_argument, NULL, 'm' },
	{ "pid", no_argument, NULL, 'p' },
	{ "net", no_argument, NULL, 'n' },
	{ "uts", no_argument, NULL, 'u' },
	{ "ipc", no_argument, NULL, 'i' },
	{ "cgroup", no_argument, NULL, 'C' },
	{ "time", no_argument, NULL, 'T' },
	{ "all", no_argument, NULL, 'a' },
	{ "fork", no_argument, NULL, 'f' },
	{ "join", required_argument, NULL, OPT_JOIN },
	{ "map-root-user", no_argument, NULL, 'r' },
	{ "uid-map", required_argument, NULL, 'M' },
	{ "gid-map", required_argument, NULL, 'G' },
	{ "map-auto", no_argument, NULL, OPT_MAP_AUTO },
	{ "setgroups", required_argument, NULL, OPT_SETGROUPS },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "keep-fd", required_argument, NULL, OPT_KEEP_FD },
	{ "block-fd", required_argument, NULL, OPT_BLOCK_FD },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "propagation", required_argument, NULL, OPT_PROPAGATION },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
	{ "dev-bind", required_argument, NULL, OPT_DEV_BIND },
	{ "bind-try", required_argument, NULL, OPT_BIND_TRY },
	{ "ro-bind-try", required_argument, NULL, OPT_RO_BIND_TRY },
	{ "dev-bind-try", required_argument, NULL, OPT_DEV_BIND_TRY },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "perms", required_argument, NULL, OPT_PERMS },
	{ "proc", required_argument, NULL, OPT_PROC },
	{ "dev", required_argument, NULL, OPT_DEV },
	{ "mqueue", required_argument, NULL, OPT_MQUEUE },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "symlink", required_argument, NULL, OPT_SYMLINK },
	{ "remount-ro", required_argument, NULL, OPT_REMOUNT_RO },
	{ "chmod", required_argument, NULL, OPT_CHMOD },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "domainname", required_argument, NULL, OPT_DOMAINNAME },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "setenv", required_argument, NULL, OPT_SETENV },
	{ "unsetenv", required_argument, NULL, OPT_UNSETENV },
	{ "clearenv", no_argument, NULL, OPT_CLEARENV },
	{ "env-file", required_argument, NULL, OPT_ENV_FILE },
	{ "as", required_argument, NULL, OPT_AS },
	{ "umask", required_argument, NULL, OPT_UMASK },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "init-group", no_argument, NULL, OPT_INIT_GROUP },
	{ "die-with-parent", no_argument, NULL, OPT_DIE_WITH_PARENT },
	{ "new-session", no_argument, NULL, OPT_NEW_SESSION },
	{ "no-new-session", no_argument, NULL, OPT_NO_NEW_SESSION },
	{ "json-status-fd", required_argument, NULL, OPT_JSON_STATUS_FD },
	{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
	{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
	{ "no-new-privs", no_argument, NULL, OPT_NO_NEW_PRIVS },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "seccomp-default", no_argument, NULL, OPT_SECCOMP_DEFAULT },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-swap", required_argument, NULL, OPT_MEMORY_SWAP },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT },
	{ "mask", required_argument, NULL, OPT_MASK },
	{ "ro", required_argument, NULL, OPT_RO },
	{ "sandbox", no_argument, NULL, OPT_SANDBOX },
	{ "boot", no_argument, NULL, OPT_BOOT },
	{ "share-net", no_argument, NULL, OPT_SHARE_NET },
	{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The step of each area, offered every option in turn. */
static int (*const areas[])(struct cli_parser *, int) = {
	cli_ns_option, cli_fs_option, cli_process_option, cli_control_option, cli_preset_option,
};

/* The options about nsrun itself, and getopt's complaints; 1 when c is
 * none of them. */
static int general_option(struct cli_parser *p, int c)
{
	switch (c) {
	case 'v': p->spec->verbose++; return 0;
	case 'h': p->opts->action = CLI_HELP; return 0;
	case 'V': p->opts->action = CLI_VERSION; return 0;
	case OPT_PRINT_CONFIG: p->opts->print_config = true; return 0;
	case ':':
		return nsrun_fail(p->err, 0, "option '%s' needs a value (see nsrun --help)",
				  p->argv[optind - 1]);
	case '?':
		if (optopt)
			return nsrun_fail(p->err, 0, "unknown option '-%c' (see nsrun --help)",
					  optopt);
		return nsrun_fail(p->err, 0, "unknown option '%s' (see nsrun --help)",
				  p->argv[optind - 1]);
	default: return 1;
	}
}

static int one_option(struct cli_parser *p, int c)
{
	int rc = general_option(p, c);
	for (size_t i = 0; rc == 1 && i < ARRAY_SIZE(areas); i++)
		rc = areas[i](p, c);
	/* Every code in the tables has its step: 1 is a table without one. */
	return rc == 1 ? nsrun_fail(p->err, 0, "option %d has no step", c) : rc;
}

/* The options up to the command, or up to -h or -V. */
static int read_options(struct cli_parser *p)
{
	int c;
	while (p->opts->action == CLI_RUN &&
	       (c = getopt_long(p->argc, p->argv, short_opts, long_opts, NULL)) != -1)
		if (one_option(p, c) < 0)
			return -1;
	return 0;
}

/* Only what --cap-add named passes to a non-root command, as ambient
 * capabilities (which must also be inheritable). */
static void finish_caps(const struct cap_state *st, struct nsrun_caps *caps)
{
	if (!st->touched)
		return;
	caps->set = true;
	caps->bounding = caps->effective = caps->permitted = st->set;
	caps->inheritable = caps->ambient = st->added;
}

/* What the options built goes into the spec, then the checks. */
static int finish(struct cli_parser *p)
{
	struct nsrun_spec *spec = p->spec;
	if (p->mod.perms >= 0 || p->mod.size)
		return nsrun_fail(p->err, 0,
				  "--perms or --size must come before the step it applies to");
	if (p->env_set_up) {
		spec->env = p->env.v; /* the spec owns it now */
		p->env_set_up = false;
	}
	finish_caps(&p->caps, &spec->caps);
	if (p->boot && !spec->rootfs)
		return nsrun_fail(p->err, 0, "--boot needs --rootfs, a root with systemd in it");
	static char *init_argv[] = { "/sbin/init", NULL };
	if (optind >= p->argc && !p->boot)
		return nsrun_fail(
			p->err, 0,
			"no command given (usage: nsrun [OPTIONS] [--] COMMAND [ARG...])");
	spec->argv = optind < p->argc ? p->argv + optind : init_argv;
	if (cli_check(p->opts, p->err) < 0)
		return -1;
	if (nsrun_spec_validate(spec, p->err) < 0) {
		cli_error_wrap(p->opts, p->err);
		return -1;
	}
	return 0;
}

static struct cli_parser parser_start(int argc, char **argv, struct cli_options *opts,
				      struct nsrun_error *err)
{
	*opts = (struct cli_options){ .action = CLI_RUN };
	nsrun_spec_init(&opts->spec);
	opterr = 0;
	optind = 0; /* 0, not 1: glibc then forgets a previous argv entirely */
	return (struct cli_parser){ .opts = opts,
				    .spec = &opts->spec,
				    .argc = argc,
				    .argv = argv,
				    .err = err,
				    .mod = { .perms = -1 } };
}

/* An environment the options built and the spec did not take. */
static void parser_end(struct cli_parser *p)
{
	if (p->env_set_up)
		env_free(&p->env);
}

int cli_parse(int argc, char **argv, struct cli_options *opts, struct nsrun_error *err)
{
	__attribute__((cleanup(parser_end))) struct cli_parser p =
		parser_start(argc, argv, opts, err);
	if (read_options(&p) < 0)
		return -1;
	return opts->action == CLI_RUN ? finish(&p) : 0;
}

void cli_options_release(struct cli_options *opts)
{
	nsrun_spec_release(&opts->spec);
	struct cli_origins *lists[] = { &opts->fs_ops, &opts->masked_paths, &opts->readonly_paths };
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		free(lists[i]->option);
		lists[i]->option = NULL;
		lists[i]->n = 0;
	}
}
