/* SPDX-License-Identifier: Apache-2.0 */
/* Option values: numbers, modes, sizes, second values, growing lists.
 * See parse.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli/parse.h"

/* A whole number from min to max in strtoll's syntax (leading blanks, a
 * sign), the whole text. */
static bool read_whole(const char *text, int base, long long min, long long max, long long *value)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, base);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return false;
	*value = v;
	return true;
}

int cli_parse_fd(const char *text, const char *option, int *fd, struct nsrun_error *err)
{
	long long v;
	if (!read_whole(text, 10, 0, INT_MAX, &v))
		return nsrun_fail(err, 0, "%s '%s': not a descriptor number", option, text);
	*fd = (int)v;
	return 0;
}

int cli_parse_mode(const char *text, const char *option, int *mode, struct nsrun_error *err)
{
	long long v;
	if (!read_whole(text, 8, 0, 07777, &v))
		return nsrun_fail(err, 0, "%s '%s': not an octal mode (0 to 7777)", option, text);
	*mode = (int)v;
	return 0;
}

int cli_parse_range(const char *text, const char *option, uint64_t min, uint64_t max,
		    uint64_t *value, struct nsrun_error *err)
{
	long long v;
	/* The callers' ranges are far below LLONG_MAX. */
	if (!read_whole(text, 10, (long long)min, (long long)max, &v))
		return nsrun_fail(err, 0, "%s '%s': expected a number from %llu to %llu", option,
				  text, (unsigned long long)min, (unsigned long long)max);
	*value = (uint64_t)v;
	return 0;
}

/* BYTES, optionally with a k, m or g suffix (powers of 1024). */
int cli_parse_bytes(const char *text, const char *option, uint64_t *size, struct nsrun_error *err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	}
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v == 0 ||
	    v > (UINT64_MAX >> shift))
		return nsrun_fail(err, 0, "%s '%s': not a size in bytes (k, m, g suffixes)", option,
				  text);
	*size = (uint64_t)v << shift;
	return 0;
}

const char *cli_second_value(struct cli_parser *p, const char *option)
{
	/* "--bind /tmp -- cmd": the "--" ends the options, it is no path (as
	 * bwrap reads it). */
	if (optind >= p->argc || strcmp(p->argv[optind], "--") == 0) {
		nsrun_fail(p->err, 0, "option '%s' needs two values (see nsrun --help)", option);
		return NULL;
	}
	return p->argv[optind++];
}

void *cli_append(void *array_ptr, unsigned n, size_t size)
{
	void **array = array_ptr;
	char *grown = realloc(*array, ((size_t)n + 1) * size);
	if (!grown)
		return NULL;
	*array = grown;
	return grown + (size_t)n * size;
}
