/* SPDX-License-Identifier: Apache-2.0 */
/* Descriptor hygiene: closing everything a step does not need. */
#ifndef NSRUN_UTIL_FDS_H
#define NSRUN_UTIL_FDS_H

#include <nsrun/error.h>

/* Close every descriptor above 2 except those in keep (negative entries
 * are ignored). Before any path the sandbox controls is used: an inherited
 * directory descriptor reached through /proc/self/fd leads out of it. */
int fds_close_all_but(const int *keep, unsigned n, struct nsrun_error *err);

#endif
