/* SPDX-License-Identifier: Apache-2.0 */
/* Fault injection points. See fault.h. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fault.h"

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "EPERM", EPERM },   { "ENOENT", ENOENT }, { "EINTR", EINTR },	  { "EIO", EIO },
	{ "E2BIG", E2BIG },   { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
	{ "EBUSY", EBUSY },   { "EEXIST", EEXIST }, { "EINVAL", EINVAL }, { "ENFILE", ENFILE },
	{ "EMFILE", EMFILE }, { "ENOSPC", ENOSPC }, { "EROFS", EROFS },	  { "EPIPE", EPIPE },
	{ "ENOSYS", ENOSYS },
};

/* The parsed NSRUN_FAULT, read once: the init stage replaces its
 * environment with the container's part way through. */
static struct {
	bool read;
	bool trace;
	char step[64];
	unsigned nth; /* fire at the nth time the step is reached */
	unsigned seen;
	bool kill;
	bool stop;
	int errnum;
} plan;

static void read_plan(void)
{
	plan.read = true;
	const char *trace = getenv("NSRUN_FAULT_TRACE");
	plan.trace = trace && *trace && strcmp(trace, "0") != 0;
	const char *spec = getenv("NSRUN_FAULT");
	const char *colon = spec ? strrchr(spec, ':') : NULL;
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(plan.step))
		return;
	const char *action = colon + 1;
	if (strcmp(action, "kill") == 0) {
		plan.kill = true;
	} else if (strcmp(action, "stop") == 0) {
		plan.stop = true;
	} else {
		for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
			if (strcmp(action, errno_names[i].name) == 0)
				plan.errnum = errno_names[i].value;
		if (plan.errnum == 0) {
			char *end;
			long n = strtol(action, &end, 10);
			if (*end == '\0' && n > 0 && n < 4096)
				plan.errnum = (int)n;
		}
		if (plan.errnum == 0)
			return;
	}
	memcpy(plan.step, spec, (size_t)(colon - spec));
	plan.nth = 1;
	char *at = strrchr(plan.step, '@');
	if (at) {
		char *end;
		unsigned long n = strtoul(at + 1, &end, 10);
		if (*end == '\0' && n > 0 && n < 1000) {
			plan.nth = (unsigned)n;
			*at = '\0';
		}
	}
}

int fault_point(const char *step, struct nsrun_error *err)
{
	if (!plan.read)
		read_plan();
	if (plan.trace)
		dprintf(STDERR_FILENO, "nsrun: fault point %s\n", step);
	if (plan.step[0] == '\0' || strcmp(plan.step, step) != 0 || ++plan.seen != plan.nth)
		return 0;
	if (plan.kill) {
		(void)raise(SIGKILL); /* a valid signal to ourselves: cannot fail */
		/* Not reached, as SIGKILL cannot be blocked or caught; kept because
		 * the compiler does not know raise does not return here. */
		_exit(137);
	}
	if (plan.stop) {
		(void)raise(SIGSTOP); /* until a SIGCONT: a test looks at us meanwhile */
		return 0;
	}
	return nsrun_fail(err, plan.errnum, "fault injected at %s", step);
}
