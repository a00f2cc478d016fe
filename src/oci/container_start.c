/* SPDX-License-Identifier: Apache-2.0 */
/* What create and run share. See container_start.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/config.h"
#include "oci/container_start.h"
#include "oci/errors.h"
#include "oci/exec_context.h"
#include "oci/hooks.h"
#include "oci/json.h"
#include "oci/procs.h"
#include "oci/seccomp_cache.h"
#include "oci/verb.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/file.h"

enum {
	OPT_PID_FILE = OCI_LONG_ONLY,
	OPT_CONSOLE_SOCKET,
	OPT_NO_PIVOT,
	OPT_NO_NEW_KEYRING,
	OPT_PRESERVE_FDS,
	OPT_KEEP,
	OPT_NO_SUBREAPER,
	OPT_PIDFD_SOCKET
};

#define INTO(member) OCI_INTO(struct create_opts, member)

/* create's options, which run has too. */
#define CREATE_OPTIONS                                                                             \
	{ "bundle", 'b', "DIR", "the bundle: config.json and rootfs (default .)", INTO(bundle) },  \
		{ "pid-file", OPT_PID_FILE, "FILE", "write the container's pid to FILE",           \
		  INTO(pid_file) },                                                                \
		{ "console-socket", OPT_CONSOLE_SOCKET, "PATH",                                    \
		  "send the container's terminal to this socket", INTO(console_socket) },          \
		{ "no-pivot", OPT_NO_PIVOT, NULL,                                                  \
		  "MS_MOVE and chroot, not pivot_root (initramfs)", INTO(no_pivot) },              \
		{ "preserve-fds", OPT_PRESERVE_FDS, "N",                                           \
		  "pass on N descriptors beyond stdio, from 3", 0 },                               \
		{ "keep", OPT_KEEP, NULL, "run: keep the stopped container (no delete)",           \
		  INTO(keep) },                                                                    \
		{ "no-new-keyring", OPT_NO_NEW_KEYRING, NULL,                                      \
		  "ignored: nsrun makes no session keyring", 0 },                                  \
		{ "no-subreaper", OPT_NO_SUBREAPER, NULL,                                          \
		  "ignored: run waits for the container itself", 0 },                              \
	{                                                                                          \
		"pidfd-socket", OPT_PIDFD_SOCKET, "PATH", "refused: not supported by nsrun", 0     \
	}

/* --preserve-fds and --pidfd-socket; the rest are stored or ignored. */
static int take_option(int val, const char *value, void *opts, struct nsrun_error *err)
{
	struct create_opts *o = opts;
	if (val == OPT_PIDFD_SOCKET)
		return nsrun_fail(err, 0, "--pidfd-socket is not supported by nsrun");
	if (val == OPT_PRESERVE_FDS) {
		o->preserve_fds = oci_parse_count("--preserve-fds", value, err);
		return o->preserve_fds < 0 ? -1 : 0;
	}
	return 0;
}

static const struct oci_command create_command = {
	.verb = "create",
	.operands = "ID",
	.take = take_option,
	.options = OCI_OPTIONS(CREATE_OPTIONS),
};

static const struct oci_command run_command = {
	.verb = "run",
	.operands = "ID",
	.take = take_option,
	.options = OCI_OPTIONS(
		CREATE_OPTIONS,
		{ "detach", 'd', NULL, "do not wait for the container to exit", INTO(detach) }),
};

int create_parse_options(int argc, char **argv, bool is_run, struct create_opts *o,
			 struct nsrun_error *err)
{
	*o = (struct create_opts){ .bundle = ".", .tty_sock = -1 };
	return oci_parse_id(is_run ? &run_command : &create_command, argc, argv, o, &o->id, err);
}

/* Record the cgroups in the state directory before anything is in them:
 * if create is killed from here on, delete --force (or the next create of
 * the id) finds what to remove. The state has no pid yet: "being created". */
static int record_cgroups(const struct nsrun_created *made, void *arg, struct nsrun_error *err)
{
	struct stored_container *ct = arg;
	unsigned had = ct->n_cgroups;
	ct->n_cgroups = made->n_cgroup_dirs;
	/* a cgroup directory has the same size in made and in ct: fits */
	for (unsigned i = 0; i < made->n_cgroup_dirs && i < STORE_MAX_CGROUPS; i++)
		(void)snprintf(ct->cgroups[i], sizeof(ct->cgroups[i]), "%s", made->cgroup_dirs[i]);
	/* Nothing recorded and nothing to record: no state file yet. */
	return had == 0 && ct->n_cgroups == 0 ? 0 : store_save(ct, err);
}

/* The state with the init's pid, written aside while it sets up: the
 * commit puts it in place (store_commit). */
static int prepare_state(const struct nsrun_created *made, void *arg, struct nsrun_error *err)
{
	struct stored_container *ct = arg;
	ct->pid = made->pid;
	ct->start_time = procs_start_time(made->pid);
	return fault_point("oci.state-prepare", err) < 0 ? -1 : store_prepare(ct, err);
}

