/* exec: run another process in a container's namespaces, cgroup and
 * security context, through the same sealed init stage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/config.h"
#include "oci/errors.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "engine/limits/caps.h"
#include "engine/ns/namespaces.h"

struct exec_opts {
	const char *process_file;
	const char *pid_file;
	const char *console_socket;
	const char *cwd;
	const char *user;
	bool detach, tty, no_new_privs, ignore_paused;
	int preserve_fds;
	char **env;          /* -e, into argv */
	unsigned n_env;
	char **caps;
	unsigned n_caps;
	char **gids;
	unsigned n_gids;
	const char *id;
	char **args;
};

enum { X_PID_FILE = 0x100, X_CONSOLE_SOCKET, X_CWD, X_NO_NEW_PRIVS, X_PRESERVE_FDS,
       X_PROCESS_LABEL, X_APPARMOR, X_CGROUP, X_IGNORE_PAUSED };

static int push(char ***list, unsigned *n, char *value, struct nsrun_error *err)
{
	char **grown = realloc(*list, (*n + 1) * sizeof(char *));
	if (!grown)
		return nsrun_fail(err, errno, "exec");
	*list = grown;
	(*list)[(*n)++] = value;
	return 0;
}

static int parse_exec_opts(int argc, char **argv, struct exec_opts *o, struct nsrun_error *err)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "tty", no_argument, NULL, 't' },
		{ "pid-file", required_argument, NULL, X_PID_FILE },
		{ "console-socket", required_argument, NULL, X_CONSOLE_SOCKET },
		{ "cwd", required_argument, NULL, X_CWD },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "cap", required_argument, NULL, 'c' },
		{ "no-new-privs", no_argument, NULL, X_NO_NEW_PRIVS },
		{ "preserve-fds", required_argument, NULL, X_PRESERVE_FDS },
		{ "process-label", required_argument, NULL, X_PROCESS_LABEL },
		{ "apparmor", required_argument, NULL, X_APPARMOR },
		{ "cgroup", required_argument, NULL, X_CGROUP },
		{ "ignore-paused", no_argument, NULL, X_IGNORE_PAUSED },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, "+:p:dte:u:g:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->process_file = optarg; break;
		case 'd': o->detach = true; break;
		case 't': o->tty = true; break;
		case X_PID_FILE: o->pid_file = optarg; break;
		case X_CONSOLE_SOCKET: o->console_socket = optarg; break;
		case X_CWD: o->cwd = optarg; break;
		case 'u': o->user = optarg; break;
		case X_NO_NEW_PRIVS: o->no_new_privs = true; break;
		case X_IGNORE_PAUSED: o->ignore_paused = true; break;
		case X_CGROUP: break; /* nsrun has one cgroup per hierarchy */
		case 'e': if (push(&o->env, &o->n_env, optarg, err) < 0) return -1; break;
		case 'c': if (push(&o->caps, &o->n_caps, optarg, err) < 0) return -1; break;
		case 'g': if (push(&o->gids, &o->n_gids, optarg, err) < 0) return -1; break;
		case X_PRESERVE_FDS: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n < 0 || n > 1000)
				return nsrun_fail(err, 0, "exec: --preserve-fds '%s': not a count", optarg);
			o->preserve_fds = (int)n;
			break;
		}
		case X_PROCESS_LABEL: case X_APPARMOR:
			if (*optarg)
				return nsrun_fail(err, 0, "exec: %s is not supported by nsrun",
						  argv[optind - 1]);
			break;
		case ':':
			return nsrun_fail(err, 0, "exec: option '%s' needs a value", argv[optind - 1]);
		default:
			return nsrun_fail(err, 0, "exec: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return nsrun_fail(err, 0, "exec: expected a container id");
	o->id = argv[optind++];
	o->args = argv + optind;
	if (!o->process_file && !*o->args)
		return nsrun_fail(err, 0, "exec: no command given (arguments or --process FILE)");
	return 0;
}

/* Keep only the process side of the container's config: exec makes no
 * namespace, mount or cgroup of its own. */
