/* SPDX-License-Identifier: Apache-2.0 */
/* Signal forwarding and the final wait. See forward.h. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "engine/start/forward.h"
#include "util/log.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

void forward_signal_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

int exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return NSRUN_EXIT_FAILURE;
}

int forward_until_exit(pid_t pid, int stop_signal, int verbose, struct nsrun_error *err)
{
	sigset_t set;
	forward_signal_set(&set);
	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			nsrun_trace(verbose, "pid %d ended, exit status %d", (int)pid,
				    exit_status_of(status));
			return exit_status_of(status);
		}
		if (r < 0 && errno != EINTR)
			return nsrun_fail(err, errno, "wait for pid %d", (int)pid);
		siginfo_t info;
		int sig = sigwaitinfo(&set, &info);
		if (sig < 0 || sig == SIGCHLD)
			continue;
		if (stop_signal && (sig == SIGTERM || sig == SIGINT))
			sig = stop_signal;
		nsrun_trace(verbose, "forwarding %s to pid %d", strsignal(sig), (int)pid);
		if (kill(pid, sig) < 0 && errno != ESRCH)
			return nsrun_fail(err, errno, "forward signal %d to pid %d", sig, (int)pid);
	}
}
