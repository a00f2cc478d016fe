/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: seccomp profiles (--seccomp FILE, linux.seccomp). */
#include <stdint.h>

#include "engine/limits/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nsrun_error err;
	struct nsrun_seccomp *p = nsrun_seccomp_parse((const char *)data, size, "fuzz", &err);
	/* Compiling exercises what parsing let through. */
	if (p && p->n_rules < 64)
		seccomp_compile(p, &err);
	nsrun_seccomp_free(p);
	return 0;
}
