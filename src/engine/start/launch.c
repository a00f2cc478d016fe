/* nsrun_run(): the launcher. Chooses between the two start-up paths:
 *
 * in place  join/unshare, write the maps (self, or a helper forked before
 *           the unshare), set up, execve. The command keeps our PID.
 * staged    clone a child into the new namespaces that runs the init stage
 *           ("nsrun:init"), re-executing the sealed binary first unless it
 *           may run in the child itself (init_runs_in_child); write its
 *           maps from outside, send it the spec, forward signals and wait. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nsrun/nsrun.h>

#include "engine/container.h"
#include "engine/limits/caps.h"
#include "engine/cgroup/cgroup.h"
#include "engine/start/exec.h"
#include "engine/start/forward.h"
#include "engine/ns/idmap.h"
#include "engine/start/stage.h"
#include "engine/ns/namespaces.h"
#include "engine/start/reexec.h"
#include "engine/limits/seccomp.h"
#include "engine/start/setup.h"
#include "engine/start/shim_copy.h"
#include "engine/start/sync.h"
#include "engine/start/wire.h"
#include "util/fault.h"
#include "util/fds.h"
#include "util/log.h"

static bool is_staged(const struct nsrun_spec *spec)
{
	/* A cgroup needs someone to remove it when the sandbox ends. */
	if (spec->force_child || spec->init || (spec->new_ns & CLONE_NEWPID) || cgroup_wanted(spec))
		return true;
	/* setns into a PID namespace takes effect for children only. */
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == CLONE_NEWPID)
			return true;
	return false;
}

/* PR_SET_PDEATHSIG for --die-with-parent; the parent may already be gone. */
static int die_with_parent(pid_t parent, struct nsrun_error *err)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return nsrun_fail(err, errno, "--die-with-parent: prctl");
	if (getppid() != parent)
		return nsrun_fail(err, 0, "--die-with-parent: the parent process is gone");
	return 0;
}

/* --json-status-fd: one JSON object per line. Best effort: a reader that went
 * away must not stop the sandbox. */
static void json_status(const struct nsrun_spec *spec, const char *key, long value)
{
	if (spec->json_status_fd < 0)
		return;
	char line[64];
	int n = snprintf(line, sizeof(line), "{\"%s\": %ld}\n", key, value);
	ssize_t w = write(spec->json_status_fd, line, (size_t)n);
	(void)w;
}

static int open_proc(struct nsrun_error *err)
{
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return nsrun_fail(err, errno, "open /proc");
	return fd;
}

/* --- in place ------------------------------------------------------------ */

/* A helper forked before unshare() stays outside the new user namespace, so
 * it may write maps the process cannot write for itself. */
struct map_helper {
	pid_t pid;
	int sock; /* our end: write "go", read an error message or EOF */
};

static int helper_start(struct map_helper *h, const struct idmap_plan *plan,
			int proc_fd, int verbose, struct nsrun_error *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return nsrun_fail(err, errno, "socketpair for the id map helper");
	pid_t target = getpid();
	h->pid = fork();
	if (h->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return nsrun_fail(err, errno, "fork the id map helper");
	}
	if (h->pid == 0) {
		close(sv[0]);
		char go;
		if (read(sv[1], &go, 1) != 1)
			_exit(0); /* the launcher failed before unshare */
		struct nsrun_error herr = { 0 };
		if (idmap_plan_apply(plan, proc_fd, target, verbose, &herr) < 0) {
			ssize_t w = write(sv[1], herr.msg, strlen(herr.msg));
			(void)w;
			_exit(1);
		}
		_exit(0);
	}
	close(sv[1]);
	h->sock = sv[0];
	return 0;
}

static void helper_cancel(struct map_helper *h)
{
	close(h->sock);
	waitpid(h->pid, NULL, 0);
	h->pid = -1;
}

