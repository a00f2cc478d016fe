/* SPDX-License-Identifier: Apache-2.0 */
/* The stage: runs in the new namespaces, from the sealed binary copy or in
 * the cloned child itself (launch.c), and becomes the command. In order:
 * receive the spec (which waits until the launcher has written the id
 * maps), become root of the user namespace, isolate (descriptors,
 * dumpable, carried capabilities), set the sandbox up (waiting for the
 * cgroups, and making the cgroup namespace, where they are first needed),
 * park (OCI create), and execute the command. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "engine/cgroup/cgroup.h"
#include "engine/container.h"
#include "engine/limits/caps.h"
#include "engine/ns/namespaces.h"
#include "engine/ns/user.h"
#include "engine/start/exec.h"
#include "engine/start/hookrun.h"
#include "engine/start/reaper.h"
#include "engine/start/setup.h"
#include "engine/start/stage.h"
#include "engine/start/sync.h"
#include "engine/start/wire.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/fds.h"
#include "util/log.h"

/* Descriptors the stage itself holds besides the spec's kept ones. */
#define STAGE_OWN_FDS 5

/* The launcher reads set-up errors from the sync socket until the stage
 * executes the command or, for OCI create, until create has committed. */
static int sync_fd_for_errors = -1;

static int report(const struct nsrun_error *err)
{
	int status = err->status ? err->status : NSRUN_EXIT_FAILURE;
	if (sync_fd_for_errors >= 0) {
		char msg[sizeof(err->msg) + 48];
		int n = sync_error_format(err, msg, sizeof(msg));
		struct nsrun_error ignored;
		if (sync_send(sync_fd_for_errors, msg, (size_t)n, &ignored) == 0)
			return status;
	}
	nsrun_error_print(err);
	return status;
}

/* OCI create: say "ready", wait for create to commit, then wait for start's
 * byte on the exec fifo, if there is one (run has none). 1 when create did
 * not commit: leave quietly.
 * With the exec shim, the shim says it, waits and runs the command:
 * returns only on failure. */
