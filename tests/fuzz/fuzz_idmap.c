/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the -M/-G map parser, on any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ns/idmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	static struct nsrun_id_map map;
	struct nsrun_error err;
	if (idmap_parse(text, "-M", &map, &err) == 0) {
		char buf[NSRUN_MAX_MAP_LINES * 34];
		/* Whatever parses must format within the kernel's page. */
		if (idmap_format(&map, buf, sizeof(buf)) < 0)
			abort();
	}
	free(text);
	return 0;
}
