/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits (setrlimit) for the command, and their names. */
#ifndef NSRUN_ENGINE_LIMITS_RLIMIT_H
#define NSRUN_ENGINE_LIMITS_RLIMIT_H

#include <nsrun/nsrun.h>

/* RLIMIT_* for "NOFILE", "nofile" or "RLIMIT_NOFILE"; -1 if unknown. */
int rlimit_from_name(const char *name);
const char *rlimit_name(int resource);

/* Apply every limit of the spec to the calling process. A hard limit above
 * the one held is an error that says so (raising it needs CAP_SYS_RESOURCE
 * in the initial user namespace). */
int rlimit_apply(const struct nsrun_spec *spec, struct nsrun_error *err);

#endif
