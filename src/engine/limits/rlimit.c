/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits. See rlimit.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "engine/limits/rlimit.h"
#include "util/cleanup.h"

static const struct {
	const char *name;
	int resource;
} names[] = {
	{ "AS", RLIMIT_AS },
	{ "CORE", RLIMIT_CORE },
	{ "CPU", RLIMIT_CPU },
	{ "DATA", RLIMIT_DATA },
	{ "FSIZE", RLIMIT_FSIZE },
	{ "LOCKS", RLIMIT_LOCKS },
	{ "MEMLOCK", RLIMIT_MEMLOCK },
	{ "MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "NICE", RLIMIT_NICE },
	{ "NOFILE", RLIMIT_NOFILE },
	{ "NPROC", RLIMIT_NPROC },
	{ "RSS", RLIMIT_RSS },
	{ "RTPRIO", RLIMIT_RTPRIO },
	{ "RTTIME", RLIMIT_RTTIME },
	{ "SIGPENDING", RLIMIT_SIGPENDING },
	{ "STACK", RLIMIT_STACK },
};

int rlimit_from_name(const char *name)
{
	if (strncasecmp(name, "RLIMIT_", 7) == 0)
		name += 7;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].resource;
	return -1;
}

const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].resource == resource)
			return names[i].name;
	return "?";
}

static void format_limit(uint64_t v, char *buf, size_t size)
{
	/* The callers' 24 bytes hold "unlimited" and any 20-digit uint64_t. */
	if (v == (uint64_t)RLIM_INFINITY)
		(void)snprintf(buf, size, "unlimited");
	else
		(void)snprintf(buf, size, "%" PRIu64, v);
}

int rlimit_apply(const struct nsrun_spec *spec, struct nsrun_error *err)
{
	for (unsigned i = 0; i < spec->n_rlimits; i++) {
		const struct nsrun_rlimit *l = &spec->rlimits[i];
		struct rlimit want = { (rlim_t)l->soft, (rlim_t)l->hard };
		if (setrlimit(l->resource, &want) == 0)
			continue;
		int e = errno;
		struct rlimit have;
		char soft[24], hard[24];
		format_limit(l->soft, soft, sizeof(soft));
		format_limit(l->hard, hard, sizeof(hard));
		if (e == EPERM && getrlimit(l->resource, &have) == 0 &&
		    want.rlim_max > have.rlim_max) {
			char held[24];
			format_limit((uint64_t)have.rlim_max, held, sizeof(held));
			return nsrun_fail_about(
				err, NSRUN_ABOUT_RLIMIT, (int)i, 0,
				"%s=%s:%s: above the hard limit %s that nsrun holds "
				"(raising it needs CAP_SYS_RESOURCE)",
				rlimit_name(l->resource), soft, hard, held);
		}
		return nsrun_fail_about(err, NSRUN_ABOUT_RLIMIT, (int)i, e, "set %s=%s:%s",
					rlimit_name(l->resource), soft, hard);
	}
	return 0;
}
