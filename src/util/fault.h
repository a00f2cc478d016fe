/* SPDX-License-Identifier: Apache-2.0 */
/* Fault injection for the reliability tests: named points along the
 * start-up path where a test build can make nsrun die (SIGKILL) or a step
 * fail with a chosen errno. Release builds compile every point away.
 *
 *   NSRUN_FAULT=STEP:kill      SIGKILL this process when it reaches STEP
 *   NSRUN_FAULT=STEP:stop      SIGSTOP it there, to go on at SIGCONT
 *   NSRUN_FAULT=STEP:ENOSPC    make STEP fail with that errno (name or number)
 *   NSRUN_FAULT=STEP@2:kill    the same at the second time STEP is reached
 *   NSRUN_FAULT_TRACE=1        print "nsrun: fault point STEP" on stderr at
 *                              every point reached, to list the steps
 *
 * Only in builds configured with -Dfault_injection=true. */
#ifndef NSRUN_UTIL_FAULT_H
#define NSRUN_UTIL_FAULT_H

#include <nsrun/error.h>

#ifdef NSRUN_FAULT_INJECTION
/* 0 to go on (also after a stop); -1 with err filled ("fault injected at STEP: <errno text>")
 * when the step is to fail. Does not return when it is to die. */
int fault_point(const char *step, struct nsrun_error *err);
#define NSRUN_FAULT_BUILD 1
#else
static inline int fault_point(const char *step, struct nsrun_error *err)
{
	(void)step;
	(void)err;
	return 0;
}
#define NSRUN_FAULT_BUILD 0
#endif

#endif
