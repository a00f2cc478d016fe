/* SPDX-License-Identifier: Apache-2.0 */
/* The command's process: identity, environment, descriptors and the first
 * process (--init and friends). */
#include <errno.h>
#include <getopt.h>
#include <sched.h>

#include "cli/parse.h"

static int add_keep_fd(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	int fd = -1;
	if (cli_parse_fd(text, "--keep-fd", &fd, err) < 0)
		return -1;
	if (fd <= 2)
		return 0; /* 0-2 are always kept */
	int *slot = cli_append(&spec->keep_fds, spec->n_keep_fds, sizeof(*slot));
	if (!slot)
		return nsrun_fail(err, errno, "--keep-fd %s", text);
	*slot = fd;
	spec->n_keep_fds++;
	return 0;
}

static int set_umask(struct nsrun_spec *spec, const char *text, struct nsrun_error *err)
{
	if (cli_parse_mode(text, "--umask", &spec->umask, err) < 0)
		return -1;
	if (spec->umask > 0777)
		return nsrun_fail(err, 0, "--umask '%s': above 0777", text);
	return 0;
}

/* The environment options apply in order to a copy of nsrun's own,
 * made by the first of them. */
static int env_start(struct cli_parser *p)
{
	extern char **environ;
	if (p->env_set_up)
		return 0;
	p->env_set_up = true; /* a partial copy is freed too */
	return env_copy(&p->env, environ, p->err);
}

int cli_env_set(struct cli_parser *p, const char *key, const char *value)
{
	return env_start(p) < 0 ? -1 : env_set(&p->env, key, value, p->err);
}

static int env_option(struct cli_parser *p, int c)
{
	extern char **environ;
	if (env_start(p) < 0)
		return -1;
	switch (c) {
	case OPT_SETENV: {
		const char *value = cli_second_value(p, "--setenv");
		return value ? env_set(&p->env, optarg, value, p->err) : -1;
	}
	case OPT_UNSETENV: env_unset(&p->env, optarg); return 0;
	case OPT_CLEARENV: env_clear(&p->env); return 0;
	default: return env_load_file(&p->env, optarg, environ, p->err);
	}
}

int cli_process_option(struct cli_parser *p, int c)
{
	struct nsrun_spec *spec = p->spec;
	switch (c) {
	case OPT_HOSTNAME:
		spec->hostname = optarg;
		p->opts->by_preset[NSRUN_ABOUT_HOSTNAME] = false;
		return 0;
	case OPT_DOMAINNAME: spec->domainname = optarg; return 0;
	case OPT_CHDIR: spec->chdir = optarg; return 0;
	case OPT_AS: spec->as_user = optarg; return 0;
	case OPT_INIT: spec->init = true; return 0;
	case OPT_INIT_GROUP: spec->init = spec->init_group = true; return 0;
	case OPT_DIE_WITH_PARENT: spec->die_with_parent = true; return 0;
	case OPT_NEW_SESSION: spec->new_session = true; return 0;
	case OPT_NO_NEW_SESSION: spec->new_session = false; return 0;
	case OPT_UMASK: return set_umask(spec, optarg, p->err);
	case OPT_JSON_STATUS_FD:
		return cli_parse_fd(optarg, "--json-status-fd", &spec->json_status_fd, p->err);
	case OPT_MOUNT_PROC:
		spec->mount_proc = true;
		spec->new_ns |= CLONE_NEWNS;
		return 0;
	case OPT_KEEP_FD: return add_keep_fd(spec, optarg, p->err);
	case OPT_BLOCK_FD: return cli_parse_fd(optarg, "--block-fd", &spec->block_fd, p->err);
	case OPT_SETENV:
	case OPT_UNSETENV:
	case OPT_CLEARENV:
	case OPT_ENV_FILE: return env_option(p, c);
	default: return 1;
	}
}
