/* SPDX-License-Identifier: Apache-2.0 */
/* A growing byte buffer's room: the spec's wire form and the seccomp cache's
 * keys are appended to one, a few fields at a time. */
#ifndef NSRUN_UTIL_BUFFER_H
#define NSRUN_UTIL_BUFFER_H

#include <stddef.h>

/* Room for `need` bytes in *buf, of *cap bytes: realloc'd to the first
 * power-of-two multiple of `first` (or of *cap) that holds them. 0, or -1
 * with errno, the buffer unchanged. */
int buffer_reserve(char **buf, size_t *cap, size_t need, size_t first);

#endif
