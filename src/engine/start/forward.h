/* SPDX-License-Identifier: Apache-2.0 */
/* The launcher's wait: forward signals to the sandbox's first process and
 * turn its end into an exit status. */
#ifndef NSRUN_ENGINE_START_FORWARD_H
#define NSRUN_ENGINE_START_FORWARD_H

#include <signal.h>
#include <sys/types.h>

#include <nsrun/error.h>

/* The signals a launcher passes on: SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGWINCH; plus SIGCHLD, which ends the wait. */
void forward_signal_set(sigset_t *set);

/* With the signals of forward_signal_set() blocked, pass each one on to pid
 * until it ends, stop_signal (if not 0) for SIGTERM and SIGINT. Returns its
 * exit status, 128+N for signal N. */
int forward_until_exit(pid_t pid, int stop_signal, int verbose, struct nsrun_error *err);

/* The exit status for a wait() status: the code, or 128+N for signal N. */
int exit_status_of(int wstatus);

#endif
