/* SPDX-License-Identifier: Apache-2.0 */
/* The container's terminal (OCI process.terminal): a pty allocated inside
 * the container, its master sent to the caller's console socket. */
#ifndef NSRUN_ENGINE_FS_CONSOLE_H
#define NSRUN_ENGINE_FS_CONSOLE_H

#include <nsrun/nsrun.h>

/* In the init, after the new root is in place: open /dev/ptmx, send the
 * master over spec->console_socket_fd (one SCM_RIGHTS descriptor, as conmon
 * checks it), bind the slave onto /dev/console, make it the controlling
 * terminal and descriptors 0, 1 and 2. */
int console_setup(const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
