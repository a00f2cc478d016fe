/* SPDX-License-Identifier: Apache-2.0 */
/* exec: another process in a container's namespaces, cgroups and security
 * context, through the same sealed init stage (its process:
 * exec_process.c). */
#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci/errors.h"
#include "oci/exec_context.h"
#include "oci/exec_process.h"
#include "oci/json.h"
#include "oci/oci.h"
#include "oci/procs.h"
#include "oci/seccomp_cache.h"
#include "oci/store.h"
#include "oci/tty_proxy.h"
#include "util/cleanup.h"

static int check_status(const struct stored_container *ct, bool ignore_paused,
			struct nsrun_error *err)
{
	enum oci_status s = store_status(ct);
	if (s == OCI_STOPPED)
		return nsrun_fail(err, 0, "cannot exec in a stopped container");
	if (s == OCI_PAUSED && !ignore_paused)
		return nsrun_fail(err, 0,
				  "cannot exec in a paused container (use --ignore-paused)");
	return 0;
}

/* The process: the container's exec context gives the defaults (its
 * process, seccomp), or its bundle's config.json where it has none; then a
 * --process file (*process, which the spec points into) and the options. */
static int make_process(const struct exec_opts *o, const char *root,
			const struct stored_container *ct, struct oci_config *cfg, json_t **process,
			struct nsrun_error *err)
{
	int kept = exec_context_load(ct, cfg, err);
	if (kept < 0 || (kept == 0 && oci_config_load(ct->bundle, cfg, err) < 0))
		return -1;
	if (kept == 0)
		seccomp_cache_fill(root, cfg->spec.seccomp);
	exec_strip_to_process(cfg);
	if (o->process_file && (oci_json_load_file(o->process_file, process, err) < 0 ||
				exec_use_process_file(cfg, *process, o->process_file, err) < 0))
		return -1;
	if (exec_apply_options(o, cfg, err) < 0)
		return -1;
	if (cfg->container.terminal && !o->console_socket && o->detach)
		return nsrun_fail(err, 0,
				  "exec: a detached process's terminal needs --console-socket");
	return oci_config_keep_fds(cfg, o->preserve_fds, err);
}

/* --detach: started, not waited for. */
static int start_detached(const struct exec_opts *o, struct oci_config *cfg,
			  struct nsrun_error *err)
{
	pid_t pid;
	if (container_spawn(&cfg->spec, &pid, err) < 0) {
		oci_error_wrap(cfg, err);
		return -1;
	}
	return o->pid_file ? procs_write_pid_file(o->pid_file, pid, err) : 0;
}

/* In the foreground with a terminal and no --console-socket: nsrun holds
 * the terminal, as runc does, copying it to and from its own stdio. */
static int run_with_terminal(struct oci_config *cfg, struct nsrun_error *err)
{
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
		return nsrun_fail(err, errno, "exec: socketpair");
	cleanup_close int ours = pair[0];
	cleanup_close int theirs = pair[1];
	cfg->container.console_socket_fd = theirs;
	pid_t pid;
	if (container_spawn(&cfg->spec, &pid, err) < 0) {
		oci_error_wrap(cfg, err);
		return -1;
	}
	close(take_fd(&theirs));
	cleanup_close int master = tty_receive_master(ours, err);
	if (master < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return tty_proxy(master, pid, err);
}

/* In the foreground: its exit status. */
static int run_attached(struct oci_config *cfg, struct nsrun_error *err)
{
	cfg->spec.force_child = true;
	int status = nsrun_run(&cfg->spec, err);
	if (status < 0)
		oci_error_wrap(cfg, err);
	return status;
}

int verb_exec(const struct oci_globals *g, int argc, char **argv, struct nsrun_error *err)
{
	cleanup_exec_opts struct exec_opts o = { 0 };
	int first = exec_parse_options(argc, argv, &o, err);
	if (first <= 0)
		return first;
	cleanup_store struct stored_container ct = { 0 };
	cleanup_config struct oci_config cfg = { 0 };
	cleanup_json json_t *process = NULL;
	cleanup_close int console_fd = -1;
	char ns_paths[8][64];
	if (store_load(store_root(g->root), o.id, &ct, err) < 0 ||
	    check_status(&ct, o.ignore_paused, err) < 0 ||
	    make_process(&o, store_root(g->root), &ct, &cfg, &process, err) < 0 ||
	    (o.console_socket && (console_fd = oci_connect_console(o.console_socket, err)) < 0) ||
	    exec_join_namespaces(&cfg.spec, ct.pid, ns_paths, err) < 0)
		return -1;
	cfg.container.console_socket_fd = console_fd;
	const char *cgroups[STORE_MAX_CGROUPS];
	for (unsigned i = 0; i < ct.n_cgroups; i++)
		cgroups[i] = ct.cgroups[i];
	cfg.container.cgroup_join = cgroups;
	cfg.container.n_cgroup_join = ct.n_cgroups;
	cfg.container.report_errors = o.detach;
	if (o.detach)
		return start_detached(&o, &cfg, err);
	return cfg.container.terminal && console_fd < 0 ? run_with_terminal(&cfg, err)
							: run_attached(&cfg, err);
}
