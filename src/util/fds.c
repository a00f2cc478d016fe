/* SPDX-License-Identifier: Apache-2.0 */
/* Descriptor hygiene. See fds.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fds.h"

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int close_from_to(unsigned first, unsigned last)
{
	if (first > last)
		return 0;
	if (syscall(SYS_close_range, first, last, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	for (unsigned fd = first; fd <= last && fd < 65536; fd++)
		close((int)fd);
	return 0;
}

int fds_close_all_but(const int *keep, unsigned n, struct nsrun_error *err)
{
	int sorted[64];
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		if (keep[i] <= 2)
			continue;
		/* Silently closing a descriptor asked to be kept is worse. */
		if (m == sizeof(sorted) / sizeof(sorted[0]))
			return nsrun_fail(err, E2BIG, "keep more than %u inherited descriptors", m);
		sorted[m++] = keep[i];
	}
	if (m > 1)
		qsort(sorted, m, sizeof(int), cmp_int);
	unsigned next = 3;
	for (unsigned i = 0; i < m; i++) {
		if ((unsigned)sorted[i] < next)
			continue; /* a duplicate */
		if (close_from_to(next, (unsigned)sorted[i] - 1) < 0)
			return nsrun_fail(err, errno, "close inherited descriptors");
		next = (unsigned)sorted[i] + 1;
	}
	if (close_from_to(next, ~0U) < 0)
		return nsrun_fail(err, errno, "close inherited descriptors");
	return 0;
}
