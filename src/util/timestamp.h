/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 timestamps in UTC, without the C library's time zone code
 * (glibc's gmtime reads /etc/localtime at its first call). */
#ifndef NSRUN_UTIL_TIMESTAMP_H
#define NSRUN_UTIL_TIMESTAMP_H

#include <stddef.h>
#include <time.h>

/* "YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ" (30 characters) into buf, truncated to
 * size as snprintf does. */
void timestamp_rfc3339(const struct timespec *ts, char *buf, size_t size);

#endif