/* createContainer and startContainer hooks run in the container's
 * namespaces: the init stage gets them, with the state they read ("pid"
 * is filled in there). *hooks and *state are the caller's to free. */
static int hand_over_container_hooks(const struct stored_container *ct, struct nsrun_container *c,
				     char **hooks, char **state, struct nsrun_error *err)
{
	if (json_array_size(json_object_get(ct->hooks, "createContainer")) == 0 &&
	    json_array_size(json_object_get(ct->hooks, "startContainer")) == 0)
		return 0;
	cleanup_json json_t *o = store_state_json(ct, OCI_CREATING);
	*state = json_dumps(o, JSON_COMPACT);
	*hooks = json_dumps(ct->hooks, JSON_COMPACT);
	if (!*hooks || !*state)
		return nsrun_fail(err, ENOMEM, "hooks");
	c->hooks = *hooks;
	c->hooks_state = *state;
	return 0;
}

/* --systemd-cgroup: cgroupsPath is "SLICE:PREFIX:NAME", a scope that
 * systemd makes (rootless: the user's manager). Where systemd does not run
 * (a container, a CI machine) the same scope's path is made directly, so
 * that an engine set up for systemd hosts works there too. */
static int use_systemd(const struct create_opts *o, struct oci_config *cfg, struct nsrun_error *err)
{
	struct systemd_unit *u = &cfg->systemd_unit;
	bool user = geteuid() != 0;
	if (systemd_parse_path(cfg->spec.cgroup_path, o->id, user, u, err) < 0)
		return nsrun_error_wrap(err, "linux.cgroupsPath");
	if (systemd_available(user)) {
		cfg->container.systemd = u;
		/* No cgroupsPath still means a scope: nsrun-<id>.scope. */
		if (!cfg->spec.cgroup_path)
			cfg->spec.cgroup_path = u->unit;
		oci_debug("create %s: systemd scope %s in %s", o->id, u->unit, u->slice);
		return 0;
	}
	char slice[NSRUN_CGROUP_PATH_MAX];
	if (systemd_slice_path(u->slice, slice, sizeof(slice)) < 0 ||
	    path_format(cfg->cgroup_path, sizeof(cfg->cgroup_path), "%s/%s", slice, u->unit) < 0)
		return nsrun_fail(err, 0, "linux.cgroupsPath: '%s' is not a slice", u->slice);
	cfg->spec.cgroup_path = cfg->cgroup_path;
	memset(u, 0, sizeof(*u));
	oci_debug("create %s: systemd is not running: cgroup %s", o->id, cfg->cgroup_path);
	return 0;
}

/* The bundle's config (bundle: its real path), as create makes it. */
static int load_bundle(const struct oci_globals *g, const struct create_opts *o, char *bundle,
		       struct oci_config *cfg, struct nsrun_error *err)
{
	if (!realpath(o->bundle, bundle))
		return nsrun_fail(err, errno, "--bundle %s", o->bundle);
	if (oci_config_load(bundle, cfg, err) < 0 || fault_point("oci.config", err) < 0)
		return -1;
	if (cfg->container.terminal && !o->console_socket && o->tty_sock < 0)
		return nsrun_fail(err, 0,
				  "cannot allocate tty if nsrun will detach without setting "
				  "console socket");
	if (!cfg->container.terminal && o->console_socket)
		return nsrun_fail(err, 0,
				  "cannot use console socket if nsrun will not detach or "
				  "allocate tty");
	struct nsrun_spec *spec = &cfg->spec;
	if (strcmp(g->cgroup_manager, "disabled") == 0) {
		spec->cgroup_path = NULL;
		spec->cgroup = NSRUN_CGROUP_LIMITS_UNSET;
	} else if (g->systemd_cgroup) {
		if (use_systemd(o, cfg, err) < 0)
			return -1;
	} else if (!spec->cgroup_path) {
		spec->cgroup_path = o->id; /* runc's default: the id, below ours */
	}
	spec->no_pivot = o->no_pivot;
	cfg->container.park = true;
	return oci_config_keep_fds(cfg, o->preserve_fds, err);
}

/* What the store records of the container before it is made. */
static int describe(struct stored_container *ct, const char *bundle, const struct oci_config *cfg,
		    struct nsrun_error *err)
{
	/* bundle is a realpath, of PATH_MAX at most: fits */
	(void)snprintf(ct->bundle, sizeof(ct->bundle), "%s", bundle);
	oci_rfc3339_now(ct->created, sizeof(ct->created));
	ct->namespaces = cfg->spec.new_ns;
	ct->terminal = cfg->container.terminal;
	if (cfg->container.systemd)
		ct->systemd = *cfg->container.systemd;
	if (path_format(ct->rootfs, sizeof(ct->rootfs), "%s", cfg->rootfs) < 0)
		return nsrun_fail(err, ENAMETOOLONG, "root.path %s", cfg->rootfs);
	int n = snprintf(ct->oci_version, sizeof(ct->oci_version), "%s", cfg->oci_version);
	if (n < 0 || (size_t)n >= sizeof(ct->oci_version))
		return nsrun_fail(err, ENAMETOOLONG, "ociVersion %s", cfg->oci_version);
	ct->annotations = json_incref(cfg->annotations);
	ct->hooks = json_incref(cfg->hooks);
	return 0;
}

