/* SPDX-License-Identifier: Apache-2.0 */
#include "util/timestamp.h"

#include <stdio.h>

/* Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras
 * of 146097 days that start on March 1st (so that a leap day ends one). */
static void civil_from_days(long days, int *year, int *month, int *day)
{
	days += 719468; /* 0000-03-01 to 1970-01-01 */
	long era = (days >= 0 ? days : days - 146096) / 146097;
	long doe = days - era * 146097; /* [0, 146096] */
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365], from March 1st */
	long mp = (5 * doy + 2) / 153; /* [0, 11], March is 0 */
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(yoe + era * 400 + (*month <= 2));
}

void timestamp_rfc3339(const struct timespec *ts, char *buf, size_t size)
{
	long days = (long)(ts->tv_sec / 86400), secs = (long)(ts->tv_sec % 86400);
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int year, month, day;
	civil_from_days(days, &year, &month, &day);
	(void)snprintf(buf, size, "%04d-%02d-%02dT%02ld:%02ld:%02ld.%09ldZ", year, month, day,
		       secs / 3600, secs / 60 % 60, secs % 60, ts->tv_nsec);
}
