/* SPDX-License-Identifier: Apache-2.0 */
/* The stage: the child in the new namespaces that sets up the sandbox from
 * inside and then becomes the command. */
#ifndef NSRUN_ENGINE_START_STAGE_H
#define NSRUN_ENGINE_START_STAGE_H

#include <nsrun/error.h>

/* argv[0] of the re-executed child; the reexec dispatcher runs
 * nsrun_init_stage() for it. */
#define NSRUN_INIT_STAGE "nsrun:init"

/* argv: { "nsrun:init", "<sync fd>" }. Never returns on success. */
int nsrun_init_stage(int argc, char **argv);

/* In the cloned child, before the stage: a step that failed before the
 * stage could say so. The stage fails with it once it can report. */
void init_stage_fail_early(int errnum, const char *what);

#endif