static void strip_to_process(struct oci_config *cfg)
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
	memset(&spec->cgroup, 0, sizeof(spec->cgroup));
	spec->cgroup_path = NULL;
	spec->hostname = spec->domainname = NULL;
	spec->root_readonly = false;
	cfg->container.default_devices = false;
	spec->oom_score_adj_set = false;
}

/* --process FILE: its process object replaces the config's whole, so
 * nothing the file leaves out (rlimits, additional groups, umask, console
 * size) is carried over from the config. */
static int use_process_file(struct oci_config *cfg, json_t *process, const char *what,
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

/* Join every namespace of the container's init that is not ours. */
static int join_container(struct nsrun_spec *spec, pid_t pid, char paths[8][64],
			  struct nsrun_error *err)
{
	static const char *const types[] = { "user", "mnt", "pid", "net", "uts", "ipc", "cgroup",
					     "time" };
	for (size_t i = 0; i < 8; i++) {
		char ours[64];
		struct stat a, b;
		/* a pid and a type name above: they fit */
		(void)snprintf(ours, sizeof(ours), "/proc/self/ns/%s", types[i]);
		(void)snprintf(paths[i], 64, "/proc/%d/ns/%s", (int)pid, types[i]);
		if (stat(paths[i], &b) < 0) {
			if (errno == ENOENT && i == 7)
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

static int apply_overrides(const struct exec_opts *o, struct oci_config *cfg,
			   struct nsrun_error *err)
{
	struct nsrun_spec *spec = &cfg->spec;
	if (o->args && *o->args) {
		size_t n = 0;
		while (o->args[n])
			n++;
		free(spec->argv);
		if (!(spec->argv = calloc(n + 1, sizeof(char *))))
			return nsrun_fail(err, errno, "exec");
		memcpy(spec->argv, o->args, n * sizeof(char *));
	}
	if (o->cwd)
		spec->chdir = o->cwd;
	if (o->tty)
		cfg->container.terminal = true;
	if (o->no_new_privs)
		spec->no_new_privs = true;
	if (o->user) {
		const char *end = parse_id(o->user, &spec->uid);
		spec->gid = 0;
		if (end && *end == ':')
			end = parse_id(end + 1, &spec->gid);
		if (!end || *end)
			return nsrun_fail(err, 0, "exec: --user '%s': expected UID[:GID]", o->user);
		spec->user_ids_set = true;
	}
	for (unsigned i = 0; i < o->n_gids; i++) {
		uint32_t gid;
		const char *end = parse_id(o->gids[i], &gid);
		if (!end || *end)
			return nsrun_fail(err, 0, "exec: --additional-gids '%s': expected a group id",
					  o->gids[i]);
		uint32_t *grown = realloc(spec->additional_gids,
					  (spec->n_additional_gids + 1) * sizeof(uint32_t));
		if (!grown)
			return nsrun_fail(err, errno, "exec");
		spec->additional_gids = grown;
		spec->additional_gids[spec->n_additional_gids++] = gid;
	}
	for (unsigned i = 0; i < o->n_caps; i++) {
		int cap = caps_from_name(o->caps[i]);
		if (cap < 0)
			return nsrun_fail(err, 0, "exec: --cap '%s': unknown capability", o->caps[i]);
		spec->caps.set = true;
		spec->caps.bounding |= 1ULL << cap;
		spec->caps.effective |= 1ULL << cap;
		spec->caps.permitted |= 1ULL << cap;
	}
	for (unsigned i = 0; i < o->n_env; i++) {
		const char *eq = strchr(o->env[i], '=');
		if (!eq || eq == o->env[i])
			return nsrun_fail(err, 0, "exec: --env '%s': expected NAME=VALUE", o->env[i]);
		char *entry = strdup(o->env[i]);
		if (!entry)
			return nsrun_fail(err, errno, "exec");
		/* -e NAME=VALUE replaces the config's NAME (getenv finds the first). */
		size_t n = 0, name_len = (size_t)(eq - o->env[i]) + 1;
		while (spec->env && spec->env[n] && strncmp(spec->env[n], entry, name_len) != 0)
			n++;
		if (spec->env && spec->env[n]) {
			free(spec->env[n]);
			spec->env[n] = entry;
			continue;
		}
		char **grown = realloc(spec->env, (n + 2) * sizeof(char *));
		if (!grown) {
			free(entry);
			return nsrun_fail(err, errno, "exec");
		}
		grown[n] = entry;
		grown[n + 1] = NULL;
		spec->env = grown;
	}
	return 0;
}

int oci_exec(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	struct exec_opts o;
	struct stored_container st;
	struct oci_config cfg = { 0 };
	json_t *process = NULL;
	char ns_paths[8][64];
	const char *cgroups[STORE_MAX_CGROUPS];
	int console_fd = -1, status = -1;
	bool loaded = false;

	if (parse_exec_opts(argc, argv, &o, err) < 0)
		goto out_opts;
	if (store_load(store_root(g->root), o.id, &st, err) < 0)
		goto out_opts;
	loaded = true;
	enum oci_status s = store_status(&st);
	if (s == OCI_STOPPED) {
		nsrun_fail(err, 0, "cannot exec in a stopped container");
		goto out;
	}
	if (s == OCI_PAUSED && !o.ignore_paused) {
		nsrun_fail(err, 0, "cannot exec in a paused container (use --ignore-paused)");
		goto out;
	}
	/* The container's config gives the defaults: its process, seccomp. */
	if (oci_config_load(st.bundle, &cfg, err) < 0)
		goto out;
	strip_to_process(&cfg);
	if (o.process_file) {
		if (oci_json_load_file(o.process_file, &process, err) < 0 ||
		    use_process_file(&cfg, process, o.process_file, err) < 0)
			goto out;
	}
	if (apply_overrides(&o, &cfg, err) < 0)
		goto out;
	struct nsrun_spec *spec = &cfg.spec;
	if (cfg.container.terminal && !o.console_socket) {
		nsrun_fail(err, 0, "exec: a terminal needs --console-socket");
		goto out;
	}
	if (o.console_socket) {
		if ((console_fd = oci_connect_console(o.console_socket, err)) < 0)
			goto out;
		cfg.container.console_socket_fd = console_fd;
	}
	if (join_container(spec, st.pid, ns_paths, err) < 0)
		goto out;
	for (unsigned i = 0; i < st.n_cgroups; i++)
		cgroups[i] = st.cgroups[i];
	cfg.container.cgroup_join = cgroups;
	cfg.container.n_cgroup_join = st.n_cgroups;
	cfg.container.report_errors = o.detach;
	if (o.preserve_fds > 0) {
		spec->keep_fds = calloc((size_t)o.preserve_fds, sizeof(int));
		if (!spec->keep_fds) {
			nsrun_fail(err, errno, "exec: --preserve-fds");
			goto out;
		}
		for (int i = 0; i < o.preserve_fds; i++)
			spec->keep_fds[spec->n_keep_fds++] = 3 + i;
	}
	if (o.detach) {
		pid_t pid;
		if (container_spawn(spec, &pid, err) < 0) {
			oci_error_wrap(&cfg, err);
			goto out;
		}
		if (o.pid_file) {
			char text[24];
			int n = snprintf(text, sizeof(text), "%d", (int)pid);
			if (store_write_atomic(o.pid_file, text, (size_t)n, err) < 0)
				goto out;
		}
		status = 0;
	} else {
		spec->force_child = true;
		status = nsrun_run(spec, err);
		if (status < 0)
			oci_error_wrap(&cfg, err);
	}
out:
	if (console_fd >= 0)
		close(console_fd);
	json_decref(process);
	oci_config_free(&cfg); /* also when the load failed: frees what was made */
	if (loaded)
		store_free(&st);
out_opts:
	free(o.env);
	free(o.caps);
	free(o.gids);
	return status;
}
