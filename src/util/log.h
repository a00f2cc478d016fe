/* SPDX-License-Identifier: Apache-2.0 */
/* Verbose start-up tracing on stderr ("nsrun: <step>"), one line per step. */
#ifndef NSRUN_UTIL_LOG_H
#define NSRUN_UTIL_LOG_H

/* Print "nsrun[<stage>]: <fmt>" on stderr when verbose is non-zero. */
void nsrun_trace(int verbose, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "nsrun: <fmt>" on stderr: what the user should know though nothing in
 * nsrun failed; nsrun_warn adds "warning: ". */
void nsrun_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nsrun_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start timing: each trace line ends with how long its step took since
 * the previous line, or since this call for the first. */
void nsrun_trace_start(void);

/* Name the process in trace lines: "nsrun" for the launcher, the stage
 * name in a re-executed stage. */
void nsrun_trace_set_name(const char *name);

#endif
