/* SPDX-License-Identifier: Apache-2.0 */
/* The launcher sends every spec to its init stage: whatever a parser
 * produced must encode, and decode to the same bytes. */
#ifndef NSRUN_FUZZ_SPEC_CHECK_H
#define NSRUN_FUZZ_SPEC_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "engine/start/wire.h"

static void fuzz_spec_round_trip(const struct nsrun_spec *spec)
{
	struct nsrun_error err;
	char *once, *twice;
	size_t len1, len2;
	if (spec_encode(spec, &once, &len1, &err) < 0)
		abort();
	char *copy = malloc(len1 ? len1 : 1);
	if (!copy)
		abort();
	memcpy(copy, once, len1);
	struct nsrun_spec decoded;
	if (spec_decode(copy, len1, &decoded, &err) < 0 ||
	    spec_encode(&decoded, &twice, &len2, &err) < 0)
		abort();
	if (len1 != len2 || memcmp(once, twice, len1) != 0)
		abort();
	spec_decoded_release(&decoded);
	free(copy);
	free(once);
	free(twice);
}

#endif
