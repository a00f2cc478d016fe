/* SPDX-License-Identifier: Apache-2.0 */
/* Verbose start-up tracing. One formatted write() per line, so lines from the
 * launcher and its init stage do not interleave mid-line. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static const char *trace_name = "nsrun";

void nsrun_trace_set_name(const char *name)
{
	trace_name = name;
}

static void say_v(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "nsrun: %s", prefix);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}

void nsrun_say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_v("", fmt, ap);
	va_end(ap);
}

void nsrun_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say_v("warning: ", fmt, ap);
	va_end(ap);
}

/* When the step a trace line reports began: the previous line, or the
 * start of the process's work (nsrun_trace_start). */
static struct timespec step_start;

void nsrun_trace_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &step_start);
}

/* Milliseconds since the step began, and the next step begins now. */
static double step_ms(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double ms = step_start.tv_sec ? (double)(now.tv_sec - step_start.tv_sec) * 1e3 +
						(double)(now.tv_nsec - step_start.tv_nsec) / 1e6
				      : 0.0;
	step_start = now;
	return ms;
}

void nsrun_trace(int verbose, const char *fmt, ...)
{
	if (!verbose)
		return;
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s: ", trace_name);
	if (n < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 24)
		len = sizeof(line) - 24;
	/* The step's duration: what -v is for, besides the order. */
	len += (size_t)snprintf(line + len, sizeof(line) - len, " (%.3f ms)", step_ms());
	line[len++] = '\n';
	/* Tracing is best effort: a full or closed stderr must not stop a start. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