static int helper_finish(struct map_helper *h, struct nsrun_error *err)
{
	char msg[sizeof(err->msg)];
	size_t got = 0;
	int rc = 0;
	if (write(h->sock, "g", 1) != 1) {
		rc = nsrun_fail(err, errno, "start the id map helper");
	} else {
		ssize_t n;
		while ((n = read(h->sock, msg + got, sizeof(msg) - 1 - got)) > 0)
			got += (size_t)n;
	}
	int status = 0;
	close(h->sock);
	while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == 0 && got > 0) {
		msg[got] = '\0';
		rc = nsrun_fail(err, 0, "%s", msg);
	} else if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		rc = nsrun_fail(err, 0, "the id map helper failed (status %d)",
				exit_status_of(status));
	}
	return rc;
}

static int run_in_place(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	struct idmap_plan plan;
	struct map_helper helper = { .pid = -1, .sock = -1 };
	int join_fds[NSRUN_MAX_JOINS];
	int proc_fd = -1;
	char names[96];
	pid_t parent = getppid();

	if (idmap_plan_make(spec, true, &plan, err) < 0)
		return -1;
	if (plan.writer != IDMAP_WRITER_NONE && (proc_fd = open_proc(err)) < 0)
		return -1;
	if (ns_open_joins(spec, join_fds, err) < 0)
		goto fail;
	bool outside = plan.writer == IDMAP_WRITER_OUTSIDE ||
		       plan.writer == IDMAP_WRITER_NEWIDMAP;
	if (outside && helper_start(&helper, &plan, proc_fd, spec->verbose, err) < 0) {
		ns_close_joins(spec, join_fds);
		goto fail;
	}
	if (ns_enter_joins(spec, join_fds, false, err) < 0)
		goto fail;
	if (spec->new_ns) {
		if (unshare((int)spec->new_ns) < 0) {
			nsrun_fail(err, errno, "unshare (new namespaces: %s)",
				   ns_describe(spec->new_ns, names, sizeof(names)));
			goto fail;
		}
		nsrun_trace(spec->verbose, "unshare: %s",
			    ns_describe(spec->new_ns, names, sizeof(names)));
	}
	if (outside) {
		if (helper_finish(&helper, err) < 0)
			goto fail_nohelper;
	} else if (idmap_plan_apply(&plan, proc_fd, 0, spec->verbose, err) < 0) {
		goto fail;
	}
	if (proc_fd >= 0)
		close(proc_fd);
	int keep[64];
	unsigned n_keep = 0;
	keep[n_keep++] = spec->block_fd;
	keep[n_keep++] = spec->json_status_fd;
	for (unsigned i = 0; i < spec->n_keep_fds && n_keep < 64; i++)
		keep[n_keep++] = spec->keep_fds[i];
	if (fds_close_all_but(keep, n_keep, err) < 0 ||
	    sandbox_setup(spec, err) < 0 || exec_wait_block_fd(spec, err) < 0)
		return -1;
	/* After the user switch, which clears the parent-death signal. */
	if (spec->die_with_parent && die_with_parent(parent, err) < 0)
		return -1;
	json_status(spec, "child-pid", (long)getpid());
	return exec_command(spec, err);

fail:
	if (helper.pid > 0)
		helper_cancel(&helper);
fail_nohelper:
	if (proc_fd >= 0)
		close(proc_fd);
	return -1;
}

/* --- staged -------------------------------------------------------------- */

static void kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* A started init stage, as both staged paths share it. */
struct staged_child {
	pid_t pid;
	int sync_fd;                 /* our end of the sync socket */
	struct cgroup_sandbox cg;
	sigset_t old_mask;           /* the caller's signal mask */
	bool masked;
};

static void staged_child_release(struct staged_child *c)
{
	if (c->masked)
		sigprocmask(SIG_SETMASK, &c->old_mask, NULL);
	c->masked = false;
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	c->sync_fd = -1;
	if (c->cg.v2_fd >= 0)
		close(c->cg.v2_fd);
	c->cg.v2_fd = -1;
}

