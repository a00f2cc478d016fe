/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: decoding the spec the init stage receives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/start/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct nsrun_spec spec;
	struct nsrun_error err;
	if (spec_decode(buf, size, &spec, &err) == 0) {
		/* What decodes, encodes; and that encoding decodes and encodes
		 * to itself. */
		char *once, *twice;
		size_t len1, len2;
		if (spec_encode(&spec, &once, &len1, &err) < 0)
			abort();
		spec_decoded_release(&spec);
		char *copy = malloc(len1);
		if (!copy)
			abort();
		memcpy(copy, once, len1);
		if (spec_decode(copy, len1, &spec, &err) < 0 ||
		    spec_encode(&spec, &twice, &len2, &err) < 0)
			abort();
		if (len1 != len2 || memcmp(once, twice, len1) != 0)
			abort();
		spec_decoded_release(&spec);
		free(copy);
		free(once);
		free(twice);
	}
	free(buf);
	return 0;
}
