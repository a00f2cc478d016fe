/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: docker-style env files (--env-file). */
#include <stdint.h>
#include <string.h>

#include "cli/environ.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *caller[] = { "HOME=/root", "PATH=/bin", NULL };
	struct env_list env;
	struct nsrun_error err;
	if (env_copy(&env, caller, &err) < 0)
		return 0;
	if (env_parse_file_text(&env, (const char *)data, size, "fuzz", caller, &err) == 0) {
		/* every entry is NAME=VALUE with a non-empty name */
		for (size_t i = 0; i < env.n; i++) {
			const char *eq = strchr(env.v[i], '=');
			if (!eq || eq == env.v[i])
				__builtin_trap();
		}
		if (env.v[env.n] != NULL)
			__builtin_trap();
	}
	env_free(&env);
	return 0;
}