/* oomScoreAdj is written from outside: the init may no longer see a /proc. */
static int set_oom_score_adj(const struct nsrun_spec *spec, int proc_fd, pid_t pid,
			     struct nsrun_error *err)
{
	char path[32], value[16]; /* numbers: they fit */
	(void)snprintf(path, sizeof(path), "%d/oom_score_adj", (int)pid);
	int n = snprintf(value, sizeof(value), "%d", spec->oom_score_adj);
	int fd = openat(proc_fd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, (size_t)n) != n) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return nsrun_fail(err, e, "oomScoreAdj %d%s", spec->oom_score_adj,
				  e == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
	}
	close(fd);
	return 0;
}

/* container_create's caller learns the cgroup directories before anything is
 * in them (struct nsrun_created.on_cgroups). */
static int notify_cgroups(const struct cgroup_sandbox *cg, struct nsrun_created *made,
			  struct nsrun_error *err)
{
	if (!made)
		return 0;
	made->n_cgroup_dirs = cg->n_dirs;
	for (unsigned i = 0; i < cg->n_dirs; i++)
		(void)snprintf(made->cgroup_dirs[i], sizeof(made->cgroup_dirs[i]), "%s",
			       cg->dirs[i].path); /* same size as the source: fits */
	return made->on_cgroups ? made->on_cgroups(made, made->arg, err) : 0;
}

/* Whether the init stage may run in the cloned child itself instead of a
 * re-executed sealed copy of nsrun, which saves an execve and a copy of the
 * binary (0.6-0.8 ms, bench/README.md). The child's image is then nsrun's
 * binary on the host until it executes the sealed exec shim, which parks a
 * created container and executes the command: so no process of a
 * container may be able to reach the child before that, and nothing may
 * run from it after the command could. */
static bool init_runs_in_child(const struct nsrun_spec *spec)
{
	/* A raw clone of a threaded process cannot run library code. */
	if (!shim_available() || !__libc_single_threaded)
		return false;
	/* The first process of a new PID namespace is visible only from the
	 * namespaces above ours (and a joined one would be such). */
	if (!(spec->new_ns & CLONE_NEWPID))
		return false;
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == CLONE_NEWPID)
			return false;
	/* An --init reaper stays as PID 1 beside the command; startContainer
	 * hooks run from the stage once the container has started. */
	if (spec->init || spec_container(spec)->hooks)
		return false;
	/* --block-fd holds the stage back for others to join the sandbox;
	 * --json-status-fd tells them its pid while it is still nsrun. */
	if (spec->block_fd >= 0 || spec->json_status_fd >= 0)
		return false;
	/* The filter is in place before the shim runs: it must let it, and so
	 * must one we run under (which we cannot read: any means no). */
	if (spec->seccomp) {
		static const int shim_calls[] = { SYS_execveat, SYS_read, SYS_write, SYS_close,
						  SYS_prctl, SYS_rt_sigprocmask };
		for (unsigned i = 0; i < sizeof(shim_calls) / sizeof(shim_calls[0]); i++)
			if (!seccomp_allows(spec->seccomp, shim_calls[i]))
				return false;
	}
	if (prctl(PR_GET_SECCOMP) != 0)
		return false;
	return true;
}

/* The init stage in the cloned child (init_runs_in_child). */
struct stage_in_child {
	int shim_fd;
	bool unshare_net;            /* the new network namespace is the child's to make */
	const sigset_t *command_mask; /* the command's signal mask */
};

/* copy_net_ns is most of what a clone into new namespaces costs (0.5 ms
 * here): made by the child, it overlaps with the launcher's own work until
 * the release (the cgroup, the maps, the spec). */
static void stage_in_child_early(void *arg)
{
	const struct stage_in_child *a = arg;
	if (a->unshare_net && unshare(CLONE_NEWNET) < 0)
		init_stage_fail_early(errno, "unshare the network namespace");
}

static int stage_in_child(int argc, char **argv, void *arg)
{
	const struct stage_in_child *a = arg;
	exec_use_shim(a->shim_fd, a->command_mask);
	return nsrun_init_stage(argc, argv);
}

/* Clone the init stage into the new namespaces and cgroup, write its maps,
 * release it and send it the spec. `supervised`: it dies with us and signals
 * meant for it are blocked here until forward_until_exit takes them. `made`
 * (container_create only) hears of the cgroups. */
