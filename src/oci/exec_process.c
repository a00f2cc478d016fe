/* SPDX-License-Identifier: Apache-2.0 */
/* exec's process. See exec_process.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci/exec_process.h"
#include "oci/verb.h"
#include "engine/limits/caps.h"
#include "engine/ns/namespaces.h"
#include "util/cleanup.h"

enum {
	X_PID_FILE = OCI_LONG_ONLY,
	X_CONSOLE_SOCKET,
	X_CWD,
	X_NO_NEW_PRIVS,
	X_PRESERVE_FDS,
	X_PROCESS_LABEL,
	X_APPARMOR,
	X_CGROUP,
	X_IGNORE_PAUSED
};

#define INTO(member) OCI_INTO(struct exec_opts, member)

static int push(const char ***list, unsigned *n, const char *value, struct nsrun_error *err)
{
	const char **grown = realloc(*list, (*n + 1) * sizeof(char *));
	if (!grown)
		return nsrun_fail(err, errno, "exec");
	*list = grown;
	(*list)[(*n)++] = value;
	return 0;
}

/* The lists, counts and refusals; the rest are stored, --cgroup ignored
 * (nsrun has one cgroup per hierarchy). */
static int take_option(int val, const char *value, void *opts, struct nsrun_error *err)
{
	struct exec_opts *o = opts;
	switch (val) {
	case 'e': return push(&o->env, &o->n_env, value, err);
	case 'c': return push(&o->caps, &o->n_caps, value, err);
	case 'g': return push(&o->gids, &o->n_gids, value, err);
	case X_PRESERVE_FDS:
		o->preserve_fds = oci_parse_count("--preserve-fds", value, err);
		return o->preserve_fds < 0 ? -1 : 0;
	case X_PROCESS_LABEL:
	case X_APPARMOR:
		if (*value)
			return nsrun_fail(err, 0, "exec: --%s is not supported by nsrun",
					  val == X_APPARMOR ? "apparmor" : "process-label");
		return 0;
	default: return 0;
	}
}

static const struct oci_command exec_command = {
	.verb = "exec",
	.operands = "ID [COMMAND [ARG...]]",
	.take = take_option,
	.options = OCI_OPTIONS(
		{ "process", 'p', "FILE", "run this process.json, not the config's process",
		  INTO(process_file) },
		{ "detach", 'd', NULL, "do not wait for the process to exit", INTO(detach) },
		{ "tty", 't', NULL, "give the process a terminal", INTO(tty) },
		{ "pid-file", X_PID_FILE, "FILE", "write the process's pid to FILE (with --detach)",
		  INTO(pid_file) },
		{ "console-socket", X_CONSOLE_SOCKET, "PATH",
		  "send the terminal's master to this socket", INTO(console_socket) },
		{ "cwd", X_CWD, "DIR", "the working directory in the container", INTO(cwd) },
		{ "env", 'e', "NAME=VALUE", "set an environment variable (repeatable)", 0 },
		{ "user", 'u', "UID[:GID]", "run as this uid and gid", INTO(user) },
		{ "additional-gids", 'g', "GID", "an additional group id (repeatable)", 0 },
		{ "cap", 'c', "CAP", "add a capability to its sets (repeatable)", 0 },
		{ "no-new-privs", X_NO_NEW_PRIVS, NULL, "set no_new_privs: no privileges gained",
		  INTO(no_new_privs) },
		{ "preserve-fds", X_PRESERVE_FDS, "N", "pass on N descriptors beyond stdio, from 3",
		  0 },
		{ "process-label", X_PROCESS_LABEL, "LABEL",
		  "an SELinux label: refused unless empty", 0 },
		{ "apparmor", X_APPARMOR, "PROFILE", "an AppArmor profile: refused unless empty",
		  0 },
		{ "cgroup", X_CGROUP, "PATH", "ignored: it joins all the container's cgroups", 0 },
		{ "ignore-paused", X_IGNORE_PAUSED, NULL, "exec in a paused container too",
		  INTO(ignore_paused) }),
};

