/* The init stage: runs in the new namespaces, from the sealed binary copy
 * or in the cloned child itself (launch.c), waits for the launcher to write
 * the id maps, sets up and execs. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/limits/caps.h"
#include "engine/cgroup/cgroup.h"
#include "engine/start/exec.h"
#include "engine/start/hookrun.h"
#include "engine/start/stage.h"
#include "engine/ns/namespaces.h"
#include "engine/start/reaper.h"
#include "engine/start/setup.h"
#include "engine/start/sync.h"
#include "engine/start/wire.h"
#include "util/fault.h"
#include "util/fds.h"
#include "util/log.h"

/* An OCI create's launcher waits for "R" or "E<message>" and logs the
 * message its own way; a sandbox's init says it on stderr. */
static int sync_fd_for_errors = -1;

static int report(const struct nsrun_error *err)
{
	if (sync_fd_for_errors >= 0) {
		char msg[sizeof(err->msg) + 1];
		int n = snprintf(msg, sizeof(msg), "E%s", err->msg);
		struct nsrun_error ignored;
		if (sync_send(sync_fd_for_errors, msg, (size_t)n, &ignored) == 0)
			return err->status ? err->status : NSRUN_EXIT_FAILURE;
	}
	dprintf(STDERR_FILENO, "nsrun: %s\n", err->msg);
	return err->status ? err->status : NSRUN_EXIT_FAILURE;
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
	char *commit = NULL;
	size_t len = 0;
	int r = sync_recv(sync_fd, &commit, &len, err);
	bool committed = r == 0 && len == 1 && commit[0] == 'C';
	free(commit);
	if (!committed)
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

int nsrun_init_stage(int argc, char **argv)
{
	struct nsrun_error err = { 0 };
	nsrun_trace_set_name(NSRUN_INIT_STAGE);
	/* ps shows "memfd:nsrun" otherwise. */
	prctl(PR_SET_NAME, NSRUN_INIT_STAGE);
	if (argc != 2)
		return NSRUN_EXIT_FAILURE;
	char *end;
	long sync_fd = strtol(argv[1], &end, 10);
	if (*end != '\0' || sync_fd < 3 || sync_fd > 1 << 20)
		return NSRUN_EXIT_FAILURE;
	if (fcntl((int)sync_fd, F_SETFD, FD_CLOEXEC) < 0)
		return NSRUN_EXIT_FAILURE;

	/* Blocks until the launcher has written the id maps. */
	char *buf;
	size_t len;
	int r = sync_recv((int)sync_fd, &buf, &len, &err);
	if (r == 1)
		return NSRUN_EXIT_FAILURE; /* the launcher failed and said why */
	if (r < 0)
		return report(&err);
	struct nsrun_spec spec;
	if (spec_decode(buf, len, &spec, &err) < 0) {
		free(buf);
		return report(&err);
	}
	nsrun_trace(spec.verbose, "stage entered as pid %d", (int)getpid());
	const struct nsrun_container *ct = spec_container(&spec);
	if (ct->park || ct->report_errors)
		sync_fd_for_errors = (int)sync_fd;
	int status = NSRUN_EXIT_FAILURE;
	if (launcher_gone((int)sync_fd))
		goto out;
	if (fault_point("init.spec", &err) < 0)
		goto failed;
	if (early_what) {
		nsrun_fail(&err, early_errnum, "%s", early_what);
		goto failed;
	}
	/* Root of the new user namespace may be another host id than ours (root
	 * mapped to 100000): become it, as a process that makes files must have
	 * a mapped uid. Fails harmlessly where 0 is not mapped. The uid change
	 * clears PR_SET_PDEATHSIG: armed, it is armed again. */
	if ((spec.new_ns & CLONE_NEWUSER) && getuid() != 0) {
		int deathsig = 0;
		if (prctl(PR_GET_PDEATHSIG, &deathsig) < 0)
			deathsig = 0;
		if (setresgid(0, 0, 0) == 0)
			setgroups(0, NULL);
		if (setresuid(0, 0, 0) < 0 && errno != EINVAL) {
			nsrun_fail(&err, errno, "become root of the user namespace");
			goto failed;
		}
		if (deathsig && (prctl(PR_SET_PDEATHSIG, deathsig) < 0 || launcher_gone((int)sync_fd)))
			goto out;
	}
	/* Run in the cloned child, the stage's image is nsrun's binary on the
	 * host until it executes the shim: keep whoever might join the
	 * sandbox meanwhile out of /proc/PID/exe and away from ptrace. Not
	 * before the launcher has written our id maps, which needs it, and
	 * again after every change of ids (exec_via_shim), which may reset it
	 * (fs.suid_dumpable). */
	if (exec_shim_fd() >= 0 && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		nsrun_fail(&err, errno, "prctl PR_SET_DUMPABLE");
		goto failed;
	}
	if (fault_point("init.cgroupns", &err) < 0)
		goto failed;
	if (cgroup_ns_deferred(&spec) && unshare(CLONE_NEWCGROUP) < 0) {
		nsrun_fail(&err, errno, "unshare the cgroup namespace");
		goto failed;
	}
	/* Nothing inherited but what the spec names may reach the set-up: a
	 * --chdir through /proc/self/fd would otherwise lead out. */
	int keep[64 + 5];
	unsigned n_keep = 0;
	keep[n_keep++] = (int)sync_fd;
	keep[n_keep++] = spec.block_fd;
	keep[n_keep++] = ct->exec_fifo_fd;
	keep[n_keep++] = ct->console_socket_fd;
	keep[n_keep++] = exec_shim_fd();
	for (unsigned i = 0; i < spec.n_keep_fds && n_keep < sizeof(keep) / sizeof(keep[0]); i++)
		keep[n_keep++] = spec.keep_fds[i];
	if (fault_point("init.close-fds", &err) < 0 || fds_close_all_but(keep, n_keep, &err) < 0)
		goto failed;
	/* What the re-exec carried as ambient capabilities ends here; the
	 * effective set stays for the set-up. */
	if ((spec.new_ns & CLONE_NEWUSER) && caps_clear_carried(&err) < 0)
		goto failed;
	if (fault_point("init.setup", &err) < 0 || hookrun_prepare(&spec, &err) < 0 ||
	    ns_enter_mount_join(&spec, &err) < 0 ||
	    sandbox_setup(&spec, &err) < 0 || exec_wait_block_fd(&spec, &err) < 0)
		goto failed;
	/* A uid change cleared PR_SET_PDEATHSIG: arm it again, and make sure
	 * the launcher did not die in between. */
	if (spec.as_user) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
			nsrun_fail(&err, errno, "prctl PR_SET_PDEATHSIG");
			goto failed;
		}
		if (launcher_gone((int)sync_fd))
			goto out;
	}
	if (ct->park) {
		int parked = park(&spec, (int)sync_fd, &err);
		if (parked < 0)
			goto failed;
		if (parked > 0)
			goto out;
		/* Started: the startContainer hooks, in the container. */
		if (hookrun_container(&spec, "startContainer", &err) < 0)
			goto failed;
	}
	if (spec.init) {
		close((int)sync_fd);
		status = reaper_run(&spec, &err);
		if (status >= 0)
			goto out;
	} else {
		exec_command(&spec, &err);
	}
failed:
	status = report(&err);
out:
	spec_decoded_release(&spec);
	free(buf);
	return status;
}