static int start_init(const struct nsrun_spec *spec, bool supervised, struct staged_child *c,
		      struct nsrun_created *made, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	struct idmap_plan plan;
	int join_fds[NSRUN_MAX_JOINS];
	int cgroup_fds[CGROUP_MAX_DIRS];
	unsigned n_cgroup_fds = 0;
	int proc_fd = -1, sv[2] = { -1, -1 };
	char *wire = NULL;
	size_t wire_len;
	char names[96];
	int rc = -1;

	c->pid = -1;
	c->sync_fd = -1;
	c->cg.n_dirs = 0;
	c->cg.v2_fd = -1;
	c->masked = false;
	if (idmap_plan_make(spec, false, &plan, err) < 0)
		return -1;
	/* The init stage dies with us (PR_SET_PDEATHSIG), and so the sandbox. */
	if (spec->die_with_parent && die_with_parent(getppid(), err) < 0)
		return -1;
	if (spec_encode(spec, &wire, &wire_len, err) < 0)
		return -1;
	/* The sealed copy (of nsrun from /proc/self/exe, which a joined mount
	 * namespace may not have, or of the exec shim): made first. */
	bool in_child = init_runs_in_child(spec);
	struct stage_in_child stage_args = {
		.shim_fd = -1,
		.unshare_net = in_child && (spec->new_ns & CLONE_NEWNET),
	};
	struct reexec_in_child run_in_child = {
		.early = stage_in_child_early,
		.stage = stage_in_child,
		.arg = &stage_args,
	};
	if (in_child)
		caps_learn_kernel();
	if (fault_point("launch.sealed-copy", err) < 0 ||
	    (in_child ? (stage_args.shim_fd = shim_sealed_fd(err)) : nsrun_reexec_sealed_fd(err)) < 0)
		goto out;
	/* Opened before any join: a joined mount namespace may have another
	 * /proc, where the child's host PID means nothing. */
	if ((plan.writer != IDMAP_WRITER_NONE || spec->oom_score_adj_set) &&
	    (proc_fd = open_proc(err)) < 0)
		goto out;
	if (ct->n_cgroup_join > CGROUP_MAX_DIRS) {
		nsrun_fail(err, E2BIG, "cgroups to join");
		goto out;
	}
	if (ct->n_cgroup_join &&
	    cgroup_join_open(ct->cgroup_join, ct->n_cgroup_join, cgroup_fds, err) < 0)
		goto out;
	n_cgroup_fds = ct->n_cgroup_join;
	if (ns_open_joins(spec, join_fds, err) < 0 ||
	    ns_enter_joins(spec, join_fds, true, err) < 0)
		goto out;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		nsrun_fail(err, errno, "socketpair for the init stage");
		goto out;
	}
	/* Planned, then made: container_create's caller records the directories
	 * in between, so a kill from here on leaves nothing unrecorded. */
	bool want_cgroup = cgroup_wanted(spec) || spec->cgroup_path;
	if (want_cgroup && (cgroup_plan(spec, &c->cg, err) < 0 ||
			    notify_cgroups(&c->cg, made, err) < 0 ||
			    fault_point("launch.cgroup", err) < 0))
		goto out;
	if (want_cgroup && cgroup_make(spec, &c->cg, err) < 0) {
		/* A cgroup with no limit in it is only bookkeeping: without the
		 * right to create one (rootless on v1, no delegation) go on
		 * without, as runc --rootless does. */
		bool denied = err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS;
		if (cgroup_wanted(spec) || !denied)
			goto out;
		nsrun_trace(spec->verbose, "no cgroup: %s", err->msg);
		if (notify_cgroups(&c->cg, made, err) < 0)
			goto out;
	}
	/* Block before the clone so no signal meant for the command is lost;
	 * the child starts with the caller's mask. */
	sigset_t forward;
	forward_signal_set(&forward);
	if (sigprocmask(supervised ? SIG_BLOCK : SIG_SETMASK, supervised ? &forward : NULL,
			&c->old_mask) < 0) {
		nsrun_fail(err, errno, "sigprocmask");
		goto out;
	}
	c->masked = supervised;
	stage_args.command_mask = &c->old_mask;

	char fdtext[16];
	(void)snprintf(fdtext, sizeof(fdtext), "%d", sv[1]); /* a number: fits */
	char *stage_argv[] = { NSRUN_INIT_STAGE, fdtext, NULL };
	int inherit[3] = { sv[1], ct->exec_fifo_fd, ct->console_socket_fd };
	struct nsrun_reexec_attr attr = {
		.clone_flags = spec->new_ns &
			       ~(cgroup_ns_deferred(spec) ? (unsigned long)CLONE_NEWCGROUP : 0UL) &
			       ~(stage_args.unshare_net ? (unsigned long)CLONE_NEWNET : 0UL),
		.pdeathsig = supervised ? SIGKILL : 0,
		.sigmask = &c->old_mask,
		/* Hold the re-exec until the maps are written: with uid 0 mapped,
		 * execve keeps the capabilities by itself. Otherwise they must be
		 * carried as ambient ones, which costs some 45 system calls. */
		.hold_fd = sv[1],
		.hold_peer_fd = sv[0],
		.keep_capabilities = (spec->new_ns & CLONE_NEWUSER) && !idmap_maps_root(&plan),
		.cgroup_fd = c->cg.v2_fd > 0 ? c->cg.v2_fd : 0,
		.inherit_fds = inherit,
		.n_inherit_fds = 1 + (ct->exec_fifo_fd >= 0) + (ct->console_socket_fd >= 0),
	};
	if (ct->exec_fifo_fd < 0)
		inherit[1] = ct->console_socket_fd;
	if (fault_point("launch.clone", err) < 0)
		goto out;
	c->pid = reexec_spawn(NSRUN_INIT_STAGE, stage_argv, NULL, &attr,
			      in_child ? &run_in_child : NULL, err);
	if (c->pid < 0)
		goto out;
	close(sv[1]);
	sv[1] = -1;
	nsrun_trace(spec->verbose, "clone: pid %d in new namespaces: %s; the init stage %s",
		    (int)c->pid, ns_describe(spec->new_ns, names, sizeof(names)),
		    in_child ? "runs in it" : "re-executes nsrun");
	json_status(spec, "child-pid", (long)c->pid);

	if (fault_point("launch.cgroup-enter", err) < 0 ||
	    (c->cg.n_dirs && cgroup_enter(&c->cg, c->pid, err) < 0) ||
	    (n_cgroup_fds && cgroup_join(cgroup_fds, n_cgroup_fds, c->pid, err) < 0) ||
	    (spec->oom_score_adj_set && set_oom_score_adj(spec, proc_fd, c->pid, err) < 0) ||
	    fault_point("launch.idmap", err) < 0 ||
	    idmap_plan_apply(&plan, proc_fd, c->pid, spec->verbose, err) < 0 ||
	    fault_point("launch.release", err) < 0 ||
	    sync_release(sv[0], err) < 0 ||
	    fault_point("launch.send-spec", err) < 0 ||
	    sync_send(sv[0], wire, wire_len, err) < 0) {
		kill_and_reap(c->pid);
		c->pid = -1;
		goto out;
	}
	c->sync_fd = sv[0];
	sv[0] = -1;
	rc = 0;
