/* SPDX-License-Identifier: Apache-2.0 */
/* nsrun_run()'s two start-up paths and what they share. */
#ifndef NSRUN_ENGINE_START_LAUNCH_H
#define NSRUN_ENGINE_START_LAUNCH_H

#include <sys/types.h>

#include <nsrun/nsrun.h>

/* In place: never returns on success, the command replaces us. */
int launch_in_place(const struct nsrun_spec *spec, struct nsrun_error *err);

/* PR_SET_PDEATHSIG; the parent may already be gone. */
int launch_die_with_parent(pid_t parent, struct nsrun_error *err);

/* The JSON status descriptor's first line: the command's pid and the
 * inodes of its new namespaces, best effort. */
void launch_json_child(const struct nsrun_spec *spec, pid_t pid);

/* The JSON status descriptor: {"KEY": VALUE} on a line, best effort. */
void launch_json_status(const struct nsrun_spec *spec, const char *key, long value);

#endif