int exec_parse_options(int argc, char **argv, struct exec_opts *o, struct nsrun_error *err)
{
	*o = (struct exec_opts){ 0 };
	int first = oci_parse(&exec_command, argc, argv, o, err);
	if (first <= 0)
		return first;
	if (first >= argc)
		return nsrun_fail(err, 0, "exec: expected a container id");
	o->id = argv[first];
	o->args = argv + first + 1;
	if (!o->process_file && !*o->args)
		return nsrun_fail(err, 0, "exec: no command given (arguments or --process FILE)");
	return first;
}

void exec_opts_free(struct exec_opts *o)
{
	free(o->env);
	free(o->caps);
	free(o->gids);
	o->env = o->caps = o->gids = NULL;
	o->n_env = o->n_caps = o->n_gids = 0;
}

void exec_strip_to_process(struct oci_config *cfg)
{
	struct nsrun_spec *spec = &cfg->spec;
	spec->new_ns = 0;
	spec->n_joins = 0;
	spec->uid_map.n = spec->gid_map.n = 0;
	spec->rootfs = NULL;
	free(spec->fs_ops);
	spec->fs_ops = NULL;
	spec->n_fs_ops = 0;
	free(spec->masked_paths);
	free(spec->readonly_paths);
	spec->masked_paths = spec->readonly_paths = NULL;
	spec->n_masked_paths = spec->n_readonly_paths = 0;
	free(spec->sysctl);
	spec->sysctl = NULL;
	spec->n_sysctl = 0;
	spec->cgroup = NSRUN_CGROUP_LIMITS_UNSET;
	spec->cgroup_path = NULL;
	spec->hostname = spec->domainname = NULL;
	spec->root_readonly = false;
	cfg->container.default_devices = false;
	spec->oom_score_adj_set = false;
}

/* Nothing of the config's process is carried over: not rlimits, additional
 * groups, umask or console size, which the file may leave out. */
int exec_use_process_file(struct oci_config *cfg, json_t *process, const char *what,
			  struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	memset(&spec->caps, 0, sizeof(spec->caps));
	for (char **e = spec->env; e && *e; e++)
		free(*e);
	free(spec->env);
	spec->env = NULL;
	free(spec->rlimits);
	spec->rlimits = NULL;
	spec->n_rlimits = 0;
	spec->user_ids_set = false;
	spec->uid = spec->gid = 0;
	spec->umask = -1;
	free(spec->additional_gids);
	spec->additional_gids = NULL;
	spec->n_additional_gids = 0;
	cfg->container.console_rows = cfg->container.console_cols = 0;
	spec->oom_score_adj_set = false;
	return oci_config_process(cfg, process, what, err);
}

int exec_join_namespaces(struct nsrun_spec *spec, pid_t pid, char paths[8][64],
			 struct nsrun_error *err)
{
	static const char *const types[] = { "user", "mnt", "pid",    "net",
					     "uts",  "ipc", "cgroup", "time" };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		char ours[64];
		struct stat a, b;
		/* a pid and a type name above: they fit */
		(void)snprintf(ours, sizeof(ours), "/proc/self/ns/%s", types[i]);
		(void)snprintf(paths[i], 64, "/proc/%d/ns/%s", (int)pid, types[i]);
		if (stat(paths[i], &b) < 0) {
			if (errno == ENOENT && strcmp(types[i], "time") == 0)
				continue; /* kernels without time namespaces */
			return nsrun_fail(err, errno, "exec: %s", paths[i]);
		}
		if (stat(ours, &a) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue;
		spec->joins[spec->n_joins].type = ns_flag_from_name(types[i]);
		spec->joins[spec->n_joins++].path = paths[i];
	}
	return 0;
}

/* A decimal uid or gid; 4294967295 is (uid_t)-1, no id. Returns the end
 * of the number, or NULL. */
static const char *parse_id(const char *text, uint32_t *id)
{
	if (*text < '0' || *text > '9')
		return NULL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || v >= UINT32_MAX)
		return NULL;
	*id = (uint32_t)v;
	return end;
}

