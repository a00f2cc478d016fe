/* SPDX-License-Identifier: Apache-2.0 */
/* The staged start: clone a child into the new namespaces that runs the
 * stage ("nsrun:init"), re-executing the sealed binary first unless it may
 * run in the child itself (stage_runs_in_child); place it in its cgroups,
 * write its maps from outside, release it and send it the spec. */
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

#include "engine/cgroup/hierarchy.h"
#include "engine/container.h"
#include "engine/limits/caps.h"
#include "engine/limits/seccomp.h"
#include "engine/ns/idmap.h"
#include "engine/ns/namespaces.h"
#include "engine/start/exec.h"
#include "engine/start/forward.h"
#include "engine/start/launch.h"
#include "engine/start/reexec.h"
#include "engine/start/shim_copy.h"
#include "engine/start/stage.h"
#include "engine/start/staged.h"
#include "engine/start/sync.h"
#include "engine/start/wire.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/log.h"

/* The stage in the cloned child (stage_runs_in_child). */
struct stage_in_child {
	int shim_fd;
	bool unshare_net; /* the new network namespace is the child's to make */
	int net_fd; /* or the one made ahead, to join; -1: none */
	const sigset_t *command_mask; /* the command's signal mask */
};

/* What the launcher holds while it starts a stage. */
struct launch {
	struct idmap_plan plan;
	char *wire;
	size_t wire_len;
	int proc_fd;
	int sv[2]; /* the sync socket: ours, the stage's */
	int cgroup_fds[CGROUP_MAX_DIRS];
	unsigned n_cgroup_fds;
	bool in_child;
	bool cgroups_after_clone; /* not yet recorded nor made */
	bool cgroups_planned; /* the child's staged_child.cg holds the plan */
	struct stage_in_child stage_args;
};

static void launch_release(struct launch *l)
{
	free(l->wire);
	for (unsigned i = 0; i < l->n_cgroup_fds; i++)
		close(l->cgroup_fds[i]);
	if (l->proc_fd >= 0)
		close(l->proc_fd);
	for (int i = 0; i < 2; i++)
		if (l->sv[i] >= 0)
			close(l->sv[i]);
	if (l->stage_args.net_fd >= 0)
		close(l->stage_args.net_fd);
}

void staged_kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void staged_release(struct staged_child *c)
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

/* oomScoreAdj is written from outside: the stage may no longer see a /proc. */
static int set_oom_score_adj(const struct nsrun_spec *spec, int proc_fd, pid_t pid,
			     struct nsrun_error *err)
{
	char path[32], value[16]; /* numbers: they fit */
	(void)snprintf(path, sizeof(path), "%d/oom_score_adj", (int)pid);
	int n = snprintf(value, sizeof(value), "%d", spec->oom_score_adj);
	cleanup_close int fd = openat(proc_fd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, (size_t)n) != n)
		return nsrun_fail_about(
			err, NSRUN_ABOUT_OOM_SCORE_ADJ, -1, errno, "set %d%s", spec->oom_score_adj,
			errno == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
	return 0;
}

/* container_create's caller learns the cgroup directories before anything
 * is in them (struct nsrun_created.on_cgroups). */
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

static bool joins_pid_ns(const struct nsrun_spec *spec)
{
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == CLONE_NEWPID)
			return true;
	return false;
}

/* Whether the stage may run in the cloned child itself instead of a
 * re-executed sealed copy of nsrun, which saves an execve and a copy of the
 * binary (0.6-1.4 ms, bench/README.md). The child's image is then nsrun's
 * binary on the host until it executes the sealed exec shim, which parks a
 * created container and executes the command: so no process of a
 * container may be able to reach the child before that, and nothing may
 * run from it after the command could. */
