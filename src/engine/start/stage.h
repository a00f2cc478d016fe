/* SPDX-License-Identifier: Apache-2.0 */
/* The stage: the child in the new namespaces that sets up the sandbox from
 * inside and then becomes the command. */
#ifndef NSRUN_ENGINE_START_STAGE_H
#define NSRUN_ENGINE_START_STAGE_H

#include <nsrun/error.h>

/* argv[0] of the re-executed child; the reexec dispatcher runs
 * nsrun_init_stage() for it. */
#define NSRUN_INIT_STAGE "nsrun:init"

struct nsrun_spec;

/* The launcher's message that the stage is in its cgroups: it makes the
 * v1 ones and moves the stage in while the stage sets the sandbox up. */
#define STAGE_CGROUPS_READY "G"

/* In the stage, once: wait for that message, then make the cgroup
 * namespace where one is asked for. Before anything that depends on the
 * cgroups: a cgroup filesystem's view, a hook's process, the command.
 * A no-op elsewhere (in place, where there is no launcher). */
int stage_await_cgroups(const struct nsrun_spec *spec, struct nsrun_error *err);

/* argv: { "nsrun:init", "<sync fd>" }. Never returns on success. */
int nsrun_init_stage(int argc, char **argv);

/* In the cloned child, before the stage: a step that failed before the
 * stage could say so. The stage fails with it once it can report. */
void init_stage_fail_early(int errnum, const char *what);

#endif