/* The command given after the id replaces the config's. */
static int apply_command(char **args, struct nsrun_spec *spec, struct nsrun_error *err)
{
	size_t n = 0;
	while (args[n])
		n++;
	free(spec->argv);
	if (!(spec->argv = calloc(n + 1, sizeof(char *))))
		return nsrun_fail(err, errno, "exec");
	memcpy(spec->argv, args, n * sizeof(char *));
	return 0;
}

static int apply_user(const char *user, struct nsrun_spec *spec, struct nsrun_error *err)
{
	const char *end = parse_id(user, &spec->uid);
	spec->gid = 0;
	if (end && *end == ':')
		end = parse_id(end + 1, &spec->gid);
	if (!end || *end)
		return nsrun_fail(err, 0, "exec: --user '%s': expected UID[:GID]", user);
	spec->user_ids_set = true;
	return 0;
}

static int apply_gid(const char *text, struct nsrun_spec *spec, struct nsrun_error *err)
{
	uint32_t gid;
	const char *end = parse_id(text, &gid);
	if (!end || *end)
		return nsrun_fail(err, 0, "exec: --additional-gids '%s': expected a group id",
				  text);
	uint32_t *grown =
		realloc(spec->additional_gids, (spec->n_additional_gids + 1) * sizeof(uint32_t));
	if (!grown)
		return nsrun_fail(err, errno, "exec");
	spec->additional_gids = grown;
	spec->additional_gids[spec->n_additional_gids++] = gid;
	return 0;
}

static int apply_cap(const char *name, struct nsrun_spec *spec, struct nsrun_error *err)
{
	int cap = caps_from_name(name);
	if (cap < 0)
		return nsrun_fail(err, 0, "exec: --cap '%s': unknown capability", name);
	spec->caps.set = true;
	spec->caps.bounding |= 1ULL << cap;
	spec->caps.effective |= 1ULL << cap;
	spec->caps.permitted |= 1ULL << cap;
	return 0;
}

/* -e NAME=VALUE replaces the config's NAME (getenv finds the first), or
 * is added. */
static int apply_env(const char *text, struct nsrun_spec *spec, struct nsrun_error *err)
{
	const char *eq = strchr(text, '=');
	if (!eq || eq == text)
		return nsrun_fail(err, 0, "exec: --env '%s': expected NAME=VALUE", text);
	size_t n = 0, name_len = (size_t)(eq - text) + 1;
	while (spec->env && spec->env[n] && strncmp(spec->env[n], text, name_len) != 0)
		n++;
	if (!spec->env || !spec->env[n]) {
		/* A new name: room for it, still NULL-terminated. */
		char **grown = realloc(spec->env, (n + 2) * sizeof(char *));
		if (!grown)
			return nsrun_fail(err, errno, "exec");
		grown[n] = grown[n + 1] = NULL;
		spec->env = grown;
	}
	char *entry = strdup(text);
	if (!entry)
		return nsrun_fail(err, errno, "exec");
	free(spec->env[n]);
	spec->env[n] = entry;
	return 0;
}

int exec_apply_options(const struct exec_opts *o, struct oci_config *cfg, struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	if (o->args && *o->args && apply_command(o->args, spec, err) < 0)
		return -1;
	if (o->cwd)
		spec->chdir = o->cwd;
	if (o->tty)
		cfg->container.terminal = true;
	if (o->no_new_privs)
		spec->no_new_privs = true;
	if (o->user && apply_user(o->user, spec, err) < 0)
		return -1;
	for (unsigned i = 0; i < o->n_gids; i++)
		if (apply_gid(o->gids[i], spec, err) < 0)
			return -1;
	for (unsigned i = 0; i < o->n_caps; i++)
		if (apply_cap(o->caps[i], spec, err) < 0)
			return -1;
	for (unsigned i = 0; i < o->n_env; i++)
		if (apply_env(o->env[i], spec, err) < 0)
			return -1;
	return 0;
}
