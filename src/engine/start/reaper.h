/* SPDX-License-Identifier: Apache-2.0 */
/* --init: stay PID 1, run the command as a child, reap every zombie and
 * forward signals, as tini does. */
#ifndef NSRUN_ENGINE_START_REAPER_H
#define NSRUN_ENGINE_START_REAPER_H

#include <nsrun/nsrun.h>

/* Fork and execute the command, then reap and forward until it ends;
 * forked() is called once the command is forked, before the reaper closes
 * its descriptors. Returns the command's exit status (128+N for signal N),
 * or -1 with err filled. */
int reaper_run(const struct nsrun_spec *spec, void (*forked)(void), struct nsrun_error *err);

#endif
