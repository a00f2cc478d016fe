/* SPDX-License-Identifier: Apache-2.0 */
/* A growing byte buffer's room. See buffer.h. */
#include <stdlib.h>

#include "util/buffer.h"

int buffer_reserve(char **buf, size_t *cap, size_t need, size_t first)
{
	if (need <= *cap)
		return 0;
	size_t grown_cap = *cap ? *cap : first;
	while (grown_cap < need)
		grown_cap *= 2;
	char *grown = realloc(*buf, grown_cap);
	if (!grown)
		return -1;
	*buf = grown;
	*cap = grown_cap;
	return 0;
}
