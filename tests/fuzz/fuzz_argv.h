/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz input as a command line, for the targets that parse one. */
#ifndef NSRUN_FUZZ_ARGV_H
#define NSRUN_FUZZ_ARGV_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* argv: room for argv[0], up to 64 words and the NULL. */
#define FUZZ_ARGV_SIZE 66

/* Split a NUL-terminated copy of data at its NUL bytes into argv[1..]
 * (argv[0] = name); sets *argc. Returns the copy, which the words point
 * into and the caller frees, or NULL when out of memory. */
static inline char *fuzz_argv(const uint8_t *data, size_t size, const char *name,
			      char *argv[FUZZ_ARGV_SIZE], int *argc)
{
	char *text = malloc(size + 1);
	if (!text)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = (char *)name;
	*argc = 1;
	for (size_t i = 0; i <= size && *argc < FUZZ_ARGV_SIZE - 1;) {
		argv[(*argc)++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[*argc] = NULL;
	return text;
}

#endif