out:
	if (rc < 0) {
		cgroup_destroy(&c->cg);
		staged_child_release(c);
	}
	free(wire);
	for (unsigned i = 0; i < n_cgroup_fds; i++)
		close(cgroup_fds[i]);
	if (proc_fd >= 0)
		close(proc_fd);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return rc;
}

static int run_staged(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	struct staged_child c;
	if (start_init(spec, true, &c, NULL, err) < 0)
		return -1;
	int status = forward_until_exit(c.pid, spec->verbose, err);
	if (status < 0)
		kill_and_reap(c.pid);
	else
		json_status(spec, "exit-code", status);
	cgroup_destroy(&c.cg);
	staged_child_release(&c);
	return status;
}

/* The init's first word after the spec: "R" once parked (create), a clean
 * end of stream once it executed the command (spawn: the socket is
 * close-on-exec), or "E<message>" when the set-up failed. 0 when it said
 * what `ready` expects; otherwise -1 with err filled and the init reaped.
 * An "E" takes the init's exit status when `status_from_init`. */
static int await_init(struct staged_child *c, bool ready, bool status_from_init,
		      struct nsrun_error *err)
{
	char *msg = NULL;
	size_t len = 0;
	int r = sync_recv(c->sync_fd, &msg, &len, err);
	bool said_ready = r == 0 && len == 1 && msg[0] == 'R';
	if (ready ? said_ready : r == 1) {
		free(msg);
		return 0;
	}
	bool said_error = r == 0 && len > 1 && msg[0] == 'E';
	if (said_error)
		nsrun_fail(err, 0, "%.*s", (int)(len - 1), msg + 1);
	free(msg);
	if (!said_error)
		kill(c->pid, SIGKILL);
	int status = 0;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r >= 0 && !said_error)
		nsrun_fail(err, 0, "the container's init ended before it was ready (status %d)",
			   exit_status_of(status));
	if (status_from_init && said_error)
		err->status = exit_status_of(status);
	c->pid = -1;
	return -1;
}