/* The exec fifo the init waits on until start. O_RDWR: the init blocks
 * reading it until start writes, and start can tell a dead init (no
 * reader: ENXIO). */
static int open_exec_fifo(const struct stored_container *ct, struct nsrun_error *err)
{
	char fifo[PATH_MAX];
	store_path(ct, "exec.fifo", fifo);
	if (mkfifo(fifo, 0600) < 0)
		return nsrun_fail(err, errno, "create %s", fifo);
	int fd = open(fifo, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno, "open %s", fifo);
	return fd;
}

/* prestart sees status "created", as the runtime spec's validation
 * suite and crun have it; createRuntime "creating", as runc gives it. */
static int run_create_hooks(const struct stored_container *ct, struct nsrun_error *err)
{
	if (fault_point("oci.hooks", err) < 0 ||
	    oci_hooks_run_stored(ct, "prestart", OCI_CREATED, err) < 0)
		return -1;
	return oci_hooks_run_stored(ct, "createRuntime", OCI_CREATING, err);
}

/* The init is parked: record it, run the hooks, write the pid file, and
 * let it go on. */
static int commit(const struct create_opts *o, struct nsrun_created *made,
		  struct stored_container *ct, struct nsrun_error *err)
{
	/* ct->cgroups: recorded by record_cgroups; the rest by prepare_state. */
	if (fault_point("oci.state-save", err) < 0 || store_commit(ct, err) < 0 ||
	    run_create_hooks(ct, err) < 0 || fault_point("oci.pid-file", err) < 0)
		return -1;
	if (o->pid_file && procs_write_pid_file(o->pid_file, made->pid, err) < 0)
		return -1;
	if (container_commit(made, err) == 0)
		return 0;
	if (o->pid_file)
		unlink(o->pid_file);
	return -1;
}

/* Where the container's terminal goes: --console-socket's socket, or the
 * one run holds it through (tty_sock); *fd -1 for none. */
static int console_fd_for(const struct create_opts *o, const struct oci_config *cfg, int *fd,
			  struct nsrun_error *err)
{
	*fd = -1;
	if (o->console_socket) {
		*fd = oci_connect_console(o->console_socket, err);
		return *fd < 0 ? -1 : 0;
	}
	if (o->tty_sock < 0 || !cfg->container.terminal)
		return 0;
	*fd = fcntl(o->tty_sock, F_DUPFD_CLOEXEC, 3);
	return *fd < 0 ? nsrun_fail(err, errno, "run: the terminal's socket") : 0;
}

/* With the state directory made: the container, with its descriptors
 * (closed on return, before the caller removes the directory on failure:
 * at EMFILE the removal needs one). */
static int make_container(const struct create_opts *o, const char *bundle, struct oci_config *cfg,
			  struct stored_container *ct, struct nsrun_error *err)
{
	cleanup_close int fifo_fd = -1;
	cleanup_close int console_fd = -1;
	cleanup_free char *hooks = NULL;
	cleanup_free char *hooks_state = NULL;
	if (describe(ct, bundle, cfg, err) < 0 || exec_context_save(ct, cfg, err) < 0 ||
	    (!o->start && (fifo_fd = open_exec_fifo(ct, err)) < 0) ||
	    fault_point("oci.exec-fifo", err) < 0 || console_fd_for(o, cfg, &console_fd, err) < 0 ||
	    hand_over_container_hooks(ct, &cfg->container, &hooks, &hooks_state, err) < 0)
		return -1;
	cfg->container.exec_fifo_fd = fifo_fd;
	cfg->container.console_socket_fd = console_fd;
	oci_debug("create %s: bundle %s", o->id, bundle);
	struct nsrun_created made = {
		.pid = -1,
		.commit_fd = -1,
		.on_cgroups = record_cgroups,
		.on_started = prepare_state,
		.arg = ct,
	};
	int rc = container_create(&cfg->spec, &made, err);
	if (rc < 0)
		oci_error_wrap(cfg, err);
	else
		rc = commit(o, &made, ct, err);
	if (rc < 0)
		container_abort(&made); /* the cgroups, even when the init never ran */
	return rc;
}

int create_container(const struct oci_globals *g, const struct create_opts *o,
		     struct stored_container *ct, struct nsrun_error *err)
{
	cleanup_config struct oci_config cfg = { 0 };
	char bundle[PATH_MAX];
	if (load_bundle(g, o, bundle, &cfg, err) < 0)
		return -1;
	/* Made while the state is written, joined by the init. */
	struct netns_ahead net;
	netns_ahead_start(&net, &cfg.spec);
	cfg.container.net_ahead = &net;
	int rc = store_create_dir(store_root(g->root), o->id, ct, err);
	if (rc == 0) {
		seccomp_cache_fill(store_root(g->root), cfg.spec.seccomp);
		rc = make_container(o, bundle, &cfg, ct, err);
		if (rc < 0)
			store_remove(ct);
	}
	netns_ahead_release(&net);
	return rc;
}
