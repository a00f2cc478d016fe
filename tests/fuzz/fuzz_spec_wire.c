/* Fuzz target: decoding the spec the init stage receives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec_wire.h"

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
		/* A decoded spec encodes back to the same bytes. */
		char *again;
		size_t len;
		if (spec_encode(&spec, &again, &len, &err) == 0) {
			if (len != size || memcmp(again, data, size) != 0)
				abort();
			free(again);
		}
		spec_decoded_release(&spec);
	}
	free(buf);
	return 0;
}