int container_spawn(const struct nsrun_spec *spec, pid_t *pid, struct nsrun_error *err)
{
	struct staged_child c;
	if (nsrun_spec_validate(spec, err) < 0)
		return -1;
	if (spec->seccomp && seccomp_compile(spec->seccomp, err) < 0)
		return -1;
	if (start_init(spec, false, &c, NULL, err) < 0)
		return -1;
	*pid = c.pid;
	int rc = await_init(&c, false, true, err);
	staged_child_release(&c);
	return rc;
}

int container_create(const struct nsrun_spec *spec, struct nsrun_created *out,
		 struct nsrun_error *err)
{
	struct staged_child c;
	out->pid = -1;
	out->n_cgroup_dirs = 0;
	out->commit_fd = -1;
	if (nsrun_spec_validate(spec, err) < 0)
		return -1;
	if (!spec_container(spec)->park)
		return nsrun_fail(err, EINVAL, "create: the spec must park");
	if (spec->seccomp && seccomp_compile(spec->seccomp, err) < 0)
		return -1;
	if (start_init(spec, false, &c, out, err) < 0) {
		out->n_cgroup_dirs = 0; /* start_init removed them */
		return -1;
	}
	if (await_init(&c, true, false, err) < 0) {
		cgroup_destroy(&c.cg);
		out->n_cgroup_dirs = 0;
		staged_child_release(&c);
		return -1;
	}
	out->pid = c.pid;
	/* Kept open: the init waits on it for the commit, and leaves if we die. */
	out->commit_fd = c.sync_fd;
	c.sync_fd = -1;
	staged_child_release(&c);
	return 0;
}

int container_commit(struct nsrun_created *made, struct nsrun_error *err)
{
	int rc = fault_point("launch.commit", err);
	if (rc == 0)
		rc = sync_send(made->commit_fd, "C", 1, err);
	close(made->commit_fd);
	made->commit_fd = -1;
	return rc;
}

void container_abort(struct nsrun_created *made)
{
	if (made->commit_fd >= 0)
		close(made->commit_fd);
	made->commit_fd = -1;
	if (made->pid > 0)
		kill_and_reap(made->pid);
	made->pid = -1;
	cgroup_remove_dirs(made->cgroup_dirs, made->n_cgroup_dirs);
	made->n_cgroup_dirs = 0;
}

int nsrun_run(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (nsrun_spec_validate(spec, err) < 0)
		return -1;
	/* Compiled here, outside: the sandbox gets the finished program. */
	if (spec->seccomp && seccomp_compile(spec->seccomp, err) < 0)
		return -1;
	return is_staged(spec) ? run_staged(spec, err) : run_in_place(spec, err);
}
