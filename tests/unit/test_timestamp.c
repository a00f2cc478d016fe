/* SPDX-License-Identifier: Apache-2.0 */
/* util/timestamp: RFC 3339 in UTC, against the C library's gmtime_r. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "util/timestamp.h"

static void expect(time_t sec, long nsec, const char *want)
{
	struct timespec ts = { .tv_sec = sec, .tv_nsec = nsec };
	char got[40];
	timestamp_rfc3339(&ts, got, sizeof(got));
	TAP_OK(strcmp(got, want) == 0, "%lld.%09ld is %s (got %s)", (long long)sec, nsec, want,
	       got);
}

/* Every day from 1601 to 2399 (leap days of 1600, 2000, none in 1700,
 * 1800, 1900, 2100, 2200, 2300), at one second to midnight. */
static void every_day_matches_gmtime(void)
{
	long bad = 0;
	for (long day = -134774; day < 157850 && bad < 5; day++) {
		struct timespec ts = { .tv_sec = (time_t)day * 86400 + 86399, .tv_nsec = 7 };
		struct tm tm;
		char got[40], want[80];
		gmtime_r(&ts.tv_sec, &tm);
		(void)snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000000007Z",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			       tm.tm_sec);
		timestamp_rfc3339(&ts, got, sizeof(got));
		if (strcmp(got, want) != 0) {
			printf("#   day %ld: got %s, gmtime_r says %s\n", day, got, want);
			bad++;
		}
	}
	TAP_OK(bad == 0, "every day from 1601 to 2399 as gmtime_r has it");
}

int main(void)
{
	expect(0, 0, "1970-01-01T00:00:00.000000000Z");
	expect(951782400, 1, "2000-02-29T00:00:00.000000001Z");
	expect(4107542399, 999999999, "2100-02-28T23:59:59.999999999Z");
	expect(4107542400, 0, "2100-03-01T00:00:00.000000000Z");
	expect(-1, 0, "1969-12-31T23:59:59.000000000Z");
	expect(1796454810, 113336918, "2026-12-05T07:13:30.113336918Z");
	every_day_matches_gmtime();
	char small[11];
	struct timespec ts = { 0, 0 };
	timestamp_rfc3339(&ts, small, sizeof(small));
	TAP_OK(strcmp(small, "1970-01-01") == 0, "a short buffer gets the start, terminated");
	return tap_done();
}
