/* SPDX-License-Identifier: Apache-2.0 */
/* nsrun_run(): chooses between the two start-up paths.
 *
 * in place  join/unshare, write the maps, set up, execve: the command keeps
 *           our PID (inplace.c).
 * staged    clone a child into the new namespaces that runs the stage
 *           (staged.c), forward signals to it and wait. */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nsrun/nsrun.h>

#include "engine/cgroup/cgroup.h"
#include "engine/limits/seccomp.h"
#include "engine/ns/namespaces.h"
#include "engine/start/forward.h"
#include "engine/start/launch.h"
#include "engine/start/staged.h"
#include "engine/start/sync.h"
#include "util/cleanup.h"
#include "util/log.h"

static bool is_staged(const struct nsrun_spec *spec)
{
	/* A cgroup needs someone to remove it when the sandbox ends. */
	if (spec->force_child || spec->init || (spec->new_ns & CLONE_NEWPID) || cgroup_wanted(spec))
		return true;
	/* A session leader cannot make a new session, and dropping its
	 * terminal does not stop the command from taking it again: a child
	 * can (setsid). */
	if (spec->new_session && getsid(0) == getpid())
		return true;
	/* setns into a PID namespace takes effect for children only. */
	for (unsigned i = 0; i < spec->n_joins; i++)
		if (spec->joins[i].type == CLONE_NEWPID)
			return true;
	return false;
}

int launch_die_with_parent(pid_t parent, struct nsrun_error *err)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_DIE_WITH_PARENT, -1, errno,
					"PR_SET_PDEATHSIG");
	if (getppid() != parent)
		return nsrun_fail_about(err, NSRUN_ABOUT_DIE_WITH_PARENT, -1, 0,
					"the parent process is gone");
	return 0;
}

/* Best effort: a reader that went away must not stop the sandbox. */
void launch_json_status(const struct nsrun_spec *spec, const char *key, long value)
{
	if (spec->json_status_fd < 0)
		return;
	char line[64];
	int n = snprintf(line, sizeof(line), "{\"%s\": %ld}\n", key, value);
	ssize_t w = write(spec->json_status_fd, line, (size_t)n);
	(void)w;
}

/* {"child-pid": N, "user-namespace": INODE, ...}, as bwrap reports it:
 * the pid, and the namespaces made for it that it is in now (so that
 * others can join them by inode). */
void launch_json_child(const struct nsrun_spec *spec, pid_t pid)
{
	if (spec->json_status_fd < 0)
		return;
	static const char *const names[] = { "cgroup", "ipc",  "mnt",  "net",
					     "pid",    "time", "user", "uts" };
	char line[512];
	size_t used = (size_t)snprintf(line, sizeof(line), "{\"child-pid\": %d", (int)pid);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char theirs[64], ours[64];
		struct stat a, b;
		(void)snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, names[i]);
		(void)snprintf(ours, sizeof(ours), "/proc/%d/ns/%s", (int)getppid(), names[i]);
		if (!(spec->new_ns & (unsigned long)ns_flag_from_name(names[i])) ||
		    stat(theirs, &a) < 0 || (stat(ours, &b) == 0 && a.st_ino == b.st_ino))
			continue;
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 ", \"%s-namespace\": %lu",
					 strcmp(names[i], "mnt") == 0 ? "mnt" : names[i],
					 (unsigned long)a.st_ino); /* 8 names and numbers: fits */
	}
	used += (size_t)snprintf(line + used, sizeof(line) - used, "}\n");
	ssize_t w = write(spec->json_status_fd, line, used);
	(void)w;
}

/* What the stage said before it ended, if anything: a set-up error it sent
 * instead of executing the command. */
static int stage_error(int sync_fd, struct nsrun_error *err)
{
	cleanup_free char *msg = NULL;
	size_t len = 0;
	struct nsrun_error ignored;
	if (sync_recv(sync_fd, &msg, &len, &ignored) != 0)
		return 0;
	return sync_error_parse(msg, len, err) == 0 ? -1 : 0;
}

/* A command killed for memory says nothing itself: nsrun does, keeping
 * its status. */
static void tell_oom(const struct nsrun_spec *spec, const struct cgroup_sandbox *cg, int status)
{
	if (status != 128 + SIGKILL || cgroup_oom_kills(cg) == 0)
		return;
	char limit[48] = "";
	int64_t bytes = spec->cgroup.memory;
	if (bytes > 0 && bytes % (1 << 20) == 0)
		(void)snprintf(limit, sizeof(limit), " (memory limit %" PRId64 " MiB)",
			       bytes >> 20);
	else if (bytes > 0)
		(void)snprintf(limit, sizeof(limit), " (memory limit %" PRId64 " bytes)", bytes);
	nsrun_say("killed by the out-of-memory killer%s", limit);
}

static int run_staged(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	struct staged_child c;
	if (staged_start(spec, true, &c, NULL, err) < 0)
		return -1;
	int status = forward_until_exit(c.pid, spec->stop_signal, spec->verbose, err);
	tell_oom(spec, &c.cg, status);
	if (status < 0)
		staged_kill_and_reap(c.pid);
	else
		launch_json_status(spec, "exit-code", status);
	if (status >= 0 && stage_error(c.sync_fd, err) < 0)
		status = -1;
	cgroup_destroy(&c.cg);
	staged_release(&c);
	return status;
}

int nsrun_run(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	if (spec->verbose)
		nsrun_trace_start();
	if (nsrun_spec_validate(spec, err) < 0)
		return -1;
	/* Compiled here, outside: the sandbox gets the finished program. */
	if (spec->seccomp && seccomp_compile(spec->seccomp, err) < 0)
		return -1;
	return is_staged(spec) ? run_staged(spec, err) : launch_in_place(spec, err);
}
