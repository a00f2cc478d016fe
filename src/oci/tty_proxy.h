/* SPDX-License-Identifier: Apache-2.0 */
/* A foreground container's terminal held by nsrun itself (run -t and
 * exec -t without --console-socket). */
#ifndef NSRUN_OCI_TTY_PROXY_H
#define NSRUN_OCI_TTY_PROXY_H

#include <sys/types.h>

#include <nsrun/error.h>

/* The pty master the stage sent over sock (one SCM_RIGHTS descriptor). */
int tty_receive_master(int sock, struct nsrun_error *err);

/* Copy between our stdin/stdout and master until pid (our child) ends,
 * our terminal in raw mode and the window size following ours; signals
 * meant for the container are passed on to pid. Returns its exit status
 * (128+N for signal N). */
int tty_proxy(int master, pid_t pid, struct nsrun_error *err);

#endif
