/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime's starts: create in two phases (container_create, then
 * container_commit or container_abort) and exec --detach
 * (container_spawn). See engine/container.h. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container.h"
#include "engine/limits/seccomp.h"
#include "engine/start/forward.h"
#include "engine/start/staged.h"
#include "engine/start/sync.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/prefault.h"

/* The stage's first word after the spec: "R" once parked (create), a clean
 * end of stream once it executed the command (spawn: the socket is
 * close-on-exec), or an error message when the set-up failed. 0 when it
 * said what `ready` expects; otherwise -1 with err filled and the stage
 * reaped. */
static int await_stage(struct staged_child *c, bool ready, struct nsrun_error *err)
{
	cleanup_free char *msg = NULL;
	size_t len = 0;
	int r = sync_recv(c->sync_fd, &msg, &len, err);
	bool said_ready = r == 0 && len == 1 && msg[0] == 'R';
	if (ready ? said_ready : r == 1)
		return 0;
	bool said_error = r == 0 && sync_error_parse(msg, len, err) == 0;
	if (!said_error)
		kill(c->pid, SIGKILL);
	int status = 0;
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r >= 0 && !said_error)
		nsrun_fail(err, 0, "the container's init ended before it was ready (status %d)",
			   exit_status_of(status));
	c->pid = -1;
	return -1;
}

static int compile_and_check(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (nsrun_spec_validate(spec, err) < 0)
		return -1;
	return spec->seccomp ? seccomp_compile(spec->seccomp, err) : 0;
}

int container_spawn(const struct nsrun_spec *spec, pid_t *pid, struct nsrun_error *err)
{
	struct staged_child c;
	if (compile_and_check(spec, err) < 0 || staged_start(spec, false, &c, NULL, err) < 0)
		return -1;
	*pid = c.pid;
	int rc = await_stage(&c, false, err);
	staged_release(&c);
	return rc;
}

int container_create(const struct nsrun_spec *spec, struct nsrun_created *out,
		     struct nsrun_error *err)
{
	struct staged_child c;
	out->pid = -1;
	out->n_cgroup_dirs = 0;
	out->commit_fd = -1;
	if (!spec_container(spec)->park)
		return nsrun_fail(err, EINVAL, "create: the spec must park");
	if (compile_and_check(spec, err) < 0)
		return -1;
	if (staged_start(spec, false, &c, out, err) < 0) {
		out->n_cgroup_dirs = 0; /* staged_start removed them */
		return -1;
	}
	out->pid = c.pid;
	bool failed = out->on_started && out->on_started(out, out->arg, err) < 0;
	if (failed)
		staged_kill_and_reap(c.pid);
	if (failed || await_stage(&c, true, err) < 0) {
		out->pid = -1;
		cgroup_destroy(&c.cg);
		out->n_cgroup_dirs = 0;
		staged_release(&c);
		return -1;
	}
	/* Kept open: the stage waits on it for the commit, and leaves if we die. */
	out->commit_fd = take_fd(&c.sync_fd);
	staged_release(&c);
	return 0;
}

int container_commit(struct nsrun_created *made, struct nsrun_error *err)
{
	int rc = fault_point("launch.commit", err);
	if (rc == 0)
		rc = sync_send(made->commit_fd, "C", 1, err);
	close(made->commit_fd);
	made->commit_fd = -1;
	/* The init executed the shim before it said ready: our memory is ours
	 * alone, taken back while it goes on (prefault.h). */
	if (rc == 0)
		prefault_after_child();
	return rc;
}

void container_abort(struct nsrun_created *made)
{
	if (made->commit_fd >= 0)
		close(made->commit_fd);
	made->commit_fd = -1;
	if (made->pid > 0)
		staged_kill_and_reap(made->pid);
	made->pid = -1;
	struct nsrun_error ignored; /* what stays, delete --force removes */
	cgroup_remove_dirs(made->cgroup_dirs, made->n_cgroup_dirs, &ignored);
	made->n_cgroup_dirs = 0;
}