static bool stage_runs_in_child(const struct nsrun_spec *spec, const struct idmap_plan *plan)
{
	/* A raw clone of a threaded process cannot run library code. */
	if (!shim_available() || !__libc_single_threaded)
		return false;
	/* The first process of a new PID namespace is visible only from the
	 * namespaces above ours. In a joined one (exec) the container's
	 * processes see the child, but cannot reach it: it is not dumpable
	 * from its clone on (clone_stage), so /proc/PID/exe, /proc/PID/mem and
	 * ptrace need CAP_SYS_PTRACE in our user namespace, which no process
	 * that could not already trace nsrun has. Its /proc files are then
	 * root's: an unprivileged launcher could not set its oom_score_adj,
	 * nor newuidmap write its maps. */
	if (!(spec->new_ns & CLONE_NEWPID) &&
	    !(joins_pid_ns(spec) && (!spec->oom_score_adj_set || geteuid() == 0) &&
	      plan->writer != IDMAP_WRITER_NEWIDMAP))
		return false;
	/* A reaper stays as PID 1 beside the command; startContainer hooks
	 * run from the stage once the container has started. */
	if (spec->init || spec_container(spec)->hooks)
		return false;
	/* A block descriptor holds the stage back for others to join the
	 * sandbox; a JSON status descriptor tells them its pid while it is
	 * still nsrun. */
	if (spec->block_fd >= 0 || spec->json_status_fd >= 0)
		return false;
	/* The filter is in place before the shim runs: it must let it, and so
	 * must one we run under (which we cannot read: any means no). */
	if (spec->seccomp) {
		static const int shim_calls[] = { SYS_execveat, SYS_read,  SYS_write,
						  SYS_close,	SYS_prctl, SYS_rt_sigprocmask };
		for (unsigned i = 0; i < ARRAY_SIZE(shim_calls); i++)
			if (!seccomp_allows(spec->seccomp, shim_calls[i]))
				return false;
	}
	return prctl(PR_GET_SECCOMP) == 0;
}

/* copy_net_ns is most of what a clone into new namespaces costs (0.5 ms
 * here): made by the child, it overlaps with the launcher's own work until
 * the release (the cgroup, the maps, the spec). */
static void stage_in_child_early(void *arg)
{
	const struct stage_in_child *a = arg;
	if (a->net_fd >= 0 && (setns(a->net_fd, CLONE_NEWNET) < 0 || close(a->net_fd) < 0))
		init_stage_fail_early(errno, "join the network namespace made ahead");
	if (a->unshare_net && unshare(CLONE_NEWNET) < 0)
		init_stage_fail_early(errno, "unshare the network namespace");
}

static int stage_in_child(int argc, char **argv, void *arg)
{
	const struct stage_in_child *a = arg;
	exec_use_shim(a->shim_fd, a->command_mask);
	return nsrun_init_stage(argc, argv);
}

