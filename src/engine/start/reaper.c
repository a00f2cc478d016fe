/* SPDX-License-Identifier: Apache-2.0 */
/* The reaper that stays PID 1 beside the command. See reaper.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/start/exec.h"
#include "engine/start/forward.h"
#include "engine/start/reaper.h"
#include "util/fds.h"
#include "util/log.h"

/* Reap every child that has ended; true once `main_pid` is among them. */
static bool reap_all(pid_t main_pid, int *main_status)
{
	bool main_done = false;
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid <= 0)
			return main_done;
		if (pid == main_pid) {
			*main_status = status;
			main_done = true;
		}
	}
}

int reaper_run(const struct nsrun_spec *spec, void (*forked)(void), struct nsrun_error *err)
{
	sigset_t forward, old;
	/* Without a PID namespace we are not PID 1: orphans come to us only as
	 * a subreaper. */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_INIT, -1, errno, "PR_SET_CHILD_SUBREAPER");
	forward_signal_set(&forward);
	if (sigprocmask(SIG_BLOCK, &forward, &old) < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_INIT, -1, errno, "sigprocmask");
	pid_t pid = fork();
	if (pid < 0)
		return nsrun_fail_about(err, NSRUN_ABOUT_INIT, -1, errno, "fork the command");
	if (pid == 0) {
		struct nsrun_error cerr = { 0 };
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (spec->init_group && setpgid(0, 0) < 0)
			nsrun_fail_about(&cerr, NSRUN_ABOUT_INIT_GROUP, -1, errno, "setpgid");
		else
			exec_command(spec, &cerr);
		nsrun_error_print(&cerr);
		_exit(cerr.status ? cerr.status : NSRUN_EXIT_FAILURE);
	}
	forked();
	/* PID 1 is visible to the command: it keeps no descriptor of its own
	 * (the ones passed on are the command's; the sync one closes here). */
	struct nsrun_error ignored;
	fds_close_all_but(NULL, 0, &ignored);
	/* The group exists once either side has called setpgid. */
	if (spec->init_group)
		setpgid(pid, pid);
	nsrun_trace(spec->verbose, "reaper: the command is pid %d", (int)pid);
	pid_t target = spec->init_group ? -pid : pid;
	int status = 0;
	for (;;) {
		if (reap_all(pid, &status))
			break;
		siginfo_t info;
		int sig = sigwaitinfo(&forward, &info);
		if (sig < 0 || sig == SIGCHLD)
			continue;
		nsrun_trace(spec->verbose, "reaper: forwarding %s", strsignal(sig));
		if (kill(target, sig) < 0 && errno != ESRCH)
			return nsrun_fail_about(err, NSRUN_ABOUT_INIT, -1, errno,
						"forward signal %d", sig);
	}
	return exit_status_of(status);
}