static int park(const struct nsrun_spec *spec, int sync_fd, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	/* A command that cannot run fails create, not start (podman reports
	 * 127 from here). */
	if (fault_point("init.park", err) < 0)
		return -1;
	/* An init stage in the cloned child has the sealed exec shim say
	 * "ready" and wait: a parked container's PID 1 is never nsrun's image,
	 * and what fails before (the command's check too) is still create's
	 * error. */
	if (exec_shim_fd() >= 0)
		return fault_point("init.wait-start", err) < 0
			       ? -1
			       : exec_via_shim(spec, sync_fd, ct->exec_fifo_fd, err);
	if (exec_check_command(spec, err) < 0 || sync_send(sync_fd, "R", 1, err) < 0)
		return -1;
	sync_fd_for_errors = -1; /* create reads no more errors: to stderr */
	/* Until create has recorded us (container_commit), a launcher that
	 * dies or gives up takes us with it: nothing runs that no state knows. */
	cleanup_free char *commit = NULL;
	size_t len = 0;
	int r = sync_recv(sync_fd, &commit, &len, err);
	if (!(r == 0 && len == 1 && commit[0] == 'C'))
		return 1;
	if (fault_point("init.wait-start", err) < 0)
		return -1;
	if (ct->exec_fifo_fd < 0)
		return 0; /* OCI run: started by the commit */
	char c;
	ssize_t n;
	do
		n = read(ct->exec_fifo_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return nsrun_fail(err, n < 0 ? errno : EPIPE, "wait for start on the exec fifo");
	close(ct->exec_fifo_fd);
	return 0;
}

/* The sync socket while STAGE_CGROUPS_READY is still to come. */
static int cgroups_pending_fd = -1;

int stage_await_cgroups(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	int fd = cgroups_pending_fd;
	if (fd < 0)
		return 0;
	cgroups_pending_fd = -1;
	if (fault_point("init.cgroups", err) < 0)
		return -1;
	cleanup_free char *msg = NULL;
	size_t len = 0;
	int r = sync_recv(fd, &msg, &len, err);
	/* The launcher failed and said why, or died: nothing to report, and
	 * nothing to undo but in our own namespaces. */
	if (r == 1)
		_exit(NSRUN_EXIT_FAILURE);
	if (r < 0)
		return -1;
	if (len != 1 || msg[0] != STAGE_CGROUPS_READY[0])
		return nsrun_fail(err, EPROTO, "sync socket: a message out of turn");
	nsrun_trace(spec->verbose, "in the cgroups");
	if (fault_point("init.cgroupns", err) < 0)
		return -1;
	if (cgroup_ns_deferred(spec) && unshare(CLONE_NEWCGROUP) < 0)
		return nsrun_fail(err, errno, "unshare the cgroup namespace");
	return 0;
}

static int early_errnum;
static const char *early_what;

void init_stage_fail_early(int errnum, const char *what)
{
	early_errnum = errnum;
	early_what = what;
}

/* The launcher may have died before our PR_SET_PDEATHSIG took hold; its end
 * of the sync socket is closed then. */
static bool launcher_gone(int sync_fd)
{
	struct pollfd p = { .fd = sync_fd, .events = POLLRDHUP };
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* The sync descriptor from argv: { "nsrun:init", "<fd>" }; -1 if malformed. */
static int stage_sync_fd(int argc, char **argv)
{
	if (argc != 2)
		return -1;
	char *end;
	long fd = strtol(argv[1], &end, 10);
	if (*end != '\0' || fd < 3 || fd > 1 << 20 || fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return (int)fd;
}

/* Root of the new user namespace may be another host id than ours (root
 * mapped to 100000): become it, as a process that makes files must have a
 * mapped uid. Fails harmlessly where 0 is not mapped. The uid change clears
 * PR_SET_PDEATHSIG: armed, it is armed again. 1 when the launcher is gone. */
static int become_root(const struct nsrun_spec *spec, int sync_fd, struct nsrun_error *err)
{
	if (!(spec->new_ns & CLONE_NEWUSER) || getuid() == 0)
		return 0;
	int deathsig = 0;
	if (prctl(PR_GET_PDEATHSIG, &deathsig) < 0)
		deathsig = 0;
	if (user_become_ns_root(err) < 0)
		return -1;
	if (deathsig && (prctl(PR_SET_PDEATHSIG, deathsig) < 0 || launcher_gone(sync_fd)))
		return 1;
	return 0;
}

/* Before anything reads a path the sandbox controls. */
static int isolate(const struct nsrun_spec *spec, int sync_fd, struct nsrun_error *err)
{
	const struct nsrun_container *ct = spec_container(spec);
	/* Run in the cloned child, the stage's image is nsrun's binary on the
	 * host until it executes the shim: keep whoever might join the
	 * sandbox meanwhile out of /proc/PID/exe and away from ptrace. Not
	 * before the launcher has written our id maps, which needs it, and
	 * again after every change of ids (exec_via_shim), which may reset it
	 * (fs.suid_dumpable). */
	if (exec_shim_fd() >= 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return nsrun_fail(err, errno, "prctl PR_SET_DUMPABLE");
	/* Nothing inherited but what the spec names may reach the set-up: a
	 * working directory through /proc/self/fd would otherwise lead out. */
	int keep[64 + STAGE_OWN_FDS];
	unsigned n_keep = 0;
	keep[n_keep++] = sync_fd;
	keep[n_keep++] = spec->block_fd;
	keep[n_keep++] = ct->exec_fifo_fd;
	keep[n_keep++] = ct->console_socket_fd;
	keep[n_keep++] = exec_shim_fd();
	for (unsigned i = 0; i < spec->n_keep_fds && n_keep < ARRAY_SIZE(keep); i++)
		keep[n_keep++] = spec->keep_fds[i];
	if (fault_point("init.close-fds", err) < 0 || fds_close_all_but(keep, n_keep, err) < 0)
		return -1;
	/* What the re-exec carried as ambient capabilities ends here; the
	 * effective set stays for the set-up. */
	if ((spec->new_ns & CLONE_NEWUSER) && caps_clear_carried(err) < 0)
		return -1;
	return 0;
}

/* The set-up proper, then the parent-death signal again where a user
 * switch cleared it. 1 when the launcher is gone. */
static int set_up(const struct nsrun_spec *spec, int sync_fd, struct nsrun_error *err)
{
	if (fault_point("init.setup", err) < 0 || hookrun_prepare(spec, err) < 0 ||
	    ns_enter_mount_join(spec, err) < 0 || sandbox_setup(spec, err) < 0 ||
	    exec_wait_block_fd(spec, err) < 0)
		return -1;
	if (!spec->as_user)
		return 0;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return nsrun_fail(err, errno, "prctl PR_SET_PDEATHSIG");
	return launcher_gone(sync_fd) ? 1 : 0;
}

/* The reaper forked the command: its errors go to stderr from now on, and
 * the sync descriptor closes with the reaper's others. */
static void stop_reporting(void)
{
	sync_fd_for_errors = -1;
}

/* Park if asked, then execute the command or run the reaper beside it.
 * Returns the stage's exit status, or -1 with err filled. */
static int run_command(const struct nsrun_spec *spec, int sync_fd, struct nsrun_error *err)
{
	if (spec_container(spec)->park) {
		int parked = park(spec, sync_fd, err);
		if (parked != 0)
			return parked < 0 ? -1 : NSRUN_EXIT_FAILURE;
		/* Started: the startContainer hooks, in the container. */
		if (hookrun_container(spec, "startContainer", err) < 0)
			return -1;
	}
	if (!spec->init) {
		exec_command(spec, err);
		return -1;
	}
	/* Until the command is forked, a failure (EAGAIN at pids.max) still
	 * goes to the launcher, which names --init. */
	return reaper_run(spec, stop_reporting, err);
}

/* Every step after the spec is known. */
static int stage_steps(const struct nsrun_spec *spec, int sync_fd, struct nsrun_error *err)
{
	int r;
	if (launcher_gone(sync_fd))
		return NSRUN_EXIT_FAILURE;
	if (fault_point("init.spec", err) < 0)
		return -1;
	if (early_what)
		return nsrun_fail(err, early_errnum, "%s", early_what);
	if ((r = become_root(spec, sync_fd, err)) != 0)
		return r < 0 ? -1 : NSRUN_EXIT_FAILURE;
	if (isolate(spec, sync_fd, err) < 0)
		return -1;
	if ((r = set_up(spec, sync_fd, err)) != 0)
		return r < 0 ? -1 : NSRUN_EXIT_FAILURE;
	return run_command(spec, sync_fd, err);
}

int nsrun_init_stage(int argc, char **argv)
{
	struct nsrun_error err = { 0 };
	nsrun_trace_set_name(NSRUN_INIT_STAGE);
	nsrun_trace_start();
	/* ps shows "memfd:nsrun" otherwise. */
	prctl(PR_SET_NAME, NSRUN_INIT_STAGE);
	int sync_fd = stage_sync_fd(argc, argv);
	if (sync_fd < 0)
		return NSRUN_EXIT_FAILURE;
	sync_fd_for_errors = sync_fd;
	/* Blocks until the launcher has written the id maps. */
	cleanup_free char *buf = NULL;
	size_t len;
	int r = sync_recv(sync_fd, &buf, &len, &err);
	if (r == 1)
		return NSRUN_EXIT_FAILURE; /* the launcher failed and said why */
	struct nsrun_spec spec;
	if (r < 0 || spec_decode(buf, len, &spec, &err) < 0)
		return report(&err);
	nsrun_trace(spec.verbose, "stage entered as pid %d", (int)getpid());
	cgroups_pending_fd = sync_fd;
	int status = stage_steps(&spec, sync_fd, &err);
	if (status < 0)
		status = report(&err);
	spec_decoded_release(&spec);
	return status;
}