/* Everything the clone needs, made before it. */
static int prepare(const struct nsrun_spec *spec, struct launch *l, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	if (idmap_plan_make(spec, false, &l->plan, err) < 0)
		return -1;
	/* The stage dies with us (PR_SET_PDEATHSIG), and so the sandbox. */
	if (spec->die_with_parent && launch_die_with_parent(getppid(), err) < 0)
		return -1;
	if (spec_encode(spec, &l->wire, &l->wire_len, err) < 0)
		return -1;
	/* The sealed copy (of nsrun from /proc/self/exe, which a joined mount
	 * namespace may not have, or of the exec shim): made first. */
	l->in_child = stage_runs_in_child(spec, &l->plan);
	l->stage_args.unshare_net = l->in_child && (spec->new_ns & CLONE_NEWNET);
	if (l->in_child)
		caps_learn_kernel();
	if (fault_point("launch.sealed-copy", err) < 0 ||
	    (l->in_child ? (l->stage_args.shim_fd = shim_sealed_fd(err))
			 : nsrun_reexec_sealed_fd(err)) < 0)
		return -1;
	/* Opened before any join: a joined mount namespace may have another
	 * /proc, where the child's host PID means nothing. */
	if ((l->plan.writer != IDMAP_WRITER_NONE || spec->oom_score_adj_set) &&
	    (l->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return nsrun_fail(err, errno, "open /proc");
	if (ct->n_cgroup_join > CGROUP_MAX_DIRS)
		return nsrun_fail(err, E2BIG, "cgroups to join");
	if (ct->n_cgroup_join &&
	    cgroup_join_open(ct->cgroup_join, ct->n_cgroup_join, l->cgroup_fds, err) < 0)
		return -1;
	l->n_cgroup_fds = ct->n_cgroup_join;
	int join_fds[NSRUN_MAX_JOINS];
	if (ns_open_joins(spec, join_fds, err) < 0 || ns_enter_joins(spec, join_fds, true, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, l->sv) < 0)
		return nsrun_fail(err, errno, "socketpair for the stage");
	return 0;
}

/* A cgroup with no limit in it is only bookkeeping: without the right to
 * create one (rootless on v1, no delegation) go on without, as runc
 * --rootless does. */
static bool go_without_cgroup(const struct nsrun_spec *spec, const struct nsrun_error *err)
{
	bool denied = err->errnum == EACCES || err->errnum == EPERM || err->errnum == EROFS;
	if (cgroup_wanted(spec) || !denied)
		return false;
	nsrun_trace(spec->verbose, "no cgroup: %s", err->msg);
	return true;
}

/* Recorded, then made: container_create's caller records the directories
 * in between, so a kill from here on leaves nothing unrecorded. First only
 * the v2 directory, which clone3 starts the child in; the rest once it
 * runs (make_other_cgroups). */
static int record_and_make_v2(const struct nsrun_spec *spec, struct staged_child *c,
			      struct nsrun_created *made, struct nsrun_error *err)
{
	if (notify_cgroups(&c->cg, made, err) < 0 || fault_point("launch.cgroup", err) < 0)
		return -1;
	if (cgroup_make_v2(spec, &c->cg, err) == 0)
		return 0;
	return go_without_cgroup(spec, err) ? notify_cgroups(&c->cg, made, err) : -1;
}

/* Planned, recorded and made before the clone only where clone3 needs a
 * directory to start the child in (v2) or systemd is to make them: on a
 * host without cgroup2 not even planned, all of it after the clone,
 * beside the child's own work (place_in_cgroups). */
static int make_cgroups(const struct nsrun_spec *spec, struct launch *l, struct staged_child *c,
			struct nsrun_created *made, struct nsrun_error *err)
{
	if (!cgroup_wanted(spec) && !spec->cgroup_path)
		return 0;
	if (!spec_container(spec)->systemd && !cgroup_v2_root()) {
		l->cgroups_after_clone = true;
		return 0;
	}
	if (cgroup_plan(spec, &c->cg, err) < 0)
		return -1;
	bool v2 = c->cg.systemd;
	for (unsigned i = 0; i < c->cg.n_dirs; i++)
		v2 = v2 || c->cg.dirs[i].v2;
	l->cgroups_after_clone = !v2;
	l->cgroups_planned = true;
	return v2 ? record_and_make_v2(spec, c, made, err) : 0;
}

/* The v1 directories and the limits, made while the child sets up: off
 * the launcher's path before the clone. Where they are refused, the v2
 * one the child is in stays. */
static int make_other_cgroups(const struct nsrun_spec *spec, struct staged_child *c,
			      struct nsrun_created *made, struct nsrun_error *err)
{
	if (!c->cg.n_dirs)
		return 0;
	if (fault_point("launch.cgroup-rest", err) < 0)
		return -1;
	if (cgroup_make_rest(spec, &c->cg, err) == 0)
		return 0;
	if (!go_without_cgroup(spec, err))
		return -1;
	cgroup_drop_v1(&c->cg);
	return notify_cgroups(&c->cg, made, err);
}

/* Clone the child that runs the stage, holding on the sync socket. */
static int clone_stage(const struct nsrun_spec *spec, struct launch *l, bool supervised,
		       struct staged_child *c, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	/* The network namespace made ahead, as late as can be: joined instead
	 * (the re-executed stage makes its own). */
	if (ct->net_ahead && (l->stage_args.net_fd = netns_ahead_take(ct->net_ahead)) >= 0) {
		l->stage_args.unshare_net = false;
		if (!l->in_child)
			close(take_fd(&l->stage_args.net_fd));
	}
	char fdtext[16];
	(void)snprintf(fdtext, sizeof(fdtext), "%d", l->sv[1]); /* a number: fits */
	char *stage_argv[] = { NSRUN_INIT_STAGE, fdtext, NULL };
	int inherit[3] = { l->sv[1], ct->exec_fifo_fd, ct->console_socket_fd };
	if (ct->exec_fifo_fd < 0)
		inherit[1] = ct->console_socket_fd;
	unsigned long deferred = (cgroup_ns_deferred(spec) ? (unsigned long)CLONE_NEWCGROUP : 0UL) |
				 (l->stage_args.unshare_net || l->stage_args.net_fd >= 0
					  ? (unsigned long)CLONE_NEWNET
					  : 0UL);
	struct nsrun_reexec_attr attr = {
		.clone_flags = spec->new_ns & ~deferred,
		.pdeathsig = supervised ? SIGKILL : 0,
		.sigmask = &c->old_mask,
		/* Hold the re-exec until the maps are written: with uid 0 mapped,
		 * execve keeps the capabilities by itself. Otherwise they must be
		 * carried as ambient ones, which costs some 45 system calls. */
		.hold_fd = l->sv[1],
		.hold_peer_fd = l->sv[0],
		.keep_capabilities = (spec->new_ns & CLONE_NEWUSER) && !idmap_maps_root(&l->plan),
		.cgroup_fd = c->cg.v2_fd > 0 ? c->cg.v2_fd : 0,
		.inherit_fds = inherit,
		.n_inherit_fds = 1 + (ct->exec_fifo_fd >= 0) + (ct->console_socket_fd >= 0),
	};
	struct reexec_in_child run_in_child = {
		.early = stage_in_child_early,
		.stage = stage_in_child,
		.arg = &l->stage_args,
		/* Cgroups to make, a state to write: work beside the stage's. */
		.spread = c->cg.n_dirs > 0 || l->cgroups_after_clone || ct->park,
	};
	if (fault_point("launch.clone", err) < 0)
		return -1;
	/* A stage run in the child of a joined PID namespace is seen by the
	 * processes already there: not dumpable from its first instant (the
	 * flag is inherited), which ours was only for the clone. */
	int was_dumpable = -1;
	if (l->in_child && joins_pid_ns(spec) &&
	    ((was_dumpable = prctl(PR_GET_DUMPABLE)) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0))
		return nsrun_fail(err, errno, "prctl PR_SET_DUMPABLE");
	c->pid = reexec_spawn(NSRUN_INIT_STAGE, stage_argv, NULL, &attr,
			      l->in_child ? &run_in_child : NULL, err);
	if (was_dumpable > 0 && prctl(PR_SET_DUMPABLE, was_dumpable) < 0 && c->pid > 0) {
		staged_kill_and_reap(c->pid);
		c->pid = -1;
		return nsrun_fail(err, errno, "prctl PR_SET_DUMPABLE");
	}
	if (c->pid < 0)
		return -1;
	close(take_fd(&l->sv[1]));
	char names[96];
	nsrun_trace(spec->verbose, "clone: pid %d in new namespaces: %s; the init stage %s",
		    (int)c->pid, ns_describe(spec->new_ns, names, sizeof(names)),
		    l->in_child ? "runs in it" : "re-executes nsrun");
	launch_json_child(spec, c->pid);
	return 0;
}

/* After the spec, while the child sets the sandbox up: the cgroups planned
 * and recorded where make_cgroups left that until now, the v1 ones made
 * and the child moved into them (it started in the v2 one), or into the
 * container's (exec); then the message it waits for before anything
 * needs them (stage_await_cgroups). A stage that failed meanwhile has said why
 * on the socket and exited: ESRCH and EPIPE leave that to the caller. */
static int place_in_cgroups(const struct nsrun_spec *spec, struct launch *l, struct staged_child *c,
			    struct nsrun_created *made, struct nsrun_error *err)
{
	bool v2_entered = c->cg.v2_fd > 0 && !reexec_cgroup_not_entered();
	if ((l->cgroups_after_clone &&
	     ((!l->cgroups_planned && cgroup_plan(spec, &c->cg, err) < 0) ||
	      record_and_make_v2(spec, c, made, err) < 0)) ||
	    make_other_cgroups(spec, c, made, err) < 0 ||
	    fault_point("launch.cgroup-enter", err) < 0)
		return -1;
	if ((c->cg.n_dirs && cgroup_enter(&c->cg, c->pid, v2_entered, err) < 0) ||
	    (l->n_cgroup_fds && cgroup_join(l->cgroup_fds, l->n_cgroup_fds, c->pid, err) < 0))
		return err->errnum == ESRCH ? 0 : -1;
	if (fault_point("launch.cgroups-ready", err) < 0)
		return -1;
	if (sync_send(l->sv[0], STAGE_CGROUPS_READY, 1, err) < 0)
		return err->errnum == EPIPE || err->errnum == ECONNRESET ? 0 : -1;
	return 0;
}

/* Write the child's maps, release it and send it the spec, then make and
 * enter its cgroups while it works. */
static int release_stage(const struct nsrun_spec *spec, struct launch *l, struct staged_child *c,
			 struct nsrun_created *made, struct nsrun_error *err)
{
	if (fault_point("launch.cgroup-unit", err) < 0 ||
	    cgroup_start_unit(spec, &c->cg, c->pid, err) < 0 ||
	    /* A user's manager chose where the scope's directories are. */
	    (c->cg.systemd && c->cg.unit.user && notify_cgroups(&c->cg, made, err) < 0) ||
	    (spec->oom_score_adj_set && set_oom_score_adj(spec, l->proc_fd, c->pid, err) < 0) ||
	    fault_point("launch.idmap", err) < 0 ||
	    idmap_plan_apply(&l->plan, l->proc_fd, c->pid, spec->verbose, err) < 0 ||
	    fault_point("launch.release", err) < 0 || sync_release(l->sv[0], err) < 0 ||
	    fault_point("launch.send-spec", err) < 0 ||
	    sync_send(l->sv[0], l->wire, l->wire_len, err) < 0 ||
	    place_in_cgroups(spec, l, c, made, err) < 0)
		return -1;
	c->sync_fd = take_fd(&l->sv[0]);
	return 0;
}

int staged_start(const struct nsrun_spec *spec, bool supervised, struct staged_child *c,
		 struct nsrun_created *made, struct nsrun_error *err)
{
	struct launch l = {
		.proc_fd = -1,
		.sv = { -1, -1 },
		.stage_args = { .shim_fd = -1, .net_fd = -1 },
	};
	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->sync_fd = -1;
	c->cg.v2_fd = -1;
	int rc = prepare(spec, &l, err);
	if (rc == 0)
		rc = make_cgroups(spec, &l, c, made, err);
	/* Block before the clone so no signal meant for the command is lost;
	 * the child starts with the caller's mask. */
	sigset_t forward;
	forward_signal_set(&forward);
	if (rc == 0 && sigprocmask(supervised ? SIG_BLOCK : SIG_SETMASK,
				   supervised ? &forward : NULL, &c->old_mask) < 0)
		rc = nsrun_fail(err, errno, "sigprocmask");
	c->masked = rc == 0 && supervised;
	l.stage_args.command_mask = &c->old_mask;
	if (rc == 0)
		rc = clone_stage(spec, &l, supervised, c, err);
	if (rc == 0 && release_stage(spec, &l, c, made, err) < 0) {
		staged_kill_and_reap(c->pid);
		c->pid = -1;
		rc = -1;
	}
	if (rc < 0) {
		cgroup_destroy(&c->cg);
		staged_release(c);
	}
	launch_release(&l);
	return rc;
}
